// workload: what the peers do once connected. DTLS and TLS echo; TCP has the
// workloads of peers/CONTRACT.md "TCP", with their own parameters.
#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "harness/scenario/protocol.hpp"
#include "harness/scenario/sections.hpp"

namespace wireproof::scenario {

namespace {

constexpr std::array<std::string_view, 9> kTcpWorkloads{"echo",     "bulk",         "stall",
                                                        "keepalive", "urgent",      "half-close",
                                                        "abort-unread", "linger-abort", "reconnect"};

void read_keepalive(const YAML::Node& node, Diagnostics& diag, TcpSettings& tcp) {
  MapReader k(node, "in workload.keepalive", {"idle_s", "intvl_s", "count"}, diag);
  k.require({"idle_s", "intvl_s", "count"});
  // Linux's bounds for TCP_KEEPIDLE / TCP_KEEPINTVL (MAX_TCP_KEEPIDLE 32767 s) and TCP_KEEPCNT (127).
  auto idle = k.integer("idle_s", {1, 32767});
  auto intvl = k.integer("intvl_s", {1, 32767});
  auto count = k.integer("count", {1, 127});
  if (idle && intvl && count)
    tcp.keepalive = Keepalive{static_cast<int>(*idle), static_cast<int>(*intvl), static_cast<int>(*count)};
}

// kind and its parameters; `kind` is known to be a TCP workload.
void read_tcp_parameters(const MapReader& r, std::string_view kind, Diagnostics& diag, TcpSettings& tcp) {
  const bool stall = kind == "stall", keepalive = kind == "keepalive";
  if (r.has("stall_ms") && !stall)
    r.error_at_key("stall_ms", fmt::format("stall_ms belongs to workload kind stall, not {}", kind));
  if (r.has("keepalive") && !keepalive)
    r.error_at_key("keepalive", fmt::format("keepalive belongs to workload kind keepalive, not {}", kind));
  if (stall) {
    if (!r.has("stall_ms")) r.error_at("kind", "workload kind stall needs stall_ms: how long the server stops reading");
    if (auto v = r.integer("stall_ms", {1, 600000})) tcp.stall_ms = static_cast<int>(*v);
  }
  if (keepalive) {
    if (!r.has("keepalive"))
      r.error_at("kind", "workload kind keepalive needs keepalive: {idle_s, intvl_s, count}");
    else
      read_keepalive(r.get("keepalive"), diag, tcp);
  }
}

}  // namespace

void read_workload(const YAML::Node& node, Diagnostics& diag, const contract::ProtocolLimits& lim, Scenario& sc) {
  MapReader r(node, "in workload", {"kind", "bytes", "echo_bytes", "chunk", "stall_ms", "keepalive"}, diag);
  auto& w = sc.workload;
  const bool tcp = sc.protocol == "tcp";
  const bool stream = runs_over_tcp(sc.protocol);  // TLS echoes the TCP contract's byte stream
  // `bytes` is the workload's size for any kind; echo_bytes its older, DTLS-era name.
  if (r.has("bytes") && r.has("echo_bytes"))
    r.error_at_key("echo_bytes", "give bytes or echo_bytes (the same number), not both");
  for (std::string_view key : {"bytes", "echo_bytes"})
    if (auto v = r.integer(key, {0, 1e9})) w.echo_bytes = static_cast<std::uint64_t>(*v);
  // A DTLS record carries 16 bytes at least (the chunk index and some
  // pattern); a TCP chunk is one write() (TLS: one SSL_write) and may be a single byte.
  const Bounds chunk_range = stream ? Bounds{1, 1e9} : Bounds{16, 16384};
  if (auto v = r.integer("chunk", chunk_range)) {
    if (*v > lim.chunk_max)
      r.error_at("chunk", stream ? fmt::format("chunk {} is more than a {} peer accepts (--chunk 1..{}, one {}, "
                                               "peers/CONTRACT.md)",
                                               *v, sc.protocol, lim.chunk_max, tcp ? "write()" : "SSL_write")
                              : fmt::format("chunk {} is more than a {} peer accepts (--chunk 1..{}: a record's 16384 "
                                            "plaintext bytes minus the 8-byte chunk index, peers/CONTRACT.md)",
                                            *v, sc.protocol, lim.chunk_max));
    else
      w.chunk = static_cast<std::uint32_t>(*v);
  }
  if (!tcp) {
    for (std::string_view key : {"stall_ms", "keepalive"})
      if (r.has(key)) r.error_at_key(key, fmt::format("{} is a TCP workload parameter; this scenario's protocol is {}",
                                                      key, sc.protocol));
    if (auto kind = r.string("kind"); kind && *kind != "echo")
      r.error_at("kind", fmt::format("workload kind '{}' is TCP's; a {} peer only echoes (kind echo)", *kind,
                                     sc.protocol));
    return;
  }
  if (auto kind = r.string("kind")) {
    if (std::find(kTcpWorkloads.begin(), kTcpWorkloads.end(), *kind) != kTcpWorkloads.end())
      sc.tcp.workload = *kind;
    else
      r.error_at("kind", fmt::format("workload kind '{}' is not a TCP workload{} (expected one of {})", *kind,
                                     did_you_mean(*kind, kTcpWorkloads), join_names(kTcpWorkloads)));
  }
  read_tcp_parameters(r, sc.tcp.workload, diag, sc.tcp);
}

}  // namespace wireproof::scenario
