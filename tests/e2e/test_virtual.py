"""`wireproof run --clock virtual`: ref against ref in one process on a
simulated clock (docs/VIRTUAL.md). Every library scenario passes; the same
seed gives the same run directory byte for byte (result.json aside, see
RESULT_VARIES); minute-long timelines take milliseconds."""
import json
import time

import pytest

from wp_e2e import REPO, read_result, virtual_clock_scenarios

SCENARIOS = virtual_clock_scenarios()
SIXTY_S = REPO / "tests" / "fixtures" / "scenarios" / "client-hello-lost-6x-60s-timers.yaml"
ONE_S = REPO / "scenarios" / "dtls" / "server-flight-lost-once-1s-timers.yaml"
LOSSY = REPO / "scenarios" / "dtls" / "random-loss-10pct-100k-echo.yaml"
CLEAN = REPO / "scenarios" / "dtls" / "clean-handshake-echo.yaml"
HVR_LOST = REPO / "scenarios" / "dtls" / "hello-verify-request-lost.yaml"
MTU_SHRINKS = REPO / "scenarios" / "dtls" / "mtu-shrinks-mid-handshake.yaml"

# Files of a virtual run directory that must be identical, byte for byte, for
# the same scenario and seed (docs/VIRTUAL.md, Determinism).
SAME_BYTES = ["events.jsonl", "capture.pcapng", "client.stdout", "server.stdout",
              "pki/ca.pem", "pki/ca.key", "pki/server.pem", "pki/server.key",
              "pki/client.pem", "pki/client.key"]
# What result.json may differ in: its wall-clock fields only (argv names the
# PKI files relative to the run directory, so it is the same in any directory).
RESULT_VARIES = {"started_at", "duration_s"}


def run_virtual(wireproof, scenario, out, seed=1):
    p = wireproof("run", scenario, "--client", "ref", "--server", "ref", "--clock", "virtual",
                  "--seed", seed, "--out", out, "--quiet", timeout=60)
    return p, read_result(out)


def events(out):
    with open(out / "events.jsonl") as f:
        return [json.loads(line) for line in f]


def result_without_wall_clock(out):
    r = read_result(out)
    for k in RESULT_VARIES:
        r.pop(k)
    return r


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.stem)
def test_every_library_scenario_passes_on_the_virtual_clock(wireproof, tmp_path, scenario):
    p, r = run_virtual(wireproof, scenario, tmp_path / "run")
    failed = [(c["name"], c["detail"]) for c in r["checks"] if c["verdict"] == "fail"]
    assert r["verdict"] == "pass", (r["reason"], failed, p.stderr)
    assert p.returncode == 0
    assert r["clock"] == "virtual"
    for f in ("events.jsonl", "capture.pcapng", "client.stdout", "server.stdout"):
        assert (tmp_path / "run" / f).stat().st_size > 0, f


@pytest.mark.parametrize("scenario", [LOSSY, ONE_S, HVR_LOST, MTU_SHRINKS, CLEAN], ids=lambda p: p.stem)
def test_same_seed_same_bytes(wireproof, tmp_path, scenario):
    a, b = tmp_path / "a", tmp_path / "b"
    pa, ra = run_virtual(wireproof, scenario, a, seed=7)
    pb, rb = run_virtual(wireproof, scenario, b, seed=7)
    assert ra["verdict"] == "pass", (ra["reason"], pa.stderr)
    for f in SAME_BYTES:
        assert (a / f).read_bytes() == (b / f).read_bytes(), f"{scenario.stem}: {f} differs between two runs"
    assert result_without_wall_clock(a) == result_without_wall_clock(b)
    log = events(a)
    # Every ref<->ref run carries a cookie exchange (the ref server is stateless first).
    assert any(r.get("hs", {}).get("name") == "hello_verify_request"
               for e in log if e["kind"] == "datagram" for r in e["records"])
    if scenario in (LOSSY, ONE_S, HVR_LOST):
        assert any(e.get("fate") == "dropped" for e in log), f"{scenario.stem} dropped nothing"


@pytest.mark.parametrize("scenario", [LOSSY, CLEAN], ids=lambda p: p.stem)
def test_other_seed_other_bytes(wireproof, tmp_path, scenario):
    # CLEAN has no random wire fates: its bytes differ only through the seeded
    # randoms, keys and PKI of the stack.
    run_virtual(wireproof, scenario, tmp_path / "a", seed=7)
    run_virtual(wireproof, scenario, tmp_path / "c", seed=8)
    for f in ("events.jsonl", "capture.pcapng", "pki/ca.pem"):
        assert (tmp_path / "a" / f).read_bytes() != (tmp_path / "c" / f).read_bytes(), f
    if scenario == LOSSY:  # another seed, other fates too
        fates = [[e["fate"] for e in events(tmp_path / n) if e["kind"] == "datagram"] for n in "ac"]
        assert fates[0] != fates[1]


def test_one_second_timers_take_far_less_than_a_second(wireproof, tmp_path):
    t0 = time.monotonic()
    p, r = run_virtual(wireproof, ONE_S, tmp_path / "run")
    wall = time.monotonic() - t0
    span_us = max(e["t_us"] for e in events(tmp_path / "run"))
    assert r["verdict"] == "pass", r["reason"]
    assert span_us > 1_000_000, span_us
    assert wall < 1.0, f"{wall:.3f} s of wall time for {span_us / 1e6:.2f} s of virtual time"


def test_sixty_second_back_off_runs_in_milliseconds(wireproof, tmp_path):
    p, r = run_virtual(wireproof, SIXTY_S, tmp_path / "run")
    checks = {c["name"]: c for c in r["checks"]}
    assert r["verdict"] == "pass", (r["reason"], checks.get("retransmission_schedule"))
    assert checks["retransmission_schedule"]["verdict"] == "pass"
    hellos = [e["t_us"] for e in events(tmp_path / "run")
              if e["kind"] == "datagram" and e["dir"] == "c2s"
              and any(rec.get("hs", {}).get("name") == "client_hello" for rec in e["records"])]
    assert len(hellos) == 8  # the first, then the cookie hello 1 + 6 dropped
    gaps_s = [round((b - a) / 1e6) for a, b in zip(hellos[1:], hellos[2:])]
    assert gaps_s == [1, 2, 4, 8, 16, 32]
    assert r["duration_s"] < 1.0  # on the real clock this run lasts more than 63 s


@pytest.mark.parametrize("client,server", [("openssl", "ref"), ("ref", "gnutls")])
def test_virtual_clock_only_runs_ref_against_ref(wireproof, tmp_path, client, server):
    p = wireproof("run", ONE_S, "--client", client, "--server", server, "--clock", "virtual",
                  "--out", tmp_path / "run")
    assert p.returncode == 2
    assert "--client ref --server ref" in p.stderr
    assert not (tmp_path / "run").exists()


def test_unknown_clock_is_a_usage_error(wireproof, tmp_path):
    p = wireproof("run", ONE_S, "--client", "ref", "--server", "ref", "--clock", "sundial",
                  "--out", tmp_path / "run")
    assert p.returncode == 2
    assert "sundial" in p.stderr
