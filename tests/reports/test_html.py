"""The HTML report of the fixture matrix: index matrix, pair and run pages."""
import re
from collections import Counter

from conftest import MATRIX, events, parse, summary

from reports.verdicts import COLOURS


def _expected_cells():
    cells = {}
    for r in summary()["runs"]:
        cells.setdefault((r["client"], r["server"]), Counter())[r["verdict"]] += 1
    return cells


def test_index_matrix_cells_count_and_colour_every_pair(rendered):
    doc = parse(rendered / "index.html")
    table = doc.find("table", data_protocol="dtls1.2")
    assert table is not None
    cells = {(td.attrs["data-client"], td.attrs["data-server"]): td for td in table.find_all("td")}
    expected = _expected_cells()
    assert set(cells) == set(expected)
    for pair, want in expected.items():
        td = cells[pair]
        for verdict in ("pass", "fail", "xfail", "error", "unsupported"):
            assert int(td.attrs[f"data-{verdict}"]) == want.get(verdict, 0), (pair, verdict)
        # colour = the most severe verdict present
        worst = next(v for v in ("error", "fail", "xfail", "unsupported", "pass") if want.get(v))
        assert td.attrs["data-worst"] == worst
        assert td.has_class(f"v-{worst}")
        for verdict, n in want.items():
            assert f"{n}" in td.text()


def test_cell_colours_are_defined_in_the_inline_css(rendered):
    html = (rendered / "index.html").read_text()
    for verdict, (bg, _fg) in COLOURS.items():
        assert re.search(rf"\.v-{verdict} {{ background: {bg};", html), verdict


def test_cell_links_resolve_to_pages_in_the_report(rendered):
    doc = parse(rendered / "index.html")
    links = [a.attrs["href"] for td in doc.find_all("td") if td.has_class("cell") for a in td.find_all("a")]
    assert len(links) == len(_expected_cells())
    for href in links:
        assert (rendered / href.split("#")[0]).is_file(), href


def test_index_lists_totals_peers_and_scenarios(rendered):
    doc = parse(rendered / "index.html")
    totals = {s.attrs["data-verdict"]: int(s.text().split()[0]) for s in doc.find("dd", id="total-counts").find_all("span")}
    assert totals == {v: summary()["counts"][v] for v in totals}
    peers = doc.find("table", **{"class": "peers"}).text()
    for name, info in summary()["peers"].items():
        assert name in peers and info["version"] in peers
    scen = doc.find("table", **{"class": "scenarios"}).text()
    assert "RFC 6347 4.2.4.1" in scen and "server-flight-lost-once" in scen


def test_index_lists_failures_and_errors_first(rendered):
    rows = parse(rendered / "index.html").find("table", **{"class": "problems"}).find("tbody").find_all("tr")
    bad = [r for r in summary()["runs"] if r["verdict"] in ("fail", "error")]
    assert len(rows) == len(bad)
    assert "error" in rows[0].text().lower()  # errors before fails


def test_every_run_has_a_page_with_its_checks(rendered):
    for r in summary()["runs"]:
        page = rendered / "runs" / r["dir"] / "index.html"
        doc = parse(page)
        import json
        result = json.loads((MATRIX / r["dir"] / "result.json").read_text())
        rows = doc.find_all("tr", **{"class": "check"})
        assert [(t.attrs["data-check"], t.attrs["data-verdict"]) for t in rows] == \
            [(c["name"], c["verdict"]) for c in result["checks"]]
        for c in result["checks"]:
            assert c["rfc"] in doc.text()


def test_run_page_ladder_draws_every_datagram_and_marks_drops(rendered):
    run_dir = "server-flight-lost-once/openssl__gnutls"
    doc = parse(rendered / "runs" / run_dir / "index.html")
    svg = doc.find("svg", **{"class": "ladder"})
    groups = {g.attrs.get("id"): g for g in svg.find_all("g")}
    evs = events(run_dir)
    datagrams = [e for e in evs if e["kind"] == "datagram"]
    for d in datagrams:
        g = groups[f"ev-{d['i']}"]
        crosses = g.find_all("path", **{"class": "cross"})
        assert len(crosses) == (1 if d["fate"] == "dropped" else 0), d["i"]
        assert str(d["size"]) in g.find("title").text()
        # every delivery is drawn: inline or as its own late row
        late = [k for k in range(2, len(d["deliveries_us"]) + 1) if f"ev-{d['i']}-d{k}" in groups]
        assert len(late) >= len(d["deliveries_us"]) - 1
    # the delayed datagram and the link change show up
    assert any(g.has_class("late") for g in groups.values())
    assert any(e["kind"] == "link" and f"ev-{e['i']}" in groups for e in evs)


def test_run_page_evidence_links_point_at_ladder_rows(rendered):
    doc = parse(rendered / "runs/server-flight-lost-once/openssl__gnutls/index.html")
    ids = {n.attrs.get("id") for n in doc.iter()}
    hrefs = [a.attrs["href"] for a in doc.find_all("a") if a.attrs.get("href", "").startswith("#ev-")]
    assert hrefs and all(h[1:] in ids for h in hrefs)


def test_retransmission_chart_marks_points_outside_the_band(rendered):
    doc = parse(rendered / "runs/server-flight-lost-once/openssl__gnutls/index.html")
    chart = doc.find("svg", **{"class": "chart"})
    assert chart.find("polygon", **{"class": "band"}) is not None
    pts = chart.find_all("circle")
    assert [p.attrs["class"] for p in pts] == ["pt-ok", "pt-bad"]  # 1001 ms in band, 3004 ms outside 2000±500
    ok = parse(rendered / "runs/server-flight-lost-once/openssl__openssl/index.html").find("svg", **{"class": "chart"})
    assert [p.attrs["class"] for p in ok.find_all("circle")] == ["pt-ok"]


def test_artifacts_are_copied_and_linked(rendered):
    run_dir = rendered / "runs/server-flight-lost-once/openssl__gnutls"
    doc = parse(run_dir / "index.html")
    links = [a.attrs["href"] for a in doc.find("p", **{"class": "artifacts"}).find_all("a")]
    assert "events.jsonl" in links and "result.json" in links
    for href in links:
        assert (run_dir / href).read_bytes() == (MATRIX / "server-flight-lost-once/openssl__gnutls" / href).read_bytes()


def test_truncated_event_log_renders_with_a_warning(rendered):
    doc = parse(rendered / "runs/server-flight-lost-once/gnutls__gnutls/index.html")
    warn = " ".join(p.text() for p in doc.find_all("p") if p.has_class("warn"))
    assert "invalid JSON" in warn and "events.jsonl:" in warn
    assert doc.find("svg", **{"class": "ladder"}) is not None  # the lines before the fault


def test_report_has_no_external_resources(rendered):
    for page in rendered.rglob("*.html"):
        doc = parse(page)
        for n in doc.iter():
            for attr in ("src", "href"):
                v = n.attrs.get(attr) or ""
                assert not re.match(r"^(https?:)?//", v), (page, v)
        assert not doc.find_all("link") and not doc.find_all("script")


def test_single_run_directory_renders(tmp_path):
    from conftest import run_cli
    out = tmp_path / "r"
    res = run_cli("html", MATRIX / "clean-handshake/openssl__gnutls", "--out", out)
    assert res.returncode == 0, res.stderr
    doc = parse(out / "index.html")
    cells = [td for td in doc.find_all("td") if td.has_class("cell")]
    assert len(cells) == 1 and cells[0].attrs["data-pass"] == "1"
    assert (out / cells[0].find("a").attrs["href"]).is_file()


def test_run_without_result_json_stays_in_its_protocol_matrix(matrix, tmp_path):
    from conftest import run_cli
    run = matrix / "server-flight-lost-once/gnutls__gnutls"
    (run / "result.json").unlink()
    (run / "run.log").write_text("runner: peer did not start: <oops>\n")
    out = tmp_path / "r"
    assert run_cli("html", matrix, "--out", out).returncode == 0
    doc = parse(out / "index.html")
    assert [t.attrs["data-protocol"] for t in doc.find_all("table") if "data-protocol" in t.attrs] == ["dtls1.2"]
    page = (out / "runs/server-flight-lost-once/gnutls__gnutls/index.html").read_text()
    assert "harness run.log" in page and "peer did not start: &lt;oops&gt;" in page
    assert "result.json: no such file" in page
