"""capture.pcapng written by wireproof-capture (harness/capture) from fixture
event logs holding real OpenSSL DTLS 1.2 bytes, read back by tshark: packet
count, sizes, record types and comments match the log; nothing is malformed.

Needs a built wireproof-capture (any build dir under build/, or
$WIREPROOF_CAPTURE) and tshark; skipped with the reason when either is absent."""
import json
import os
import shutil
import subprocess

import pytest

from conftest import MATRIX, REPO

WIRE_PORTS = (40002, 40003)  # CaptureEndpoints defaults: the wire's two sides
WARN = 0x600000              # tshark expert severity levels: comment 0x100000 ... warn 0x600000, error 0x800000


def _capture_tool():
    env = os.environ.get("WIREPROOF_CAPTURE")
    if env:
        return env
    found = sorted(REPO.glob("build/*/harness/capture/wireproof-capture"), key=lambda p: p.stat().st_mtime)
    return str(found[-1]) if found else None


TOOL = _capture_tool()
pytestmark = [
    pytest.mark.skipif(TOOL is None, reason="wireproof-capture not built (cmake --build ... --target wireproof-capture)"),
    pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark not installed"),
]


def _tshark(pcap, *args):
    decode = [a for p in WIRE_PORTS for a in ("-d", f"udp.port=={p},dtls")]
    r = subprocess.run(["tshark", "-r", str(pcap), *decode, *args], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return [ln.split("\t") for ln in r.stdout.splitlines() if ln.strip()]


def _write(run, tmp_path):
    out = tmp_path / "capture.pcapng"
    r = subprocess.run([TOOL, str(MATRIX / run / "events.jsonl"), str(out)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return out


def _expected_legs(run):
    """(ip length, record types, comment prefix) per packet, in capture order, from the log."""
    legs = []
    for e in map(json.loads, (MATRIX / run / "events.jsonl").read_text().splitlines()):
        if e["kind"] != "datagram":
            continue
        types = [r["type"] for r in e["records"]]
        legs.append((e["t_us"], 0, e["ip_size"], types, f"{e['dir']} #{e['i']}", e))
        for k, t in enumerate(e["deliveries_us"]):
            legs.append((t, 1, e["ip_size"], types, f"{e['dir']} #{e['i']} wire -> receiver", e))
    return sorted(legs, key=lambda x: x[0])  # stable: arrival before its deliveries at equal times


@pytest.mark.parametrize("run", ["clean-handshake/openssl__openssl", "server-flight-lost-once/openssl__gnutls"])
def test_packets_sizes_types_and_comments_match_the_log(run, tmp_path):
    pcap = _write(run, tmp_path)
    rows = _tshark(pcap, "-T", "fields", "-e", "frame.len", "-e", "dtls.record.content_type", "-e", "frame.comment",
                   "-e", "udp.length")
    want = _expected_legs(run)
    assert len(rows) == len(want)
    for (flen, ctypes, comment, udplen), (_t, leg, ip_size, types, prefix, ev) in zip(rows, want):
        assert int(flen) == ip_size and int(udplen) == ev["size"] + 8
        assert comment.startswith(prefix), (comment, prefix)
        if not ev["retransmission"]:  # tshark's reassembly hides records of repeated fragments
            assert [int(x) for x in ctypes.split(",") if x] == types, comment
    comments = "\n".join(r[2] for r in rows)
    for ev in (w[5] for w in want):
        for a in ev["actions"]:
            assert a["rule"] in comments


def test_clean_capture_has_no_malformed_packets_or_warnings(tmp_path):
    pcap = _write("clean-handshake/openssl__openssl", tmp_path)
    assert _tshark(pcap, "-Y", "_ws.malformed") == []
    assert _tshark(pcap, "-Y", f"_ws.expert.severity >= {WARN}") == []
    # and the handshake really dissects as DTLS: every handshake type of the log is seen
    seen = {int(x) for r in _tshark(pcap, "-T", "fields", "-e", "dtls.handshake.type") for x in r[0].split(",") if x}
    logged = {rec["hs"]["type"] for e in map(json.loads, (MATRIX / "clean-handshake/openssl__openssl/events.jsonl")
                                                    .read_text().splitlines())
              if e["kind"] == "datagram" for rec in e["records"] if "hs" in rec}
    assert logged <= seen


def test_impaired_capture_warns_only_about_real_retransmissions(tmp_path):
    run = "server-flight-lost-once/openssl__gnutls"
    pcap = _write(run, tmp_path)
    retx = {f"#{e['i']} " for e in map(json.loads, (MATRIX / run / "events.jsonl").read_text().splitlines())
            if e.get("retransmission")}
    # tshark's DTLS reassembly reports a repeated handshake fragment as "New fragment overlaps old data
    # (retransmission?)" and counts it malformed; that is the scenario working, not a bad packet. Anything
    # else, or on a datagram the log does not call a retransmission, fails.
    for flt in ("_ws.malformed", f"_ws.expert.severity >= {WARN}"):
        flagged = _tshark(pcap, "-Y", flt, "-T", "fields", "-e", "frame.comment", "-e", "_ws.expert.message")
        assert flagged, "the fixture retransmits fragments; tshark should notice"
        for comment, message in flagged:
            assert "overlaps old data (retransmission?)" in message, (comment, message)
            assert any(r in comment.split(";")[0] + " " for r in retx), (comment, message)


def test_cli_reports_bad_input(tmp_path):
    bad = tmp_path / "events.jsonl"
    bad.write_text('{"kind":"datagram","i":0}\n')
    r = subprocess.run([TOOL, str(bad), str(tmp_path / "x.pcapng")], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "events.jsonl" in r.stderr
