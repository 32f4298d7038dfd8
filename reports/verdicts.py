"""Verdict names, their order and their colours (docs/RESULT.md)."""

# Run verdicts, in the order the matrix legend and counts show them.
RUN_VERDICTS = ("pass", "fail", "xfail", "error", "unsupported")
CHECK_VERDICTS = ("pass", "fail", "xfail", "not_applicable")

# Which verdict colours a matrix cell holding several runs: the one a person
# must look at first. fail outranks unsupported (a known gap, not a bug).
_CELL_SEVERITY = ("error", "fail", "xfail", "unsupported", "pass")

# "good" outcomes for regression gating: a move from these to BAD is a regression.
GOOD = frozenset({"pass", "xfail"})
BAD = frozenset({"fail", "error"})

COLOURS = {  # (background, foreground/strong) pairs, readable on white
    "pass": ("#c8e6c9", "#1b5e20"),
    "fail": ("#ffcdd2", "#b71c1c"),
    "xfail": ("#fff0b3", "#8a6100"),
    "error": ("#e1bee7", "#4a148c"),
    "unsupported": ("#e0e0e0", "#424242"),
    "not_applicable": ("#f2f2f2", "#757575"),
}

SYMBOLS = {"pass": "✓", "fail": "✗", "xfail": "≈", "error": "!", "unsupported": "–",
           "not_applicable": "·"}


def worst(verdicts):
    """The verdict that colours a cell; None for an empty cell."""
    present = set(verdicts)
    for v in _CELL_SEVERITY:
        if v in present:
            return v
    return None


def counts(verdicts):
    """{verdict: n} over RUN_VERDICTS, zeros included, in legend order."""
    out = {v: 0 for v in RUN_VERDICTS}
    for v in verdicts:
        out[v] = out.get(v, 0) + 1
    return out
