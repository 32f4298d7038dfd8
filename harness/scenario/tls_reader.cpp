// The `tls:` section of a TLS scenario (docs/SCENARIO.md "TLS"): what each
// side's peer is configured with, one TLS_CONTRACT.md flag per field. Every
// value a peer would refuse (exit 3) is refused here first (validate == run).
#include <algorithm>
#include <array>
#include <regex>

#include <fmt/format.h>

#include "harness/scenario/protocol.hpp"
#include "harness/scenario/sections.hpp"

namespace wireproof::scenario {

namespace {

// IANA TLS Supported Groups names (RFC 8446 4.2.7, RFC 7919) as OpenSSL and the contract spell them.
constexpr std::array<std::string_view, 9> kGroups{"x25519",    "x448",      "secp256r1", "secp384r1", "secp521r1",
                                                  "ffdhe2048", "ffdhe3072", "ffdhe4096", "ffdhe8192"};
constexpr std::array<std::string_view, 2> kVersions{"tls1.2", "tls1.3"};
constexpr std::array<std::string_view, 3> kClientCertModes{"none", "optional", "required"};
constexpr std::array<std::string_view, 2> kUnknownSni{"default", "alert"};
// RFC 6066 4: the only lengths max_fragment_length can name.
constexpr std::array<std::int64_t, 4> kMflValues{512, 1024, 2048, 4096};
// The contract's --record-size-limit range: RFC 8449 4's floor of 64 up to TLS 1.3's 2^14 + 1.
constexpr Bounds kRecordSizeLimit{64, 16385};

// A DNS host name (RFC 1123 2.1 labels); also what the harness PKI writes into
// a SAN. An all-digit last label is an IPv4 literal, which RFC 6066 3 forbids
// in SNI ("Literal IPv4 and IPv6 addresses are not permitted in HostName").
bool dns_name(const std::string& s) {
  static const std::regex kName(R"([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)");
  if (s.size() > 253 || !std::regex_match(s, kName)) return false;
  const std::string last = s.substr(s.rfind('.') + 1);
  return last.find_first_not_of("0123456789") != std::string::npos;
}

template <std::size_t N>
std::optional<std::string> one_of(const MapReader& m, std::string_view key, const std::array<std::string_view, N>& names,
                                  std::string_view what) {
  auto v = m.string(key);
  if (!v) return std::nullopt;
  if (std::find(names.begin(), names.end(), *v) != names.end()) return v;
  m.error_at(key, fmt::format("{} '{}' is not {}{} (expected one of {})", key, *v, what, did_you_mean(*v, names),
                              join_names(names)));
  return std::nullopt;
}

// A comma-joined contract list (--alpn, --groups): at least one name, none twice.
std::vector<std::string> name_list(const MapReader& m, std::string_view key) {
  auto v = m.strings(key);
  if (!v) return {};
  if (v->empty()) m.error_at(key, fmt::format("{} is empty; name at least one or leave {} out", key, key));
  for (auto it = v->begin(); it != v->end(); ++it)
    if (std::find(v->begin(), it, *it) != it) m.error_at(key, fmt::format("{} names '{}' twice", key, *it));
  return *v;
}

std::vector<std::string> read_alpn(const MapReader& m) {
  auto out = name_list(m, "alpn");
  for (const auto& p : out)
    // RFC 7301 3.1: a protocol name is 1..255 bytes; the contract joins them with commas.
    if (p.empty() || p.size() > 255 || p.find(',') != std::string::npos)
      m.error_at("alpn", fmt::format("alpn protocol '{}' must be 1..255 bytes without ',' (RFC 7301 3.1)", p));
  return out;
}

std::vector<std::string> read_groups(const MapReader& m) {
  auto out = name_list(m, "groups");
  for (const auto& g : out)
    if (std::find(kGroups.begin(), kGroups.end(), g) == kGroups.end())
      m.error_at("groups", fmt::format("group '{}' is not a TLS group name{} (expected some of {})", g,
                                       did_you_mean(g, kGroups), join_names(kGroups)));
  return out;
}

std::optional<int> read_mfl(const MapReader& m) {
  auto v = m.integer("max_fragment_length", {0});
  if (!v) return std::nullopt;
  if (std::find(kMflValues.begin(), kMflValues.end(), *v) != kMflValues.end()) return static_cast<int>(*v);
  m.error_at("max_fragment_length",
             fmt::format("max_fragment_length {} is not one RFC 6066 4 defines (512, 1024, 2048 or 4096)", *v));
  return std::nullopt;
}

// The keys both sides have; `both` holds the section-wide record_size_limit / max_fragment_length.
void read_side_common(const MapReader& m, const std::string& protocol, const TlsSide& both, TlsSide& side) {
  side.version = one_of(m, "version", kVersions, "a TLS version").value_or(protocol);
  side.alpn = read_alpn(m);
  side.groups = read_groups(m);
  side.record_size_limit = both.record_size_limit;
  side.max_fragment_length = both.max_fragment_length;
  if (auto v = m.integer("record_size_limit", kRecordSizeLimit)) side.record_size_limit = static_cast<int>(*v);
  if (auto v = read_mfl(m)) side.max_fragment_length = v;
  if (auto v = m.boolean("key_update")) side.key_update = *v;
  if (side.key_update && side.version != "tls1.3" && protocol != "dtls1.2")  // dtls1.2: refused as TCP-only
    m.error_at("key_update", fmt::format("key_update is TLS 1.3's KeyUpdate message (RFC 8446 4.6.3); this side "
                                         "speaks {}",
                                         side.version));
}

}  // namespace

void read_tls(const YAML::Node& node, Diagnostics& diag, Scenario& sc) {
  auto& tls = sc.tls;
  tls.section_given = node.IsDefined() && !node.IsNull();
  MapReader t(node, "in tls",
              {"server_name", "resume", "early_data", "record_size_limit", "max_fragment_length", "client", "server"},
              diag);
  if (auto name = t.string("server_name")) {
    if (*name == "none")  // the client sends no SNI and verifies the server's address (--no-server-name)
      tls.no_server_name = true;
    else if (dns_name(*name))
      tls.server_name = *name;
    else
      t.error_at("server_name", fmt::format("server_name '{}' is not a DNS host name (RFC 6066 3: SNI carries "
                                            "host names, not addresses; none sends no SNI)",
                                            *name));
  }
  TlsSide both;
  if (auto v = t.integer("record_size_limit", kRecordSizeLimit)) both.record_size_limit = static_cast<int>(*v);
  both.max_fragment_length = read_mfl(t);
  if (auto v = t.boolean("resume")) tls.resume = *v;
  if (auto v = t.boolean("early_data")) tls.early_data = *v;

  MapReader c(t.get("client"), "in tls.client",
              {"version", "alpn", "groups", "record_size_limit", "max_fragment_length", "key_update", "cert"}, diag);
  read_side_common(c, sc.protocol, both, tls.client);
  MapReader s(t.get("server"), "in tls.server",
              {"version", "alpn", "groups", "record_size_limit", "max_fragment_length", "key_update", "host_certs",
               "unknown_sni", "client_cert", "plaintext", "ip_cert"},
              diag);
  read_side_common(s, sc.protocol, both, tls.server);

  if (auto names = s.strings("host_certs")) {
    if (names->empty()) s.error_at("host_certs", "host_certs is empty; name at least one host or leave host_certs out");
    for (auto it = names->begin(); it != names->end(); ++it) {
      if (!dns_name(*it))
        s.error_at("host_certs", fmt::format("host_certs '{}' is not a DNS host name (the harness PKI issues a "
                                             "certificate with SAN DNS:<name> for each)",
                                             *it));
      else if (std::find(names->begin(), it, *it) != it)
        s.error_at("host_certs", fmt::format("host_certs names '{}' twice", *it));
    }
    tls.host_certs = *names;
  }
  tls.unknown_sni = one_of(s, "unknown_sni", kUnknownSni, "a behaviour for an unknown SNI host");
  if (auto v = s.boolean("ip_cert")) tls.server_ip_cert = *v;
  tls.client_cert = one_of(s, "client_cert", kClientCertModes, "a client-certificate mode").value_or("none");
  // The client has a certificate when the server asks for one, unless the scenario says otherwise.
  tls.client_has_cert = c.boolean("cert").value_or(tls.client_cert != "none");

  if (auto v = s.boolean("plaintext")) tls.server_plaintext = *v;
  if (tls.server_plaintext)
    for (std::string_view key : {"host_certs", "unknown_sni", "client_cert", "alpn", "groups", "record_size_limit",
                                 "max_fragment_length", "key_update", "version", "ip_cert"})
      if (s.has(key))
        s.error_at_key(key, fmt::format("{} configures the server's TLS, but plaintext: true makes it speak none", key));

  if (tls.early_data) {
    if (!tls.resume)
      t.error_at("early_data", "early_data (0-RTT) needs resume: true; early data rides on a resumed session's PSK "
                               "(RFC 8446 2.3)");
    if (tls.client.version != "tls1.3" || tls.server.version != "tls1.3")
      t.error_at("early_data", "early_data (0-RTT) is TLS 1.3's (RFC 8446 4.2.10); both sides must speak tls1.3");
  }
  tls.client_cert_given = s.has("client_cert");

  // DTLS 1.2 takes the contract's certificate and naming flags (SNI, host
  // certificates, client certificates, ALPN); the rest are TLS-over-TCP's
  // (the shims refuse them for dtls1.2 with 127), so a DTLS scenario naming
  // one is refused here, before any peer runs.
  if (sc.protocol == "dtls1.2") {
    const auto tcp_only = [&](const MapReader& m, std::initializer_list<std::string_view> keys) {
      for (auto key : keys)
        if (m.has(key))
          m.error_at_key(key, fmt::format("{} is for TLS over TCP (tls1.2 / tls1.3); a dtls1.2 scenario's tls: "
                                          "section takes server_name, alpn, client.cert, server.host_certs, "
                                          "server.unknown_sni, server.ip_cert and server.client_cert",
                                          key));
    };
    tcp_only(t, {"resume", "early_data", "record_size_limit", "max_fragment_length"});
    tcp_only(c, {"version", "groups", "record_size_limit", "max_fragment_length", "key_update"});
    tcp_only(s, {"version", "groups", "record_size_limit", "max_fragment_length", "key_update", "plaintext"});
  }
}

}  // namespace wireproof::scenario
