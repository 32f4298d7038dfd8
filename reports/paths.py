"""File names in the report directory. Peer and scenario names come from
users' registries and run dirs; they become file names only through here."""
import hashlib
import posixpath
import re

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def slug(s):
    """A file-name-safe form of s; a hash suffix keeps distinct inputs distinct."""
    s = str(s)
    clean = _UNSAFE.sub("_", s)[:60].lstrip(".") or "_"
    if clean != s:
        clean += "-" + hashlib.sha256(s.encode()).hexdigest()[:8]
    return clean


def run_page_dir(run_dir):
    """runs/<each component of the run dir, slugged>"""
    return posixpath.join("runs", *(slug(p) for p in run_dir.split("/") if p))


def pair_page(client, server):
    return f"pairs/{slug(client)}__{slug(server)}.html"


def rel(from_dir, to_path):
    """Relative link from a page in from_dir ('' = report root) to to_path."""
    return posixpath.relpath(to_path, from_dir or ".")
