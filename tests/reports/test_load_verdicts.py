"""The matrix verdicts that load-proofing added (inconclusive, flaky, not_run)
are read and shown by every renderer, not refused as unknown."""
import json
import xml.etree.ElementTree as ET

from conftest import run_cli


def _relabel(matrix):
    """Gives three runs of the fixture matrix the new verdicts, as `wireproof matrix` writes them."""
    path = matrix / "summary.json"
    s = json.loads(path.read_text())
    runs = s["runs"]
    picked = {"flaky": runs[0], "inconclusive": runs[1], "not_run": runs[2]}
    for verdict, run in picked.items():
        run["verdict"] = verdict
        run["reason"] = f"{verdict} for the test"
    picked["flaky"]["tries"] = [
        {"try": 1, "verdict": "fail", "reason": "failed: retransmission_schedule", "dir": picked["flaky"]["dir"],
         "duration_s": 1.0, "failed_checks": ["retransmission_schedule"]},
        {"try": 2, "verdict": "pass", "reason": "", "dir": picked["flaky"]["dir"] + "/try-2", "duration_s": 1.0,
         "failed_checks": []}]
    for v in ("inconclusive", "flaky", "not_run"):
        s["counts"][v] = 1
    path.write_text(json.dumps(s))
    return picked


def test_junit_and_markdown_show_the_new_verdicts(matrix, tmp_path):
    picked = _relabel(matrix)
    out = tmp_path / "j.xml"
    r = run_cli("junit", matrix, "--out", out)
    assert r.returncode == 0, r.stderr
    cases = {(tc.get("classname"), tc.get("name")): tc for tc in ET.parse(out).getroot().iter("testcase")}
    want = {"flaky": "failure", "inconclusive": "error", "not_run": "skipped"}
    for verdict, run in picked.items():
        tc = cases[(run["scenario"], f"{run['client']} -> {run['server']}")]
        assert [c.tag for c in tc] == [want[verdict]], verdict
    md = tmp_path / "m.md"
    r = run_cli("markdown", matrix, "--out", md)
    assert r.returncode == 0, r.stderr
    text = md.read_text()
    assert "flaky" in text and "inconclusive" in text and "not_run" in text


def test_html_matrix_renders_the_new_verdicts(matrix, tmp_path):
    _relabel(matrix)
    out = tmp_path / "report"
    r = run_cli("html", matrix, "--out", out)
    assert r.returncode == 0, r.stderr
    page = (out / "index.html").read_text()
    for v in ("flaky", "inconclusive", "not_run"):
        assert f"v-{v}" in page, v
