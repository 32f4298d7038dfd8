"""Everything a TCP run page draws from events.jsonl: the ladder, the
time-sequence graphs and the retransmission-vs-RTO chart. One segment
reading (tcp_segments) feeds them all."""
from . import tcp_ladder, tcp_rto, tcp_timeseq
from .tcp_segments import is_tcp_log, segments


def applies(events):
    return is_tcp_log(events)


def build(events):
    segs = segments(events)
    return {"ladder": tcp_ladder.build(events, segs), "timeseq": tcp_timeseq.build(segs),
            "rto": tcp_rto.build(events, segs)}
