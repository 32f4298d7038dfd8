"""Every check can fail (issue 3): the reference peer with one misbehaviour
switch (`wireproof-peer-ref --bug NAME`, impl/dtls/protocol_bugs.hpp) against
a well-behaved OpenSSL peer fails exactly the check for the rule it breaks,
and the same scenario with the plain ref passes. The buggy peers are
registered in a test registry, as a user registers their own stack."""
import json
import subprocess

import pytest

from wp_e2e import BUILD, REPO, read_result

REF = (BUILD / "peers" / "ref" / "wireproof-peer-ref").resolve()  # the registry needs it absolute
DTLS = REPO / "scenarios" / "dtls"
COOKIE_1S = REPO / "scenarios" / "misbehaviour" / "cookie-exchange-1s-limit.yaml"
FINAL_ANSWERED = DTLS / "final-flight-retransmit-answered.yaml"

ALL_CHECKS = {"handshake_completes", "app_data_intact", "record_boundaries", "mtu_fit", "fragments_consistent",
              "retransmission_schedule", "record_sequence", "cookie_exchange", "last_flight_answered"}
ON_DEMAND = {"last_flight_answered"}  # runs only where the scenario turns it on

# (switch, scenario, role of the buggy ref, checks that must fail, words in the first one's detail).
# Every check not listed must still pass (or be not_applicable where the scenario gives it nothing to judge).
CASES = [
    # server-timer-alone keeps the client's retransmissions from the server, so only its timer makes it resend
    # (an answer to the client's retransmission, and what follows it, is not judged).
    ("no-backoff", DTLS / "server-timer-alone.yaml", "server", ["retransmission_schedule"], "off schedule"),
    ("early-retransmit", DTLS / "server-timer-alone.yaml", "server", ["retransmission_schedule"],
     "off schedule"),
    ("ignore-mtu", DTLS / "mtu-576-from-start.yaml", "server", ["mtu_fit"], "exceed the MTU"),
    ("inconsistent-fragments", DTLS / "mtu-576-from-start.yaml", "server", ["fragments_consistent"],
     "carries different bytes"),
    ("record-spans-datagrams", DTLS / "clean-handshake-echo.yaml", "client", ["record_boundaries"],
     "do not hold whole records"),
    ("reuse-sequence-number", DTLS / "clean-handshake-echo.yaml", "client", ["record_sequence"], "reused"),
    ("duplicate-app-data", DTLS / "clean-handshake-echo.yaml", "client", ["app_data_intact"],
     "a record reached the application twice that the client sent once"),
    # The server keeps answering with HelloVerifyRequest, so no handshake and no data follow.
    ("no-cookie-echo", COOKIE_1S, "client", ["cookie_exchange", "handshake_completes", "app_data_intact"],
     "is not the cookie of a HelloVerifyRequest"),
    # The client never gets the server's Finished, so no handshake and no data follow.
    ("ignore-final-retransmit", FINAL_ANSWERED, "server",
     ["last_flight_answered", "handshake_completes", "app_data_intact"], "unanswered"),
    # Issue 8: a wrong timer must fail whichever side has it.
    # server-timer-alone: only the server's timer can resend its flight (min_judged s2c 2).
    ("wrong-initial-timer", DTLS / "server-timer-alone.yaml", "server", ["retransmission_schedule"],
     "off schedule"),
    ("wrong-initial-timer", DTLS / "client-hello-lost-twice.yaml", "client", ["retransmission_schedule"],
     "off schedule"),
    ("backoff-1.5x", DTLS / "server-timer-alone.yaml", "server", ["retransmission_schedule"], "off schedule"),
    ("backoff-1.5x", DTLS / "client-hello-lost-twice.yaml", "client", ["retransmission_schedule"], "off schedule"),
]
BUGS = sorted({c[0] for c in CASES})


def case_id(case):
    """The switch's name, plus the buggy side's role for a switch tried on both sides."""
    bug, _, role, *_ = case
    return bug if [c[0] for c in CASES].count(bug) == 1 else f"{bug}-as-{role}"


def switch_params():
    for c in CASES:
        yield pytest.param(*c, id=case_id(c))


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    """The shipped registry plus `ref-<switch>` for every switch (absolute executable)."""
    reg = json.loads((REPO / "peers" / "registry.json").read_text())
    for bug in BUGS:
        reg["peers"].append({"name": f"ref-{bug}", "kind": "shim", "protocols": ["dtls1.2"],
                             "implementation": "wireproof", "executable": str(REF), "args": ["--bug", bug],
                             "description": f"reference stack with the {bug} misbehaviour switch"})
    path = tmp_path_factory.mktemp("registry") / "registry.json"
    path.write_text(json.dumps(reg))
    return path


def run(wireproof, registry, out, scenario, client, server):
    wireproof("run", scenario, "--client", client, "--server", server, "--registry", registry, "--out", out,
              timeout=30)
    result = read_result(out)
    return result, {c["name"]: c for c in result["checks"]}


@pytest.mark.parametrize("bug,scenario,role,failing,detail", list(switch_params()))
def test_switch_fails_its_check(wireproof, registry, tmp_path, bug, scenario, role, failing, detail):
    peers = {"client": "openssl", "server": "openssl", role: f"ref-{bug}"}
    result, checks = run(wireproof, registry, tmp_path / "run", scenario, peers["client"], peers["server"])
    assert ALL_CHECKS - ON_DEMAND <= set(checks) <= ALL_CHECKS
    summary = {n: (c["verdict"], c.get("detail")) for n, c in checks.items()}
    assert result["verdict"] == "fail", summary
    assert {n for n, c in checks.items() if c["verdict"] == "fail"} == set(failing), summary
    assert detail in checks[failing[0]]["detail"], summary
    # The rest still hold: the switch breaks its one rule, not the run.
    for name in set(checks) - set(failing):
        assert checks[name]["verdict"] in ("pass", "not_applicable"), (name, summary[name])
    for core in ("record_boundaries", "record_sequence", "mtu_fit"):  # judged in every one of these runs
        if core not in failing:
            assert checks[core]["verdict"] == "pass", (core, summary[core])


@pytest.mark.parametrize("scenario,role", sorted({(c[1], c[2]) for c in CASES}),
                         ids=lambda v: v.stem if hasattr(v, "stem") else v)
def test_plain_ref_passes_the_same_scenario(wireproof, registry, tmp_path, scenario, role):
    peers = {"client": "openssl", "server": "openssl", role: "ref"}
    result, checks = run(wireproof, registry, tmp_path / "run", scenario, peers["client"], peers["server"])
    assert result["verdict"] == "pass", {n: (c["verdict"], c.get("detail")) for n, c in checks.items()}
    if scenario == FINAL_ANSWERED:  # judged, not merely not_applicable
        assert checks["last_flight_answered"]["verdict"] == "pass", checks["last_flight_answered"]


def test_unknown_switch_is_a_usage_error_naming_the_known_ones():
    proc = subprocess.run([str(REF), "--bug", "no-bakcoff", "--role", "client"], capture_output=True, text=True,
                          timeout=10)
    assert proc.returncode == 3
    event = json.loads(proc.stdout.splitlines()[0])
    assert event["event"] == "error" and "no-bakcoff" in event["message"] and "no-backoff" in event["message"]
