"""Crafted L3 TCP event logs (docs/EVENTS.md "L3 layers") and a run dir around
them, for report tests that need exact, known packets."""
import json

C_ISN, S_ISN = 1_000_000, 4_294_967_000   # the server's ISN wraps past 2^32 within the run
MSS = 1000


class Log:
    def __init__(self):
        self.events = []

    def _i(self):
        return len(self.events)

    def seg(self, t_ms, d, seq, ack=None, flags=("ack",), length=0, window=100, fate="forwarded", actions=(),
            origin=None, **opts):
        src, dst = ("198.18.0.1", "198.18.0.2") if d == "c2s" else ("198.18.0.2", "198.18.0.1")
        sp, dp = (40000, 5000) if d == "c2s" else (5000, 40000)
        tcp = {"src_port": sp, "dst_port": dp, "seq": seq % (1 << 32), "ack": (ack or 0) % (1 << 32),
               "flags": list(flags), "window": window, "urgent_pointer": 0, "payload_length": length,
               "checksum_ok": True, **opts}
        ev = {"kind": "datagram", "i": self._i(), "dir": d, "t_us": int(t_ms * 1000), "size": length,
              "ip_size": 40 + length, "mtu": 1500, "hex": "", "records": [], "malformed": None, "flight": None,
              "retransmission": False, "fate": fate, "actions": list(actions),
              "deliveries_us": [] if fate != "forwarded" else [int(t_ms * 1000) + 50],
              "ip": {"version": 4, "src": src, "dst": dst, "protocol": 6, "ttl": 64, "df": True, "header_length": 20},
              "tcp": tcp}
        if origin:
            ev["origin"] = origin
        self.events.append(ev)
        return ev

    def icmp_frag_needed(self, t_ms, mtu, quoted_seq):
        ev = {"kind": "datagram", "i": self._i(), "dir": "s2c", "t_us": int(t_ms * 1000), "size": 0, "ip_size": 56,
              "mtu": 1500, "hex": "", "records": [], "malformed": None, "flight": None, "retransmission": False,
              "fate": "forwarded", "actions": [], "deliveries_us": [int(t_ms * 1000)], "origin": "wire",
              "ip": {"version": 4, "src": "198.18.0.254", "dst": "198.18.0.1", "protocol": 1, "ttl": 64, "df": False,
                     "header_length": 20},
              "icmp": {"v6": False, "type": 3, "code": 4, "mtu": mtu, "quoted_protocol": 6,
                       "quoted_src_port": 40000, "quoted_dst_port": 5000, "quoted_tcp_seq": quoted_seq}}
        self.events.append(ev)
        return ev

    def peer(self, t_ms, role, event):
        ev = {"kind": "peer", "i": self._i(), "t_us": int(t_ms * 1000), "role": role, "event": event}
        self.events.append(ev)
        return ev

    def handshake(self, c_ws=7, s_ws=8):
        c_opts = {"mss": 1460, "sack_permitted": True}
        s_opts = {"mss": 1460, "sack_permitted": True}
        if c_ws is not None:
            c_opts["window_scale"] = c_ws
        if s_ws is not None:
            s_opts["window_scale"] = s_ws
        self.seg(0, "c2s", C_ISN, flags=("syn",), window=64240, **c_opts)
        self.seg(1, "s2c", S_ISN, C_ISN + 1, flags=("syn", "ack"), window=65160, **s_opts)
        self.seg(2, "c2s", C_ISN + 1, S_ISN + 1)

    def data(self, t_ms, k, dropped=False, **kw):
        """The client's k-th full segment (k from 0): relative seq 1 + k * MSS; dropped by rule 'drop-one'."""
        if dropped:
            kw.update(fate="dropped", actions=[{"rule": "drop-one", "action": "drop", "detail": ""}])
        return self.seg(t_ms, "c2s", C_ISN + 1 + k * MSS, S_ISN + 1, flags=("psh", "ack"), length=MSS, **kw)

    def burst(self, t_ms, n, drop_k):
        """Segments 0..n-1 one millisecond apart, segment drop_k dropped."""
        for k in range(n):
            self.data(t_ms + k, k, dropped=k == drop_k)

    def ack(self, t_ms, upto_k, window=200, **kw):
        """The server acknowledging segments 0..upto_k-1."""
        return self.seg(t_ms, "s2c", S_ISN + 1, C_ISN + 1 + upto_k * MSS, window=window, **kw)

    def write(self, run_dir, protocol="tcp", topology=None, checks=()):
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in self.events))
        result = {"schema_version": 1, "scenario": {"name": "crafted-tcp", "protocol": protocol},
                  "verdict": "pass", "checks": list(checks), "seed": 1,
                  "client": {"name": "linux"}, "server": {"name": "linux"}}
        if topology is not None:
            result["topology"] = topology
        (run_dir / "result.json").write_text(json.dumps(result))
        return run_dir
