"""The TCP ladder on a run page, from crafted L3 event logs with known packets."""
from conftest import parse, run_cli
from tcp_log import MSS, Log

from reports import tcp_ladder, tcp_segments


def _page(tmp_path, log, **kw):
    run = log.write(tmp_path / "run", **kw)
    r = run_cli("html", run, "--out", tmp_path / "report")
    assert r.returncode == 0, r.stderr
    return parse(tmp_path / "report" / "runs" / "run" / "index.html")


def _rows(doc):
    table = doc.find("table", **{"class": "tcp-ladder"})
    assert table is not None
    return table.find("tbody").find_all("tr")


def _seg_rows(doc):
    return [r for r in _rows(doc) if r.attrs.get("data-kind") == "segment"]


def _lossy_log(retransmit=True):
    log = Log()
    log.handshake()
    log.burst(10, 4, drop_k=2)
    log.ack(20, 2)
    log.ack(21, 2)
    if retransmit:
        log.data(230, 2)
    log.ack(231, 4)
    return log


def test_rows_show_relative_seq_ack_scaled_window_and_syn_options(tmp_path):
    rows = _seg_rows(_page(tmp_path, _lossy_log()))
    syn, synack, ack = rows[:3]
    assert (syn.attrs["data-flags"], syn.attrs["data-seq"], syn.attrs["data-ack"]) == ("SYN", "0", "")
    assert syn.attrs["data-win"] == "64240"  # never scaled in a SYN (RFC 7323 2.2)
    assert "mss 1460" in syn.text() and "ws 7" in syn.text() and "sackOK" in syn.text()
    assert (synack.attrs["data-flags"], synack.attrs["data-seq"], synack.attrs["data-ack"]) == ("SYN,ACK", "0", "1")
    assert (ack.attrs["data-seq"], ack.attrs["data-ack"]) == ("1", "1")
    assert ack.attrs["data-win"].startswith("12800 ")  # 100 << the client's ws 7
    assert "ws" not in ack.text()  # options only on SYNs
    data2 = rows[5]
    assert (data2.attrs["data-seq"], data2.attrs["data-len"], data2.attrs["data-dir"]) == (str(1 + 2 * MSS), "1000", "c2s")
    server_ack = rows[7]
    assert server_ack.attrs["data-ack"] == str(1 + 2 * MSS) and server_ack.attrs["data-win"].startswith("51200 ")


def test_no_scaling_unless_both_syns_offered_it(tmp_path):
    log = Log()
    log.handshake(c_ws=7, s_ws=None)
    log.data(5, 0)
    rows = _seg_rows(_page(tmp_path, log))
    assert rows[3].attrs["data-win"] == "100"


def test_drop_and_retransmission_are_marked(tmp_path):
    rows = _seg_rows(_page(tmp_path, _lossy_log()))
    dropped = [r for r in rows if r.attrs["data-fate"] == "dropped"]
    assert len(dropped) == 1 and "DROP" in dropped[0].text() and "not-delivered" in dropped[0].attrs["class"]
    retx = [r for r in rows if "retx" in r.attrs["class"].split()]
    assert [r.attrs["id"] for r in retx] == ["ev-9"]
    assert retx[0].attrs["data-seq"] == dropped[0].attrs["data-seq"] and "RETX" in retx[0].text()
    assert "first sent by #5" in retx[0].attrs["title"]


def test_without_a_retransmission_none_is_marked(tmp_path):
    doc = _page(tmp_path, _lossy_log(retransmit=False))
    assert not [r for r in _seg_rows(doc) if "retx" in r.attrs["class"].split()]
    assert "RETX" not in doc.find("table", **{"class": "tcp-ladder"}).text()


def test_a_second_resend_counts_as_the_second(tmp_path):
    log = _lossy_log()
    log.data(700, 2)
    retx = [r for r in _seg_rows(_page(tmp_path, log)) if "retx" in r.attrs["class"].split()]
    assert [b.text() for r in retx for b in r.find_all("span") if "b-retx" in b.attrs.get("class", "")] == ["RETX", "RETX2"]


def test_long_runs_collapse_but_keep_every_drop_retx_and_syn_fin(tmp_path):
    log = Log()
    log.handshake()
    log.burst(10, 40, drop_k=20)
    log.data(300, 20)
    fin = log.seg(301, "c2s", 1_000_000 + 1 + 40 * MSS, 4_294_967_001, flags=("fin", "ack"))
    doc = _page(tmp_path, log)
    rows = _rows(doc)
    hidden = [r for r in rows if "hidden-rows" in r.attrs.get("class", "")]
    # plain runs: ACK + data 0..19 (21 rows) and data 21..39 (19 rows): each keeps 3 + 3
    assert [int(h.attrs["data-hidden"]) for h in hidden] == [21 - 6, 19 - 6]
    assert "15 plain data/ACK rows hidden" in hidden[0].text()
    ids = {r.attrs.get("id") for r in rows}
    for ev in (log.events[0], log.events[1], log.events[3 + 20], log.events[-2], fin):
        assert f"ev-{ev['i']}" in ids
    summary = doc.find("p", id="tcp-ladder-summary").text()
    assert "45 packets" in summary and "28 plain data/ACK rows hidden" in summary
    segs = [r for r in rows if r.attrs.get("data-kind") == "segment"]
    assert len(segs) + sum(int(h.attrs["data-hidden"]) for h in hidden) == 45


def test_short_runs_are_not_collapsed():
    log = Log()
    log.handshake()
    for k in range(tcp_ladder.KEEP_HEAD + tcp_ladder.KEEP_TAIL):
        log.data(10 + k, k)
    lad = tcp_ladder.build(log.events)
    assert lad.hidden == 0 and len(lad.rows) == 3 + tcp_ladder.KEEP_HEAD + tcp_ladder.KEEP_TAIL


def test_wire_origin_packets_are_marked(tmp_path):
    log = _lossy_log()
    icmp = log.icmp_frag_needed(25, 1280, 1_000_000 + 1)
    rst = log.seg(26, "c2s", 1_000_000 + 5001, flags=("rst",), origin="wire",
                  actions=[{"rule": "blind", "action": "inject", "detail": "seq rcv_nxt+1000"}])
    doc = _page(tmp_path, log)
    by_id = {r.attrs.get("id"): r for r in _rows(doc)}
    row = by_id[f"ev-{icmp['i']}"]
    assert row.attrs["data-kind"] == "icmp" and "wire-origin" in row.attrs["class"]
    assert "ICMP frag-needed mtu 1280" in row.text() and "WIRE" in row.text()
    row = by_id[f"ev-{rst['i']}"]
    assert "wire-origin" in row.attrs["class"] and "INJECT" in row.text() and "retx" not in row.attrs["class"]
    assert row.attrs["data-seq"] == "5001"


def test_peer_events_show_in_their_side_with_the_reported_rto(tmp_path):
    log = _lossy_log()
    log.peer(3, "server", {"event": "tcp_info", "when": "connected", "rto_us": 204000})
    row = [r for r in _rows(_page(tmp_path, log)) if r.attrs.get("data-kind") == "peer"][0]
    client_td, _arrow, server_td = row.find_all("td")[3:6]
    assert "rto 204 ms" in server_td.text() and client_td.text().strip() == ""


def test_relative_numbers_survive_the_sequence_space_wrapping():
    log = Log()
    log.handshake()
    s_isn = log.events[1]["tcp"]["seq"]   # tcp_log.S_ISN: 296 below 2^32
    log.seg(5, "s2c", s_isn + 1, 1_000_001, flags=("psh", "ack"), length=500)
    log.seg(6, "s2c", s_isn + 501, 1_000_001, flags=("psh", "ack"), length=500)   # absolute seq wrapped to 205
    log.seg(7, "c2s", 1_000_001, s_isn + 1001)
    segs = tcp_segments.segments(log.events)
    assert log.events[4]["tcp"]["seq"] == 205
    assert [s.rel_seq for s in segs[3:5]] == [1, 501] and segs[5].rel_ack == 1001
    assert not any(s.retransmission for s in segs)
