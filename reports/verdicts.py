"""Verdict names, their order and their colours (docs/RESULT.md)."""

# Run verdicts, in the order the matrix legend and counts show them.
# inconclusive: host noise hid the stack's behaviour; flaky: a matrix cell's tries disagreed;
# not_run: the matrix was interrupted before the cell finished.
RUN_VERDICTS = ("pass", "fail", "xfail", "error", "unsupported", "inconclusive", "flaky", "not_run")
CHECK_VERDICTS = ("pass", "fail", "xfail", "not_applicable", "inconclusive")

# Which verdict colours a matrix cell holding several runs: the one a person
# must look at first. fail outranks unsupported (a known gap, not a bug).
_CELL_SEVERITY = ("error", "fail", "flaky", "inconclusive", "xfail", "unsupported", "not_run", "pass")

# "good" outcomes for regression gating: a move from these to BAD is a regression.
GOOD = frozenset({"pass", "xfail"})
BAD = frozenset({"fail", "error", "flaky"})

COLOURS = {  # (background, foreground/strong) pairs, readable on white
    "pass": ("#c8e6c9", "#1b5e20"),
    "fail": ("#ffcdd2", "#b71c1c"),
    "xfail": ("#fff0b3", "#8a6100"),
    "error": ("#e1bee7", "#4a148c"),
    "unsupported": ("#e0e0e0", "#424242"),
    "not_applicable": ("#f2f2f2", "#757575"),
    "inconclusive": ("#d7ecf7", "#01579b"),
    "flaky": ("#ffe0b2", "#a33d00"),
    "not_run": ("#fafafa", "#616161"),
}

SYMBOLS = {"pass": "✓", "fail": "✗", "xfail": "≈", "error": "!", "unsupported": "–",
           "not_applicable": "·",
           "inconclusive": "?", "flaky": "~", "not_run": " "}


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
