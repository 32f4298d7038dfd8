"""Every random choice of the wire comes from the run's seed: the same seed and
the same peer behaviour give the same fates and the same verdict; another seed
gives other fates."""
import json

from wp_e2e import REPO, read_result

LOSSY = REPO / "scenarios" / "dtls" / "random-loss-10pct-100k-echo.yaml"


def fates(out, limit=20):
    """Per direction, the fates of its first `limit` datagrams (the handshake and
    the start of the echo). Each direction has its own random stream, so how the
    two directions interleave in time does not matter."""
    rows = {"c2s": [], "s2c": []}
    with open(out / "events.jsonl") as f:
        for line in f:
            e = json.loads(line)
            if e["kind"] == "datagram":
                rows[e["dir"]].append(e["fate"])
    return {d: r[:limit] for d, r in rows.items()}


def run(wireproof, tmp_path, seed, name):
    out = tmp_path / name
    wireproof("run", LOSSY, "--client", "openssl", "--server", "openssl", "--seed", seed, "--out", out,
              timeout=120)
    return out


def test_same_seed_same_fates_other_seed_other_fates(wireproof, tmp_path):
    a = run(wireproof, tmp_path, 7, "a")
    b = run(wireproof, tmp_path, 7, "b")
    c = run(wireproof, tmp_path, 8, "c")
    ra, rb, rc = read_result(a), read_result(b), read_result(c)
    assert ra["seed"] == rb["seed"] == 7 and rc["seed"] == 8
    assert ra["verdict"] == rb["verdict"]
    assert any(f == "dropped" for r in fates(a).values() for f in r), "10% loss dropped nothing"
    assert fates(a) == fates(b)
    assert fates(a) != fates(c)
