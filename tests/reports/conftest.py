"""Shared helpers for the report tests: the fixture matrix, running the CLI
the way users do, and a tiny DOM over html.parser for asserting on pages."""
import json
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
MATRIX = FIXTURES / "matrix"
HOSTILE_TAGS = ("<script", "<img")

sys.path.insert(0, str(REPO))


def run_cli(*args, cwd=REPO):
    """`python3 -m reports ARGS` from the repo root, as the C++ CLI execs it."""
    return subprocess.run([sys.executable, "-m", "reports", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def matrix(tmp_path):
    """A private copy of the fixture matrix that a test may modify."""
    dst = tmp_path / "matrix"
    shutil.copytree(MATRIX, dst)
    return dst


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    """The fixture matrix rendered once to HTML (tests only read it)."""
    out = tmp_path_factory.mktemp("report")
    r = run_cli("html", MATRIX, "--out", out)
    assert r.returncode == 0, r.stderr
    return out


def summary():
    return json.loads((MATRIX / "summary.json").read_text())


def events(run_dir):
    return [json.loads(line) for line in (MATRIX / run_dir / "events.jsonl").read_text().splitlines()
            if line.strip()]


class Node:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.children, self.text_parts = tag, dict(attrs), parent, [], []

    def text(self):
        return "".join(p if isinstance(p, str) else p.text() for p in self.text_parts)

    def iter(self):
        for c in self.children:
            yield c
            yield from c.iter()

    def find_all(self, tag=None, **attrs):
        return [n for n in self.iter() if (tag is None or n.tag == tag)
                and all(n.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def find(self, tag=None, **attrs):
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def has_class(self, c):
        return c in (self.attrs.get("class") or "").split()


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.cur = Node("#root", {})

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        self.cur.text_parts.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        self.cur.text_parts.append(n)

    def handle_endtag(self, tag):
        n = self.cur
        while n is not self.root and n.tag != tag:
            n = n.parent
        if n is not self.root:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.text_parts.append(data)


def parse(path_or_text):
    text = path_or_text.read_text(encoding="utf-8") if isinstance(path_or_text, Path) else path_or_text
    b = _Builder()
    b.feed(text)
    b.close()
    return b.root
