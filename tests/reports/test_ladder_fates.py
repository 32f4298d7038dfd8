"""The ladder draws a datagram that never reached its receiver (dropped, send
refused, never sent: docs/EVENTS.md `fate`) ending at the wire with an X."""
from reports import ladder


def _datagram(i, fate, actions=(), deliveries=()):
    return {"kind": "datagram", "i": i, "dir": "c2s", "t_us": 1000 * i, "size": 40, "ip_size": 68, "mtu": 1500,
            "hex": "", "records": [], "malformed": None, "flight": 1, "retransmission": False, "fate": fate,
            "actions": list(actions), "deliveries_us": list(deliveries)}


def test_undelivered_fates_are_crossed_and_badged():
    events = [_datagram(0, "forwarded", deliveries=[10]),
              _datagram(1, "send_failed", [{"rule": "link", "action": "send_failed", "detail": "ECONNREFUSED"}]),
              _datagram(2, "never_sent", [{"rule": "link", "action": "never_sent",
                                           "detail": "run ended while held for reordering"}])]
    shapes = {s.id: s for s in ladder.build(events).shapes}
    assert not shapes["ev-0"].crosses
    for i, badge in ((1, "SEND-FAILED"), (2, "NEVER-SENT")):
        s = shapes[f"ev-{i}"]
        assert len(s.crosses) == 1, s
        assert "dropped" in s.cls
        assert any(part == (f"badge act-{events[i]['actions'][0]['action']}", badge)
                   for _x, _y, _a, parts in s.texts for part in parts), s.texts
