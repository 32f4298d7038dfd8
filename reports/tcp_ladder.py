"""The TCP ladder: one table row per packet the wire saw (and per peer event),
the sender's column holding the segment, with relative seq/ack, flags,
payload length, the scaled window, SYN options, fate and the wire's actions.

A bulk transfer is thousands of alike rows, so runs of plain rows (data or
ACK, forwarded, untouched, no SYN/FIN/RST, not re-sent) longer than
KEEP_HEAD + KEEP_TAIL + 1 are collapsed to their ends and a row saying how
many were hidden. Every other row is always shown. templates/tcp_ladder.html.j2
draws it with autoescape.
"""
import json
from dataclasses import dataclass, field

from .tcp_segments import flags_text, icmp_text, segments

KEEP_HEAD, KEEP_TAIL = 3, 3
BADGES = {"drop": "DROP", "duplicate": "DUP", "delay": "DELAY", "reorder": "REORDER", "corrupt": "CORRUPT",
          "mtu": "MTU-DROP", "send_failed": "SEND-FAILED", "never_sent": "NEVER-SENT", "rst": "RST-REWRITE",
          "window": "WINDOW-REWRITE", "inject": "INJECT"}


@dataclass
class Row:
    id: str                 # "ev-<i>", the anchor check evidence links to
    kind: str               # segment | icmp | peer | hidden
    t_ms: str = ""
    dir: str = ""           # c2s | s2c ("" for a client/server peer row: see side)
    side: str = ""          # client | server: the column the row's text sits in
    conn: int = 0
    flags: str = ""
    seq: str = ""
    ack: str = ""
    length: int | None = None
    window: str = ""
    options: str = ""
    text: str = ""          # icmp / peer / hidden summary
    fate: str = ""
    badges: list = field(default_factory=list)    # [(css class, text)]
    actions: str = ""       # the wire's actions, for the tooltip and the fate cell
    classes: list = field(default_factory=list)
    title: str = ""
    hidden: int = 0


@dataclass
class TcpLadder:
    rows: list
    connections: int
    hidden: int             # rows collapsed in total
    shown_segments: int
    total_segments: int
    retransmissions: int


def _window(s):
    if s.window is None:
        return ""
    if s.scale:
        return f"{s.window} ({s.raw_window}<<{s.scale})"
    return str(s.window)


def _seg_row(s):
    r = Row(id=f"ev-{s.i}", kind="icmp" if s.icmp is not None else "segment", t_ms=f"{s.t_us / 1000:.3f}",
            dir=s.dir, side="client" if s.dir == "c2s" else "server", conn=s.conn, fate=s.fate)
    acts = s.actions
    r.actions = "; ".join(f"{a.get('action')} ({a.get('rule')}){': ' + str(a['detail']) if a.get('detail') else ''}"
                          for a in acts)
    if s.icmp is not None:
        r.text = icmp_text(s.icmp)
        if s.icmp.get("quoted_tcp_seq") is not None:
            r.text += f", quotes seq {s.icmp.get('quoted_tcp_seq')}"
    else:
        r.flags = flags_text(s.flags)
        r.seq = "" if s.rel_seq is None else str(s.rel_seq)
        r.ack = "" if s.rel_ack is None else str(s.rel_ack)
        r.length = s.length
        r.window = _window(s)
        r.options = " ".join(t for _n, t in s.options)
        if s.sack:
            r.options = (r.options + " " if r.options else "") + "SACK " + " ".join(f"{a}-{b}" for a, b in s.sack)
    if s.origin_wire:
        r.badges.append(("b-wire", "WIRE"))
        r.classes.append("wire-origin")
    if s.retransmission:
        r.badges.append(("b-retx", f"RETX{s.retx_n if s.retx_n > 1 else ''}"))
        r.classes.append("retx")
    for a in acts:
        if a.get("action") in BADGES:
            r.badges.append((f"b-act-{a['action']}", BADGES[a["action"]]))
    if s.fate in ("dropped", "never_sent", "send_failed"):
        r.classes.append("not-delivered")
    for f in ("syn", "fin", "rst"):
        if f in s.flags:
            r.classes.append(f)
    r.title = _title(s)
    return r


def _title(s):
    lines = [f"#{s.i} {s.dir} at {s.t_us / 1000:.3f} ms, connection {s.conn}, ip_size {s.ev.get('ip_size')}, "
             f"fate {s.fate}"]
    tcp = s.ev.get("tcp") if isinstance(s.ev.get("tcp"), dict) else None
    if tcp:
        lines.append(f"absolute seq {tcp.get('seq')} ack {tcp.get('ack')}, window as sent {tcp.get('window')}")
    if s.retransmission:
        prev = f"#{s.retx_of}" if s.retx_of is not None else "an earlier segment"
        after = f" {s.retx_after_us / 1000:.3f} ms later" if s.retx_after_us is not None else ""
        lines.append(f"re-sends sequence space first sent by {prev}{after} (send {s.retx_n + 1})")
    for a in s.actions:
        lines.append(f"{a.get('action')} by rule {a.get('rule')}: {a.get('detail', '')}")
    dl = s.ev.get("deliveries_us") or []
    if dl:
        lines.append("delivered at " + ", ".join(f"{x / 1000:.3f} ms" for x in dl if isinstance(x, (int, float))))
    return "\n".join(lines)


def _peer_row(ev):
    pe = ev.get("event") if isinstance(ev.get("event"), dict) else {}
    role = "server" if ev.get("role") == "server" else "client"
    words = [str(pe.get("event", "?"))]
    for key in ("when", "errno", "reason", "message", "local", "remote"):
        if pe.get(key) not in (None, ""):
            words.append(str(pe[key]))
    info = pe.get("tcp_info") if isinstance(pe.get("tcp_info"), dict) else pe
    if isinstance(info.get("rto_us"), (int, float)):
        words.append(f"rto {info['rto_us'] / 1000:g} ms")
    t = ev.get("t_us") if isinstance(ev.get("t_us"), (int, float)) else 0
    return Row(id=f"ev-{ev.get('i')}", kind="peer", t_ms=f"{t / 1000:.3f}", side=role, text=" ".join(words),
               title=json.dumps(pe)[:2000])


def _plain(r):
    return (r.kind == "segment" and not r.badges and r.fate == "forwarded"
            and not any(c in r.classes for c in ("syn", "fin", "rst")))


def collapse(rows):
    """Runs of plain rows beyond KEEP_HEAD + KEEP_TAIL + 1 become head, a 'hidden' row, tail."""
    out, run = [], []

    def flush():
        if len(run) > KEEP_HEAD + KEEP_TAIL + 1:
            gone = run[KEEP_HEAD:len(run) - KEEP_TAIL]
            out.extend(run[:KEEP_HEAD])
            out.append(Row(id=f"hidden-{gone[0].id}", kind="hidden", hidden=len(gone),
                           text=f"{len(gone)} plain data/ACK rows hidden ({gone[0].id.replace('ev-', '#')} to "
                                f"{gone[-1].id.replace('ev-', '#')}, {gone[0].t_ms} to {gone[-1].t_ms} ms); "
                                "events.jsonl and capture.pcapng hold them"))
            out.extend(run[len(run) - KEEP_TAIL:])
        else:
            out.extend(run)
        run.clear()

    for r in rows:
        if _plain(r):
            run.append(r)
        else:
            flush()
            out.append(r)
    flush()
    return out


def build(events, segs=None):
    """segs: tcp_segments.segments(events), when the caller already has them."""
    segs = segments(events) if segs is None else segs
    by_i = {s.i: s for s in segs}
    rows = []
    for ev in events:
        if ev.get("kind") == "datagram" and ev.get("i") in by_i:
            rows.append(_seg_row(by_i[ev["i"]]))
        elif ev.get("kind") == "peer":
            rows.append(_peer_row(ev))
    shown = collapse(rows)
    return TcpLadder(rows=shown, connections=max((s.conn for s in segs), default=0),
                     hidden=sum(r.hidden for r in shown),
                     shown_segments=sum(1 for r in shown if r.kind in ("segment", "icmp")),
                     total_segments=len(segs), retransmissions=sum(1 for s in segs if s.retransmission))
