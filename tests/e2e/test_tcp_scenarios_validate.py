"""scenarios/tcp: `wireproof validate` accepts the whole library (exit 0),
and refuses a TCP-only misuse with file:line:col and exit 2."""
from wp_e2e import REPO

TCP = sorted((REPO / "scenarios" / "tcp").glob("*.yaml"))


def test_validate_accepts_every_tcp_scenario(wireproof):
    assert len(TCP) >= 20
    proc = wireproof("validate", *TCP)
    assert proc.returncode == 0, proc.stderr
    assert f"{len(TCP)} of {len(TCP)} scenario files valid" in proc.stdout + proc.stderr


def test_validate_refuses_wire_udp_with_tcp(wireproof, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ndescription: x\nrefs: [\"RFC 9293 3.5\"]\nprotocol: tcp\nwire: udp\n")
    proc = wireproof("validate", bad)
    assert proc.returncode == 2
    assert f"{bad}:5:7: wire: udp is the UDP relay, which cannot carry TCP" in proc.stderr, proc.stderr
