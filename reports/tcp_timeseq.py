"""Geometry of the time-sequence graph (the Stevens / tcptrace plot): for one
direction of one connection, x = time at the wire, y = sequence number
relative to the sender's ISN. Each data segment is a vertical bar from its
seq to seq + len; the other side's ACKs are a step line, and ACK + its
advertised (scaled) window a second step line above it, the receive window.
Re-sent segments, segments the wire did not deliver, SACK blocks and the
ICMP errors the wire sent to the sender are drawn in their own classes.
templates/tcp_timeseq.svg.j2 draws it.
"""
from dataclasses import dataclass, field

from .chart_axes import Scale, fmt_ms
from .tcp_segments import icmp_text

W, H, ML, MR, MT, MB = 900, 340, 72, 16, 16, 40
MAX_BARS = 8000          # a 4 MB transfer is ~3000; beyond this the SVG gets heavy
WINDOW_HEADROOM = 1.25   # the window line is clipped this far above the highest data/ACK


@dataclass
class Graph:
    label: str
    dir: str
    conn: int
    width: int = W
    height: int = H
    plot: tuple = (ML, MT, W - MR, H - MB)
    bars: list = field(default_factory=list)     # (x, y_top, y_bottom, css class, title, href)
    sacks: list = field(default_factory=list)    # (x, y_top, y_bottom, title)
    marks: list = field(default_factory=list)    # (x, css class, title): ICMP to the sender
    highlights: list = field(default_factory=list)  # (x, y, css class, title, href): a dot on every non-plain bar
    ack_line: str = ""                           # polyline points
    window_line: str = ""
    xticks: list = field(default_factory=list)   # (x, text)
    yticks: list = field(default_factory=list)   # (y, text)
    note: str | None = None
    counts: dict = field(default_factory=dict)   # bars by class, for the caption


def _fmt_bytes(v):
    if v >= 1_000_000:
        return f"{v / 1e6:g} MB"
    if v >= 1000:
        return f"{v / 1000:g} kB"
    return f"{v:g}"


def _steps(points, xmap, ymap):
    """A step line through (t, v): each value holds until the next one."""
    out, prev = [], None
    for t, v in points:
        x, y = round(xmap(t), 1), round(ymap(v), 1)
        if prev is not None:
            out.append(f"{x},{prev}")
        out.append(f"{x},{y}")
        prev = y
    return " ".join(out)


def _bar_class(s):
    if s.origin_wire:
        return "seg wire"
    if s.fate in ("dropped", "never_sent", "send_failed"):
        return "seg dropped"
    if s.retransmission:
        return "seg retx"
    return "seg"


def build_one(segs, conn, d):
    """The graph for direction d of connection conn, or None when it carried no data."""
    mine = [s for s in segs if s.conn == conn and s.dir == d and s.rel_seq is not None]
    if not any(s.length for s in mine if not s.origin_wire):
        return None
    other = [s for s in segs if s.conn == conn and s.dir != d and s.rel_ack is not None and not s.origin_wire]
    icmps = [s for s in segs if s.icmp is not None and s.dir != d]
    note = None
    data = [s for s in mine if s.seq_len]
    if len(data) > MAX_BARS:
        note = f"showing the first {MAX_BARS} of {len(data)} segments"
        data = data[:MAX_BARS]
    times = [s.t_us for s in mine + other]
    t0, t1 = min(times) / 1000, max(times) / 1000
    if t1 - t0 < 1e-3:
        t1 = t0 + 1
    top = max([s.end_seq for s in data] + [s.rel_ack for s in other] + [1])
    ymax = top * 1.05
    wtop = top * WINDOW_HEADROOM
    x0, y0, x1, y1 = ML, MT, W - MR, H - MB
    xmap = Scale(t0, t1, x0, x1)
    win = [(s.t_us / 1000, min(s.rel_ack + s.window, wtop)) for s in other if s.window is not None]
    if win:
        ymax = max(ymax, max(v for _t, v in win))
    ymap = Scale(0, ymax, y1, y0)
    g = Graph(label=f"{d} connection {conn}", dir=d, conn=conn, note=note)
    for s in data:
        cls = _bar_class(s)
        g.counts[cls] = g.counts.get(cls, 0) + 1
        ytop, ybot = round(ymap(s.end_seq), 1), round(ymap(s.rel_seq), 1)
        if ybot - ytop < 2:  # keep a 1-byte probe or a SYN visible
            ytop = ybot - 2
        what = {"seg": "", "seg retx": ", re-sent", "seg dropped": f", {s.fate} at the wire",
                "seg wire": ", crafted by the wire"}[cls]
        title = f"#{s.i} at {s.t_us / 1000:.3f} ms: seq {s.rel_seq}..{s.end_seq} ({s.length} B){what}"
        g.bars.append((round(xmap(s.t_us / 1000), 1), ytop, ybot, cls, title, f"#ev-{s.i}"))
        if cls != "seg":  # a 1448-byte bar in a megabyte plot is two pixels: mark it so it is seen
            g.highlights.append((round(xmap(s.t_us / 1000), 1), round((ytop + ybot) / 2, 1), cls, title, f"#ev-{s.i}"))
    for s in other:
        for left, right in s.sack:
            g.sacks.append((round(xmap(s.t_us / 1000), 1), round(ymap(right), 1), round(ymap(left), 1),
                            f"#{s.i} SACK {left}..{right}"))
    for s in icmps:
        g.marks.append((round(xmap(s.t_us / 1000), 1), "icmp", f"#{s.i} at {s.t_us / 1000:.3f} ms: {icmp_text(s.icmp)}"))
    g.ack_line = _steps([(s.t_us / 1000, s.rel_ack) for s in other], xmap, ymap)
    g.window_line = _steps(win, xmap, ymap)
    g.xticks = [(round(xmap(t), 1), fmt_ms(t)) for t in xmap.ticks()]
    g.yticks = [(round(ymap(v), 1), _fmt_bytes(v)) for v in ymap.ticks()]
    return g


def build(segs):
    conns = sorted({s.conn for s in segs if s.conn})
    return [g for c in conns for d in ("c2s", "s2c") if (g := build_one(segs, c, d)) is not None]
