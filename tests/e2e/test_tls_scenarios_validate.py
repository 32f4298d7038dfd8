"""scenarios/tls: `wireproof validate` accepts the whole library (exit 0),
and refuses TLS misuses with file:line:col and exit 2."""
from wp_e2e import REPO

TLS = sorted((REPO / "scenarios" / "tls").glob("*.yaml"))
HEADER = "name: bad\ndescription: x\nrefs: [\"RFC 8446 4.1\"]\nprotocol: tls1.3\n"


def test_validate_accepts_every_tls_scenario(wireproof):
    assert len(TLS) >= 20
    proc = wireproof("validate", *TLS)
    assert proc.returncode == 0, proc.stderr
    assert f"{len(TLS)} of {len(TLS)} scenario files valid" in proc.stdout + proc.stderr


def test_validate_refuses_wire_udp_with_tls(wireproof, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(HEADER + "wire: udp\n")
    proc = wireproof("validate", bad)
    assert proc.returncode == 2
    assert f"{bad}:5:7: wire: udp is the UDP relay, which cannot carry TCP; protocol tls1.3 runs on wire: l3" \
        in proc.stderr, proc.stderr


def test_validate_refuses_what_a_tls_peer_would_refuse(wireproof, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(HEADER + "peers: {handshake_timeout_ms: 1000}\n"
                   "tls:\n  max_fragment_length: 600\n  client: {version: tls1.2, key_update: true}\n")
    proc = wireproof("validate", bad)
    assert proc.returncode == 2
    assert f"{bad}:5:31: handshake_timeout_ms must be in [2000, 120000], got 1000" in proc.stderr, proc.stderr
    assert f"{bad}:7:24: max_fragment_length 600 is not one RFC 6066 4 defines" in proc.stderr, proc.stderr
    assert f"{bad}:8:41: key_update is TLS 1.3's KeyUpdate message" in proc.stderr, proc.stderr
