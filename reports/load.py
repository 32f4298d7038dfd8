"""Reading result.json, summary.json and events.jsonl (docs/RESULT.md,
docs/EVENTS.md) into plain dicts, with errors that name the file.

A results directory is either a matrix (summary.json + one subdirectory per
run) or a single run (result.json). Both load into a `Results`, so every
renderer handles one shape.
"""
import json
import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .verdicts import CHECK_VERDICTS, RUN_VERDICTS

SCHEMA_VERSION = 1


def read_json(path):
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(path, f"cannot read: {e}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(path, f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}") from None
    if not isinstance(doc, dict):
        raise InputError(path, "expected a JSON object at the top level")
    return doc


def _check_schema(doc, path):
    v = doc.get("schema_version")
    if v != SCHEMA_VERSION:
        raise InputError(path, f"schema_version is {v!r}; this report tool reads schema_version {SCHEMA_VERSION}")


def _require(doc, key, kind, path, where=""):
    if key not in doc:
        raise InputError(path, f"missing field {where}{key!r}")
    if not isinstance(doc[key], kind):
        raise InputError(path, f"field {where}{key!r} has the wrong type ({type(doc[key]).__name__})")
    return doc[key]


def load_summary(path):
    doc = read_json(path)
    _check_schema(doc, path)
    runs = _require(doc, "runs", list, path)
    for n, run in enumerate(runs):
        where = f"runs[{n}]."
        if not isinstance(run, dict):
            raise InputError(path, f"runs[{n}] is not an object")
        for key in ("scenario", "client", "server", "verdict", "dir"):
            _require(run, key, str, path, where)
        if run["verdict"] not in RUN_VERDICTS:
            raise InputError(path, f"{where}verdict {run['verdict']!r} is not one of {', '.join(RUN_VERDICTS)}")
        _safe_rel_dir(run["dir"], path, where)
    return doc


def load_result(path):
    doc = read_json(path)
    _check_schema(doc, path)
    scenario = _require(doc, "scenario", dict, path)
    _require(scenario, "name", str, path, "scenario.")
    verdict = _require(doc, "verdict", str, path)
    if verdict not in RUN_VERDICTS:
        raise InputError(path, f"verdict {verdict!r} is not one of {', '.join(RUN_VERDICTS)}")
    checks = doc.get("checks", [])
    if not isinstance(checks, list):
        raise InputError(path, "field 'checks' is not a list")
    for n, c in enumerate(checks):
        if not isinstance(c, dict) or not isinstance(c.get("name"), str):
            raise InputError(path, f"checks[{n}] has no 'name'")
        if c.get("verdict") not in CHECK_VERDICTS:
            raise InputError(path, f"checks[{n}].verdict {c.get('verdict')!r} is not one of {', '.join(CHECK_VERDICTS)}")
    for role in ("client", "server"):
        _require(doc, role, dict, path)
        _require(doc[role], "name", str, path, f"{role}.")
    return doc


def _safe_rel_dir(d, path, where):
    """Run dirs come from summary.json; never let one point outside the matrix."""
    norm = posixpath.normpath(d)
    if d.startswith("/") or norm == ".." or norm.startswith("../") or "\\" in d or norm == ".":
        raise InputError(path, f"{where}dir {d!r} must be a relative path inside the matrix directory")
    return norm


@dataclass
class Run:
    scenario: str
    client: str
    server: str
    verdict: str
    reason: str
    dir: str                      # relative to the matrix directory
    failed_checks: list
    path: Path | None             # the run directory on disk
    result: dict | None           # result.json, None when absent
    result_error: str | None = None

    protocol: str = "unknown"

    @property
    def key(self):
        return (self.scenario, self.client, self.server)


@dataclass
class Results:
    path: Path                    # the matrix (or run) directory
    source: Path                  # summary.json or result.json that defined it
    summary: dict
    runs: list = field(default_factory=list)
    single_run: bool = False

    @property
    def protocols(self):
        seen = []
        for r in self.runs:
            if r.protocol not in seen:
                seen.append(r.protocol)
        return seen


def _run_from_entry(entry, base, need_results):
    run_path = base / posixpath.normpath(entry["dir"])
    result, err = None, None
    rpath = run_path / "result.json"
    if rpath.exists() or need_results:
        try:
            result = load_result(rpath)
        except InputError as e:
            if need_results:
                raise
            err = str(e)
    else:
        err = f"{rpath}: no such file"
    return Run(scenario=entry["scenario"], client=entry["client"], server=entry["server"],
               verdict=entry["verdict"], reason=str(entry.get("reason") or ""), dir=posixpath.normpath(entry["dir"]),
               failed_checks=list(entry.get("failed_checks") or []), path=run_path, result=result, result_error=err)


def _fill_protocols(runs):
    """A run that wrote no result.json (its harness died) still belongs in its
    protocol's matrix: take the protocol from its scenario's other runs, or the
    only protocol there is."""
    by_scenario = {}
    for r in runs:
        proto = (r.result or {}).get("scenario", {}).get("protocol")
        if isinstance(proto, str) and proto:
            r.protocol = proto
            by_scenario.setdefault(r.scenario, proto)
    known = set(by_scenario.values())
    for r in runs:
        if r.protocol == "unknown":
            r.protocol = by_scenario.get(r.scenario) or (known.pop() if len(known) == 1 else "unknown")
            known = set(by_scenario.values())


def summary_for_single_run(result):
    """A one-run summary.json equivalent, so a run dir renders like a matrix."""
    c, s = result["client"], result["server"]
    peers = {}
    for p in (c, s):
        peers.setdefault(p["name"], {"implementation": p.get("implementation", ""), "version": p.get("version", "")})
    return {
        "schema_version": SCHEMA_VERSION, "seed": result.get("seed"), "started_at": result.get("started_at"),
        "duration_s": result.get("duration_s"), "clients": [c["name"]], "servers": [s["name"]], "peers": peers,
        "runs": [{"scenario": result["scenario"]["name"], "client": c["name"], "server": s["name"],
                  "verdict": result["verdict"], "reason": result.get("reason", ""), "dir": "run",
                  "failed_checks": [k["name"] for k in result.get("checks", []) if k.get("verdict") == "fail"]}],
    }


def open_results(path, need_results=False):
    """Loads a matrix directory, a summary.json, or a single run directory.

    need_results: a missing/bad result.json is an error (else the run is
    shown from its summary entry with a note)."""
    path = Path(path)
    if path.is_file() and path.name == "summary.json":
        path = path.parent
    if not path.exists():
        raise InputError(path, "no such file or directory")
    if path.is_file():
        raise InputError(path, "expected a matrix directory (with summary.json), a summary.json, or a run directory (with result.json)")
    if (path / "summary.json").exists():
        summary = load_summary(path / "summary.json")
        runs = [_run_from_entry(e, path, need_results) for e in summary["runs"]]
        _fill_protocols(runs)
        return Results(path=path, source=path / "summary.json", summary=summary, runs=runs)
    if (path / "result.json").exists():
        result = load_result(path / "result.json")
        summary = summary_for_single_run(result)
        e = summary["runs"][0]
        run = Run(scenario=e["scenario"], client=e["client"], server=e["server"], verdict=e["verdict"],
                  reason=e["reason"], dir="run", failed_checks=e["failed_checks"], path=path, result=result)
        _fill_protocols([run])
        return Results(path=path, source=path / "result.json", summary=summary, runs=[run], single_run=True)
    raise InputError(path, "neither summary.json nor result.json found here")


def read_events(path):
    """events.jsonl as a list of dicts, plus a warning string or None.

    Tolerant on purpose: a run that ended in `error` may have a truncated log,
    and its report is exactly the one someone needs to read. Lines up to the
    first bad one are kept and the page says where reading stopped."""
    path = Path(path)
    events = []
    try:
        f = path.open(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return [], f"{path.name}: not present"
    with f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                ev = json.loads(line)
            except json.JSONDecodeError as e:
                return events, f"{path.name}:{lineno}: invalid JSON ({e.msg}); events after this line are not shown"
            if not isinstance(ev, dict) or "kind" not in ev:
                return events, f"{path.name}:{lineno}: not an event object; events after this line are not shown"
            events.append(ev)
    return events, None
