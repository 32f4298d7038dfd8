"""`diff BASE NEW`: categories, exit codes, text and JSON."""
import json

from conftest import run_cli


def _edit(matrix, tmp_path, name, change):
    s = json.loads((matrix / "summary.json").read_text())
    change(s)
    p = tmp_path / name
    p.write_text(json.dumps(s))
    return p


def _set(s, scenario, client, server, verdict):
    run = next(r for r in s["runs"] if (r["scenario"], r["client"], r["server"]) == (scenario, client, server))
    run["verdict"] = verdict


def test_identical_matrices_have_no_changes(matrix):
    r = run_cli("diff", matrix, matrix / "summary.json", "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["counts"]["unchanged"] == len(json.loads((matrix / "summary.json").read_text())["runs"])
    assert sum(d["counts"].values()) == d["counts"]["unchanged"]


def test_regression_fix_new_gone(matrix, tmp_path):
    def change(s):
        _set(s, "clean-handshake", "openssl", "openssl", "fail")           # pass -> fail: regressed
        _set(s, "server-flight-lost-once", "gnutls", "openssl", "error")  # xfail -> error: regressed
        _set(s, "server-flight-lost-once", "openssl", "gnutls", "pass")   # fail -> pass: fixed
        _set(s, "clean-handshake", "gnutls", "openssl", "unsupported")    # pass -> unsupported: changed
        gone = s["runs"].pop(1)  # clean-handshake openssl->gnutls: gone
        s["runs"].append(dict(gone, scenario="brand-new", dir="brand-new/x"))
    new = _edit(matrix, tmp_path, "new.json", change)
    r = run_cli("diff", matrix, new, "--json")
    assert r.returncode == 1
    d = json.loads(r.stdout)
    assert d["counts"] == {"regressed": 2, "fixed": 1, "changed": 1, "new": 1, "gone": 1, "unchanged": 3}
    assert {(x["scenario"], x["base"], x["new"]) for x in d["regressed"]} == {
        ("clean-handshake", "pass", "fail"), ("server-flight-lost-once", "xfail", "error")}
    text = run_cli("diff", matrix, new)
    assert text.returncode == 1
    assert "REGRESSED  clean-handshake  openssl -> openssl: pass -> fail" in text.stdout
    assert text.stdout.strip().endswith("REGRESSION")


def test_only_fixes_exit_zero(matrix, tmp_path):
    new = _edit(matrix, tmp_path, "new.json",
                lambda s: _set(s, "server-flight-lost-once", "openssl", "gnutls", "pass"))
    r = run_cli("diff", matrix, new)
    assert r.returncode == 0 and "fixed 1" in r.stdout and "no regressions" in r.stdout


def test_duplicate_run_in_summary_is_bad_input(matrix, tmp_path):
    new = _edit(matrix, tmp_path, "dup.json", lambda s: s["runs"].append(dict(s["runs"][0])))
    r = run_cli("diff", matrix, new)
    assert r.returncode == 2 and "dup.json" in r.stderr and "twice" in r.stderr
