"""The interop matrix as pytest cases: scenario x client x server, each one
`wireproof run`, judged from its result.json. Known failures (ci/expected-failures.yaml)
are xfail with their reason. Peers: WIREPROOF_CLIENTS / WIREPROOF_SERVERS
(comma-separated, default openssl,gnutls)."""
import os
from pathlib import Path

import pytest

from wp_e2e import REPO, read_result

SCENARIOS = sorted((REPO / "scenarios" / "dtls").glob("*.yaml"))
CLIENTS = os.environ.get("WIREPROOF_CLIENTS", "openssl,gnutls").split(",")
SERVERS = os.environ.get("WIREPROOF_SERVERS", "openssl,gnutls").split(",")
EXPECT = REPO / "ci" / "expected-failures.yaml"


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.stem)
def test_interop(wireproof, tmp_path, scenario, client, server):
    out = tmp_path / "run"
    proc = wireproof("run", scenario, "--client", client, "--server", server, "--seed", "1",
                     "--expect", EXPECT, "--out", out, timeout=180)
    result = read_result(out)
    verdict = result["verdict"]
    failing = [f"{c['name']}: {c.get('detail', '')}" for c in result["checks"]
               if c["verdict"] in ("fail", "xfail")]
    assert verdict != "error", f"error verdict: {result['reason']}\n{proc.stdout}{proc.stderr}"
    assert verdict != "fail", "failing checks:\n  " + "\n  ".join(failing)
    assert proc.returncode == 0, proc.stderr
    if verdict == "xfail":
        reasons = [c.get("expected_failure", "") for c in result["checks"] if c["verdict"] == "xfail"]
        pytest.xfail("; ".join(reasons))
    assert verdict == "pass"
    # A pass must rest on checks that actually judged something.
    judged = [c for c in result["checks"] if c["verdict"] == "pass"]
    assert any(c["name"] == "handshake_completes" for c in judged)
