"""The report as a real browser renders it (headless Chromium, file:// URLs,
no network): the matrix is in the DOM, the run page's SVGs survive parsing,
and a screenshot of the index is non-trivial."""
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import parse, summary

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="/usr/bin/chromium is not installed")


def _chromium(*args):
    profile = tempfile.mkdtemp(prefix="wp-chromium-")
    try:
        r = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                            "--disable-background-networking", "--disable-component-update", "--disable-sync",
                            f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout


def test_matrix_renders_in_chromium(rendered):
    dom = parse(_chromium("--dump-dom", (rendered / "index.html").as_uri()))
    cells = [td for td in dom.find_all("td") if td.has_class("cell") and "data-worst" in td.attrs]
    pairs = {(r["client"], r["server"]) for r in summary()["runs"]}
    assert {(td.attrs["data-client"], td.attrs["data-server"]) for td in cells} == pairs
    assert not dom.find_all("script") and not dom.find_all("img")


def test_run_page_renders_ladder_and_chart_in_chromium(rendered):
    page = rendered / "runs/server-flight-lost-once/openssl__gnutls/index.html"
    dom = parse(_chromium("--dump-dom", page.as_uri()))
    ladder = dom.find("svg", **{"class": "ladder"})
    assert ladder is not None and len(ladder.find_all("g")) > 10
    assert dom.find("svg", **{"class": "chart"}).find("circle") is not None
    hostile = parse(_chromium("--dump-dom", (rendered / "runs/clean-handshake/gnutls__gnutls/index.html").as_uri()))
    assert not hostile.find_all("script") and not hostile.find_all("img")
    assert "<script>alert(1)</script>" in hostile.text()  # shown as text


def test_index_screenshot(rendered, tmp_path):
    shot = tmp_path / "matrix.png"
    _chromium("--hide-scrollbars", f"--screenshot={shot}", "--window-size=1200,900", (rendered / "index.html").as_uri())
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000  # a blank page compresses to a few KiB
