"""validate == run: every scenario `run` would reject, `validate` rejects
first, with file:line:col and exit 2; `run` rejects it the same way before
starting anything, and writes no result.json that could be mistaken for a
verdict. Each case below used to pass `validate` and then end as an `error`
or a `fail` verdict (or a 0-byte result.json). Also: the CLI's own bad input
exits 2, and expectations that are bad input or stale fail the run."""
import re

import pytest

from wp_e2e import REPO

SHORT = REPO / "tests" / "fixtures" / "scenarios" / "short-clean.yaml"
HEADER = b"name: bad\ndescription: bad input\nrefs: [\"RFC 6347 4.2\"]\nprotocol: dtls1.2\n"
TLS_HEADER = HEADER.replace(b"dtls1.2", b"tls1.3")

BAD_INPUTS = {
    # value the peers refuse (usage error, exit 3) -> was an `error` verdict
    "chunk-over-contract": (HEADER + b"workload: { chunk: 16377 }\n", 5, 20, "chunk 16377 is more than"),
    "peer-mtu-below-contract": (HEADER + b"peers: { mtu: 255 }\n", 5, 15, "peers.mtu 255 is outside"),
    "link-mtu-is-peer-mtu": (HEADER + b"link: { mtu: 100 }\n", 5, 14, "link.mtu 100 is also the peers' --mtu"),
    # an unknown check name (validate already refused this one; kept so run stays in step)
    "unknown-check-name": (HEADER + b"expect:\n  checks:\n    mtu_fitt: on\n", 7, 5, "unknown check 'mtu_fitt'"),
    # a typo in a check parameter -> was a `fail` verdict blaming the stack
    "check-parameter-typo": (HEADER + b"expect:\n  checks:\n    mtu_fit: { grace_retransmision: 1 }\n", 7, 16,
                             "unknown parameter 'grace_retransmision' for check 'mtu_fit'"),
    # invalid UTF-8 -> `run` died with a raw JSON error and a 0-byte result.json
    "non-utf8-description": (b"name: bad\ndescription: caf\xe9\nrefs: [\"RFC 6347 4.2\"]\nprotocol: dtls1.2\n", 2, 17,
                             "byte 0xe9 is not valid UTF-8"),
    # 57 MB took 4 GB to validate
    "over-one-mebibyte": (HEADER + b"# " + b"x" * (1024 * 1024) + b"\n", 1, 1, "a scenario may be at most 1048576 bytes"),
    # TLS: values the TLS shims refuse (usage error, exit 3) -> would be `error` verdicts
    "tls-chunk-over-contract": (TLS_HEADER + b"workload: { chunk: 16384 }\n", 5, 20, "chunk 16384 is more than a tls1.3"),
    "tls-handshake-timeout-below-2s": (TLS_HEADER + b"peers: { handshake_timeout_ms: 1000 }\n", 5, 32,
                                       "handshake_timeout_ms must be in [2000, 120000], got 1000"),
    "tls-key-update-on-tls12": (TLS_HEADER.replace(b"tls1.3", b"tls1.2") + b"tls:\n  client: { key_update: true }\n",
                                6, 25, "key_update is TLS 1.3's KeyUpdate message"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_validate_and_run_refuse_the_same_bad_input(wireproof, tmp_path, case):
    text, line, col, message = BAD_INPUTS[case]
    bad = tmp_path / f"{case}.yaml"
    bad.write_bytes(text)
    where = f"{bad}:{line}:{col}: "

    val = wireproof("validate", bad)
    assert val.returncode == 2, val.stderr
    assert where in val.stderr and message in val.stderr, val.stderr

    out = tmp_path / "run"
    run = wireproof("run", bad, "--client", "openssl", "--server", "openssl", "--out", out)
    assert run.returncode == 2, run.stderr
    error_line = next(l for l in val.stderr.splitlines() if l.startswith(where))
    assert error_line in run.stderr.splitlines(), run.stderr
    assert not (out / "result.json").exists()  # nothing that reads like a verdict


def test_cli_parse_errors_exit_2(wireproof):
    for args in (["run", SHORT, "--client", "openssl", "--server", "openssl", "--frobnicate"],
                 ["run", SHORT],  # missing required options
                 ["matrix", "--clients", "openssl", "--servers", "openssl", "--jobs", "0", "--out", "x", SHORT],
                 ["nosuchcommand"]):
        proc = wireproof(*args)
        assert proc.returncode == 2, (args, proc.returncode, proc.stderr)
    assert wireproof("--help").returncode == 0
    assert wireproof("run", "--help").returncode == 0


def test_negative_seed_is_refused(wireproof, tmp_path):
    for cmd in (["run", SHORT, "--client", "openssl", "--server", "openssl", "--out", tmp_path / "r"],
                ["matrix", "--clients", "openssl", "--servers", "openssl", "--out", tmp_path / "m", SHORT]):
        proc = wireproof(*cmd, "--seed", "-1")
        assert proc.returncode == 2, proc.stderr
        assert "--seed" in proc.stderr
    assert not (tmp_path / "r" / "result.json").exists()


def test_unknown_names_in_expectations_are_bad_input(wireproof, tmp_path):
    for body, message in (("check: mtu_fits", "unknown check 'mtu_fits'"),
                          ("server: gnutsl\n  check: mtu_fit", "unknown peer 'gnutsl'")):
        expect = tmp_path / "expect.yaml"
        expect.write_text(f"- scenario: short-clean\n  {body}\n  reason: r\n")
        proc = wireproof("run", SHORT, "--client", "openssl", "--server", "openssl", "--expect", expect,
                         "--out", tmp_path / "r")
        assert proc.returncode == 2, proc.stderr
        assert re.search(rf"{re.escape(str(expect))}:2:\d+: {re.escape(message)}", proc.stderr), proc.stderr
        assert not (tmp_path / "r" / "result.json").exists()


def test_a_stale_expectation_is_an_xpass_and_fails_the_run(wireproof, tmp_path):
    expect = tmp_path / "expect.yaml"
    expect.write_text("- scenario: short-clean\n  server: openssl\n  check: mtu_fit\n  reason: no longer fails\n"
                      "- scenario: some-other-scenario\n  check: mtu_fit\n  reason: not run here\n")
    proc = wireproof("run", SHORT, "--client", "openssl", "--server", "openssl", "--expect", expect,
                     "--out", tmp_path / "r")
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert f"xpass {expect}:1:3" in proc.stderr
    assert f"{expect}:4:3" not in proc.stderr  # its scenario did not run: not counted
    # Without the stale entry the same run passes.
    expect.write_text("- scenario: some-other-scenario\n  check: mtu_fit\n  reason: not run here\n")
    ok = wireproof("run", SHORT, "--client", "openssl", "--server", "openssl", "--expect", expect,
                   "--out", tmp_path / "r2")
    assert ok.returncode == 0, ok.stdout + ok.stderr


def test_matrix_reports_a_stale_expectation_as_xpass(wireproof, tmp_path):
    """Only the stale entry is an XPASS; an entry that matched a failure in
    some run is not, whether --expect is given relative or absolute (entries
    are matched across the runs by file:line:col)."""
    (tmp_path / "expect.yaml").write_text(
        "- scenario: app-record-exceeds-mtu\n  client: openssl\n  check: mtu_fit\n  reason: OpenSSL sends it\n"
        "- scenario: short-clean\n  client: openssl\n  check: record_boundaries\n  reason: stale\n")
    out = tmp_path / "m"
    proc = wireproof("matrix", "--clients", "openssl", "--servers", "openssl", "--expect", "expect.yaml",
                     "--no-report", "--out", out, SHORT, REPO / "scenarios" / "dtls" / "app-record-exceeds-mtu.yaml",
                     cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # no run failed: the stale entry alone fails it
    summary = __import__("json").loads((out / "summary.json").read_text())
    assert summary["counts"] == {"pass": 1, "xfail": 1, "fail": 0, "error": 0, "unsupported": 0, "inconclusive": 0,
                                 "flaky": 0, "not_run": 0}, summary["counts"]
    stale = tmp_path / "expect.yaml"
    assert [x["entry"] for x in summary["xpass"]] == [f"{stale}:5:3"]
    assert f"xpass {stale}:5:3" in proc.stdout and f"{stale}:1:3" not in proc.stdout
