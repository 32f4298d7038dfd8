"""Bad input exits 2 with a message naming the file."""
import json

import pytest

from conftest import run_cli


@pytest.mark.parametrize("cmd", [["html"], ["markdown"], ["junit", "--out", "/dev/null"]])
def test_missing_directory(cmd, tmp_path):
    r = run_cli(cmd[0], tmp_path / "nope", *cmd[1:])
    assert r.returncode == 2
    assert str(tmp_path / "nope") in r.stderr and "no such" in r.stderr


def test_invalid_summary_json(matrix):
    (matrix / "summary.json").write_text('{"schema_version": 1, "runs": [')
    r = run_cli("html", matrix)
    assert r.returncode == 2
    assert "summary.json" in r.stderr and "invalid JSON" in r.stderr and "Traceback" not in r.stderr


def test_wrong_schema_version(matrix):
    s = json.loads((matrix / "summary.json").read_text())
    s["schema_version"] = 2
    (matrix / "summary.json").write_text(json.dumps(s))
    r = run_cli("markdown", matrix)
    assert r.returncode == 2 and "summary.json" in r.stderr and "schema_version" in r.stderr


def test_bad_result_json_in_a_run_is_named(matrix):
    (matrix / "clean-handshake/openssl__gnutls/result.json").write_text('{"schema_version": 1}')
    r = run_cli("junit", matrix, "--out", matrix / "j.xml")
    assert r.returncode == 0  # junit works from summary.json alone
    r = run_cli("html", matrix, "--out", matrix / "report")
    assert r.returncode == 0, r.stderr  # and html shows the run with a note
    page = (matrix / "report/runs/clean-handshake/openssl__gnutls/index.html").read_text()
    assert "result.json: missing field" in page


def test_unknown_verdict(matrix):
    s = json.loads((matrix / "summary.json").read_text())
    s["runs"][3]["verdict"] = "great"
    (matrix / "summary.json").write_text(json.dumps(s))
    r = run_cli("html", matrix)
    assert r.returncode == 2 and "runs[3].verdict" in r.stderr


def test_diff_bad_input(matrix, tmp_path):
    r = run_cli("diff", matrix, tmp_path / "missing.json")
    assert r.returncode == 2 and "missing.json" in r.stderr
    (tmp_path / "bad.json").write_text("not json")
    r = run_cli("diff", tmp_path / "bad.json", matrix)
    assert r.returncode == 2 and "bad.json" in r.stderr and "invalid JSON" in r.stderr
