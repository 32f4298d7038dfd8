"""Writes tests/reports/fixtures/matrix: a hand-made 2x2 matrix (openssl,
gnutls clients x servers) x 2 scenarios that follows docs/RESULT.md and
docs/EVENTS.md, built from real DTLS 1.2 bytes (fixtures/openssl-dtls12-handshake.tsv,
an OpenSSL s_client/s_server handshake captured with tshark on loopback).

It holds one fail, one xfail, one error (truncated events.jsonl, no result
for the client) and one hostile run whose peer strings try to inject markup.
Deterministic: rerun after changing it and commit the output.

    /usr/bin/python3 tests/reports/make_fixtures.py
"""
import copy
import json
import shutil
from pathlib import Path

HERE = Path(__file__).parent
FIX = HERE / "fixtures"
OUT = FIX / "matrix"

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
HS_NAMES = {1: "client_hello", 2: "server_hello", 3: "hello_verify_request", 4: "new_session_ticket",
            11: "certificate", 12: "server_key_exchange", 14: "server_hello_done", 16: "client_key_exchange",
            20: "finished"}


def dissect(payload):
    """Minimal DTLS 1.2 record dissection, enough for fixtures (harness/dissect is the real one)."""
    recs, off = [], 0
    while off + 13 <= len(payload):
        typ, ver = payload[off], int.from_bytes(payload[off + 1:off + 3], "big")  # a number, as harness/events writes it
        epoch = int.from_bytes(payload[off + 3:off + 5], "big")
        seq = int.from_bytes(payload[off + 5:off + 11], "big")
        length = int.from_bytes(payload[off + 11:off + 13], "big")
        body = payload[off + 13:off + 13 + length]
        r = {"offset": off, "type": typ, "version": ver, "epoch": epoch, "seq": seq, "length": length}
        if typ == 22 and epoch == 0 and len(body) >= 12:
            ht = body[0]
            r["hs"] = {"type": ht, "name": HS_NAMES.get(ht, f"unknown({ht})"),
                       "length": int.from_bytes(body[1:4], "big"), "message_seq": int.from_bytes(body[4:6], "big"),
                       "frag_offset": int.from_bytes(body[6:9], "big"), "frag_length": int.from_bytes(body[9:12], "big")}
        if typ == 21 and epoch == 0 and len(body) == 2:
            r["alert"] = {"level": body[0], "description": body[1]}
        recs.append(r)
        off += 13 + length
    return recs


def flight_of(direction, recs, seen_ch):
    hs = [r["hs"]["type"] for r in recs if "hs" in r]
    if direction == "c2s" and 1 in hs:
        return 3 if seen_ch else 1
    if direction == "s2c" and 3 in hs:
        return 2
    if direction == "s2c" and set(hs) & {2, 11, 12, 14}:
        return 4
    if direction == "c2s" and (16 in hs or any(r["type"] == 20 for r in recs)):
        return 5
    if direction == "s2c" and (4 in hs or any(r["type"] == 20 for r in recs)):
        return 6
    return None


def base_datagrams():
    out, seen_ch = [], False
    for line in (FIX / "openssl-dtls12-handshake.tsv").read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        t, d, h = line.split("\t")
        payload = bytes.fromhex(h)
        recs = dissect(payload)
        fl = flight_of(d, recs, seen_ch)
        seen_ch = seen_ch or fl == 1
        out.append({"dir": d, "t_us": int(t), "payload": payload, "records": recs, "flight": fl})
    return out


class Log:
    """Builds events.jsonl lines with increasing i, like the wire does."""

    def __init__(self):
        self.events, self.seen = [], set()
        self.retx_starts = []  # i of the first datagram of each flight retransmission

    def _i(self):
        return len(self.events)

    def datagram(self, d, t_us, fate="forwarded", actions=(), deliveries=None, mtu=1500):
        key = {(d["dir"], r["hs"]["type"], r["hs"]["message_seq"], r["hs"]["frag_offset"])
               for r in d["records"] if "hs" in r}
        retx = bool(key) and key <= self.seen
        self.seen |= key
        if deliveries is None:
            deliveries = [] if fate == "dropped" else [t_us + 27]
        ev = {"kind": "datagram", "i": self._i(), "dir": d["dir"], "t_us": t_us, "size": len(d["payload"]),
              "ip_size": len(d["payload"]) + 28, "mtu": mtu, "hex": d["payload"].hex(), "records": d["records"],
              "malformed": None, "flight": d["flight"], "retransmission": retx, "fate": fate,
              "actions": list(actions), "deliveries_us": deliveries}
        self.events.append(ev)
        return ev

    def peer(self, role, t_us, event):
        self.events.append({"kind": "peer", "i": self._i(), "t_us": t_us, "role": role, "event": event})

    def link(self, t_us, **kw):
        self.events.append({"kind": "link", "i": self._i(), "t_us": t_us, **kw})

    def text(self):
        return "".join(json.dumps(e) + "\n" for e in self.events)


def clean_log(cipher="ECDHE-ECDSA-AES256-GCM-SHA384", alert_desc="close_notify"):
    log = Log()
    log.peer("server", 0, {"event": "ready", "port": 44331})
    log.peer("client", 100, {"event": "ready"})
    for d in base_datagrams():
        log.datagram(d, d["t_us"] + 1000)
    log.peer("client", 6000, {"event": "handshake_done", "version": "DTLSv1.2", "cipher": cipher, "time_ms": 5.1})
    log.peer("client", 2_416_000, {"event": "alert", "direction": "sent", "level": "warning", "description": alert_desc})
    return log


def lossy_log(retx_gaps_ms, impair=False):
    """Server flight 4 dropped once, retransmitted after each gap (the last copy gets through)."""
    log = Log()
    log.peer("server", 0, {"event": "ready", "port": 44331})
    dgs = base_datagrams()
    f4 = [d for d in dgs if d["flight"] == 4]
    shift = 0
    for d in dgs:
        t = d["t_us"] + 1000 + shift
        if d["flight"] == 4 and d is f4[0]:
            when = t
            for k, gap in enumerate([0] + retx_gaps_ms):
                when += gap * 1000
                last = k == len(retx_gaps_ms)
                for n, f in enumerate(f4):
                    tt = when + n * 60
                    if n == 0 and k > 0:
                        log.retx_starts.append(len(log.events))
                    if not last:
                        log.datagram(f, tt, fate="dropped", actions=[{"rule": "drop-server-flight", "action": "drop",
                                                                       "detail": f"match {k * len(f4) + n + 1}"}])
                    else:
                        log.datagram(f, tt)
            if impair is False:
                log.link(when + 500, change="rule", rule="drop-server-flight", value="disabled", cause="count reached")
            shift = when - t + 400
            continue
        if d["flight"] == 4:
            continue
        if impair and d["flight"] == 5:
            log.datagram(d, t, actions=[{"rule": "dup-finished", "action": "duplicate", "detail": "copies 1 gap 0 ms"}],
                         deliveries=[t + 25, t + 31])
            continue
        if impair and d["records"] and d["records"][0]["type"] == 23:
            log.link(t - 50, change="mtu", value=576, cause="on c2s application_data")
            log.datagram(d, t, actions=[{"rule": "slow-data", "action": "delay", "detail": "200 ms"}],
                         deliveries=[t + 200_000], mtu=576)
            continue
        log.datagram(d, t)
    log.peer("client", shift + 6000, {"event": "handshake_done", "version": "DTLSv1.2",
                                      "cipher": "ECDHE-ECDSA-AES256-GCM-SHA384", "time_ms": shift / 1000 + 5})
    return log


PEERS = {"openssl": {"implementation": "OpenSSL", "version": "3.0.22"},
         "gnutls": {"implementation": "GnuTLS", "version": "3.7.9"}}

SCENARIOS = {
    "clean-handshake": {"name": "clean-handshake", "file": "scenarios/dtls/clean-handshake.yaml",
                        "description": "A DTLS 1.2 handshake over a perfect link. RFC 6347 4.1.1: each record "
                                       "fits in one datagram. " + HOSTILE,
                        "refs": ["RFC 6347 4.1.1"], "protocol": "dtls1.2"},
    "server-flight-lost-once": {"name": "server-flight-lost-once", "file": "scenarios/dtls/server-flight-lost-once.yaml",
                                "description": "The server's flight ServerHello..ServerHelloDone is dropped once. "
                                               "RFC 6347 4.2.4: the implementation retransmits the flight when the timer expires.",
                                "refs": ["RFC 6347 4.2.4", "RFC 6347 4.2.4.1"], "protocol": "dtls1.2"},
}

RETX_SENTENCE = ("Implementations SHOULD use an initial timer value of 1 second (the minimum defined in RFC 6298) "
                 "and double the value at each retransmission")


def record_fit(verdict="pass"):
    return {"name": "record_fits_datagram", "rfc": "RFC 6347 4.1.1",
            "sentence": "Each DTLS record MUST fit within a single datagram.", "verdict": verdict,
            "expected": {"max_ip_size": 1500}, "measured": {"largest_ip_size": 295}, "detail": "every record fits",
            "evidence": []}


def retx_check(measured, verdict, evidence, detail, expected_failure=None):
    """The shape harness/checks/retransmission_schedule.cpp writes."""
    intervals = []
    for k, (m, i) in enumerate(zip(measured, evidence)):
        e = 1000.0 * 2 ** k
        tol = max(30.0, 0.25 * e)
        intervals.append({"i": i, "kind": "timer", "interval_ms": m, "expected_ms": e, "tolerance_ms": tol,
                          "backoff_level": k, "judged": True, "ok": abs(m - e) <= tol})
    c = {"name": "retransmission_schedule", "rfc": "RFC 6347 4.2.4.1", "sentence": RETX_SENTENCE, "verdict": verdict,
         "expected": {"initial_ms": 1000, "backoff": "x2 per timer retransmission", "max_timer_ms": 60000,
                      "tolerance_ms": 30, "tolerance_pct": 25, "group_window_ms": 20, "response_window_ms": 30},
         "measured": {"flights": [{"dir": "s2c", "flight": 4, "transmissions": len(measured) + 1,
                                   "intervals": intervals}],
                      "judged_retransmissions": len(measured), "responses": 0,
                      "off_schedule": sum(not x["ok"] for x in intervals)},
         "detail": detail, "evidence": evidence}
    if expected_failure:
        c["expected_failure"] = expected_failure
    return c


def peer_block(name, role, exit_code=0, exit_reason="exited 0", version=None):
    return {"name": name, "implementation": PEERS[name]["implementation"], "version": version or PEERS[name]["version"],
            "argv": [f"build/peers/wireproof-peer-{name}", "--role", role, "--protocol", "dtls1.2"],
            "exit_code": exit_code, "exit_reason": exit_reason}


def result(scenario, client, server, verdict, checks, reason="", **over):
    r = {"schema_version": 1, "tool": {"name": "wireproof", "version": "0.1.0"},
         "scenario": SCENARIOS[scenario], "client": peer_block(client, "client"), "server": peer_block(server, "server"),
         "seed": 1, "clock": "real", "started_at": "2026-11-21T22:40:00Z", "duration_s": 2.5, "verdict": verdict,
         "reason": reason, "handshake": {"completed": True, "version": "DTLSv1.2",
                                         "cipher": "ECDHE-ECDSA-AES256-GCM-SHA384", "time_ms": 5.1},
         "app_data": {}, "checks": checks,
         "wire": {"datagrams": 12, "bytes": 1900, "dropped": 0, "duplicated": 0, "reordered": 0, "delayed": 0,
                  "corrupted": 0, "malformed": 0},
         "artifacts": {"events": "events.jsonl", "capture": "capture.pcapng", "client_stdout": "client.stdout",
                       "client_stderr": "client.stderr", "server_stdout": "server.stdout",
                       "server_stderr": "server.stderr"}}
    r.update(over)
    return r


def write_run(scenario, client, server, res, log, logs=None, truncate_events=False):
    d = OUT / scenario / f"{client}__{server}"
    d.mkdir(parents=True)
    (d / "result.json").write_text(json.dumps(res, indent=1) + "\n")
    text = log.text()
    if truncate_events:  # a harness that died mid-write
        text = text[: len(text) - 40]
    (d / "events.jsonl").write_text(text)
    logs = logs or {}
    for name in ("client.stdout", "client.stderr", "server.stdout", "server.stderr"):
        (d / name).write_text(logs.get(name, f'{{"event":"ready"}}\n' if name.endswith("stdout") else ""))
    entry = {"scenario": scenario, "client": client, "server": server, "verdict": res["verdict"],
             "reason": res["reason"], "dir": f"{scenario}/{client}__{server}",
             "failed_checks": [c["name"] for c in res["checks"] if c["verdict"] == "fail"]}
    return entry


def main():
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    runs = []
    for c in ("openssl", "gnutls"):
        for s in ("openssl", "gnutls"):
            if (c, s) == ("gnutls", "gnutls"):  # the hostile peer
                log = clean_log(cipher=HOSTILE, alert_desc=HOSTILE)
                res = result("clean-handshake", c, s, "pass", [record_fit()],
                             handshake={"completed": True, "version": "DTLSv1.2", "cipher": HOSTILE, "time_ms": 5.1})
                res["server"]["version"] = "3.7.9" + HOSTILE
                logs = {"server.stderr": "gnutls: starting\n" + HOSTILE + "\n</pre><b>escaped?</b>\n"}
                runs.append(write_run("clean-handshake", c, s, res, log, logs))
            else:
                runs.append(write_run("clean-handshake", c, s, result("clean-handshake", c, s, "pass", [record_fit()]),
                                      clean_log()))
    # server-flight-lost-once
    ok = lossy_log([1003])
    runs.append(write_run("server-flight-lost-once", "openssl", "openssl",
                          result("server-flight-lost-once", "openssl", "openssl", "pass",
                                 [record_fit(), retx_check([1003.0], "pass", ok.retx_starts, "1 timer-driven retransmission(s) on schedule")]),
                          ok))
    bad = lossy_log([1001, 3004], impair=True)
    runs.append(write_run("server-flight-lost-once", "openssl", "gnutls",
                          result("server-flight-lost-once", "openssl", "gnutls", "fail",
                                 [record_fit(), retx_check([1001.0, 3004.0], "fail", bad.retx_starts,
                                                           "1 of 2 timer-driven retransmissions off schedule; first: s2c "
                                                           "flight 4 retransmission 2 came 3004.0 ms after the previous, "
                                                           "expected 2000 ms +- 500 ms")],
                                 wire={"datagrams": 20, "bytes": 4100, "dropped": 6, "duplicated": 1, "reordered": 0,
                                       "delayed": 1, "corrupted": 0, "malformed": 0}),
                          bad))
    xf = lossy_log([1000, 2999])
    runs.append(write_run("server-flight-lost-once", "gnutls", "openssl",
                          result("server-flight-lost-once", "gnutls", "openssl", "xfail",
                                 [record_fit(), retx_check([1000.0, 2999.0], "xfail", xf.retx_starts, "interval 2 was 2999 ms",
                                                           expected_failure="GnuTLS 3.7 retransmits 1, 3, 6, 12 s apart")]),
                          xf))
    err = lossy_log([1000])
    res = result("server-flight-lost-once", "gnutls", "gnutls", "error", [],
                 reason="server killed by signal 11 (SIGSEGV) after 1.2 s",
                 handshake={"completed": False, "version": None, "cipher": None, "time_ms": None})
    res["server"].update(exit_code=-1, exit_reason="killed by signal 11")
    runs.append(write_run("server-flight-lost-once", "gnutls", "gnutls", res, err,
                          {"server.stderr": "Segmentation fault\n"}, truncate_events=True))
    counts = {v: sum(r["verdict"] == v for r in runs) for v in ("pass", "fail", "xfail", "error", "unsupported",
                                                              "inconclusive", "flaky", "not_run")}
    summary = {"schema_version": 1, "seed": 1, "started_at": "2026-11-21T22:40:00Z", "duration_s": 21.7,
               "clients": ["openssl", "gnutls"], "servers": ["openssl", "gnutls"], "peers": copy.deepcopy(PEERS),
               "counts": counts, "runs": runs}
    (OUT / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(f"wrote {OUT} ({len(runs)} runs: {counts})")


if __name__ == "__main__":
    main()
