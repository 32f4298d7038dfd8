"""result.json topology on the run page: each side's facts, only the sysctls
that differ, and the skipped ones."""
from conftest import parse, run_cli
from tcp_log import Log


def _side(ns, rto_min, extra=None):
    s = {"namespace": ns, "device": "tun", "device_name": ns, "addresses": ["198.18.0.1"], "mtu": 1500,
         "kernel": "6.1.0-test", "sysctls": {"net.ipv4.tcp_sack": "1", "net.ipv4.tcp_rto_min_us": rto_min}}
    s["sysctls"].update(extra or {})
    return s


def _skipped(doc):
    return next((u for u in doc.find_all("ul") if u.has_class("sysctls-skipped")), None)


def _doc(tmp_path, topology):
    log = Log()
    log.handshake()
    run = log.write(tmp_path / "run", topology=topology)
    assert run_cli("html", run, "--out", tmp_path / "rep").returncode == 0
    return parse(tmp_path / "rep" / "runs" / "run" / "index.html")


def test_only_differing_sysctls_are_listed(tmp_path):
    topo = {"client": _side("wp-1-0", "200000", {"net.ipv4.tcp_syn_linear_timeouts": "0"}),
            "server": _side("wp-1-1", "1000000"), "ipv6": False,
            "sysctls_skipped": ["net.ipv4.tcp_rto_max_ms (registry profile of linux-rfc: not in this kernel)"]}
    doc = _doc(tmp_path, topo)
    rows = {tr.attrs["data-sysctl"]: [td.text() for td in tr.find_all("td")]
            for tr in doc.find("table", **{"class": "sysctl-diff"}).find_all("tr") if "data-sysctl" in tr.attrs}
    assert rows == {"net.ipv4.tcp_rto_min_us": ["net.ipv4.tcp_rto_min_us", "200000", "1000000"],
                    "net.ipv4.tcp_syn_linear_timeouts": ["net.ipv4.tcp_syn_linear_timeouts", "0", "(absent)"]}
    facts = doc.find("table", **{"class": "topology"}).text()
    assert "wp-1-0" in facts and "wp-1-1" in facts and "6.1.0-test" in facts
    assert "tcp_rto_max_ms (registry profile of linux-rfc" in _skipped(doc).text()


def test_the_privilege_mode_is_shown(tmp_path):
    for mode, words in (("root", "as root"), ("user_namespace", "inside a user namespace")):
        doc = _doc(tmp_path / mode, {"client": _side("a", "1"), "server": _side("b", "1"), "mode": mode})
        assert words in doc.find("p", id="topology-mode").text()
    assert _doc(tmp_path / "none", {"client": _side("a", "1"), "server": _side("b", "1")}).find(
        "p", id="topology-mode") is None


def test_identical_sides_say_none_differ(tmp_path):
    doc = _doc(tmp_path, {"client": _side("a", "200000"), "server": _side("b", "200000"), "ipv6": False})
    assert doc.find("table", **{"class": "sysctl-diff"}) is None and doc.find("p", id="sysctls-same") is not None
    assert _skipped(doc) is None


def test_no_topology_no_block(tmp_path):
    assert _doc(tmp_path, None).find("table", **{"class": "topology"}) is None
