"""The one Jinja2 environment: autoescape on for every template, whatever its
name, because every string may come from a peer or a packet."""
import json
from pathlib import Path

import jinja2

from .verdicts import COLOURS, SYMBOLS

TEMPLATES = Path(__file__).parent / "templates"


def _compact(v):
    return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, separators=(", ", ": "))


def _pretty(v):
    """Expected/measured values as 'key: value' lines; nested values stay compact JSON."""
    if v is None or v == {} or v == []:
        return ""
    if isinstance(v, dict):
        return "\n".join(f"{k}: {_compact(x)}" for k, x in v.items())
    return _compact(v)


def environment():
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pretty"] = _pretty
    env.globals.update(COLOURS=COLOURS, SYMBOLS=SYMBOLS)
    return env
