"""Runs on the L3 wire through `wireproof run`: TCP between kernel stacks in
their own namespaces, DTLS with `wire: l3`, the topology in result.json, the
raw-IP capture, and cleanup (no namespace or peer left, SIGINT included)."""
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from wp_e2e import REPO, WIREPROOF, read_result

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not Path("/dev/net/tun").exists(),
                                reason="the L3 wire needs root (ip netns, setns) and /dev/net/tun")

TCP = REPO / "scenarios" / "tcp"


def our_namespaces(pid):
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return [line.split()[0] for line in out.splitlines() if line.startswith(f"wp-{pid}-")]


def run(tmp_path, client, server, scenario, *extra, timeout=120):
    out = tmp_path / f"{client}__{server}"
    p = subprocess.run([str(WIREPROOF), "run", "--client", client, "--server", server, "--out", str(out),
                        *extra, str(scenario)], capture_output=True, text=True, timeout=timeout, cwd=REPO)
    return p, out


def events(out):
    return [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]


def test_kernel_tcp_echo_is_logged_packet_by_packet_and_judged(tmp_path):
    p, out = run(tmp_path, "linux", "linux", TCP / "clean-handshake-echo.yaml")
    assert p.returncode == 0, p.stdout + p.stderr
    r = read_result(out)
    assert r["verdict"] == "pass"
    judged = {c["name"]: c["verdict"] for c in r["checks"]}
    assert judged["tcp_handshake"] == "pass" and judged["tcp_data_intact"] == "pass"
    assert "handshake_completes" not in judged  # DTLS checks do not judge TCP
    packets = [e for e in events(out) if e["kind"] == "datagram"]
    syns = [e for e in packets if "syn" in e["tcp"]["flags"]]
    assert len(syns) == 2 and syns[0]["ip"]["src"] == "198.18.0.1" and syns[0]["ip"]["dst"] == "198.18.0.2"
    assert all(e["ip"]["src"].startswith("198.18.") and e["ip"]["dst"].startswith("198.18.") for e in packets)
    assert sum(e["size"] for e in packets if e["dir"] == "c2s") >= 65536
    # The client ACKs the server's FIN after its own process is gone: the wire lingers for it.
    server_fin = [e for e in packets if e["dir"] == "s2c" and "fin" in e["tcp"]["flags"]][-1]
    fin_end = server_fin["tcp"]["seq"] + server_fin["tcp"]["payload_length"] + 1
    assert any(e["dir"] == "c2s" and e["tcp"]["ack"] == fin_end % 2**32 for e in packets if e["i"] > server_fin["i"])
    topo = r["topology"]
    for side, addr in (("client", "198.18.0.1"), ("server", "198.18.0.2")):
        assert topo[side]["addresses"][0] == addr and topo[side]["kernel"] == os.uname().release
        assert "net.ipv4.tcp_syn_retries" in topo[side]["sysctls"]
    # The capture holds the real packets: one frame per leg, every IP length as logged.
    lines = subprocess.run(["tshark", "-r", str(out / "capture.pcapng"), "-T", "fields", "-e", "ip.len"],
                           capture_output=True, text=True, check=True).stdout.split()
    legs = sum(1 + len(e["deliveries_us"]) for e in packets)
    assert len(lines) == legs
    assert our_namespaces(os.getpid()) == []


def test_a_sysctl_profile_is_applied_on_its_side_only(tmp_path):
    p, out = run(tmp_path, "linux-rfc", "linux", TCP / "clean-handshake-echo.yaml")
    assert p.returncode == 0, p.stdout + p.stderr
    topo = read_result(out)["topology"]
    assert topo["client"]["sysctls"]["net.ipv4.tcp_early_retrans"] == "0"
    assert topo["server"]["sysctls"]["net.ipv4.tcp_early_retrans"] != "0"
    assert topo["client"]["sysctls"]["net.ipv4.tcp_syn_retries"] == "7"


def test_lwip_takes_its_packet_port_and_echoes_with_the_kernel(tmp_path):
    p, out = run(tmp_path, "lwip", "linux", TCP / "clean-handshake-echo.yaml")
    r = read_result(out)
    assert r["topology"]["client"]["device"] == "packet_socket"
    argv = r["client"]["argv"]
    assert argv[argv.index("--packet-fd") + 1] == "3" and argv[argv.index("--local-address") + 1] == "198.18.0.1"
    judged = {c["name"]: c["verdict"] for c in r["checks"]}
    assert judged["tcp_data_intact"] == "pass", p.stdout


@pytest.mark.parametrize("client,server", [("lwip", "linux"), ("linux", "lwip")])
def test_lwip_and_the_kernel_echo_over_ipv6(tmp_path, client, server):
    p, out = run(tmp_path, client, server, TCP / "clean-handshake-echo-v6.yaml")
    assert p.returncode == 0, p.stdout + p.stderr
    r = read_result(out)
    assert r["verdict"] == "pass", p.stdout
    lwip_side = "client" if client == "lwip" else "server"
    assert r["topology"][lwip_side]["device"] == "packet_socket"
    packets = [e for e in events(out) if e["kind"] == "datagram"]
    assert packets and all(e["ip"]["version"] == 6 for e in packets)
    assert {e["ip"]["src"] for e in packets} == {"2001:db8::1", "2001:db8::2"}
    judged = {c["name"]: c["verdict"] for c in r["checks"]}
    assert judged["tcp_handshake"] == "pass" and judged["tcp_data_intact"] == "pass"
    assert our_namespaces(os.getpid()) == []


def test_dtls_runs_on_the_l3_wire(tmp_path):
    sc = tmp_path / "dtls-on-l3.yaml"
    text = (REPO / "scenarios" / "dtls" / "app-data-duplicated.yaml").read_text()
    sc.write_text(text.replace("name: app-data-duplicated", "name: dtls-on-l3") + "wire: l3\n")
    p, out = run(tmp_path, "openssl", "gnutls", sc)
    assert p.returncode == 0, p.stdout + p.stderr
    udp = [e for e in events(out) if e["kind"] == "datagram" and e["ip"]["protocol"] == 17]
    assert udp and udp[0]["records"] and udp[0]["flight"] == 1  # the UDP payload is DTLS-dissected
    assert read_result(out)["topology"]["server"]["addresses"][0] == "198.18.0.2"


def test_a_sysctl_the_kernel_lacks_is_an_error_naming_it(tmp_path):
    sc = tmp_path / "bad-sysctl.yaml"
    text = (TCP / "clean-handshake-echo.yaml").read_text().replace(
        "protocol: tcp\n", "protocol: tcp\npeers:\n  server:\n    sysctls: { tcp_no_such_setting: 1 }\n")
    sc.write_text(text)
    p, out = run(tmp_path, "linux", "linux", sc)
    r = read_result(out)
    assert r["verdict"] == "error"
    assert "net.ipv4.tcp_no_such_setting" in r["reason"] or "net.ipv4.tcp_no_such_setting" in json.dumps(r)
    assert our_namespaces(os.getpid()) == []


def test_sigint_mid_run_leaves_no_namespace_or_peer(tmp_path):
    out = tmp_path / "interrupted"
    proc = subprocess.Popen([str(WIREPROOF), "run", "--client", "linux", "--server", "linux", "--out", str(out),
                             str(TCP / "keepalive-peer-vanishes.yaml")], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 10
    while time.time() < deadline and len(our_namespaces(proc.pid)) < 2:
        time.sleep(0.05)
    assert len(our_namespaces(proc.pid)) == 2, "the run never made its namespaces"
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=20)
    assert proc.returncode == 130
    assert our_namespaces(proc.pid) == []
    r = read_result(out)
    assert r["verdict"] == "error" and r["interrupted"] == "SIGINT"
    left = subprocess.run(["pgrep", "-f", f"wireproof-linux.*{out}"], capture_output=True, text=True).stdout
    assert left == ""
