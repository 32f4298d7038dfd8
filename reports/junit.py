"""`junit`: JUnit XML with one testcase per (scenario, client, server), for
merged results (the C++ matrix writes its own per shard). Failing checks go
in the failure message; xfail and unsupported are skipped with the reason."""
import re
import xml.etree.ElementTree as ET

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(s):
    """XML 1.0 cannot carry most control characters; a peer may print them."""
    return _XML_BAD.sub("\ufffd", str(s))


def _failing_checks(run, verdict="fail"):
    return [c for c in (run.result or {}).get("checks", []) if c.get("verdict") == verdict]


def _testcase(parent, run):
    res = run.result or {}
    tc = ET.SubElement(parent, "testcase", classname=_x(run.scenario),
                       name=_x(f"{run.client} -> {run.server}"))
    if isinstance(res.get("duration_s"), (int, float)):
        tc.set("time", f"{res['duration_s']:.3f}")
    if run.verdict == "fail":
        checks = _failing_checks(run)
        names = [c.get("name") for c in checks] or run.failed_checks
        el = ET.SubElement(tc, "failure", type="fail",
                           message=_x("failed checks: " + ", ".join(map(str, names)) + (f" ({run.reason})" if run.reason else "")))
        el.text = _x("\n".join(f"{c.get('name')} [{c.get('rfc', '')}]: {c.get('detail', '')}" for c in checks))
    elif run.verdict == "flaky":
        ET.SubElement(tc, "failure", type="flaky", message=_x(run.reason or "verdicts differ across tries"))
    elif run.verdict in ("error", "inconclusive"):
        ET.SubElement(tc, "error", type=run.verdict, message=_x(run.reason or "run could not be judged"))
    elif run.verdict == "xfail":
        reasons = [f"{c.get('name')}: {c.get('expected_failure', '')}" for c in _failing_checks(run, "xfail")]
        ET.SubElement(tc, "skipped", message=_x("xfail: " + ("; ".join(reasons) or run.reason or "expected failure")))
    elif run.verdict == "unsupported":
        ET.SubElement(tc, "skipped", message=_x("unsupported: " + (run.reason or "a peer exited 127")))
    elif run.verdict == "not_run":
        ET.SubElement(tc, "skipped", message=_x("not run: " + (run.reason or "the matrix was interrupted")))
    return tc


def render(results):
    root = ET.Element("testsuites", name="wireproof")
    for proto in results.protocols:
        runs = [r for r in results.runs if r.protocol == proto]
        suite = ET.SubElement(root, "testsuite", name=_x(f"wireproof {proto}"), tests=str(len(runs)),
                              failures=str(sum(r.verdict in ("fail", "flaky") for r in runs)),
                              errors=str(sum(r.verdict in ("error", "inconclusive") for r in runs)),
                              skipped=str(sum(r.verdict in ("xfail", "unsupported", "not_run") for r in runs)))
        for r in runs:
            _testcase(suite, r)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
