"""ci/examples/github-actions.yml stays consistent with itself and with the
commands it calls (a workflow nobody can run locally rots silently)."""
import re
import shlex

import yaml

from conftest import REPO

from reports.cli import parser

WF = REPO / "ci/examples/github-actions.yml"


def _steps(doc):
    for job in doc["jobs"].values():
        yield from job.get("steps", [])


def test_shard_list_matches_shard_count():
    doc = yaml.safe_load(WF.read_text())
    shards = doc["jobs"]["matrix"]["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, int(doc["env"]["SHARDS"]) + 1))


def test_report_commands_parse_with_the_real_cli():
    doc = yaml.safe_load(WF.read_text())
    calls = []
    for step in _steps(doc):
        for line in step.get("run", "").splitlines():
            m = re.search(r"python3 -m reports (.*?)(\||>>|$)", line)
            if m:
                calls.append(shlex.split(m.group(1).replace("$GITHUB_STEP_SUMMARY", "x")))
    assert {c[0] for c in calls} >= {"merge", "markdown", "diff"}
    for argv in calls:
        parser().parse_args(argv)  # exits (fails the test) on an unknown option


def test_merged_report_is_uploaded_from_where_merge_writes_it():
    text = WF.read_text()
    out = re.search(r"reports merge .* --out (\S+)", text).group(1)
    assert f"{out}/report" in text and f"{out}/summary.json" in text
