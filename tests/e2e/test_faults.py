"""Bad input and misbehaving peers: each must give a clear error or an `error`
verdict with its reason, within the run deadline, with no orphaned process and
with the results of other runs kept."""
import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from wp_e2e import REPO, read_result

MISBEHAVING = REPO / "tests" / "fixtures" / "peers" / "misbehaving_peer.py"
SHORT = REPO / "tests" / "fixtures" / "scenarios" / "short-clean.yaml"  # run_s: 5
MODES = ["crash", "hang", "garbage", "unsupported", "silent-exit"]


@pytest.fixture
def registry(tmp_path):
    """The shipped registry plus one misbehaving peer per mode (absolute paths:
    what a user registering their own stack would write)."""
    reg = json.loads((REPO / "peers" / "registry.json").read_text())
    for mode in MODES:
        reg["peers"].append({"name": f"bad-{mode}", "kind": "shim", "protocols": ["dtls1.2"],
                             "implementation": "misbehaving", "executable": str(MISBEHAVING),
                             "args": [mode], "description": f"fault fixture: {mode}"})
    reg["peers"].append({"name": "missing", "kind": "shim", "protocols": ["dtls1.2"],
                         "implementation": "none", "executable": "/nonexistent/wireproof-peer",
                         "description": "fault fixture: binary absent"})
    path = tmp_path / "registry.json"
    path.write_text(json.dumps(reg))
    return path


def no_process_mentions(marker):
    """True when no running process has `marker` in its command line."""
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if marker in cmd and "pytest" not in cmd:
                return False
    return True


@pytest.mark.parametrize("mode,role,verdict,reason", [
    ("crash", "server", "error", "server crashed: killed by signal 11"),
    ("hang", "server", "error", "server did not exit on SIGTERM"),
    ("garbage", "server", "error", "server broke the peer contract: stdout line is not a JSON event object"),
    ("unsupported", "server", "unsupported", "server does not support --protocol dtls1.2 (exit 127)"),
    ("silent-exit", "server", "error", "server exited before reporting ready"),
    ("crash", "client", "error", "client crashed: killed by signal 11"),
    ("hang", "client", "error", "client did not exit on SIGTERM"),
    ("garbage", "client", "error", "client broke the peer contract"),
    ("unsupported", "client", "unsupported", "client does not support --protocol dtls1.2 (exit 127)"),
])
def test_misbehaving_peer_becomes_a_verdict(wireproof, registry, tmp_path, mode, role, verdict, reason):
    out = tmp_path / "run"
    peers = {"client": "openssl", "server": "openssl", role: f"bad-{mode}"}
    started = time.monotonic()
    proc = wireproof("run", SHORT, "--client", peers["client"], "--server", peers["server"],
                     "--registry", registry, "--out", out, timeout=60)
    elapsed = time.monotonic() - started
    result = read_result(out)
    assert result["verdict"] == verdict, result["reason"]
    assert reason in result["reason"], result["reason"]
    assert proc.returncode == (4 if verdict == "unsupported" else 3)
    # Within the scenario's 5 s deadline plus the kill grace, not a hung run.
    assert elapsed < 5 + 10, f"took {elapsed:.1f} s"
    assert no_process_mentions(str(out)), "a peer outlived its run"
    assert (out / "events.jsonl").exists() and (out / f"{role}.stderr").exists()


def test_missing_peer_binary_is_an_error_verdict(wireproof, registry, tmp_path):
    out = tmp_path / "run"
    proc = wireproof("run", SHORT, "--client", "openssl", "--server", "missing", "--registry", registry,
                     "--out", out)
    result = read_result(out)
    assert result["verdict"] == "error"
    assert "/nonexistent/wireproof-peer" in result["reason"]
    assert proc.returncode == 3


def test_unknown_peer_names_the_known_ones(wireproof, tmp_path):
    proc = wireproof("run", SHORT, "--client", "opensssl", "--server", "openssl", "--out", tmp_path / "x")
    assert proc.returncode == 2
    assert "opensssl" in proc.stderr and "gnutls" in proc.stderr


def test_invalid_scenario_names_file_line_col(wireproof, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ndescription: x\nrefs: [RFC 6347]\nprotocol: dtls1.2\n"
                   "rules:\n  - name: r\n    acton: drop\n")
    proc = wireproof("validate", bad)
    assert proc.returncode == 2  # bad input, like run and matrix
    assert f"{bad}:7:5: unknown key 'acton'" in proc.stderr, proc.stderr
    run = wireproof("run", bad, "--client", "openssl", "--server", "openssl", "--out", tmp_path / "r")
    assert run.returncode == 2 and f"{bad}:7:5:" in run.stderr


def test_malformed_yaml_is_reported_with_position(wireproof, tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("name: broken\nrefs: [RFC 6347\n")
    proc = wireproof("validate", bad)
    assert proc.returncode == 2
    assert str(bad) + ":" in proc.stderr


def test_matrix_keeps_other_results_when_one_peer_crashes(wireproof, registry, tmp_path):
    out = tmp_path / "m"
    proc = wireproof("matrix", "--clients", "openssl,bad-crash", "--servers", "gnutls", "--registry", registry,
                     "--jobs", "2", "--no-report", "--out", out, SHORT, timeout=120)
    assert proc.returncode == 1  # an error verdict fails the matrix
    summary = json.loads((out / "summary.json").read_text())
    verdicts = {(r["client"], r["server"]): r["verdict"] for r in summary["runs"]}
    assert verdicts == {("openssl", "gnutls"): "pass", ("bad-crash", "gnutls"): "error"}
    assert (out / "short-clean" / "openssl__gnutls" / "result.json").exists()
    junit = (out / "junit.xml").read_text()
    assert junit.count("<testcase") == 2 and "<error" in junit


def test_invalid_scenario_in_matrix_runs_nothing(wireproof, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\n")
    out = tmp_path / "m"
    proc = wireproof("matrix", "--clients", "openssl", "--servers", "openssl", "--out", out, SHORT, bad)
    assert proc.returncode == 2
    assert "nothing was run" in proc.stderr
    assert not (out / "summary.json").exists()


def test_a_declared_capability_gap_is_unsupported_before_anything_starts(wireproof, tmp_path):
    """A peer whose registry entry declares no --mtu support, given a scenario
    that sets an MTU: `unsupported` naming --mtu, and no process is started
    (the runner no longer passes --mtu to a peer that did not declare it)."""
    reg = json.loads((REPO / "peers" / "registry.json").read_text())
    for p in reg["peers"]:
        if p["name"] == "openssl":
            nomtu = dict(p, name="openssl-nomtu",
                         capabilities={"options": ["timer-initial-ms", "handshake-timeout-ms", "echo-bytes", "chunk",
                                                   "idle-timeout-ms", "server-name"]})
            nomtu["executable"] = str(Path(os.environ.get("WIREPROOF_BUILD", REPO / "build" / "ci")) / p["executable"])
    reg["peers"].append(nomtu)
    registry = tmp_path / "registry.json"
    registry.write_text(json.dumps(reg))
    with_mtu = tmp_path / "mtu.yaml"
    with_mtu.write_text(SHORT.read_text().replace("peers:\n", "peers:\n  mtu: 1200\n"))
    out = tmp_path / "r"
    proc = wireproof("run", with_mtu, "--client", "openssl", "--server", "openssl-nomtu", "--registry", registry,
                     "--out", out)
    assert proc.returncode == 4, proc.stdout + proc.stderr
    r = read_result(out)
    assert r["verdict"] == "unsupported"
    assert r["reason"].startswith("server does not support --mtu (the scenario sets an MTU of 1200"), r["reason"]
    assert r["server"]["argv"] == [] and r["client"]["argv"] == []  # nothing was started
    # Without an MTU in the scenario the same peer runs, and is not given --mtu.
    out2 = tmp_path / "r2"
    ok = wireproof("run", SHORT, "--client", "openssl", "--server", "openssl-nomtu", "--registry", registry,
                   "--out", out2)
    r2 = read_result(out2)
    assert "--mtu" not in r2["server"]["argv"] and "--mtu" in r2["client"]["argv"]
    assert ok.returncode == 0 and r2["verdict"] == "pass", r2["reason"]
