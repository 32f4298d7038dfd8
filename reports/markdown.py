"""`markdown`: a summary for a CI job summary or a PR comment: counts, failures
first with a one-line reason each, one matrix per protocol, links to run pages.

Peer- and packet-derived strings are escaped for Markdown *and* HTML, because
GitHub renders inline HTML in comments."""
import re
import urllib.parse

from .html_report import _matrices, _one_line_reason
from .paths import run_page_dir
from .verdicts import RUN_VERDICTS, counts

EMOJI = {"pass": "✅", "fail": "❌", "xfail": "⚠️", "error": "💥", "unsupported": "➖",
         "inconclusive": "❔", "flaky": "🔁", "not_run": "⏹️"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def esc(s, limit=200):
    s = " ".join(str(s).split())  # newlines would end a table row or list item
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", s)


def _link(base, run):
    return base + urllib.parse.quote(run_page_dir(run.dir) + "/index.html")


def _cell(c):
    if not c["n"]:
        return "—"
    return " ".join(f"{EMOJI[v]}{n}" for v, n in c["counts"].items() if n)


def render(results, link_base="report/"):
    s = results.summary
    total = counts(r.verdict for r in results.runs)
    lines = ["## wireproof interop results", ""]
    lines.append(f"**{len(results.runs)} runs**: " + " · ".join(f"{EMOJI[v]} {total[v]} {v}" for v in RUN_VERDICTS)
                 + f" — seed {esc(s.get('seed'))}, started {esc(s.get('started_at') or '?')}")
    lines.append("")
    order = {"error": 0, "fail": 1, "flaky": 1, "inconclusive": 1, "xfail": 2}
    problems = sorted((r for r in results.runs if r.verdict in order),
                      key=lambda r: (order[r.verdict], r.scenario, r.client, r.server))
    if any(r.verdict in ("fail", "error", "flaky", "inconclusive") for r in problems):
        lines += ["### Failures", ""]
        for r in problems:
            if r.verdict in ("fail", "error", "flaky", "inconclusive"):
                lines.append(f"- {EMOJI[r.verdict]} **{esc(r.verdict)}** [{esc(r.scenario)} · {esc(r.client)} → "
                             f"{esc(r.server)}]({_link(link_base, r)}): {esc(_one_line_reason(r))}")
        lines.append("")
    xfails = [r for r in problems if r.verdict == "xfail"]
    if xfails:
        lines += ["### Expected failures", ""]
        for r in xfails:
            reasons = [c.get("expected_failure") for c in (r.result or {}).get("checks", []) if c.get("expected_failure")]
            why = "; ".join(map(str, reasons)) or _one_line_reason(r)
            lines.append(f"- {EMOJI['xfail']} [{esc(r.scenario)} · {esc(r.client)} → {esc(r.server)}]"
                         f"({_link(link_base, r)}): {esc(why)}")
        lines.append("")
    for mx in _matrices(results):
        lines += [f"### {esc(mx['protocol'])}", ""]
        lines.append("| client \\\\ server | " + " | ".join(esc(x) for x in mx["servers"]) + " |")
        lines.append("|---" * (len(mx["servers"]) + 1) + "|")
        for row in mx["rows"]:
            lines.append(f"| **{esc(row['client'])}** | " + " | ".join(_cell(c) for c in row["cells"]) + " |")
        lines.append("")
    lines.append("Legend: " + " ".join(f"{EMOJI[v]} {v}" for v in RUN_VERDICTS))
    lines.append("")
    return "\n".join(lines)
