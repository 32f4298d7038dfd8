"""Geometry of the ladder (sequence) diagram: every datagram of events.jsonl
between client, wire and server, with drops, duplicates, delays, reorders and
link changes marked. Produces plain shapes; templates/ladder.svg.j2 draws them
(with autoescape, so packet- and peer-derived text cannot become markup).

Time runs downward, one row per thing that happened, in time order. A linear
time axis would crush a 40 us flight into one pixel next to 1 s timer gaps, so
rows are evenly spaced and long pauses get an extra labelled gap instead.
"""
import json
from dataclasses import dataclass, field

from .records import datagram_summary, record_long

X_TIME, X_CLIENT, X_WIRE, X_SERVER, WIDTH = 8, 170, 540, 910, 1000
TOP, ROW_H, GAP_H = 46, 24, 16
INLINE_US = 5_000      # a delivery this close to arrival is drawn on the same row
GAP_US = 100_000       # a pause this long gets a gap marker
MAX_ROWS = 1500        # beyond this the page gets heavy; the capture has the rest
LABEL_CHARS = 48

BADGES = {"drop": "DROP", "duplicate": "DUP", "delay": "DELAY", "reorder": "REORDER",
          "corrupt": "CORRUPT", "mtu": "MTU-DROP", "send_failed": "SEND-FAILED", "never_sent": "NEVER-SENT"}
# Fates (docs/EVENTS.md) of datagrams that never reached the receiver: drawn ending at the wire with an X.
NOT_DELIVERED = ("dropped", "send_failed", "never_sent")


@dataclass
class Shape:
    """One event's drawing: an SVG <g id=...> with a tooltip."""
    id: str
    cls: str
    title: str
    lines: list = field(default_factory=list)    # (x1, y1, x2, y2, css class, arrow?)
    texts: list = field(default_factory=list)    # (x, y, anchor, [(css class, text)])
    crosses: list = field(default_factory=list)  # (x, y) of an X marking a drop
    dots: list = field(default_factory=list)     # (x, y) on a lifeline


@dataclass
class Ladder:
    width: int
    height: int
    lifelines: list      # (x, label)
    shapes: list
    gaps: list           # (y, text)
    times: list          # (y, text)
    note: str | None


def _num(v, default=0):
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else default


def _ms(us):
    return f"{us / 1000:.3f} ms"


def _ends(direction):
    """(sender x, receiver x) for a direction."""
    return (X_CLIENT, X_SERVER) if direction == "c2s" else (X_SERVER, X_CLIENT)


def _items(events):
    """(t_us, order, kind, event, extra) in drawing order."""
    items = []
    for n, ev in enumerate(events):
        t = _num(ev.get("t_us"))
        kind = ev.get("kind")
        if kind == "datagram":
            items.append((t, n, 0, "arrival", ev, None))
            dl = [x for x in (ev.get("deliveries_us") or []) if isinstance(x, (int, float))]
            for k, d in enumerate(dl):
                if k == 0 and d - t <= INLINE_US:
                    continue  # drawn with the arrival
                items.append((d, n, 1 + k, "delivery", ev, k))
        elif kind in ("link", "peer"):
            items.append((t, n, 0, kind, ev, None))
    items.sort(key=lambda x: (x[0], x[1], x[2]))
    return items


def _datagram_title(ev):
    lines = [f"#{ev.get('i')} {ev.get('dir')} at {_ms(_num(ev.get('t_us')))}: {ev.get('size')} B payload, "
             f"ip_size {ev.get('ip_size')}, link mtu {ev.get('mtu')}",
             f"flight {ev.get('flight')}{' (retransmission)' if ev.get('retransmission') else ''}, "
             f"fate {ev.get('fate')}"]
    for r in ev.get("records") or []:
        lines.append("  " + record_long(r))
    if ev.get("malformed"):
        lines.append(f"malformed: {ev.get('malformed')}")
    for a in ev.get("actions") or []:
        if isinstance(a, dict):
            lines.append(f"{a.get('action')} by rule {a.get('rule')}: {a.get('detail', '')}")
    dl = ev.get("deliveries_us") or []
    if dl:
        lines.append("delivered at " + ", ".join(_ms(_num(x)) for x in dl))
    return "\n".join(lines)


def _badges(ev):
    out = []
    if ev.get("retransmission"):
        out.append(("badge retx", "RETX"))
    for a in ev.get("actions") or []:
        if isinstance(a, dict) and a.get("action") in BADGES:
            out.append((f"badge act-{a['action']}", BADGES[a["action"]]))
    if ev.get("malformed"):
        out.append(("badge act-corrupt", "MALFORMED"))
    return out


def build(events, client_label="client", server_label="server"):
    items = _items(events)
    note = None
    if len(items) > MAX_ROWS:
        note = f"showing the first {MAX_ROWS} of {len(items)} rows; capture.pcapng and events.jsonl hold everything"
        items = items[:MAX_ROWS]
    shapes, gaps, times = [], [], []
    arrival_y = {}
    y, prev_t = TOP, None
    for t, _n, _sub, kind, ev, k in items:
        if prev_t is not None and t - prev_t >= GAP_US:
            gaps.append((y + ROW_H - 6, f"⋮ {(t - prev_t) / 1e6:.3f} s later"))
            y += GAP_H
        y += ROW_H
        prev_t = t
        times.append((y + 4, _ms(t)))
        i = ev.get("i")
        if kind == "arrival":
            shapes.append(_arrival(ev, y))
            arrival_y[id(ev)] = y
        elif kind == "delivery":
            shapes.append(_delivery(ev, k, t, y, arrival_y.get(id(ev), y)))
        elif kind == "link":
            label = f"link {ev.get('change')}"
            if ev.get("rule"):
                label += f" {ev.get('rule')}"
            label += f" → {ev.get('value')}"
            if ev.get("cause"):
                label += f" ({ev.get('cause')})"
            shapes.append(Shape(id=f"ev-{i}", cls="link", title=f"#{i} {label} at {_ms(t)}",
                                lines=[(X_CLIENT - 30, y, X_SERVER + 30, y, "link", False)],
                                texts=[(X_WIRE, y - 4, "middle", [("linktext", label)])]))
        else:  # peer
            role = ev.get("role")
            pe = ev.get("event") if isinstance(ev.get("event"), dict) else {}
            words = [str(pe.get("event", "?"))]
            for key in ("version", "cipher", "description", "message", "reason"):
                if pe.get(key) not in (None, ""):
                    words.append(str(pe.get(key)))
            label = " ".join(words)
            if len(label) > 60:
                label = label[:59] + "…"
            x = X_CLIENT if role == "client" else X_SERVER
            tx, anchor = (x + 8, "start") if role == "client" else (x - 8, "end")
            shapes.append(Shape(id=f"ev-{i}", cls="peer", title=f"#{i} {role} at {_ms(t)}: {json.dumps(pe)}",
                                dots=[(x, y)], texts=[(tx, y + 4, anchor, [("peertext", label)])]))
    height = y + ROW_H + 10
    lifelines = [(X_CLIENT, client_label), (X_WIRE, "wire"), (X_SERVER, server_label)]
    return Ladder(width=WIDTH, height=height, lifelines=lifelines, shapes=shapes, gaps=gaps, times=times, note=note)


def _arrival(ev, y):
    i = ev.get("i")
    src, dst = _ends(ev.get("dir"))
    dropped = ev.get("fate") in NOT_DELIVERED
    s = Shape(id=f"ev-{i}", cls="dgram " + ("dropped" if dropped else "fwd"), title=_datagram_title(ev))
    leg = "leg dropped" if dropped else "leg"
    s.lines.append((src, y, X_WIRE, y, leg, True))
    t = _num(ev.get("t_us"))
    dl = ev.get("deliveries_us") or []
    if dropped:
        off = -10 if src < X_WIRE else 10
        s.crosses.append((X_WIRE + off, y))
    elif dl and isinstance(dl[0], (int, float)) and dl[0] - t <= INLINE_US:
        s.lines.append((X_WIRE, y, dst, y, "leg", True))
    parts = [("lbl", f"#{i} "), ("lbl", datagram_summary(ev, LABEL_CHARS)), ("size", f" {ev.get('size')} B")]
    for b in _badges(ev):
        parts.append(("sp", " "))
        parts.append(b)
    mid = (src + X_WIRE) / 2
    s.texts.append((mid, y - 4, "middle", parts))
    return s


def _delivery(ev, k, t, y, y0):
    i = ev.get("i")
    _src, dst = _ends(ev.get("dir"))
    late = t - _num(ev.get("t_us"))
    what = f"copy {k + 1}" if k else "delivered"
    label = f"#{i} {what} +{late / 1000:.1f} ms"
    hold_x = X_WIRE + (4 if dst > X_WIRE else -4)
    return Shape(id=f"ev-{i}-d{k + 1}", cls="dgram late", title=f"#{i} {ev.get('dir')} {what} at {_ms(t)} "
                 f"({late / 1000:.1f} ms after arrival)",
                 lines=[(hold_x, y0, hold_x, y, "hold", False), (X_WIRE, y, dst, y, "leg late", True)],
                 texts=[((X_WIRE + dst) / 2, y - 4, "middle", [("lbl", label)])])
