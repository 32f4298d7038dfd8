"""The harness's timing measurement checked against what the sender meant.

wireproof-peer-ref reports each handshake-phase datagram it sends as a
`datagram` event with `intended_ms`: when its stack decided the send for (the
retransmission timer's deadline for a timer-driven resend, else the moment it
handled the input that caused it). The wire log (events.jsonl, kind
"datagram", dir s2c) timestamps the same datagrams as captured. The peer's
clock starts at its own start, so only intervals are comparable: between
successive server datagrams, the wire-measured interval must match the
intended one within a few ms (the peer's wake-up and send latency, the
harness's capture latency)."""
import json
import statistics

from wp_e2e import REPO, read_result

SCENARIO = REPO / "scenarios" / "dtls" / "server-flight-lost-twice.yaml"
TOLERANCE_MS = 5.0


def load(out):
    with open(out / "events.jsonl") as f:
        return [json.loads(line) for line in f]


def test_wire_intervals_match_the_ref_servers_intended_intervals(wireproof, tmp_path):
    out = tmp_path / "run"
    p = wireproof("run", SCENARIO, "--client", "openssl", "--server", "ref", "--out", out, "--quiet", timeout=120)
    r = read_result(out)
    assert r["verdict"] == "pass", (r.get("reason"), p.stderr)
    ev = load(out)
    # Wire: every server datagram, dropped ones included (they were captured before the
    # rule dropped them), except application data, which the peer does not report.
    wire = [e for e in ev if e["kind"] == "datagram" and e["dir"] == "s2c" and not e["hex"].startswith("17")]
    sent = [e["event"] for e in ev if e["kind"] == "peer" and e["role"] == "server" and e["event"]["event"] == "datagram"]
    # The server's closing alert may leave after the run stopped listening: at most one
    # trailing datagram the wire did not see; the rest pair up in order, sizes equal.
    assert len(wire) <= len(sent) <= len(wire) + 1, ([e["size"] for e in wire], [e["size"] for e in sent])
    sent = sent[:len(wire)]
    assert [e["size"] for e in wire] == [e["size"] for e in sent]
    hellos = [w for w in wire if any((rec.get("hs") or {}).get("name") == "server_hello" for rec in w["records"])]
    assert len(hellos) >= 3, "expected the ServerHello flight sent three times (two dropped)"

    diffs, rows = [], []
    for k in range(1, len(wire)):
        wire_dt = (wire[k]["t_us"] - wire[k - 1]["t_us"]) / 1000.0
        meant_dt = sent[k]["intended_ms"] - sent[k - 1]["intended_ms"]
        diffs.append(wire_dt - meant_dt)
        rows.append(f"#{k} wire {wire_dt:9.3f} ms intended {meant_dt:9.3f} ms diff {wire_dt - meant_dt:+7.3f}")
    absd = [abs(d) for d in diffs]
    summary = f"max |diff| {max(absd):.3f} ms, median |diff| {statistics.median(absd):.3f} ms over {len(diffs)} intervals"
    print("\n" + "\n".join(rows) + "\n" + summary)
    # The intervals must be real ones: at least one retransmission interval >= the 100 ms timer.
    assert max(sent[k]["intended_ms"] - sent[k - 1]["intended_ms"] for k in range(1, len(sent))) >= 90
    assert max(absd) <= TOLERANCE_MS, "\n".join(rows) + "\n" + summary
