"""Axes for the report's SVG charts: a linear or log scale from data to
pixels, and 'nice' tick values (1, 2, 5 x 10^n). Geometry only; the
templates draw it."""
import math


class Scale:
    """Maps [lo, hi] onto [p_lo, p_hi] pixels (p_hi < p_lo for a y axis that grows upwards)."""

    def __init__(self, lo, hi, p_lo, p_hi, log=False):
        self.lo, self.hi, self.p_lo, self.p_hi, self.log = lo, hi, p_lo, p_hi, log

    def __call__(self, v):
        if self.log:
            v = max(v, self.lo)
            frac = (math.log10(v) - math.log10(self.lo)) / (math.log10(self.hi) - math.log10(self.lo))
        else:
            frac = (v - self.lo) / (self.hi - self.lo)
        return self.p_lo - frac * (self.p_lo - self.p_hi)

    def ticks(self):
        return nice_ticks(max(self.lo, 1e-9) if self.log else self.lo, self.hi, self.log)


def nice_ticks(lo, hi, log):
    if log:
        ticks, p = [], 10 ** math.floor(math.log10(lo))
        while p <= hi * 1.0001:
            for m in (1, 2, 5):
                if lo <= p * m <= hi:
                    ticks.append(p * m)
            p *= 10
        return ticks
    raw = (hi - lo) / 5 or 1
    mag = 10 ** math.floor(math.log10(raw))
    step = next(s * mag for s in (1, 2, 5, 10) if s * mag >= raw)
    t, ticks = math.floor(lo / step) * step, []
    while t <= hi + 1e-9:
        if t >= lo:
            ticks.append(t)
        t += step
    return ticks


def fmt_ms(v):
    return f"{v / 1000:g} s" if v >= 1000 else f"{v:g} ms"
