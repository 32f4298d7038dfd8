"""`html`: a self-contained report directory (opens from the file system, no
network): index.html with one client x server matrix per protocol, a page per
pair, and a page per run (checks, ladder, retransmission chart, peer logs),
with each run's artifacts copied beside its page.
"""
import datetime
import shlex
import shutil
from pathlib import Path

from . import ladder, load, retx_chart, tcp_view, topology
from .paths import pair_page, rel, run_page_dir
from .templating import environment
from .verdicts import RUN_VERDICTS, counts, worst

LOG_LIMIT = 64 * 1024          # bytes of each peer log shown inline
ARTIFACT_DEFAULTS = {"events": "events.jsonl", "capture": "capture.pcapng",
                     "client_stdout": "client.stdout", "client_stderr": "client.stderr",
                     "server_stdout": "server.stdout", "server_stderr": "server.stderr",
                     "run_log": "run.log"}  # the harness's own log (the runner writes it when a run dies)


def _fmt_duration(s):
    if not isinstance(s, (int, float)):
        return ""
    if s < 120:
        return f"{s:.2f} s"
    return f"{int(s // 60)} min {s % 60:.0f} s"


def _peer_table(results):
    peers = dict(results.summary.get("peers") or {})
    for r in results.runs:
        for role in ("client", "server"):
            p = (r.result or {}).get(role) or {}
            name = p.get("name")
            if name and name not in peers:
                peers[name] = {"implementation": p.get("implementation", ""), "version": p.get("version", "")}
    rows = []
    for name, info in peers.items():
        info = info if isinstance(info, dict) else {}
        rows.append({"name": name, "implementation": str(info.get("implementation", "")),
                     "version": str(info.get("version", ""))})
    return rows


def _ordered(names_from_summary, present):
    out = [n for n in names_from_summary if n in present]
    return out + sorted(n for n in present if n not in out)


def _matrices(results):
    out = []
    s = results.summary
    for proto in results.protocols:
        runs = [r for r in results.runs if r.protocol == proto]
        clients = _ordered(s.get("clients") or [], {r.client for r in runs})
        servers = _ordered(s.get("servers") or [], {r.server for r in runs})
        rows = []
        for c in clients:
            cells = []
            for sv in servers:
                cell_runs = [r for r in runs if r.client == c and r.server == sv]
                vs = [r.verdict for r in cell_runs]
                if len(cell_runs) == 1:
                    href = run_page_dir(cell_runs[0].dir) + "/index.html"
                elif cell_runs:
                    href = pair_page(c, sv) + "#" + proto
                else:
                    href = None
                title = "; ".join(f"{r.scenario}: {r.verdict}" for r in cell_runs)
                cells.append({"server": sv, "n": len(cell_runs), "counts": counts(vs), "worst": worst(vs),
                              "href": href, "title": title})
            rows.append({"client": c, "cells": cells})
        out.append({"protocol": proto, "servers": servers, "rows": rows, "counts": counts(r.verdict for r in runs)})
    return out


def _scenarios(results):
    seen = {}
    for r in results.runs:
        sc = (r.result or {}).get("scenario") or {}
        e = seen.setdefault(r.scenario, {"name": r.scenario, "protocol": r.protocol,
                                         "description": "", "refs": [], "file": "", "verdicts": []})
        if not e["description"] and sc.get("description"):
            e["description"] = str(sc["description"])
        if not e["refs"] and isinstance(sc.get("refs"), list):
            e["refs"] = [str(x) for x in sc["refs"]]
        if not e["file"] and sc.get("file"):
            e["file"] = str(sc["file"])
        e["verdicts"].append(r.verdict)
    for e in seen.values():
        e["counts"] = counts(e.pop("verdicts"))
    return list(seen.values())


def _one_line_reason(run):
    if run.reason:
        return run.reason
    for c in (run.result or {}).get("checks", []):
        if c.get("verdict") == "fail":
            return f"{c.get('name')}: {c.get('detail', '')}".strip()
    if run.failed_checks:
        return "failed checks: " + ", ".join(map(str, run.failed_checks))
    return ""


def _problem_runs(results):
    order = {"error": 0, "fail": 1, "flaky": 1, "inconclusive": 1}
    bad = [r for r in results.runs if r.verdict in order]
    bad.sort(key=lambda r: (order[r.verdict], r.scenario, r.client, r.server))
    return [{"run": r, "reason": _one_line_reason(r), "href": run_page_dir(r.dir) + "/index.html"} for r in bad]


def _meta(results):
    s = results.summary
    tool = next(((r.result or {}).get("tool") for r in results.runs if (r.result or {}).get("tool")), None) or {}
    return {"seed": s.get("seed"), "started_at": s.get("started_at") or "", "duration": _fmt_duration(s.get("duration_s")),
            "tool": f"{tool.get('name', 'wireproof')} {tool.get('version', '')}".strip(),
            "generated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "source": str(results.source), "total": len(results.runs)}


# ---- run pages -------------------------------------------------------------

def _read_log(path):
    """(text, note): at most LOG_LIMIT bytes, head and tail, decoded leniently."""
    try:
        size = path.stat().st_size
    except OSError:
        return None, None
    with path.open("rb") as f:
        if size <= LOG_LIMIT:
            return f.read().decode("utf-8", "replace"), None
        head = f.read(LOG_LIMIT // 2)
        f.seek(size - LOG_LIMIT // 2)
        tail = f.read()
    text = head.decode("utf-8", "replace") + "\n[… truncated …]\n" + tail.decode("utf-8", "replace")
    return text, f"{size} bytes; showing the first and last {LOG_LIMIT // 2048} KiB. The full file is linked."


def _artifact_name(result, key):
    """The artifact's file name in the run dir. Only a plain file name from
    result.json is trusted; anything with a path falls back to the default."""
    name = ((result or {}).get("artifacts") or {}).get(key)
    if isinstance(name, str) and name and "/" not in name and "\\" not in name and name not in (".", ".."):
        return name
    return ARTIFACT_DEFAULTS[key]


def _copy_artifacts(run, page_dir):
    copied = {}
    if run.path is None:
        return copied
    names = {k: _artifact_name(run.result, k) for k in ARTIFACT_DEFAULTS}
    names["result"] = "result.json"
    for key, name in names.items():
        src = run.path / name
        if src.is_file():
            shutil.copyfile(src, page_dir / name)
            copied[key] = name
    return copied


def _peer_view(p):
    p = p if isinstance(p, dict) else {}
    argv = p.get("argv")
    return {"name": str(p.get("name", "")), "implementation": str(p.get("implementation", "")),
            "version": str(p.get("version", "")),
            "argv": shlex.join(str(a) for a in argv) if isinstance(argv, list) else "",
            "exit_code": p.get("exit_code"), "exit_reason": str(p.get("exit_reason", ""))}


def _check_view(c):
    ev = c.get("evidence") if isinstance(c.get("evidence"), list) else []
    return {"name": str(c.get("name")), "verdict": c.get("verdict"), "rfc": str(c.get("rfc", "")),
            "sentence": str(c.get("sentence", "")), "detail": str(c.get("detail", "")),
            "expected": c.get("expected"), "measured": c.get("measured"),
            "expected_failure": str(c.get("expected_failure", "") or ""),
            "evidence": [x for x in ev if isinstance(x, int) and not isinstance(x, bool)]}


def _run_view(run, copied, events, events_warning):
    res = run.result or {}
    checks = [_check_view(c) for c in res.get("checks", [])]
    charts = []
    for c in res.get("checks", []):
        if str(c.get("name", "")).startswith("retransmission_schedule"):
            for s in retx_chart.series_from_check(c):
                charts.append({"check": str(c.get("name")), "verdict": c.get("verdict"), "chart": retx_chart.build(s)})
    logs = []
    for key, label in (("client_stdout", "client stdout"), ("client_stderr", "client stderr"),
                       ("server_stdout", "server stdout"), ("server_stderr", "server stderr"),
                       ("run_log", "harness run.log")):
        if key in copied:
            text, note = _read_log(run.path / copied[key])
            logs.append({"label": label, "text": text, "note": note, "file": copied[key]})
    tcp = tcp_view.build(events) if events and tcp_view.applies(events) else None
    hs = res.get("handshake") if isinstance(res.get("handshake"), dict) else {}
    wire = res.get("wire") if isinstance(res.get("wire"), dict) else {}
    return {
        "run": run, "scenario": res.get("scenario") or {"name": run.scenario}, "result": res,
        "client": _peer_view(res.get("client") or {"name": run.client}),
        "server": _peer_view(res.get("server") or {"name": run.server}),
        "handshake": hs, "wire": {k: n for k, n in wire.items() if k != "rules"},
        "wire_rules": [r for r in wire.get("rules") or [] if isinstance(r, dict)],
        "app_data": res.get("app_data") if isinstance(res.get("app_data"), dict) else {},
        "checks": checks, "charts": charts, "logs": logs, "artifacts": copied,
        "ladder": ladder.build(events, f"client {run.client}", f"server {run.server}") if events and not tcp else None,
        "tcp": tcp, "topology": topology.view(res.get("topology")),
        "events_warning": events_warning, "reason": _one_line_reason(run),
        "duration": _fmt_duration(res.get("duration_s")),
    }


def render(results, out_dir):
    """Writes the report into out_dir; returns the path of index.html."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    env = environment()
    index_t, pair_t, run_t = (env.get_template(n) for n in ("index.html.j2", "pair.html.j2", "run.html.j2"))
    meta = _meta(results)

    for run in results.runs:
        page_rel = run_page_dir(run.dir)
        page_dir = out / page_rel
        page_dir.mkdir(parents=True, exist_ok=True)
        copied = _copy_artifacts(run, page_dir)
        events, warn = ([], None)
        if run.path is not None:
            events, warn = load.read_events(run.path / _artifact_name(run.result, "events"))
        view = _run_view(run, copied, events, warn)
        (page_dir / "index.html").write_text(run_t.render(
            v=view, meta=meta, root=rel(page_rel, "."), pair_href=rel(page_rel, pair_page(run.client, run.server))),
            encoding="utf-8")

    pairs = {}
    for r in results.runs:
        pairs.setdefault((r.client, r.server), []).append(r)
    for (c, s), runs in pairs.items():
        by_proto = {}
        for r in sorted(runs, key=lambda r: r.scenario):
            by_proto.setdefault(r.protocol, []).append(
                {"run": r, "reason": _one_line_reason(r), "href": rel("pairs", run_page_dir(r.dir) + "/index.html")})
        path = out / pair_page(c, s)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(pair_t.render(client=c, server=s, by_proto=by_proto, counts=counts(r.verdict for r in runs),
                                      meta=meta, root=".."), encoding="utf-8")

    index = out / "index.html"
    index.write_text(index_t.render(
        meta=meta, matrices=_matrices(results), peers=_peer_table(results), scenarios=_scenarios(results),
        problems=_problem_runs(results), counts=counts(r.verdict for r in results.runs), verdicts=RUN_VERDICTS,
        root="."), encoding="utf-8")
    return index
