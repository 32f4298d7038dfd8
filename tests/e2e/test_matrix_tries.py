"""`wireproof matrix` re-runs a cell that host noise may have decided (it failed
a timing check, or was inconclusive), into DIR/try-2, DIR/try-3 ..., with the
same seed, and keeps every try: tries that agree give their verdict, tries
that differ give `flaky` (exit 1). A matrix where every run is `unsupported`
exits 4, not 0.

The peers are registered in a test registry, as a user registers a stack:
- `ref-no-backoff`: the ref server with a timer that never doubles: fails
  retransmission_schedule on every try;
- `ref-flaky`: the ref that misbehaves (no-backoff) on its first run only, so its
  tries differ;
- `unsupported`: a peer that refuses every run (exit 127)."""
import json
import os
import stat

import pytest

from wp_e2e import BUILD, REPO

REF = (BUILD / "peers" / "ref" / "wireproof-peer-ref").resolve()
SCENARIO = REPO / "scenarios" / "dtls" / "server-timer-alone.yaml"
CLEAN = REPO / "scenarios" / "dtls" / "clean-handshake-echo.yaml"


def script(path, body):
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    d = tmp_path_factory.mktemp("peers")
    # Misbehaves on the first run that has a role (not on `--version`), behaves after.
    flaky = script(d / "ref-flaky", f"""case " $* " in *" --role "*) ;; *) exec {REF} "$@";; esac
if [ ! -e {d}/first-run-done ]; then : > {d}/first-run-done; exec {REF} --bug no-backoff "$@"; fi
exec {REF} "$@"
""")
    unsupported = script(d / "unsupported", """case " $* " in *" --version "*)
  echo '{"event":"version","implementation":"Nothing","version":"0"}'; exit 0;; esac
echo '{"event":"error","message":"unsupported: --protocol dtls1.2"}'
exit 127
""")
    reg = json.loads((REPO / "peers" / "registry.json").read_text())
    reg["peers"] += [
        {"name": "ref-no-backoff", "kind": "shim", "protocols": ["dtls1.2"], "implementation": "wireproof",
         "executable": str(REF), "args": ["--bug", "no-backoff"], "description": "ref, timer never doubles"},
        {"name": "ref-flaky", "kind": "shim", "protocols": ["dtls1.2"], "implementation": "wireproof",
         "executable": flaky, "description": "ref, no-backoff on its first run only"},
        {"name": "unsupported", "kind": "shim", "protocols": ["dtls1.2"], "implementation": "Nothing",
         "executable": unsupported, "description": "refuses everything (exit 127)"},
    ]
    path = d / "registry.json"
    path.write_text(json.dumps(reg))
    return path


def matrix(wireproof, registry, out, scenario, clients, servers, *extra):
    p = wireproof("matrix", scenario, "--clients", clients, "--servers", servers, "--registry", registry,
                  "--out", out, "--no-report", "--jobs", "1", *extra, timeout=300)
    return p, json.loads((out / "summary.json").read_text())


def test_timing_failure_that_repeats_is_a_fail_with_every_try_kept(wireproof, registry, tmp_path):
    out = tmp_path / "m"
    p, s = matrix(wireproof, registry, out, SCENARIO, "ref", "ref-no-backoff")
    assert p.returncode == 1, p.stderr
    (cell,) = s["runs"]
    assert cell["verdict"] == "fail"
    assert [t["verdict"] for t in cell["tries"]] == ["fail", "fail", "fail"], "1 try + --retries 2 (default)"
    assert all("retransmission_schedule" in t["failed_checks"] for t in cell["tries"])
    base = out / "server-timer-alone" / "ref__ref-no-backoff"
    dirs = [base, base / "try-2", base / "try-3"]
    assert [t["dir"] for t in cell["tries"]] == [str(d.relative_to(out)) for d in dirs]
    seeds = {json.loads((d / "result.json").read_text())["seed"] for d in dirs}
    assert seeds == {1}, "every try runs with the matrix's seed"


def test_retries_zero_runs_once(wireproof, registry, tmp_path):
    p, s = matrix(wireproof, registry, tmp_path / "m", SCENARIO, "ref", "ref-no-backoff", "--retries", "0")
    assert p.returncode == 1
    assert s["runs"][0]["verdict"] == "fail" and "tries" not in s["runs"][0]


def test_tries_that_differ_make_the_cell_flaky(wireproof, registry, tmp_path):
    out = tmp_path / "m"
    p, s = matrix(wireproof, registry, out, SCENARIO, "ref", "ref-flaky")
    assert p.returncode == 1, "flaky fails the matrix"
    (cell,) = s["runs"]
    assert cell["verdict"] == "flaky", cell
    verdicts = [t["verdict"] for t in cell["tries"]]
    # Stops once the tries disagree: [fail, pass] (a loaded host may fail try 2's timing too: [fail, fail, pass]).
    assert verdicts[0] == "fail" and verdicts[-1] == "pass" and "pass" not in verdicts[:-1], verdicts
    assert f"fail (try 1), pass (try {len(verdicts)})" in cell["reason"]
    assert s["counts"]["flaky"] == 1
    assert "flaky" in p.stdout, "the summary table shows it"
    junit = (out / "junit.xml").read_text()
    assert "flaky:" in junit and "<failure" in junit


def test_a_cell_that_passes_is_run_once(wireproof, registry, tmp_path):
    p, s = matrix(wireproof, registry, tmp_path / "m", SCENARIO, "ref", "ref")
    assert p.returncode == 0, p.stderr
    assert s["runs"][0]["verdict"] == "pass" and "tries" not in s["runs"][0]
    assert not (tmp_path / "m" / "server-timer-alone" / "ref__ref" / "try-2").exists()


def test_every_run_unsupported_exits_4(wireproof, registry, tmp_path):
    p, s = matrix(wireproof, registry, tmp_path / "m", CLEAN, "unsupported", "ref,unsupported")
    assert s["counts"]["unsupported"] == 2 and len(s["runs"]) == 2
    assert p.returncode == 4, (p.returncode, p.stdout, p.stderr)


def test_some_runs_unsupported_is_not_a_failure(wireproof, registry, tmp_path):
    p, s = matrix(wireproof, registry, tmp_path / "m", CLEAN, "ref,unsupported", "ref")
    assert sorted(r["verdict"] for r in s["runs"]) == ["pass", "unsupported"]
    assert p.returncode == 0, p.stderr
