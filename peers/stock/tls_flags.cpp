#include "peers/stock/tls_flags.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>

namespace wireproof::stock {

namespace {

constexpr int kTlsHandshakeTimeoutMin = 2000, kTlsHandshakeTimeoutMax = 120000;

bool take_flag(std::vector<std::string>& args, const std::string& name) {
  auto it = std::remove(args.begin(), args.end(), name);
  const bool found = it != args.end();
  args.erase(it, args.end());
  return found;
}

std::optional<int> to_int(const std::string& s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// Empty when fine, else what is wrong with the value.
std::string check_alpn(const std::string& list) {
  std::size_t start = 0;
  for (;;) {
    auto comma = list.find(',', start);
    const auto len = (comma == std::string::npos ? list.size() : comma) - start;
    if (len == 0 || len > 255) return "--alpn '" + list + "': each protocol is 1..255 bytes";
    if (comma == std::string::npos) return "";
    start = comma + 1;
  }
}

std::string check_host_cert(const std::string& text) {
  auto eq = text.find('=');
  auto colon = text.find(':', eq == std::string::npos ? 0 : eq);
  if (eq == std::string::npos || eq == 0 || colon == std::string::npos || colon == eq + 1 || colon + 1 == text.size())
    return "--host-cert '" + text + "' is not NAME=CERT:KEY";
  for (const auto& f : {text.substr(eq + 1, colon - eq - 1), text.substr(colon + 1)})
    if (!std::filesystem::is_regular_file(f)) return "--host-cert " + text.substr(0, eq) + ": file not found: " + f;
  return "";
}

}  // namespace

std::vector<std::string> take_values(std::vector<std::string>& args, const std::string& name) {
  std::vector<std::string> values;
  for (std::size_t i = 0; i < args.size();) {
    if (args[i] == name && i + 1 < args.size()) {
      values.push_back(args[i + 1]);
      args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
    } else if (args[i].rfind(name + "=", 0) == 0) {
      values.push_back(args[i].substr(name.size() + 1));
      args.erase(args.begin() + static_cast<long>(i));
    } else {
      ++i;
    }
  }
  return values;
}

std::optional<std::string> take_value(std::vector<std::string>& args, const std::string& name) {
  auto v = take_values(args, name);
  if (v.empty()) return std::nullopt;
  return v.back();
}

std::vector<std::string> TlsFlags::given(peers::Role role) const {
  std::vector<std::string> g;
  if (alpn) g.push_back("alpn");
  if (key_log) g.push_back("key-log");
  if (max_fragment_length) g.push_back("max-fragment-length");
  if (record_size_limit) g.push_back("record-size-limit");
  if (resume) g.push_back("resume");
  if (key_update) g.push_back("key-update");
  if (early_data) g.push_back("early-data");
  if (!host_certs.empty()) g.push_back("host-cert");
  if (unknown_sni) g.push_back("unknown-sni=" + *unknown_sni);
  // The TLS contract's default is no CertificateRequest: the tool must be told so.
  if (client_cert)
    g.push_back("client-cert=" + *client_cert);
  else if (tls() && role == peers::Role::server)
    g.push_back("client-cert=none");
  return g;
}

TlsSplit split_tls_flags(std::vector<std::string> args) {
  TlsSplit s;
  TlsFlags& f = s.flags;
  auto bad = [&](const std::string& why) {
    s.error = peers::usage_error(why);
    return s;
  };
  // --version answers alone (the common parser), whatever else is on the line.
  if (std::find(args.begin(), args.end(), "--version") != args.end()) {
    s.rest = std::move(args);
    return s;
  }
  f.protocol = take_value(args, "--protocol").value_or("");
  f.host_certs = take_values(args, "--host-cert");
  f.unknown_sni = take_value(args, "--unknown-sni");
  f.alpn = take_value(args, "--alpn");
  f.client_cert = take_value(args, "--client-cert");
  f.key_log = take_value(args, "--key-log");
  const auto rsl = take_value(args, "--record-size-limit");
  const auto mfl = take_value(args, "--max-fragment-length");
  f.resume = take_flag(args, "--resume");
  f.key_update = take_flag(args, "--key-update");
  f.early_data = take_flag(args, "--early-data");
  f.timer_given = std::any_of(args.begin(), args.end(),
                              [](const std::string& a) { return a.rfind("--timer-initial-ms", 0) == 0; });
  f.mtu_given = std::any_of(args.begin(), args.end(), [](const std::string& a) { return a.rfind("--mtu", 0) == 0; });

  if (f.unknown_sni && *f.unknown_sni != "default" && *f.unknown_sni != "alert")
    return bad("--unknown-sni " + *f.unknown_sni + " is not one of default, alert");
  if (f.client_cert && *f.client_cert != "none" && *f.client_cert != "optional" && *f.client_cert != "required")
    return bad("--client-cert " + *f.client_cert + " is not one of none, optional, required");
  if (f.alpn)
    if (auto why = check_alpn(*f.alpn); !why.empty()) return bad(why);
  for (const auto& h : f.host_certs)
    if (auto why = check_host_cert(h); !why.empty()) return bad(why);
  if (f.key_log && f.key_log->empty()) return bad("--key-log needs a file path");
  if (rsl) {
    f.record_size_limit = to_int(*rsl);
    if (!f.record_size_limit || *f.record_size_limit < 64 || *f.record_size_limit > 16385)
      return bad("--record-size-limit " + *rsl + " is outside 64..16385");
  }
  if (mfl) {
    f.max_fragment_length = to_int(*mfl);
    const int v = f.max_fragment_length.value_or(0);
    if (v != 512 && v != 1024 && v != 2048 && v != 4096)
      return bad("--max-fragment-length " + *mfl + " is not one of 512, 1024, 2048, 4096");
  }
  if (f.tls() && f.timer_given) {
    s.error = peers::unsupported("--timer-initial-ms with --protocol " + f.protocol);
    return s;
  }
  // The shared flags mean the same for TLS: the common parser checks them as DTLS's.
  if (!f.protocol.empty()) args.insert(args.end(), {"--protocol", f.tls() ? "dtls1.2" : f.protocol});
  s.rest = std::move(args);
  return s;
}

std::optional<peers::ParseResult> check_tls_rules(const TlsFlags& f, const peers::PeerOptions& o) {
  const bool client = o.role == peers::Role::client;
  if (client && (!f.host_certs.empty() || f.unknown_sni || f.client_cert))
    return peers::usage_error("--host-cert, --unknown-sni and --client-cert are a server's options");
  if (!f.tls()) return std::nullopt;
  if (o.handshake_timeout_ms < kTlsHandshakeTimeoutMin || o.handshake_timeout_ms > kTlsHandshakeTimeoutMax)
    return peers::usage_error("--handshake-timeout-ms " + std::to_string(o.handshake_timeout_ms) + " is outside " +
                              std::to_string(kTlsHandshakeTimeoutMin) + ".." +
                              std::to_string(kTlsHandshakeTimeoutMax) + " for TLS");
  if (f.key_update && f.protocol != "tls1.3") return peers::usage_error("--key-update needs --protocol tls1.3");
  return std::nullopt;
}

}  // namespace wireproof::stock
