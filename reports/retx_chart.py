"""Geometry of the retransmission-schedule chart: measured intervals between
successive transmissions of a flight against the expected schedule and its
tolerance band (max(tolerance_ms, tolerance_pct of the interval), the
packetdrill rule). Data comes only from the retransmission_schedule check's
`expected` / `measured` JSON; field names are read tolerantly so the chart
survives the check growing fields. templates/retx_chart.svg.j2 draws it.
"""
import math
from dataclasses import dataclass, field

from .chart_axes import Scale, fmt_ms

W, H, ML, MR, MT, MB = 640, 280, 64, 16, 16, 40

_MEASURED_KEYS = ("intervals_ms", "measured_ms", "gaps_ms", "intervals")
_EXPECTED_KEYS = ("intervals_ms", "expected_ms", "schedule_ms", "intervals")
_TIMES_KEYS = ("sends_ms", "times_ms", "send_times_ms")
_GROUP_KEYS = ("series", "flights", "schedules", "directions")


def _nums(v):
    if isinstance(v, list) and v and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v):
        return [float(x) for x in v]
    return None


def _first(d, keys):
    for k in keys:
        n = _nums(d.get(k)) if isinstance(d, dict) else None
        if n:
            return n
    return None


def _tol(d, key):
    if not isinstance(d, dict):
        return None
    if isinstance(d.get(f"tolerance_{key}"), (int, float)):
        return float(d[f"tolerance_{key}"])
    t = d.get("tolerance")
    if isinstance(t, dict) and isinstance(t.get(key), (int, float)):
        return float(t[key])
    return None


@dataclass
class Series:
    label: str
    measured: list
    expected: list | None
    low: list | None = None
    high: list | None = None
    ok: list | None = None     # the check's own per-point verdict, when it gives one
    ids: list | None = None    # events.jsonl index of each retransmission
    expected_name: str = "expected"            # what the reference line is, in titles
    notes: list | None = None  # per-point text appended to its title (e.g. where the reference came from)


def _entry_series(label, entries):
    """harness/checks/retransmission_schedule.cpp: measured.flights[].intervals is a
    list of {i, kind, interval_ms, expected_ms, tolerance_ms, judged, ok}; only judged
    (timer-driven) entries have an expectation, responses to the peer are skipped."""
    judged = [x for x in entries if isinstance(x, dict) and x.get("judged") is not False
              and isinstance(x.get("interval_ms"), (int, float)) and isinstance(x.get("expected_ms"), (int, float))]
    if not judged:
        return None
    s = Series(label=label, measured=[float(x["interval_ms"]) for x in judged],
               expected=[float(x["expected_ms"]) for x in judged])
    tol = [float(x["tolerance_ms"]) if isinstance(x.get("tolerance_ms"), (int, float)) else 0.0 for x in judged]
    s.low = [max(e - t, 0.0) for e, t in zip(s.expected, tol)]
    s.high = [e + t for e, t in zip(s.expected, tol)]
    s.ok = [x["ok"] if isinstance(x.get("ok"), bool) else None for x in judged]
    s.ids = [x.get("i") if isinstance(x.get("i"), int) else None for x in judged]
    return s


def _series(label, m, e, fallback_tol):
    entries = m.get("intervals") if isinstance(m, dict) else None
    if isinstance(entries, list) and entries and all(isinstance(x, dict) for x in entries):
        return _entry_series(label, entries)
    measured = _first(m, _MEASURED_KEYS)
    if measured is None:
        times = _first(m, _TIMES_KEYS)
        if times and len(times) > 1:
            measured = [b - a for a, b in zip(times, times[1:])]
    if not measured:
        return None
    expected = _first(e, _EXPECTED_KEYS)
    if expected is None and isinstance(e, dict) and isinstance(e.get("initial_ms"), (int, float)):
        factor = e.get("factor", e.get("backoff", 2))
        factor = factor if isinstance(factor, (int, float)) else 2
        cap = e.get("max_ms", 60000)
        cap = cap if isinstance(cap, (int, float)) else 60000
        expected = [min(e["initial_ms"] * factor ** k, cap) for k in range(len(measured))]
    s = Series(label=label, measured=measured, expected=expected)
    lows, highs = _first(e, ("low_ms", "min_ms")), _first(e, ("high_ms", "max_ms_each"))
    if lows and highs:
        s.low, s.high = lows, highs
    elif expected:
        tol_ms = _tol(e, "ms") if _tol(e, "ms") is not None else fallback_tol[0]
        tol_pct = _tol(e, "pct") if _tol(e, "pct") is not None else fallback_tol[1]
        if tol_ms is not None or tol_pct is not None:
            band = [max(tol_ms or 0.0, x * (tol_pct or 0.0) / 100) for x in expected]
            s.low = [max(x - b, 0.0) for x, b in zip(expected, band)]
            s.high = [x + b for x, b in zip(expected, band)]
    return s


def series_from_check(check):
    """Every plottable series in a retransmission_schedule check (may be empty)."""
    m, e = check.get("measured"), check.get("expected")
    tol = (_tol(e, "ms"), _tol(e, "pct"))
    out = []
    for gk in _GROUP_KEYS:
        groups_m = m.get(gk) if isinstance(m, dict) else None
        if isinstance(groups_m, list):
            groups_e = e.get(gk) if isinstance(e, dict) and isinstance(e.get(gk), list) else []
            for n, g in enumerate(groups_m):
                if not isinstance(g, dict):
                    continue
                ge = groups_e[n] if n < len(groups_e) and isinstance(groups_e[n], dict) else e
                label = " ".join(f"{k} {g[k]}" for k in ("dir", "direction", "flight", "label") if k in g) or f"series {n + 1}"
                label = label.replace("dir ", "").replace("direction ", "")
                s = _series(label, g, ge, tol)
                if s:
                    out.append(s)
            if out:
                return out
    s = _series("", m, e, tol)
    return [s] if s else []


@dataclass
class Chart:
    label: str
    width: int = W
    height: int = H
    band: str = ""                 # polygon points
    expected: str = ""             # polyline points
    points: list = field(default_factory=list)   # (x, y, ok, title, href into the ladder or None)
    yticks: list = field(default_factory=list)   # (y, text)
    xticks: list = field(default_factory=list)   # (x, text)
    log: bool = False
    plot: tuple = (ML, MT, W - MR, H - MB)
    expected_title: str = "expected schedule"
    expected_marks: list = field(default_factory=list)   # (x1, x2, y, title): a dash per point's reference


def build(s):
    n = len(s.measured)
    vals = [v for v in list(s.measured) + (s.expected or [])[:n] + (s.high or [])[:n] + (s.low or [])[:n]
            if v is not None]  # a point may have no reference (no tcp_info before it)
    positive = [v for v in vals if v > 0] or [1.0]
    vmax, vmin = max(vals + [1.0]), min(positive)
    log = vmax / vmin > 20
    x0, y0, x1, y1 = ML, MT, W - MR, H - MB
    if log:
        ymap = Scale(10 ** math.floor(math.log10(vmin)), vmax * 1.3, y1, y0, log=True)
    else:
        ymap = Scale(0.0, vmax * 1.15, y1, y0)

    def xmap(k):
        return x0 + (k + 0.5) * (x1 - x0) / n

    c = Chart(label=s.label, log=log, expected_title="expected schedule" if s.expected_name == "expected"
              else s.expected_name)
    if s.low and s.high:
        k_max = min(n, len(s.low), len(s.high))
        top = [f"{xmap(k):.1f},{ymap(s.high[k]):.1f}" for k in range(k_max)]
        bottom = [f"{xmap(k):.1f},{ymap(s.low[k]):.1f}" for k in reversed(range(k_max))]
        if k_max == 1:  # a single interval: draw the band as a box, not a line
            hw = (x1 - x0) / n / 4
            top = [f"{xmap(0) - hw:.1f},{ymap(s.high[0]):.1f}", f"{xmap(0) + hw:.1f},{ymap(s.high[0]):.1f}"]
            bottom = [f"{xmap(0) + hw:.1f},{ymap(s.low[0]):.1f}", f"{xmap(0) - hw:.1f},{ymap(s.low[0]):.1f}"]
        c.band = " ".join(top + bottom)
    if s.expected:
        if s.expected_name == "expected":
            c.expected = " ".join(f"{xmap(k):.1f},{ymap(s.expected[k]):.1f}" for k in range(min(n, len(s.expected))))
        else:  # a reference per point (some may have none), not a schedule: a dash at each
            hw = min((x1 - x0) / n / 4, 12)
            c.expected_marks = [(round(xmap(k) - hw, 1), round(xmap(k) + hw, 1), round(ymap(e), 1),
                                 f"{s.expected_name} {e:g} ms") for k, e in enumerate(s.expected[:n]) if e is not None]
    for k, v in enumerate(s.measured):
        ok = None
        exp = s.expected[k] if s.expected and k < len(s.expected) else None
        if s.ok and k < len(s.ok) and s.ok[k] is not None:
            ok = s.ok[k]  # the check may accept more than the band (e.g. measured from the timer anchor)
        elif s.low and s.high and k < len(s.low) and k < len(s.high):
            ok = s.low[k] <= v <= s.high[k]
        i = s.ids[k] if s.ids and k < len(s.ids) else None
        title = f"interval {k + 1}{f' (#{i})' if i is not None else ''}: measured {v:g} ms"
        if exp is not None:
            title += f", {s.expected_name} {exp:g} ms"
        if s.notes and k < len(s.notes) and s.notes[k]:
            title += f" ({s.notes[k]})"
        if ok is not None:
            title += f", band {s.low[k]:g}..{s.high[k]:g} ms: {'inside' if ok else 'OUTSIDE'}"
        c.points.append((round(xmap(k), 1), round(ymap(v), 1), ok, title, f"#ev-{i}" if i is not None else None))
        c.xticks.append((round(xmap(k), 1), str(k + 1)))
    c.yticks = [(round(ymap(t), 1), fmt_ms(t)) for t in ymap.ticks()]
    return c
