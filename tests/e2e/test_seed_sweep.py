"""Users run other seeds than 1 (issue 8): every shipped DTLS scenario must hold
for a correct pair over many seeds. ref against ref on the virtual clock
(docs/VIRTUAL.md) is fast and deterministic, so every scenario is swept over
seeds 1..40 here, in CI.

A run that fails for a cause outside the judged stacks is listed in
ECHO_GIVES_UP with the branch that fixes it, as a strict xfail: once fixed it
XPASSes, which fails, so the entry cannot linger."""
import pytest

from wp_e2e import REPO, read_result

SCENARIOS = sorted((REPO / "scenarios" / "dtls").glob("*.yaml"))
SEEDS = range(1, 41)

# (scenario stem, seed): the echo workload gives up on a chunk after a loss burst
# ("Echo incomplete: connection ended by idle"), which the verdict then blames on
# the stacks. Not a stack bug; fixed on branch i8-speed (the workload resends until
# the run's deadline).
ECHO_GIVES_UP = {
    ("burst-loss-gilbert-elliott", 7),
}
ECHO_REASON = "echo workload gives up; fixed on branch i8-speed"


def sweep_run(wireproof, scenario, seed, out):
    p = wireproof("run", scenario, "--client", "ref", "--server", "ref", "--clock", "virtual",
                  "--seed", seed, "--out", out, "--quiet", timeout=60)
    r = read_result(out)
    failed = {c["name"]: c.get("detail") for c in r["checks"] if c["verdict"] != "pass"
              and c["verdict"] != "not_applicable"}
    return r["verdict"], r.get("reason"), failed, p.returncode


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.stem)
def test_every_seed_passes(wireproof, tmp_path, scenario):
    bad = {}
    for seed in SEEDS:
        if (scenario.stem, seed) in ECHO_GIVES_UP:
            continue  # judged by test_known_echo_give_up
        verdict, reason, failed, rc = sweep_run(wireproof, scenario, seed, tmp_path / f"seed-{seed}")
        if verdict != "pass" or rc != 0:
            bad[seed] = (verdict, reason, failed)
    assert not bad, f"{scenario.stem}: {len(bad)} of {len(SEEDS)} seeds fail: {bad}"


@pytest.mark.parametrize("stem,seed", sorted(ECHO_GIVES_UP), ids=lambda v: str(v))
@pytest.mark.xfail(strict=True, reason=ECHO_REASON)
def test_known_echo_give_up(wireproof, tmp_path, stem, seed):
    verdict, reason, failed, rc = sweep_run(wireproof, REPO / "scenarios" / "dtls" / f"{stem}.yaml", seed,
                                            tmp_path / "run")
    assert verdict == "pass" and rc == 0, (reason, failed)
