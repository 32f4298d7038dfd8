"""A hostile peer (and a hostile scenario description) cannot inject markup:
the fixture's gnutls -> gnutls run prints <script> / "><img onerror> in its
cipher name, alert text, version and log; clean-handshake's description too."""
import html
import json

import markupsafe

from conftest import MATRIX, parse, run_cli

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
RUN = "runs/clean-handshake/gnutls__gnutls/index.html"


def test_fixture_really_is_hostile():
    result = json.loads((MATRIX / "clean-handshake/gnutls__gnutls/result.json").read_text())
    assert HOSTILE in result["handshake"]["cipher"] and HOSTILE in result["scenario"]["description"]
    assert HOSTILE in (MATRIX / "clean-handshake/gnutls__gnutls/server.stderr").read_text()
    peer_events = [json.loads(ln) for ln in (MATRIX / "clean-handshake/gnutls__gnutls/events.jsonl").open()]
    assert any(HOSTILE in json.dumps(e["event"], ensure_ascii=False).replace('\\"', '"')
               for e in peer_events if e["kind"] == "peer")


def test_no_page_contains_a_raw_hostile_tag(rendered):
    pages = list(rendered.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        text = page.read_text()
        assert "<script" not in text.lower(), page
        assert "<img" not in text.lower(), page
        for n in parse(page).iter():
            assert n.tag not in ("script", "img", "iframe", "object"), (page, n.tag)
            assert not any(a.startswith("on") for a in n.attrs), (page, n.tag, n.attrs)


def test_hostile_strings_are_shown_escaped(rendered):
    text = (rendered / RUN).read_text()
    escaped = str(markupsafe.escape(HOSTILE))  # what Jinja2 autoescape produces
    # log, cipher (facts + ladder tooltip), alert text (ladder), version, description
    assert text.count(escaped) >= 4
    assert "&lt;/pre&gt;&lt;b&gt;escaped?&lt;/b&gt;" in text
    index = (rendered / "index.html").read_text()
    assert html.escape("<script>alert(1)</script>") in index  # the scenario description


def test_hostile_peer_name_cannot_escape_the_report_dir(matrix, tmp_path):
    s = json.loads((matrix / "summary.json").read_text())
    s["clients"][0] = s["runs"][0]["client"] = "../../<b>evil</b>"
    (matrix / "summary.json").write_text(json.dumps(s))
    out = tmp_path / "out"
    r = run_cli("html", matrix, "--out", out)
    assert r.returncode == 0, r.stderr
    written = [p.resolve() for p in tmp_path.rglob("*") if p.is_file() and out.resolve() in p.resolve().parents]
    assert all(out.resolve() in p.parents for p in written)
    assert not list(tmp_path.glob("*.html"))
    assert "<b>evil" not in (out / "index.html").read_text()


def test_run_dir_outside_the_matrix_is_rejected(matrix, tmp_path):
    s = json.loads((matrix / "summary.json").read_text())
    s["runs"][0]["dir"] = "../../etc"
    (matrix / "summary.json").write_text(json.dumps(s))
    r = run_cli("html", matrix, "--out", tmp_path / "out")
    assert r.returncode == 2 and "summary.json" in r.stderr and "runs[0].dir" in r.stderr


def test_markdown_escapes_peer_strings(matrix):
    s = json.loads((matrix / "summary.json").read_text())
    bad = next(r for r in s["runs"] if r["verdict"] == "error")
    bad["reason"] = HOSTILE + " | [x](javascript:alert(3))\n## heading"
    (matrix / "summary.json").write_text(json.dumps(s))
    r = run_cli("markdown", matrix)
    assert r.returncode == 0, r.stderr
    assert "<script" not in r.stdout and "<img" not in r.stdout
    assert "&lt;script&gt;" in r.stdout
    line = next(ln for ln in r.stdout.splitlines() if "&lt;script&gt;" in ln)
    assert "\\|" in line and "\\[x\\]" in line  # no table break, no link
    assert "\n## heading" not in r.stdout
