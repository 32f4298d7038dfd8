"""SIGINT or SIGTERM to `wireproof matrix` stops every run it started, their
peers too (none left orphaned under PID 1), keeps the results already
written (summary.json lists the finished cells, the rest `not_run`) and exits
130 / 143."""
import json
import os
import signal
import subprocess

import pytest

from wp_e2e import REPO, WIREPROOF, wait_for

SCENARIOS = REPO / "scenarios" / "dtls"


def processes_mentioning(text):
    """pids of live processes whose command line contains `text` (zombies have none)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmd:
            found.append((int(pid), cmd))
    return found


@pytest.mark.parametrize("sig,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_matrix_leaves_nothing_running_and_keeps_finished_cells(tmp_path, sig, code):
    out = tmp_path / "m"
    err = open(tmp_path / "matrix.stderr", "w")
    # 2 cells per scenario at 2 jobs: far more than can finish before the signal.
    cells = 2 * len(list(SCENARIOS.glob("*.yaml")))
    proc = subprocess.Popen([str(WIREPROOF), "matrix", str(SCENARIOS), "--clients", "ref,openssl", "--servers", "ref",
                             "--jobs", "2", "--no-report", "--out", str(out)],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=err)
    try:
        # Mid-way: at least one cell finished (its progress line) and runs under way.
        assert wait_for(lambda: f"[1/{cells}]" in (tmp_path / "matrix.stderr").read_text(), 120), "no cell finished"
        assert wait_for(lambda: any("wireproof-peer" in c for _, c in processes_mentioning(str(out))), 30), \
            "expected peers running at the moment of the signal"
        proc.send_signal(sig)
        rc = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        err.close()
    assert rc == code, (tmp_path / "matrix.stderr").read_text()
    # Every `wireproof run` and every peer it started carries the out dir in its argv.
    assert wait_for(lambda: not processes_mentioning(str(out)), 5), processes_mentioning(str(out))
    s = json.loads((out / "summary.json").read_text())
    assert s["interrupted"] == ("SIGINT" if sig == signal.SIGINT else "SIGTERM")
    assert len(s["runs"]) == cells
    finished = [r for r in s["runs"] if r["verdict"] != "not_run"]
    assert 1 <= len(finished) < cells
    for r in finished:  # each finished cell is the result its run wrote
        result = json.loads((out / r["dir"] / "result.json").read_text())
        assert result["verdict"] == r["verdict"]
    assert s["counts"]["not_run"] == cells - len(finished)
    assert (out / "junit.xml").exists()
