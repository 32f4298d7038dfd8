"""Short, human names for the records in a datagram (docs/EVENTS.md `records`)."""

CONTENT_TYPES = {20: "change_cipher_spec", 21: "alert", 22: "handshake", 23: "application_data"}

# RFC 5246 7.2 / RFC 8446 6 alert descriptions the reports are likely to meet.
ALERTS = {0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 22: "record_overflow",
          40: "handshake_failure", 42: "bad_certificate", 43: "unsupported_certificate",
          44: "certificate_revoked", 45: "certificate_expired", 46: "certificate_unknown",
          47: "illegal_parameter", 48: "unknown_ca", 49: "access_denied", 50: "decode_error",
          51: "decrypt_error", 70: "protocol_version", 71: "insufficient_security",
          80: "internal_error", 90: "user_canceled", 100: "no_renegotiation", 110: "unsupported_extension"}


def _int(v, default=0):
    return v if isinstance(v, int) and not isinstance(v, bool) else default


def alert_name(desc):
    return ALERTS.get(desc, f"alert({desc})")


def record_short(r):
    """One record as a few words: 'server_hello', 'certificate[0+500/1200]', 'CCS'."""
    if not isinstance(r, dict):
        return "?"
    t = _int(r.get("type"), -1)
    hs = r.get("hs")
    if isinstance(hs, dict):
        name = str(hs.get("name") or f"handshake({hs.get('type')})")
        length, off, flen = _int(hs.get("length")), _int(hs.get("frag_offset")), _int(hs.get("frag_length"))
        if flen < length or off:
            name += f"[{off}+{flen}/{length}]"
        return name
    if t == 20:
        return "CCS"
    if t == 21:
        a = r.get("alert")
        if isinstance(a, dict):
            lvl = "fatal" if a.get("level") == 2 else "warning"
            return f"alert {lvl} {alert_name(a.get('description'))}"
        return f"alert (epoch {r.get('epoch')}, encrypted)"
    if t == 22:
        return f"handshake (epoch {r.get('epoch')}, encrypted)"
    if t == 23:
        return "app_data"
    return f"type {t}"


def record_long(r):
    """One record with every header field, for tooltips."""
    if not isinstance(r, dict):
        return "?"
    t = _int(r.get("type"), -1)
    s = (f"{CONTENT_TYPES.get(t, f'type {t}')} epoch {r.get('epoch')} seq {r.get('seq')} "
         f"len {r.get('length')} @{r.get('offset')}")
    hs = r.get("hs")
    if isinstance(hs, dict):
        s += (f" | {hs.get('name')} msg_seq {hs.get('message_seq')} length {hs.get('length')} "
              f"frag {hs.get('frag_offset')}+{hs.get('frag_length')}")
    a = r.get("alert")
    if isinstance(a, dict):
        s += f" | level {a.get('level')} {alert_name(a.get('description'))}"
    return s


def datagram_summary(d, limit=None):
    """'server_hello, certificate, …' for a datagram; `limit` chars with an ellipsis."""
    recs = d.get("records") if isinstance(d.get("records"), list) else []
    s = ", ".join(record_short(r) for r in recs) or "(no records)"
    if d.get("malformed"):
        s += " + malformed"
    if limit and len(s) > limit:
        s = s[: limit - 1] + "…"
    return s
