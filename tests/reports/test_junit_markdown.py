"""JUnit XML and the Markdown summary of the fixture matrix."""
import json
import xml.etree.ElementTree as ET

from conftest import MATRIX, run_cli


def test_junit_one_testcase_per_run_with_matching_outcome(tmp_path):
    out = tmp_path / "j.xml"
    r = run_cli("junit", MATRIX, "--out", out)
    assert r.returncode == 0, r.stderr
    root = ET.parse(out).getroot()
    cases = {(tc.get("classname"), tc.get("name")): tc for tc in root.iter("testcase")}
    runs = json.loads((MATRIX / "summary.json").read_text())["runs"]
    assert len(cases) == len(runs)
    for run in runs:
        tc = cases[(run["scenario"], f"{run['client']} -> {run['server']}")]
        kids = [c.tag for c in tc]
        want = {"pass": [], "fail": ["failure"], "error": ["error"], "xfail": ["skipped"], "unsupported": ["skipped"]}
        assert kids == want[run["verdict"]], run
        if run["verdict"] == "fail":
            assert all(name in tc.find("failure").get("message") for name in run["failed_checks"])
        if run["verdict"] == "xfail":
            assert tc.find("skipped").get("message").startswith("xfail: ")
    suite = root.find("testsuite")
    assert int(suite.get("tests")) == len(runs)
    assert int(suite.get("failures")) == sum(r["verdict"] == "fail" for r in runs)


def test_junit_survives_control_characters(matrix, tmp_path):
    s = json.loads((matrix / "summary.json").read_text())
    err = next(r for r in s["runs"] if r["verdict"] == "error")
    err["reason"] = "peer printed \x00\x1b[31m garbage"
    (matrix / "summary.json").write_text(json.dumps(s))
    r = run_cli("junit", matrix, "--out", tmp_path / "j.xml")
    assert r.returncode == 0, r.stderr
    ET.parse(tmp_path / "j.xml")  # well-formed


def test_markdown_failures_first_then_matrix():
    r = run_cli("markdown", MATRIX, "--link-base", "https://ci.example/report/")
    assert r.returncode == 0, r.stderr
    md = r.stdout
    assert md.index("### Failures") < md.index("### dtls1.2")
    fail_lines = [ln for ln in md.splitlines() if ln.startswith("- ") and ("**fail**" in ln or "**error**" in ln)]
    runs = json.loads((MATRIX / "summary.json").read_text())["runs"]
    assert len(fail_lines) == sum(r["verdict"] in ("fail", "error") for r in runs)
    assert "**error**" in fail_lines[0]
    assert "https://ci.example/report/runs/server-flight-lost-once/openssl__gnutls/index.html" in md
    failed = json.loads((MATRIX / "server-flight-lost-once/openssl__gnutls/result.json").read_text())
    detail = next(c["detail"] for c in failed["checks"] if c["verdict"] == "fail")
    assert detail.split(";")[0] in md  # the one-line reason is the failing check's detail
    table = [ln for ln in md.splitlines() if ln.startswith("| **")]
    assert len(table) == 2 and all(ln.count("|") == 4 for ln in table)
