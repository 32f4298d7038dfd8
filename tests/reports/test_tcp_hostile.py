"""A TCP log with hostile text and wrong types still renders, as text."""
from conftest import HOSTILE_TAGS, parse, run_cli
from tcp_log import Log


def test_hostile_peer_text_and_odd_fields_render_escaped(tmp_path):
    log = Log()
    log.handshake(c_ws=200, s_ws=7)
    log.peer(3, "client", {"event": "error", "errno": "<script>alert(1)</script>", "message": "<img src=x>"})
    bad = log.data(5, 0)
    bad["tcp"].update(seq="nope", flags="syn", window=None, sack=[["a", 1], 5])
    log.data(6, 1)
    run = log.write(tmp_path / "run")
    r = run_cli("html", run, "--out", tmp_path / "rep")
    assert r.returncode == 0, r.stderr
    page = tmp_path / "rep" / "runs" / "run" / "index.html"
    text = page.read_text()
    assert not any(t in text for t in HOSTILE_TAGS)
    doc = parse(page)
    assert "<script>alert(1)</script>" in doc.find("table", **{"class": "tcp-ladder"}).text()
    rows = {r.attrs.get("id"): r for r in doc.find_all("tr")}
    assert rows[f"ev-{bad['i']}"].attrs["data-seq"] == "" and rows[f"ev-{bad['i']}"].attrs["data-flags"] == "(none)"
    # window_scale 200 is used as 14 (RFC 7323 2.3)
    assert rows[f"ev-{log.events[-1]['i']}"].attrs["data-win"] == f"{100 << 14} (100<<14)"
