"""The time-sequence graph on a TCP run page, from crafted logs."""
from conftest import parse, run_cli
from tcp_log import MSS, Log

from reports import tcp_segments, tcp_timeseq


def _lossy(retransmit=True):
    log = Log()
    log.handshake()
    log.burst(10, 6, drop_k=3)
    log.ack(20, 3)
    log.ack(21, 3, sack=[[1_000_000 + 1 + 4 * MSS, 1_000_000 + 1 + 6 * MSS]])
    if retransmit:
        log.data(230, 3)
    log.ack(232, 6)
    return log


def _svgs(tmp_path, log):
    run = log.write(tmp_path / "run")
    assert run_cli("html", run, "--out", tmp_path / "rep").returncode == 0
    doc = parse(tmp_path / "rep" / "runs" / "run" / "index.html")
    return [s for s in doc.find_all("svg") if s.has_class("timeseq")]


def _bars(svg, cls=None):
    return [ln for ln in svg.find_all("line") if ln.has_class("seg") and (cls is None or ln.has_class(cls))]


def test_one_graph_per_direction_that_carried_data(tmp_path):
    svgs = _svgs(tmp_path, _lossy())
    assert [(s.attrs["data-dir"], s.attrs["data-conn"]) for s in svgs] == [("c2s", "1")]
    log = _lossy()
    log.seg(240, "s2c", 4_294_967_001, 1_000_000 + 1 + 6 * MSS, flags=("psh", "ack"), length=500)
    assert [s.attrs["data-dir"] for s in _svgs(tmp_path / "b", log)] == ["c2s", "s2c"]


def test_bars_ack_line_window_line_and_highlighted_retransmission(tmp_path):
    [svg] = _svgs(tmp_path, _lossy())
    bars = _bars(svg)
    # SYN (1 unit of sequence space), 6 new data segments and the re-send
    assert len(bars) == 8
    [retx] = _bars(svg, "retx")
    [dropped] = _bars(svg, "dropped")
    assert retx.attrs["y1"] == dropped.attrs["y1"] and retx.attrs["y2"] == dropped.attrs["y2"]  # same seq range
    assert float(retx.attrs["x1"]) > float(dropped.attrs["x1"])
    assert float(retx.attrs["y1"]) < float(retx.attrs["y2"])  # a vertical bar going up from seq to seq+len
    assert "seq 3001..4001" in retx.find("title").text()
    hl = [c for c in svg.find_all("circle") if c.has_class("hl")]
    assert {c.attrs["class"] for c in hl} == {"hl seg retx", "hl seg dropped"}
    ack = [p for p in svg.find_all("polyline") if p.has_class("ackline")]
    win = [p for p in svg.find_all("polyline") if p.has_class("rwin")]
    assert len(ack) == 1 and len(win) == 1
    ack_ys = [float(pt.split(",")[1]) for pt in ack[0].attrs["points"].split()]
    win_ys = [float(pt.split(",")[1]) for pt in win[0].attrs["points"].split()]
    assert min(win_ys) < min(ack_ys)  # the window line lies above the ACK line
    assert len([ln for ln in svg.find_all("line") if ln.has_class("sack")]) == 1


def test_without_a_retransmission_nothing_is_highlighted_as_one(tmp_path):
    [svg] = _svgs(tmp_path, _lossy(retransmit=False))
    assert _bars(svg, "retx") == [] and len(_bars(svg, "dropped")) == 1
    assert not [c for c in svg.find_all("circle") if c.has_class("retx")]


def test_ack_line_steps_through_the_acks():
    g = tcp_timeseq.build(tcp_segments.segments(_lossy().events))[0]
    # ACK values 1 (SYN-ACK), 1 + 3*MSS twice, then 1 + 6*MSS: each step is a horizontal then a vertical move
    pts = [tuple(map(float, p.split(","))) for p in g.ack_line.split()]
    ys = sorted({y for _x, y in pts}, reverse=True)
    assert len(ys) == 3
    assert all(pts[k][0] <= pts[k + 1][0] for k in range(len(pts) - 1))


def test_icmp_to_the_sender_is_marked(tmp_path):
    log = _lossy()
    log.icmp_frag_needed(25, 1280, 1_000_000 + 1)
    [svg] = _svgs(tmp_path, log)
    marks = [ln for ln in svg.find_all("line") if ln.has_class("icmp")]
    assert len(marks) == 1 and "frag-needed mtu 1280" in marks[0].find("title").text()
