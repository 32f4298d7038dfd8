"""The retransmission chart reads the check's JSON tolerantly."""
import json

from conftest import MATRIX

from reports import retx_chart


def _check(run):
    result = json.loads((MATRIX / run / "result.json").read_text())
    return next(c for c in result["checks"] if c["name"] == "retransmission_schedule")


def test_series_from_the_checks_own_shape():
    check = _check("server-flight-lost-once/openssl__gnutls")
    [s] = retx_chart.series_from_check(check)
    entries = check["measured"]["flights"][0]["intervals"]
    assert s.measured == [e["interval_ms"] for e in entries]
    assert s.expected == [e["expected_ms"] for e in entries]
    assert s.high == [e["expected_ms"] + e["tolerance_ms"] for e in entries]
    assert s.label == "s2c flight 4"
    chart = retx_chart.build(s)
    assert [p[2] for p in chart.points] == [e["ok"] for e in entries]
    assert [p[4] for p in chart.points] == [f"#ev-{e['i']}" for e in entries]


def test_responses_are_not_plotted():
    check = {"measured": {"flights": [{"dir": "c2s", "flight": 5, "intervals": [
        {"i": 3, "kind": "response", "interval_ms": 12.0, "judged": False, "answers_i": 2},
        {"i": 9, "kind": "timer", "interval_ms": 990.0, "expected_ms": 1000.0, "tolerance_ms": 250.0,
         "judged": True, "ok": True}]}]}, "expected": {}}
    [s] = retx_chart.series_from_check(check)
    assert s.measured == [990.0] and s.ids == [9]


def test_plain_lists_with_a_tolerance_band():
    check = {"expected": {"initial_ms": 100, "tolerance_ms": 30, "tolerance_pct": 25},
             "measured": {"intervals_ms": [100, 205, 900]}}
    [s] = retx_chart.series_from_check(check)
    assert s.expected == [100, 200, 400]
    assert s.low == [70, 150, 300] and s.high == [130, 250, 500]
    assert [p[2] for p in retx_chart.build(s).points] == [True, True, False]


def test_nothing_plottable_gives_no_series():
    assert retx_chart.series_from_check({"expected": {}, "measured": {"judged_retransmissions": 0}}) == []
    assert retx_chart.series_from_check({"expected": None, "measured": "n/a"}) == []


def test_log_scale_for_wide_ranges():
    s = retx_chart.Series(label="", measured=[1000, 2000, 4000, 8000, 16000, 32000, 60000], expected=None)
    c = retx_chart.build(s)
    assert c.log and [y for _x, y, *_ in c.points] == sorted([y for _x, y, *_ in c.points], reverse=True)
