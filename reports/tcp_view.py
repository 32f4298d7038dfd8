"""Everything a TCP run page draws from events.jsonl: the ladder, the
time-sequence graphs and the retransmission-vs-RTO chart. One segment
reading (tcp_segments) feeds them all."""
from . import tcp_ladder
from .tcp_segments import is_tcp_log


def applies(events):
    return is_tcp_log(events)


def build(events):
    return {"ladder": tcp_ladder.build(events)}
