"""`wireproof run --clock virtual`: ref against ref in one process on a
simulated clock (docs/VIRTUAL.md). Every library scenario passes; the same
seed gives the same event log; minute-long timelines take milliseconds."""
import json
import time

import pytest

from wp_e2e import REPO, read_result

SCENARIOS = sorted((REPO / "scenarios" / "dtls").glob("*.yaml"))
SIXTY_S = REPO / "tests" / "fixtures" / "scenarios" / "client-hello-lost-6x-60s-timers.yaml"
ONE_S = REPO / "scenarios" / "dtls" / "server-flight-lost-once-1s-timers.yaml"
LOSSY = REPO / "scenarios" / "dtls" / "random-loss-10pct-100k-echo.yaml"


def run_virtual(wireproof, scenario, out, seed=1):
    p = wireproof("run", scenario, "--client", "ref", "--server", "ref", "--clock", "virtual",
                  "--seed", seed, "--out", out, "--quiet", timeout=60)
    return p, read_result(out)


def events(out):
    with open(out / "events.jsonl") as f:
        return [json.loads(line) for line in f]


# Without a way to seed the stack's randomness (the Connection API takes none),
# randoms, ECDHE keys and ECDSA signatures differ run to run: the bytes (hex)
# differ, and an ECDSA signature's DER length varies (70..72 bytes), so the
# lengths of the datagrams and records that carry ServerKeyExchange vary too.
# Everything else (times, fates, order, flights, fragments) must be equal.
LENGTH_FIELDS = {"hex", "size", "ip_size", "length", "frag_length", "offset", "bytes"}


def normalized(out):
    def strip(v):
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items() if k not in LENGTH_FIELDS}
        if isinstance(v, list):
            return [strip(x) for x in v]
        return v
    return [strip(e) for e in events(out)]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.stem)
def test_every_library_scenario_passes_on_the_virtual_clock(wireproof, tmp_path, scenario):
    p, r = run_virtual(wireproof, scenario, tmp_path / "run")
    failed = [(c["name"], c["detail"]) for c in r["checks"] if c["verdict"] == "fail"]
    assert r["verdict"] == "pass", (r["reason"], failed, p.stderr)
    assert p.returncode == 0
    assert r["clock"] == "virtual"
    for f in ("events.jsonl", "capture.pcapng", "client.stdout", "server.stdout"):
        assert (tmp_path / "run" / f).stat().st_size > 0, f


def test_same_seed_same_event_log(wireproof, tmp_path):
    run_virtual(wireproof, LOSSY, tmp_path / "a", seed=7)
    run_virtual(wireproof, LOSSY, tmp_path / "b", seed=7)
    run_virtual(wireproof, LOSSY, tmp_path / "c", seed=8)
    a, b, c = (normalized(tmp_path / n) for n in "abc")
    assert any(e.get("fate") == "dropped" for e in a), "10% loss dropped nothing"
    assert a == b
    assert a != c
    # Timestamps to the microsecond, not just the order.
    assert [e["t_us"] for e in a] == [e["t_us"] for e in b]


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
