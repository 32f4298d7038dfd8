"""`merge DIR... --out DIR`: combine shard outputs (`wireproof matrix --shard I/N`)
into one matrix directory: summary.json, copies of every run directory,
junit.xml and the HTML report in report/.

Shards must come from the same seed and the same peer builds; a run present in
two shards must have the same result in both (else something is flaky or the
shards were built from different trees, and silently picking one would hide it).
"""
import json
import shutil
from pathlib import Path

from . import html_report, junit
from .errors import InputError
from .load import SCHEMA_VERSION, open_results
from .verdicts import counts


def _union(lists):
    out = []
    for names in lists:
        for n in names or []:
            if n not in out:
                out.append(n)
    return out


def merge(dirs, out, html=True):
    out = Path(out)
    shards = [open_results(d) for d in dirs]
    for sh in shards:
        if sh.single_run:
            raise InputError(sh.path, "is a single run directory; merge takes matrix directories with summary.json")
        if out.resolve() == sh.path.resolve():
            raise InputError(out, "--out must not be one of the shard directories")
    first = shards[0]
    seed = first.summary.get("seed")
    peers, owner = {}, {}
    for sh in shards:
        if sh.summary.get("seed") != seed:
            raise InputError(sh.source, f"seed {sh.summary.get('seed')!r} differs from seed {seed!r} in {first.source}; "
                                        "shards of one matrix must share a seed")
        for name, info in (sh.summary.get("peers") or {}).items():
            if name in peers and peers[name] != info:
                raise InputError(sh.source, f"peer {name!r} is {info!r} here but {peers[name]!r} in {owner[name]}; "
                                            "shards ran different peer builds")
            peers.setdefault(name, info)
            owner.setdefault(name, sh.source)

    merged, where, dirs_used = {}, {}, {}
    for sh in shards:
        for entry, run in zip(sh.summary["runs"], sh.runs):  # open_results keeps summary order
            if run.key in merged:
                prev = merged[run.key]
                if (prev["verdict"], sorted(prev.get("failed_checks") or [])) != \
                        (entry["verdict"], sorted(entry.get("failed_checks") or [])):
                    raise InputError(sh.source, f"run {' / '.join(run.key)} is {entry['verdict']} here but "
                                                f"{prev['verdict']} in {where[run.key][0].source}")
                continue
            if run.dir in dirs_used and dirs_used[run.dir] != run.key:
                raise InputError(sh.source, f"run dir {run.dir!r} is used by two different runs")
            merged[run.key], where[run.key], dirs_used[run.dir] = entry, (sh, run), run.key

    out.mkdir(parents=True, exist_ok=True)
    for key, (sh, run) in where.items():
        if run.path is not None and run.path.is_dir():
            shutil.copytree(run.path, out / run.dir, dirs_exist_ok=True)

    starts = [s.summary.get("started_at") for s in shards if s.summary.get("started_at")]
    durations = [s.summary.get("duration_s") for s in shards if isinstance(s.summary.get("duration_s"), (int, float))]
    runs = list(merged.values())
    summary = {
        "schema_version": SCHEMA_VERSION, "seed": seed,
        "started_at": min(starts) if starts else None,
        # Shards run in parallel: the matrix took as long as its slowest shard.
        "duration_s": max(durations) if durations else None,
        "clients": _union(s.summary.get("clients") for s in shards),
        "servers": _union(s.summary.get("servers") for s in shards),
        "peers": peers, "counts": counts(r["verdict"] for r in runs), "runs": runs,
        "merged_from": [str(s.source) for s in shards],
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    results = open_results(out)
    (out / "junit.xml").write_bytes(junit.render(results))
    if html:
        return html_report.render(results, out / "report")
    return out / "summary.json"
