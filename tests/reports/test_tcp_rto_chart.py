"""The retransmission chart against the stack's reported RTO, from crafted logs."""
from conftest import parse, run_cli
from tcp_log import Log

from reports import tcp_rto, tcp_segments


def _log(retransmit=True, infos=((3, 204000), (12, 300000), (400, 999000))):
    log = Log()
    log.handshake()
    for t, rto in infos:
        log.peer(t, "client", {"event": "tcp_info", "when": "test", "rto_us": rto})
    log.peer(4, "server", {"event": "tcp_info", "when": "test", "rto_us": 50000})  # not the sender of c2s data
    log.data(10, 0)
    log.data(11, 1, dropped=True)
    log.ack(12, 1)
    if retransmit:
        log.data(311, 1)          # 300 ms after the first send
        log.data(911, 1)          # 600 ms after the re-send
    log.ack(912, 2)
    return log


def _series(log):
    return tcp_rto.series(log.events, tcp_segments.segments(log.events))


def test_intervals_pair_with_the_senders_latest_reported_rto():
    [s] = _series(_log())
    assert s.label == "c2s (sender: client)"
    assert s.measured == [300.0, 600.0]
    assert s.expected == [300.0, 999.0]   # the tcp_info at 12 ms for the first, at 400 ms for the second
    assert "in #4" in s.notes[0] and "in #5" in s.notes[1]


def test_a_resend_before_any_tcp_info_has_no_reference():
    [s] = _series(_log(infos=((500, 204000),)))
    assert s.expected == [None, 204.0] and "no tcp_info from the client before it" in s.notes[0]


def test_tcp_info_inside_the_connected_event_counts():
    log = _log(infos=())
    log.events.insert(3, {"kind": "peer", "i": 99, "t_us": 2500, "role": "client",
                          "event": {"event": "connected", "tcp_info": {"rto_us": 208000}}})
    [s] = _series(log)
    assert s.expected == [208.0, 208.0] and "(connected)" in s.notes[0]


def _charts(tmp_path, log):
    run = log.write(tmp_path / "run")
    assert run_cli("html", run, "--out", tmp_path / "rep").returncode == 0
    doc = parse(tmp_path / "rep" / "runs" / "run" / "index.html")
    return [d for d in doc.find_all("div") if d.has_class("rto-chart")]


def test_page_draws_points_and_rto_marks(tmp_path):
    [box] = _charts(tmp_path, _log())
    pts = box.find_all("circle")
    assert len(pts) == 2 and "measured 300 ms, stack-reported RTO 300 ms" in pts[0].find("title").text()
    marks = [ln for ln in box.find_all("line") if ln.has_class("exp-mark")]
    assert [m.find("title").text() for m in marks] == ["stack-reported RTO 300 ms", "stack-reported RTO 999 ms"]
    # 999 ms sits above 300 ms on the chart
    assert float(marks[1].attrs["y1"]) < float(marks[0].attrs["y1"])
    assert pts[0].parent.attrs["href"] == "#ev-10"


def test_no_retransmission_no_chart(tmp_path):
    assert _charts(tmp_path, _log(retransmit=False)) == []
