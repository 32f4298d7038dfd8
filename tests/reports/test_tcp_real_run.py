"""The TCP run page from REAL runs: the wireproof CLI runs kernel TCP
(linux -> linux) over the L3 wire in network namespaces, then the report
draws its events.jsonl and result.json topology."""
import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, parse, run_cli
from test_chromium import CHROMIUM, _chromium

WIREPROOF = REPO / "build" / "ci" / "harness" / "cli" / "wireproof"
pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="the L3 wire needs root to create network namespaces and TUN devices"),
    pytest.mark.skipif(not WIREPROOF.exists(), reason=f"{WIREPROOF} is not built (ci/build)"),
]


def _run(tmp_path_factory, scenario):
    out = tmp_path_factory.mktemp(scenario)
    r = subprocess.run([str(WIREPROOF), "run", "--client", "linux", "--server", "linux", "--out", str(out / "run"),
                        str(REPO / "scenarios" / "tcp" / f"{scenario}.yaml")],
                       cwd=REPO, capture_output=True, text=True, timeout=120)
    assert (out / "run" / "events.jsonl").is_file(), r.stdout + r.stderr
    rep = run_cli("html", out / "run", "--out", out / "report")
    assert rep.returncode == 0, rep.stderr
    events = [json.loads(line) for line in (out / "run" / "events.jsonl").read_text().splitlines() if line.strip()]
    return events, parse(out / "report" / "runs" / "run" / "index.html"), out / "report" / "runs" / "run" / "index.html"


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    return _run(tmp_path_factory, "clean-handshake-echo")


@pytest.fixture(scope="module")
def lossy(tmp_path_factory):
    return _run(tmp_path_factory, "data-segment-lost-mid-stream")


def _rows(doc):
    return doc.find("table", **{"class": "tcp-ladder"}).find("tbody").find_all("tr")


def _packets(events):
    return [e for e in events if e["kind"] == "datagram"]


def test_real_handshake_rows_and_every_packet_accounted_for(clean):
    events, doc, _ = clean
    segs = [r for r in _rows(doc) if r.attrs.get("data-kind") in ("segment", "icmp")]
    hidden = sum(int(r.attrs["data-hidden"]) for r in _rows(doc) if "hidden-rows" in r.attrs.get("class", ""))
    assert len(segs) + hidden == len(_packets(events))
    assert hidden > 0  # a 64 KB echo is far more packets than the page should list
    syn, synack = segs[0], segs[1]
    assert (syn.attrs["data-flags"], syn.attrs["data-seq"], syn.attrs["data-dir"]) == ("SYN", "0", "c2s")
    assert (synack.attrs["data-flags"], synack.attrs["data-ack"], synack.attrs["data-dir"]) == ("SYN,ACK", "1", "s2c")
    assert "mss " in syn.text()
    first = _packets(events)[0]["tcp"]
    assert str(first["seq"]) in syn.attrs["title"]  # the absolute number is in the tooltip
    # The client's FIN is always on the wire; the server's may come after the run stops the wire.
    wire_fins = sum(1 for e in _packets(events) if "fin" in e["tcp"]["flags"])
    fins = [r for r in segs if "FIN" in r.attrs["data-flags"]]
    assert "c2s" in {r.attrs["data-dir"] for r in fins} and len(fins) == wire_fins


def test_real_topology_block(clean):
    events, doc, _ = clean
    topo = doc.find("table", **{"class": "topology"})
    assert topo is not None
    text = topo.text()
    assert "198.18.0.1" in text and "198.18.0.2" in text and "wp-" in text
    assert os.uname().release in text


def test_real_drop_is_resent_and_marked(lossy):
    events, doc, _ = lossy
    rows = _rows(doc)
    dropped = [r for r in rows if r.attrs.get("data-fate") == "dropped"]
    assert len(dropped) == 1 and "DROP" in dropped[0].text()
    resent = [r for r in rows if "retx" in r.attrs.get("class", "").split()]
    assert dropped[0].attrs["data-seq"] in {r.attrs["data-seq"] for r in resent}


def test_real_time_sequence_graph_shows_the_drop_and_its_resend(lossy):
    _events, doc, _ = lossy
    svgs = [s for s in doc.find_all("svg") if s.has_class("timeseq")]
    c2s = [s for s in svgs if s.attrs["data-dir"] == "c2s"]
    assert len(c2s) == 1
    lines = c2s[0].find_all("line")
    dropped = [ln for ln in lines if ln.has_class("dropped")]
    resent = [ln for ln in lines if ln.has_class("retx")]
    assert len(dropped) == 1 and resent
    assert (dropped[0].attrs["y1"], dropped[0].attrs["y2"]) in {(r.attrs["y1"], r.attrs["y2"]) for r in resent}
    assert c2s[0].find("polyline", **{"class": "ackline"}) is not None


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed")
def test_real_tcp_page_loads_in_chromium(lossy):
    _events, _doc, page = lossy
    dom = parse(_chromium("--dump-dom", page.as_uri()))
    assert dom.find("table", **{"class": "tcp-ladder"}) is not None
    svg = next(s for s in dom.find_all("svg") if s.has_class("timeseq"))
    assert [ln for ln in svg.find_all("line") if ln.has_class("retx")]
    assert not dom.find_all("script")


def test_real_resend_is_charted_against_the_clients_reported_rto(lossy):
    events, doc, _ = lossy
    boxes = [d for d in doc.find_all("div") if d.has_class("rto-chart")]
    c2s = [b for b in boxes if "c2s (sender: client)" in b.text()]
    assert len(c2s) == 1
    titles = [c.find("title").text() for c in c2s[0].find_all("circle")]
    assert titles and all("measured" in t for t in titles)
    # the linux shim reports tcp_info at connected, before any data is sent: the first re-send has a reference
    assert "stack-reported RTO" in titles[0] and "rto reported by the client" in titles[0]


@pytest.fixture(scope="module")
def mtu(tmp_path_factory):
    return _run(tmp_path_factory, "mtu-shrinks-with-icmp")


def test_real_icmp_frag_needed_rows_are_wire_marked_and_never_hidden(mtu):
    events, doc, _ = mtu
    icmp_events = [e for e in _packets(events) if e.get("origin") == "wire" and "icmp" in e]
    assert icmp_events  # the scenario shrinks the MTU mid-transfer and the wire answers with ICMP
    rows = {r.attrs.get("id"): r for r in _rows(doc)}
    for e in icmp_events:
        row = rows[f"ev-{e['i']}"]
        assert row.attrs["data-kind"] == "icmp" and "wire-origin" in row.attrs["class"]
        assert f"mtu {e['icmp']['mtu']}" in row.text()
    svg = next(s for s in doc.find_all("svg") if s.has_class("timeseq") and s.attrs["data-dir"] == "c2s")
    assert len([ln for ln in svg.find_all("line") if ln.has_class("icmp")]) == len(icmp_events)
