"""result.json `topology` (the L3 wire's namespaces, devices, kernel and
sysctls per side) as the run page shows it: each side's facts, only the
sysctls whose values differ between the sides (a profile such as linux-rfc
shows as exactly what it changes), and the ones the kernel lacked."""


def _side(t):
    t = t if isinstance(t, dict) else {}
    addrs = t.get("addresses") if isinstance(t.get("addresses"), list) else []
    return {"namespace": str(t.get("namespace", "")), "device": str(t.get("device", "")),
            "device_name": str(t.get("device_name", "")), "addresses": ", ".join(map(str, addrs)),
            "mtu": t.get("mtu", ""), "kernel": str(t.get("kernel", ""))}


def view(topology):
    """None when the run had no L3 topology (a UDP-relay run)."""
    if not isinstance(topology, dict) or not topology:
        return None
    sides = {r: topology.get(r) if isinstance(topology.get(r), dict) else {} for r in ("client", "server")}
    sys = {r: s.get("sysctls") if isinstance(s.get("sysctls"), dict) else {} for r, s in sides.items()}
    names = sorted(set(sys["client"]) | set(sys["server"]))
    differ = [{"name": n, "client": str(sys["client"].get(n, "(absent)")), "server": str(sys["server"].get(n, "(absent)"))}
              for n in names if sys["client"].get(n) != sys["server"].get(n)]
    skipped = topology.get("sysctls_skipped") if isinstance(topology.get("sysctls_skipped"), list) else []
    return {"client": _side(sides["client"]), "server": _side(sides["server"]), "ipv6": bool(topology.get("ipv6")),
            "mode": str(topology.get("mode", "")),
            "differ": differ, "same": len(names) - len(differ), "skipped": [str(x) for x in skipped]}
