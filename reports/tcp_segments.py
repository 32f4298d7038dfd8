"""The TCP reading of events.jsonl (docs/EVENTS.md "L3 layers") that the
ladder, the time-sequence graph and the RTO chart share: each packet with
its connection, sequence numbers relative to each side's ISN, the window
scaled as the receiver applies it, and whether it re-sends sequence space
already sent in its direction.

This is a drawing aid, not a judgement: the checks (harness/checks/tcp/)
classify retransmissions. "Retransmission" here means only what the report
can see without a model of the stack: a segment (SYN/FIN count as one byte)
starting below the highest sequence number already sent that way.
"""
from dataclasses import dataclass, field

MOD = 1 << 32
FLAG_ORDER = ("syn", "fin", "rst", "psh", "ack", "urg", "ece", "cwr")


def _int(v):
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _num(v, default=0):
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else default


def is_tcp_log(events):
    return any(isinstance(e.get("tcp"), dict) for e in events if e.get("kind") == "datagram")


@dataclass
class Segment:
    """One IP packet the wire saw, TCP or ICMP (an ICMP row has tcp None)."""
    ev: dict
    i: int
    t_us: float
    dir: str
    conn: int                       # 1-based connection number (by 4-tuple, first seen)
    flags: list
    rel_seq: int | None = None      # relative to this direction's ISN
    rel_ack: int | None = None      # relative to the other direction's ISN; None without ACK
    length: int = 0                 # payload bytes
    window: int | None = None       # as the receiver applies it (scaled unless a SYN)
    raw_window: int | None = None
    scale: int | None = None        # the shift applied, when scaling is in force
    options: list = field(default_factory=list)   # [(name, text)]
    sack: list = field(default_factory=list)      # [(left, right)] relative to the other side's ISN
    origin_wire: bool = False
    icmp: dict | None = None
    retransmission: bool = False
    retx_n: int = 0                 # 1 = first re-send of this sequence space, 2 = second ...
    retx_of: int | None = None      # event index of the previous send of rel_seq
    retx_after_us: float | None = None

    @property
    def fate(self):
        return str(self.ev.get("fate") or "")

    @property
    def actions(self):
        return [a for a in self.ev.get("actions") or [] if isinstance(a, dict)]

    @property
    def seq_len(self):
        """Sequence space the segment occupies (RFC 9293 3.4: SYN and FIN count one each)."""
        return self.length + ("syn" in self.flags) + ("fin" in self.flags)

    @property
    def end_seq(self):
        return None if self.rel_seq is None else self.rel_seq + self.seq_len


@dataclass
class _Dir:
    isn: int | None = None
    ws: int | None = None           # window_scale its SYN offered
    snd_max: int | None = None      # highest relative end sent
    sends: dict = field(default_factory=dict)   # rel_seq -> (times sent, last event index, last t_us)


@dataclass
class _Conn:
    n: int
    dirs: dict = field(default_factory=lambda: {"c2s": _Dir(), "s2c": _Dir()})

    def scaling(self):
        """RFC 7323 2.2: scaling is in force only when both SYNs carried the option."""
        a, b = self.dirs["c2s"].ws, self.dirs["s2c"].ws
        return a is not None and b is not None


def _key(ev, tcp):
    ip = ev.get("ip") if isinstance(ev.get("ip"), dict) else {}
    a, b = (str(ip.get("src")), tcp.get("src_port")), (str(ip.get("dst")), tcp.get("dst_port"))
    return (a, b) if ev.get("dir") == "c2s" else (b, a)


def _options(tcp):
    out = []
    if _int(tcp.get("mss")) is not None:
        out.append(("mss", f"mss {tcp['mss']}"))
    if _int(tcp.get("window_scale")) is not None:
        out.append(("ws", f"ws {tcp['window_scale']}"))
    if tcp.get("sack_permitted"):
        out.append(("sackOK", "sackOK"))
    if _int(tcp.get("ts_val")) is not None:
        out.append(("ts", f"ts {tcp['ts_val']}/{tcp.get('ts_ecr')}"))
    return out


def segments(events):
    """Every datagram event of a TCP log as a Segment, in log order."""
    conns, out = {}, []
    for ev in events:
        if ev.get("kind") != "datagram":
            continue
        tcp = ev.get("tcp") if isinstance(ev.get("tcp"), dict) else None
        icmp = ev.get("icmp") if isinstance(ev.get("icmp"), dict) else None
        d = ev.get("dir") if ev.get("dir") in ("c2s", "s2c") else "c2s"
        base = dict(ev=ev, i=_int(ev.get("i")), t_us=_num(ev.get("t_us")), dir=d,
                    origin_wire=ev.get("origin") == "wire")
        if tcp is None:
            out.append(Segment(conn=0, flags=[], icmp=icmp, **base))
            continue
        key = _key(ev, tcp)
        c = conns.setdefault(key, _Conn(n=len(conns) + 1))
        me, peer = c.dirs[d], c.dirs["s2c" if d == "c2s" else "c2s"]
        given = tcp.get("flags") if isinstance(tcp.get("flags"), list) else []
        flags = [f for f in FLAG_ORDER if f in given]
        seq, ack = _int(tcp.get("seq")), _int(tcp.get("ack"))
        s = Segment(conn=c.n, flags=flags, length=_int(tcp.get("payload_length")) or 0, **base)
        if "syn" in flags and not s.origin_wire and me.isn is None and seq is not None:
            me.isn = seq
            ws = _int(tcp.get("window_scale"))
            me.ws = None if ws is None else min(max(ws, 0), 14)  # RFC 7323 2.3: a shift over 14 is used as 14
        if me.isn is None and seq is not None and not s.origin_wire:
            me.isn = seq  # joined mid-connection: the first sequence number seen stands in for the ISN
        if seq is not None and me.isn is not None:
            s.rel_seq = (seq - me.isn) % MOD
        if "ack" in flags and ack is not None and peer.isn is not None:
            s.rel_ack = (ack - peer.isn) % MOD
        if "syn" in flags:
            s.options = _options(tcp)
        for blk in tcp.get("sack") or []:
            if isinstance(blk, list) and len(blk) == 2 and peer.isn is not None and all(_int(x) is not None for x in blk):
                s.sack.append(((blk[0] - peer.isn) % MOD, (blk[1] - peer.isn) % MOD))
        s.raw_window = _int(tcp.get("window"))
        if s.raw_window is not None:
            if "syn" not in flags and c.scaling() and me.ws is not None:
                s.scale = me.ws
                s.window = s.raw_window << me.ws
            else:
                s.window = s.raw_window  # RFC 7323 2.2: the window in a SYN is never scaled
        if not s.origin_wire and s.rel_seq is not None and s.seq_len:
            _mark_retransmission(s, me)
        out.append(s)
    return out


def _mark_retransmission(s, me):
    if me.snd_max is not None and s.rel_seq < me.snd_max:
        s.retransmission = True
        prev = me.sends.get(s.rel_seq)
        if prev is None:  # starts inside an earlier segment: the latest send covering its first byte
            prev = max((v for k, v in me.sends.items() if k <= s.rel_seq < k + v[3]),
                       key=lambda v: v[2], default=None)
        if prev is not None:
            s.retx_n = prev[0]
            s.retx_of = prev[1]
            s.retx_after_us = s.t_us - prev[2]
    count = me.sends.get(s.rel_seq, (0,))[0] + 1
    me.sends[s.rel_seq] = (count, s.i, s.t_us, s.seq_len)
    me.snd_max = s.end_seq if me.snd_max is None else max(me.snd_max, s.end_seq)


def flags_text(flags):
    return ",".join(f.upper() for f in flags) or "(none)"


def icmp_text(icmp):
    t, code = icmp.get("type"), icmp.get("code")
    if icmp.get("v6") and t == 2:
        what = "ICMPv6 packet too big"
    elif not icmp.get("v6") and t == 3 and code == 4:
        what = "ICMP frag-needed"
    else:
        what = f"ICMP{'v6' if icmp.get('v6') else ''} type {t} code {code}"
    if _int(icmp.get("mtu")) is not None:
        what += f" mtu {icmp['mtu']}"
    return what
