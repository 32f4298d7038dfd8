"""Helpers for the end-to-end tests: where the build is, how to call wireproof."""
import json
import os
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("WIREPROOF_BUILD", REPO / "build" / "ci"))
WIREPROOF = BUILD / "harness" / "cli" / "wireproof"


def virtual_clock_scenarios():
    """The scenarios/dtls files the in-process ref peers can run: not those with a tls:
    section (SNI, host / IP / client certificates, ALPN), which a virtual run refuses
    (harness/virtual/peer_setup.cpp)."""
    return [p for p in sorted((REPO / "scenarios" / "dtls").glob("*.yaml"))
            if not any(line.startswith("tls:") for line in p.read_text().splitlines())]


def run_wireproof(*args, timeout=120, cwd=REPO):
    """Runs the wireproof command; returns the CompletedProcess (text mode)."""
    return subprocess.run([str(WIREPROOF), *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def read_result(out_dir):
    with open(Path(out_dir) / "result.json") as f:
        return json.load(f)


def wait_for(predicate, timeout_s):
    """Polls predicate every 50 ms until it holds or timeout_s passes; returns its last value."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()
