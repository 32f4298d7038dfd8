"""The shims' `timer` event (peers/CONTRACT.md): at each retransmission-timer
expiry a shim prints when its library asked to be woken (`deadline_ms`) and
when the process woke (`t_ms`), so a checker can tell "the library scheduled
it wrong" from "the host ran the process late".

client-hello-lost-twice drops the first two ClientHellos with a 100 ms
initial timer: each client's timer must expire exactly twice, the first
deadline 100 ms after the client started sending, the second 200 ms after
the wake-up that resent (the doubled timer re-armed at that resend)."""
import json

import pytest

from wp_e2e import REPO, read_result

SCENARIO = REPO / "scenarios" / "dtls" / "client-hello-lost-twice.yaml"
# The timer is armed when the first ClientHello leaves, after `ready` is
# printed (OpenSSL builds its key share in between: 7.7 ms measured idle), and
# re-armed by the resend that follows a `timer` event (1-2 ms measured).
FIRST_ARMING_SLACK_MS = 50.0
REARMING_SLACK_MS = 20.0
# The deadline comes from the library's "time left" (whole ms for GnuTLS) read
# right after the arming call.
READING_MS = 2.0


def peer_events(out, role):
    with open(out / "events.jsonl") as f:
        ev = [json.loads(line) for line in f]
    return [e for e in ev if e["kind"] == "peer" and e["role"] == role], ev


def peer_to_wire_ms(logged):
    """The peer's clock onto the wire's: an event is logged after it was printed, so the
    smallest (logged - printed) over its events is the closest bound (interfaces.md item 2)."""
    return min(e["t_us"] / 1000.0 - e["event"]["t_ms"] for e in logged if "t_ms" in e["event"])


@pytest.mark.parametrize("client", ["openssl", "gnutls", "ref"])
def test_each_shim_reports_both_expiries_of_its_timer(wireproof, tmp_path, client):
    out = tmp_path / "run"
    p = wireproof("run", SCENARIO, "--client", client, "--server", "ref", "--out", out, "--quiet", timeout=60)
    r = read_result(out)
    assert r["verdict"] == "pass", (r.get("reason"), p.stderr)
    logged, wire = peer_events(out, "client")
    events = [e["event"] for e in logged]
    timers = [e for e in events if e["event"] == "timer"]
    hellos = [w for w in wire if w["kind"] == "datagram" and w["dir"] == "c2s"
              and any((rec.get("hs") or {}).get("name") == "client_hello" for rec in w.get("records", []))]
    assert len(hellos) >= 3, "two ClientHellos dropped, the third answered"
    assert len(timers) == 2, timers
    ready = next(e for e in events if e["event"] == "ready")
    first, second = timers
    # The library's schedule: 100 ms from the first send, then 200 ms from the resend.
    assert 100.0 - READING_MS <= first["deadline_ms"] - ready["t_ms"] <= 100.0 + FIRST_ARMING_SLACK_MS, (ready, first)
    assert 200.0 - READING_MS <= second["deadline_ms"] - first["t_ms"] <= 200.0 + REARMING_SLACK_MS, (first, second)
    for t in timers:
        # Woken at or after the deadline (OpenSSL counts its timer due from 15 ms before it).
        assert t["t_ms"] >= t["deadline_ms"] - 15.0, t
    if client == "openssl":  # OpenSSL's timer value is known through DTLS_set_timer_cb
        assert [t["timer_ms"] for t in timers] == [100.0, 200.0]
    # Each expiry is printed after the ClientHello it times out and before the resend it causes.
    offset = peer_to_wire_ms(logged)
    for k, t in enumerate(timers):
        printed_at = t["t_ms"] + offset
        assert hellos[k]["t_us"] / 1000.0 < printed_at <= hellos[k + 1]["t_us"] / 1000.0 + 5.0, (k, t, offset)


def test_server_that_never_waits_on_its_timer_prints_none(wireproof, tmp_path):
    """The ref server answers the ClientHellos statelessly (HelloVerifyRequest): no timer of its expired."""
    out = tmp_path / "run"
    wireproof("run", SCENARIO, "--client", "ref", "--server", "ref", "--out", out, "--quiet", timeout=60)
    logged, _ = peer_events(out, "server")
    assert [e for e in logged if e["event"]["event"] == "timer"] == []


# server-flight-lost-twice, plus the client's resends of its ClientHello dropped:
# otherwise a client resend can reach the server just before its deadline, the
# server answers it (a response resend, re-arming its timer) and its timer never
# expires that time (seen with the ref server: 1 event instead of 2).
SERVER_TIMER_ALONE = """\
name: server-timer-alone
description: Flight 4 dropped twice and the client's resent ClientHellos dropped, so only the server's timer resends.
refs: ["RFC 6347 4.2.4.1"]
protocol: dtls1.2
peers:
  timer_initial_ms: 100
rules:
  - name: drop-server-flight-twice
    dir: s2c
    match: { handshake_type: server_hello }
    count: 2
    action: drop
  - name: drop-client-hello-resends
    dir: c2s
    match: { handshake_type: client_hello }
    skip: 2
    action: drop
timeouts:
  run_s: 20
expect:
  handshake: complete
"""


@pytest.mark.parametrize("server", ["openssl", "gnutls", "ref"])
def test_each_shim_reports_its_timer_as_a_server(wireproof, tmp_path, server):
    """The server's flight 4 is dropped twice and nothing else makes it resend: its timer expires twice."""
    out = tmp_path / "run"
    scenario = tmp_path / "server-timer-alone.yaml"
    scenario.write_text(SERVER_TIMER_ALONE)
    p = wireproof("run", scenario, "--client", "ref", "--server", server, "--out", out, "--quiet", timeout=60)
    r = read_result(out)
    assert r["verdict"] not in ("error", "unsupported"), (r.get("reason"), p.stderr)
    assert r["handshake"]["completed"], r["reason"]
    logged, wire = peer_events(out, "server")
    timers = [e["event"] for e in logged if e["event"]["event"] == "timer"]
    assert len(timers) == 2, timers
    first, second = timers
    assert 200.0 - READING_MS <= second["deadline_ms"] - first["t_ms"] <= 200.0 + REARMING_SLACK_MS, (first, second)
    # The first deadline: 100 ms after the first (dropped) flight 4 left, on the wire's clock.
    offset = peer_to_wire_ms(logged)
    flight4 = next(w for w in wire if w["kind"] == "datagram" and w["dir"] == "s2c"
                   and any((rec.get("hs") or {}).get("name") == "server_hello" for rec in w.get("records", [])))
    assert 100.0 - 10.0 <= first["deadline_ms"] + offset - flight4["t_us"] / 1000.0 <= 100.0 + 10.0, (first, offset)
    if server == "openssl":
        assert [t["timer_ms"] for t in timers] == [100.0, 200.0]
