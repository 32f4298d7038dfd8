"""result.json records how busy the host was during a real-clock run (`host`:
/proc/pressure/cpu and /proc/loadavg at the start and the end): a timing
verdict means little without it. Virtual-clock runs have none."""
import os

from wp_e2e import REPO, read_result

SCENARIO = REPO / "scenarios" / "dtls" / "clean-handshake-echo.yaml"


def test_real_run_records_host_pressure(wireproof, tmp_path):
    out = tmp_path / "run"
    wireproof("run", SCENARIO, "--client", "ref", "--server", "ref", "--out", out, "--quiet", timeout=60)
    r = read_result(out)
    h = r["host"]
    assert h["cpus"] >= 1
    for key in ("loadavg_start", "loadavg_end"):
        assert len(h[key]) == 3 and all(x >= 0 for x in h[key]), h
    cpu = h["cpu_pressure"]
    if os.path.exists("/proc/pressure/cpu"):
        assert cpu["source"] == "/proc/pressure/cpu some"
        for key in ("avg10_start", "avg10_end"):
            assert 0 <= cpu[key] <= 100, cpu
        assert cpu["total_us_delta"] >= 0
        assert 0 <= cpu["share_of_run"] <= 1
        # The waiting time cannot exceed the run's wall time by much (sampled around it).
        assert cpu["total_us_delta"] <= (r["duration_s"] + 5) * 1e6 * h["cpus"], (cpu, r["duration_s"])
    else:
        assert cpu is None


def test_virtual_run_has_no_host_block(wireproof, tmp_path):
    out = tmp_path / "run"
    wireproof("run", SCENARIO, "--client", "ref", "--server", "ref", "--clock", "virtual", "--out", out, "--quiet",
              timeout=60)
    assert "host" not in read_result(out)
