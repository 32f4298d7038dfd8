"""scenarios/schema.json accepts every shipped scenario and rejects bad ones.

The C++ loader (harness/scenario) is the authority on the format; this schema
is for editors, so these tests keep the two in step on the cases that matter.
Run: /usr/bin/python3 -m pytest tests/scenarios
"""
import json
import pathlib
import re

import jsonschema
import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "scenarios" / "schema.json").read_text())
SCENARIOS = sorted((ROOT / "scenarios" / "dtls").glob("*.yaml"))
TCP_SCENARIOS = sorted((ROOT / "scenarios" / "tcp").glob("*.yaml"))
TLS_SCENARIOS = sorted((ROOT / "scenarios" / "tls").glob("*.yaml"))


class StringKeyLoader(yaml.SafeLoader):
    """YAML 1.1 values like the C++ loader (on/off are booleans), but keys stay
    strings: PyYAML would otherwise read the timeline key `on:` as True."""


def _construct_mapping(loader, node, deep=False):
    mapping = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else loader.construct_object(key_node)
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


StringKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load(text):
    return yaml.load(text, Loader=StringKeyLoader)


def validator():
    return jsonschema.Draft202012Validator(SCHEMA)


def test_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_library_has_the_required_scenarios():
    assert len(SCENARIOS) >= 13


def test_library_has_the_required_tcp_scenarios():
    assert len(TCP_SCENARIOS) >= 20


def test_library_has_the_required_tls_scenarios():
    assert len(TLS_SCENARIOS) >= 20


@pytest.mark.parametrize("path", SCENARIOS + TCP_SCENARIOS + TLS_SCENARIOS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_shipped_scenario_matches_schema(path):
    doc = load(path.read_text())
    errors = [e.message for e in validator().iter_errors(doc)]
    assert errors == []
    assert doc["name"] == path.stem


HEADER = """\
name: t
description: test
refs: ["RFC 6347 4.2.4"]
protocol: dtls1.2
"""


def test_minimal_document_is_accepted():
    assert list(validator().iter_errors(load(HEADER))) == []


BAD = {
    "unknown key in a rule": "rules:\n  - name: r\n    acton: drop\n    action: drop\n",
    "unknown top-level key": "linkk: {mtu: 576}\n",
    "probability above one": "rules:\n  - name: r\n    probability: 1.5\n    action: drop\n",
    "mtu below 68": "link: {mtu: 40}\n",
    "quoted number": "link: {mtu: \"576\"}\n",
    "parameter of another action": "rules:\n  - name: r\n    action: drop\n    copies: 2\n",
    "misspelt handshake type": "rules:\n  - name: r\n    match: {handshake_type: server_helo}\n    action: drop\n",
    "rule without action": "rules:\n  - name: r\n",
    "timeline with two triggers": "timeline:\n  - at_ms: 5\n    on: {peer: client, event: closed}\n    set: {mtu: 576}\n",
    "timeline that changes nothing": "timeline:\n  - at_ms: 5\n",
    "unknown peer event": "timeline:\n  - on: {peer: client, event: done}\n    set: {mtu: 576}\n",
    "unknown check": "expect:\n  checks:\n    mtu_fitt: off\n",
    "negative time": "timeline:\n  - at_ms: -1\n    set: {mtu: 576}\n",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_document_is_rejected(name):
    assert list(validator().iter_errors(load(HEADER + BAD[name]))) != []


TCP_HEADER = HEADER.replace("protocol: dtls1.2", "protocol: tcp")
TCP_BAD = {
    "unknown tcp flag": "rules:\n  - name: r\n    match: {tcp: {flags: [synn]}}\n    action: drop\n",
    "window action without its value": "rules:\n  - name: r\n    action: window\n",
    "inject without seq": "timeline:\n  - at_ms: 1\n    inject: {dir: c2s, flags: [rst]}\n",
    "inject seq of an unknown base": "timeline:\n  - at_ms: 1\n    inject: {dir: c2s, flags: [rst], seq: rcv_next+1}\n",
    "sysctl off the allow-list": "peers:\n  client:\n    sysctls: {ip_forward: 1}\n",
    "unknown workload kind": "workload: {kind: bulkk}\n",
    "keepalive without count": "workload: {kind: keepalive, keepalive: {idle_s: 1, intvl_s: 1}}\n",
    "ip 5": "ip: 5\n",
}


@pytest.mark.parametrize("name", sorted(TCP_BAD))
def test_bad_tcp_document_is_rejected(name):
    assert list(validator().iter_errors(load(TCP_HEADER + TCP_BAD[name]))) != []


TLS_HEADER = HEADER.replace("protocol: dtls1.2", "protocol: tls1.3")
TLS_BAD = {
    "unknown tls key": "tls: {resum: true}\n",
    "unknown group": "tls:\n  client: {groups: [x25591]}\n",
    "max_fragment_length not of RFC 6066": "tls: {max_fragment_length: 600}\n",
    "record_size_limit below 64": "tls: {record_size_limit: 63}\n",
    "alpn with a comma": "tls:\n  client: {alpn: ['a,b']}\n",
    "unknown_sni of another kind": "tls:\n  server: {unknown_sni: ignore}\n",
    "client_cert of another kind": "tls:\n  server: {client_cert: maybe}\n",
    "host_certs an address": "tls:\n  server: {host_certs: ['198.18.0.2:1']}\n",
    "a server key on the client": "tls:\n  client: {client_cert: required}\n",
    "version 1.1": "tls:\n  server: {version: tls1.1}\n",
}


@pytest.mark.parametrize("name", sorted(TLS_BAD))
def test_bad_tls_document_is_rejected(name):
    assert list(validator().iter_errors(load(TLS_HEADER + TLS_BAD[name]))) != []


def test_tls_section_only_in_a_tls_or_dtls_scenario():
    assert list(validator().iter_errors(load(TLS_HEADER + "tls: {resume: true}\n"))) == []
    assert list(validator().iter_errors(load(TCP_HEADER + "tls: {resume: true}\n"))) != []
    # DTLS 1.2 takes the naming and certificate flags (scenarios/dtls/sni-selects-certificate.yaml).
    no_sni = "tls:\n  server_name: none\n  server: {ip_cert: true}\n"
    assert list(validator().iter_errors(load(HEADER + no_sni))) == []
    assert list(validator().iter_errors(load(TLS_HEADER + "tls:\n  server: {ip_cert: 1}\n"))) != []


def test_dtls_chunk_keeps_its_record_bound_and_tcp_may_write_more():
    assert list(validator().iter_errors(load(HEADER + "workload: {chunk: 20000}\n"))) != []
    assert list(validator().iter_errors(load(TCP_HEADER + "workload: {chunk: 20000}\n"))) == []
    assert list(validator().iter_errors(load(TLS_HEADER + "workload: {chunk: 20000}\n"))) != []
    assert list(validator().iter_errors(load(TLS_HEADER + "workload: {chunk: 1}\n"))) == []


def test_missing_required_key_is_rejected():
    doc = load(HEADER.replace('refs: ["RFC 6347 4.2.4"]\n', ""))
    messages = [e.message for e in validator().iter_errors(doc)]
    assert messages == ["'refs' is a required property"]


def test_check_switches_and_parameters_are_accepted():
    doc = load(HEADER + "expect:\n  checks:\n    retransmission_schedule: off\n    mtu_fit: {grace_retransmissions: 2}\n")
    assert list(validator().iter_errors(doc)) == []


def _names_header():
    return (ROOT / "harness" / "scenario" / "names.hpp").read_text()


def _table(header, array_name):
    """The quoted names of one constexpr array in names.hpp, in order."""
    start = header.index(array_name)
    return re.findall(r'"([a-z_]+)"', header[start:header.index(";", start)])


@pytest.mark.parametrize("array_name, schema_enum", [
    ("kHandshakeTypes", lambda s: s["$defs"]["match"]["properties"]["handshake_type"]["oneOf"][0]["enum"]),
    ("kContentTypes", lambda s: s["$defs"]["match"]["properties"]["content_type"]["oneOf"][0]["enum"]),
    (("kCheckNames", "kTcpCheckNames", "kTlsCheckNames"),
     lambda s: s["properties"]["expect"]["properties"]["checks"]["propertyNames"]["enum"]),
    (("kPeerEvents", "kTcpPeerEvents", "kTlsPeerEvents"), lambda s: s["$defs"]["peer_trigger"]["properties"]["event"]["enum"]),
])
def test_schema_names_match_the_loader_table(array_name, schema_enum):
    # A tuple: the schema's enum is both protocols' tables, DTLS's first, without repeats.
    names = []
    for table in (array_name if isinstance(array_name, tuple) else (array_name,)):
        names += [n for n in _table(_names_header(), table) if n not in names]
    assert names == schema_enum(SCHEMA)


def test_documented_example_matches_schema():
    doc = (ROOT / "docs" / "SCENARIO.md").read_text()
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert [e.message for e in validator().iter_errors(load(example))] == []


def test_documented_tcp_example_matches_schema():
    doc = (ROOT / "docs" / "SCENARIO.md").read_text()
    example = doc.split("## TCP (`protocol: tcp`)", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    assert [e.message for e in validator().iter_errors(load(example))] == []


def test_documented_tls_example_matches_schema():
    doc = (ROOT / "docs" / "SCENARIO.md").read_text()
    example = doc.split("## TLS (`protocol: tls1.2` / `tls1.3`)", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    assert [e.message for e in validator().iter_errors(load(example))] == []
