"""`diff BASE NEW`: what changed between two matrices, keyed by
(scenario, client, server). A regression is a run that was pass/xfail and is
now fail/error; CI gates on those (exit 1)."""
import json
from pathlib import Path

from .errors import InputError
from .load import load_summary
from .verdicts import BAD, GOOD

CATEGORIES = ("regressed", "fixed", "changed", "new", "gone", "unchanged")


def load_side(path):
    """(path of summary.json, summary) from a summary.json or a matrix directory."""
    p = Path(path)
    if p.is_dir():
        p = p / "summary.json"
    elif not p.exists():
        raise InputError(p, "no such file or directory")
    return p, load_summary(p)


def _index(path, summary):
    out = {}
    for r in summary["runs"]:
        key = (r["scenario"], r["client"], r["server"])
        if key in out:
            raise InputError(path, f"run {' / '.join(key)} appears twice")
        out[key] = r
    return out


def _category(b, n):
    if b is None:
        return "new"
    if n is None:
        return "gone"
    bv, nv = b["verdict"], n["verdict"]
    if bv == nv:
        return "unchanged"
    if bv in GOOD and nv in BAD:
        return "regressed"
    if bv in BAD and nv in GOOD:
        return "fixed"
    return "changed"


def compare(base, new):
    (bp, bs), (np_, ns) = base, new
    bi, ni = _index(bp, bs), _index(np_, ns)
    out = {"base_file": str(bp), "new_file": str(np_), "base_seed": bs.get("seed"), "new_seed": ns.get("seed"),
           "counts": {c: 0 for c in CATEGORIES}, **{c: [] for c in CATEGORIES}}
    keys = list(bi) + [k for k in ni if k not in bi]
    for key in keys:
        b, n = bi.get(key), ni.get(key)
        cat = _category(b, n)
        out["counts"][cat] += 1
        out[cat].append({"scenario": key[0], "client": key[1], "server": key[2],
                         "base": b["verdict"] if b else None, "new": n["verdict"] if n else None,
                         "reason": str((n or {}).get("reason") or ""),
                         "failed_checks": list((n or {}).get("failed_checks") or [])})
    return out


def as_json(d):
    return json.dumps(d, indent=1) + "\n"


def as_text(d):
    c = d["counts"]
    lines = [f"wireproof diff: {d['base_file']} -> {d['new_file']}",
             ", ".join(f"{k} {c[k]}" for k in CATEGORIES)]
    if d["base_seed"] != d["new_seed"]:
        lines.append(f"note: seeds differ (base {d['base_seed']}, new {d['new_seed']}); lossy scenarios may differ by chance")
    for cat in ("regressed", "fixed", "changed", "new", "gone"):
        for r in d[cat]:
            line = f"{cat.upper():10} {r['scenario']}  {r['client']} -> {r['server']}: {r['base'] or '-'} -> {r['new'] or '-'}"
            why = r["reason"] or ", ".join(map(str, r["failed_checks"]))
            if why and r["new"] in BAD:
                line += f"  ({why})"
            lines.append(line)
    lines.append("REGRESSION" if c["regressed"] else "no regressions")
    return "\n".join(lines) + "\n"
