"""Command line: /usr/bin/python3 -m reports <command> ... (from the repo root).

Exit codes: 0 ok; 1 `diff` found a regression; 2 bad input (the message names the file).
"""
import argparse
import sys
from pathlib import Path

from .errors import InputError


def _html(a):
    from . import html_report, load
    results = load.open_results(a.results)
    out = Path(a.out) if a.out else results.path / "report"
    index = html_report.render(results, out)
    print(index)
    return 0


def _markdown(a):
    from . import load, markdown
    results = load.open_results(a.results)
    text = markdown.render(results, link_base=a.link_base)
    if a.out:
        Path(a.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _junit(a):
    from . import junit, load
    results = load.open_results(a.results)
    Path(a.out).write_bytes(junit.render(results))
    return 0


def _diff(a):
    from . import diff
    d = diff.compare(diff.load_side(a.base), diff.load_side(a.new))
    sys.stdout.write(diff.as_json(d) if a.json else diff.as_text(d))
    return 1 if d["counts"]["regressed"] else 0


def _merge(a):
    from . import merge
    index = merge.merge(a.dirs, Path(a.out), html=not a.no_html)
    print(index)
    return 0


def parser():
    p = argparse.ArgumentParser(prog="python3 -m reports", description="wireproof reports from result JSON")
    sub = p.add_subparsers(dest="cmd", required=True)
    h = sub.add_parser("html", help="self-contained HTML report (index matrix, pair and run pages)")
    h.add_argument("results", help="matrix directory (summary.json) or a single run directory (result.json)")
    h.add_argument("--out", help="output directory (default RESULTS/report)")
    h.set_defaults(fn=_html)
    m = sub.add_parser("markdown", help="Markdown summary for a CI job summary or PR comment")
    m.add_argument("results")
    m.add_argument("--link-base", default="report/",
                   help="prefix for links to run pages (default 'report/', the html command's default location)")
    m.add_argument("--out", help="write here instead of stdout")
    m.set_defaults(fn=_markdown)
    j = sub.add_parser("junit", help="JUnit XML: one testcase per (scenario, client, server)")
    j.add_argument("results")
    j.add_argument("--out", required=True)
    j.set_defaults(fn=_junit)
    d = sub.add_parser("diff", help="compare two matrices; exit 1 on any regression")
    d.add_argument("base", help="summary.json or matrix directory")
    d.add_argument("new", help="summary.json or matrix directory")
    d.add_argument("--json", action="store_true", help="machine-readable output")
    d.set_defaults(fn=_diff)
    g = sub.add_parser("merge", help="combine shard outputs into one matrix, then render HTML")
    g.add_argument("dirs", nargs="+", help="shard matrix directories")
    g.add_argument("--out", required=True, help="merged matrix directory (summary.json, run dirs, report/)")
    g.add_argument("--no-html", action="store_true", help="skip rendering report/")
    g.set_defaults(fn=_merge)
    return p


def main(argv=None):
    a = parser().parse_args(argv)
    try:
        return a.fn(a)
    except InputError as e:
        print(f"wireproof report: error: {e}", file=sys.stderr)
        return 2
