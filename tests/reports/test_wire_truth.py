"""What the reports show of the wire's truth (docs/EVENTS.md, docs/RESULT.md): datagrams that never
reached their receiver (dropped, send refused, never sent) end at the wire with an X, and each rule's hits."""
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


def test_run_page_lists_rule_hits_and_names_a_rule_that_never_fired(matrix, tmp_path):
    """result.json wire.rules (docs/RESULT.md) shows as one line, not as a raw list."""
    import json

    from conftest import parse, run_cli

    run_dir = "server-flight-lost-once/openssl__gnutls"
    path = matrix / run_dir / "result.json"
    res = json.loads(path.read_text())
    res["wire"]["rules"] = [{"kind": "rule", "name": "drop-server-flight", "hits": 2, "matched": 2, "must_fire": True},
                            {"kind": "timeline", "name": "at 2000 ms", "hits": 0, "must_fire": True},
                            {"kind": "rule", "name": "maybe", "hits": 0, "matched": 0, "must_fire": False}]
    path.write_text(json.dumps(res))
    out = tmp_path / "out"
    r = run_cli("html", matrix, "--out", out)
    assert r.returncode == 0, r.stderr
    facts = parse(out / "runs" / run_dir / "index.html").find("dl", **{"class": "facts"}).text()
    assert "rule drop-server-flight: 2" in facts
    assert "timeline at 2000 ms: 0 never fired" in " ".join(facts.split())
    assert "rule maybe: 0 (may not fire)" in facts
    assert "'kind'" not in facts and "[{" not in facts
