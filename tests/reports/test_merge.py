"""`merge`: shards of one matrix combine into the same matrix."""
import json
import shutil

from conftest import MATRIX, parse, run_cli


def _shard(tmp_path, name, runs_filter, seed=None):
    """A shard directory holding the fixture runs that runs_filter keeps."""
    s = json.loads((MATRIX / "summary.json").read_text())
    d = tmp_path / name
    d.mkdir()
    s["runs"] = [r for n, r in enumerate(s["runs"]) if runs_filter(n)]
    if seed is not None:
        s["seed"] = seed
    for r in s["runs"]:
        shutil.copytree(MATRIX / r["dir"], d / r["dir"])
    (d / "summary.json").write_text(json.dumps(s))
    return d


def test_two_shards_merge_into_the_whole_matrix(tmp_path):
    a = _shard(tmp_path, "a", lambda n: n % 2 == 0)
    b = _shard(tmp_path, "b", lambda n: n % 2 == 1 or n == 0)  # run 0 in both, same result: fine
    out = tmp_path / "merged"
    r = run_cli("merge", a, b, "--out", out)
    assert r.returncode == 0, r.stderr
    merged = json.loads((out / "summary.json").read_text())
    orig = json.loads((MATRIX / "summary.json").read_text())
    key = lambda r: (r["scenario"], r["client"], r["server"], r["verdict"])  # noqa: E731
    assert sorted(map(key, merged["runs"])) == sorted(map(key, orig["runs"]))
    assert merged["counts"] == orig["counts"]
    for run in merged["runs"]:
        assert (out / run["dir"] / "result.json").is_file()
    assert (out / "junit.xml").is_file()
    doc = parse(out / "report/index.html")
    assert len([td for td in doc.find_all("td") if td.has_class("cell")]) == 4
    assert run_cli("diff", MATRIX, out).returncode == 0


def test_conflicting_results_are_an_error(tmp_path):
    a = _shard(tmp_path, "a", lambda n: n < 3)
    b = _shard(tmp_path, "b", lambda n: n >= 2)
    s = json.loads((b / "summary.json").read_text())
    s["runs"][0]["verdict"] = "fail"
    (b / "summary.json").write_text(json.dumps(s))
    r = run_cli("merge", a, b, "--out", tmp_path / "m")
    assert r.returncode == 2
    assert str(b / "summary.json") in r.stderr and "fail here but pass" in r.stderr


def test_mismatched_seeds_are_an_error(tmp_path):
    a = _shard(tmp_path, "a", lambda n: n < 4)
    b = _shard(tmp_path, "b", lambda n: n >= 4, seed=7)
    r = run_cli("merge", a, b, "--out", tmp_path / "m")
    assert r.returncode == 2 and "seed 7" in r.stderr and "b/summary.json" in r.stderr
