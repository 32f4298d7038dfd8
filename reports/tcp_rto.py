"""The retransmission chart of a TCP run against the RTO the stack itself
reported: for each re-sent segment, the time since the previous send of the
same sequence space, next to the `rto_us` in the sender's latest tcp_info
(peers/CONTRACT.md "TCP") before it. The report only draws the pair; the
checks (rto_matches_stack, rto_backoff) judge it. Charted by retx_chart."""
from . import retx_chart

SENDER = {"c2s": "client", "s2c": "server"}


def _tcp_info(ev):
    """(rto_us, what) from a peer event carrying tcp_info, else None."""
    pe = ev.get("event") if isinstance(ev.get("event"), dict) else {}
    for info, what in ((pe, pe.get("when")), (pe.get("tcp_info"), pe.get("event"))):
        if isinstance(info, dict) and isinstance(info.get("rto_us"), (int, float)) and not isinstance(info["rto_us"], bool):
            return info["rto_us"], str(what or pe.get("event") or "tcp_info")
    return None


def series(events, segs):
    """One retx_chart.Series per direction with re-sent segments."""
    reports = {"client": [], "server": []}
    for ev in events:
        if ev.get("kind") == "peer" and ev.get("role") in reports:
            got = _tcp_info(ev)
            if got and isinstance(ev.get("t_us"), (int, float)):
                reports[ev["role"]].append((ev["t_us"], got[0], got[1], ev.get("i")))
    out = []
    for d in ("c2s", "s2c"):
        retx = [s for s in segs if s.dir == d and s.retransmission and s.retx_after_us is not None and not s.origin_wire]
        if not retx:
            continue
        role = SENDER[d]
        measured, rto, notes, ids = [], [], [], []
        for s in retx:
            before = [r for r in reports[role] if r[0] <= s.t_us]
            measured.append(s.retx_after_us / 1000)
            ids.append(s.i)
            if before:
                t, rto_us, what, i = before[-1]
                rto.append(rto_us / 1000)
                notes.append(f"re-send {s.retx_n} of seq {s.rel_seq}, after #{s.retx_of}; rto reported by the "
                             f"{role} in #{i} ({what}) at {t / 1000:.3f} ms")
            else:
                rto.append(None)
                notes.append(f"re-send {s.retx_n} of seq {s.rel_seq}, after #{s.retx_of}; "
                             f"no tcp_info from the {role} before it")
        out.append(retx_chart.Series(label=f"{d} (sender: {role})", measured=measured, expected=rto, ids=ids,
                                     expected_name="stack-reported RTO", notes=notes))
    return out


def build(events, segs):
    return [retx_chart.build(s) for s in series(events, segs)]
