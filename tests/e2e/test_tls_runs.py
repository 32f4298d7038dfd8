"""TLS over kernel TCP on the L3 wire through `wireproof run`: the openssl and
gnutls shims in their own namespaces, the TLS contract's argv (key logs, SNI
host certificates), the TCP checks judging the connection, and cleanup (no
namespace or peer process left behind)."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from wp_e2e import REPO, WIREPROOF, read_result

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not Path("/dev/net/tun").exists(),
                                reason="the L3 wire needs root (ip netns, setns) and /dev/net/tun")

TLS = REPO / "scenarios" / "tls"


def namespaces_of(pid):
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return [line.split()[0] for line in out.splitlines() if line.startswith(f"wp-{pid}-")]


def run(tmp_path, client, server, scenario):
    """Runs one cell; returns (exit code, output dir) after checking it left nothing behind."""
    out = tmp_path / f"{client}__{server}"
    proc = subprocess.Popen([str(WIREPROOF), "run", "--client", client, "--server", server, "--out", str(out),
                             str(scenario)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout, stderr = proc.communicate(timeout=120)
    assert (out / "result.json").exists(), stdout + stderr
    assert namespaces_of(proc.pid) == []
    left = subprocess.run(["pgrep", "-f", f"wireproof-peer-.*{out}"], capture_output=True, text=True).stdout
    assert left == "", f"peer processes left behind: {left}"
    return proc.returncode, out


def peer_events(out, role):
    return [json.loads(line) for line in (out / f"{role}.stdout").read_text().splitlines() if line.strip()]


def verdicts(result):
    return {c["name"]: c["verdict"] for c in result["checks"]}


def argv_value(argv, flag):
    return argv[argv.index(flag) + 1]


def key_log_labels(path):
    return {line.split()[0] for line in path.read_text().splitlines() if line and not line.startswith("#")}


def test_tls13_echo_openssl_to_gnutls_with_key_logs(tmp_path):
    rc, out = run(tmp_path, "openssl", "gnutls", TLS / "clean-tls13-echo.yaml")
    r = read_result(out)
    judged = verdicts(r)
    assert judged["tcp_handshake"] == "pass" and judged["segments_fit_mss"] == "pass", r["checks"]
    assert "tcp_data_intact" not in judged  # the wire carries ciphertext: TLS's own data check judges that
    for role in ("client", "server"):
        done = [e for e in peer_events(out, role) if e["event"] == "handshake_done"]
        assert len(done) == 1 and done[0]["version"] == "TLSv1.3"
        argv = r[role]["argv"]
        assert argv_value(argv, "--protocol") == "tls1.3"
        assert Path(argv_value(argv, "--key-log")) == (out / f"keylog-{role}.txt").resolve()
        assert r["artifacts"][f"{role}_key_log"] == f"keylog-{role}.txt"
        labels = key_log_labels(out / f"keylog-{role}.txt")
        assert {"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0"} <= labels, labels
        assert "--mtu" not in argv and "--timer-initial-ms" not in argv
    client_data = [e for e in peer_events(out, "client") if e["event"] == "app_data"][-1]
    server_data = [e for e in peer_events(out, "server") if e["event"] == "app_data"][-1]
    assert client_data["bytes"] == 65536
    assert client_data["sent_sha256"] == server_data["received_sha256"] == client_data["echoed_sha256"]
    topo = r["topology"]
    assert topo["client"]["addresses"][0] == "198.18.0.1" and topo["server"]["addresses"][0] == "198.18.0.2"
    assert [n for n, v in judged.items() if v == "fail"] == [], judged
    assert rc in (0, 1)


def test_tls13_echo_openssl_to_gnutls_passes(tmp_path):
    rc, out = run(tmp_path, "openssl", "gnutls", TLS / "clean-tls13-echo.yaml")
    assert read_result(out)["verdict"] == "pass"
    assert rc == 0


def test_tls12_echo_gnutls_to_openssl(tmp_path):
    _, out = run(tmp_path, "gnutls", "openssl", TLS / "clean-tls12-echo.yaml")
    r = read_result(out)
    assert verdicts(r)["tcp_handshake"] == "pass"
    for role in ("client", "server"):
        done = [e for e in peer_events(out, role) if e["event"] == "handshake_done"]
        assert len(done) == 1 and done[0]["version"] == "TLSv1.2"
        assert "CLIENT_RANDOM" in key_log_labels(out / f"keylog-{role}.txt")


def test_unknown_sni_host_is_refused_with_unrecognized_name(tmp_path):
    rc, out = run(tmp_path, "gnutls", "openssl", TLS / "unknown-sni-host.yaml")
    r = read_result(out)
    server_argv = r["server"]["argv"]
    host_cert = argv_value(server_argv, "--host-cert")
    assert host_cert.startswith("a.example=") and argv_value(server_argv, "--unknown-sni") == "alert"
    assert argv_value(r["client"]["argv"], "--server-name") == "c.example"
    sent = [e for e in peer_events(out, "server") if e["event"] == "alert" and e["direction"] == "sent"]
    received = [e for e in peer_events(out, "client") if e["event"] == "alert" and e["direction"] == "received"]
    assert [e["description"] for e in sent] == ["unrecognized_name"]
    assert [e["description"] for e in received] == ["unrecognized_name"]
    assert not any(e["event"] == "handshake_done" for role in ("client", "server") for e in peer_events(out, role))
    # The TLS handshake fails as the scenario expects; the TCP connection beneath completed.
    assert verdicts(r)["tcp_handshake"] == "pass"
    assert r["verdict"] == "pass" and rc == 0


def test_matrix_protocol_filter_refuses_a_selection_with_no_scenario(tmp_path):
    only13 = tmp_path / "only13"
    only13.mkdir()
    shutil.copy(TLS / "clean-tls13-echo.yaml", only13)
    proc = subprocess.run([str(WIREPROOF), "matrix", "--clients", "openssl", "--servers", "openssl", "--protocol",
                           "tls1.2", "--out", str(tmp_path / "mx"), str(only13)],
                          capture_output=True, text=True, timeout=60, cwd=REPO)
    assert proc.returncode == 2
    assert "no scenario of protocol tls1.2 in the files given; nothing was run" in proc.stderr
    assert not (tmp_path / "mx" / "summary.json").exists()
