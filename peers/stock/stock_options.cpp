#include "peers/stock/stock_options.hpp"

#include <algorithm>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "harness/scenario/protocol.hpp"
#include "peers/common/peer_ending.hpp"

namespace wireproof::stock {

namespace {

// Whether the role's section says what to do with contract option `option`
// (without "--"): mapped by name or per value, ignored with a reason, or fixed.
bool covers(const registry::RoleSpec& spec, const std::string& option) {
  auto lists = [&option](const auto& by_key) {
    return std::any_of(by_key.begin(), by_key.end(), [&option](const auto& entry) {
      return entry.first == option || entry.first.rfind(option + "=", 0) == 0;
    });
  };
  return lists(spec.options) || lists(spec.ignored) || lists(spec.fixed);
}

// The parser names the flag it refused; the wrapper adds whose registry entry lacks it.
peers::ParseResult naming_the_tool(const peers::ParseResult& r, const std::string& who) {
  static const std::string prefix = "unsupported: ";
  const auto event = nlohmann::json::parse(r.stdout_text, nullptr, /*allow_exceptions=*/false);
  if (!event.is_object() || !event.contains("message") || !event["message"].is_string()) return r;
  const auto& message = event["message"].get_ref<const std::string&>();
  if (message.rfind(prefix, 0) != 0) return r;
  return peers::unsupported(message.substr(prefix.size()) + " (" + who + " has no equivalent)");
}

const char* value_name(peers::ClientCert c) {
  switch (c) {
    case peers::ClientCert::none: return "none";
    case peers::ClientCert::optional: return "optional";
    case peers::ClientCert::required: return "required";
  }
  return "none";
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

peers::PeerCapabilities tool_capabilities(const registry::PeerEntry& entry, peers::Role role) {
  if (!entry.tool) throw std::invalid_argument("peer '" + entry.name + "' is not a stock tool");
  peers::PeerCapabilities caps{.protocols = {}, .missing = {}};
  for (const auto& protocol : entry.protocols) {
    const registry::RoleSpec* spec = entry.tool->role_for(protocol, role == peers::Role::server);
    if (!spec) continue;
    std::vector<std::string> missing;
    for (const auto& flag : peers::contract_flags())
      if (!covers(*spec, flag.substr(2))) missing.push_back(flag);
    caps.protocols.push_back(protocol);
    caps.missing.emplace_back(protocol, std::move(missing));
  }
  return caps;
}

peers::ParseResult parse_stock_options(std::vector<std::string> args, const registry::PeerEntry& entry,
                                       const peers::PeerIdentity& id) {
  if (!entry.tool) throw std::invalid_argument("peer '" + entry.name + "' is not a stock tool");
  if (auto v = peers::version_answer(args, id)) return *v;
  // Stock tools can only carry lines: binary is a valid framing they lack (127),
  // anything else is a bad value (3, as the shims answer it).
  if (auto framing = take_value(args, "--framing"); framing && *framing != "lines") {
    if (*framing != "binary") return peers::usage_error("--framing " + *framing + " is not one of binary, lines");
    return peers::unsupported("--framing binary (stock tools carry the workload as text lines)");
  }
  // The capabilities depend on the role, which is known once the line is
  // parsed; so the first pass refuses no flag and settles every value and
  // rule (3, and a server's flag on a client, as the shims answer them), and
  // the second refuses what the role's registry section lacks.
  peers::PeerCapabilities any{.protocols = {}, .missing = {}};
  for (auto p : scenario::kProtocols) any.protocols.emplace_back(p);
  auto first = peers::parse_peer_options(args, id, any);
  if (!first.options) return first;
  const auto role = first.options->role;
  auto r = peers::parse_peer_options(args, id, tool_capabilities(entry, role));
  if (r.exit_code == peers::kExitUnsupported)
    return naming_the_tool(r, entry.name + "'s " + (role == peers::Role::server ? "server" : "client"));
  if (r.options) r.options->framing = peers::Framing::lines;
  return r;
}

std::vector<std::string> given_options(const peers::PeerOptions& o) {
  const bool server = o.role == peers::Role::server;
  std::vector<std::string> given{"ca"};
  if (!o.cert.empty()) given.insert(given.end(), {"cert", "key"});
  if (o.server_name) given.push_back("server-name");
  if (o.mtu && !o.is_tls()) given.push_back("mtu");
  if (o.timer_initial_ms) given.push_back("timer-initial-ms");
  if (!o.alpn.empty()) given.push_back("alpn");
  if (o.key_log) given.push_back("key-log");
  if (o.max_fragment_length) given.push_back("max-fragment-length");
  if (o.record_size_limit) given.push_back("record-size-limit");
  if (o.resume) given.push_back("resume");
  if (o.key_update) given.push_back("key-update");
  if (o.early_data) given.push_back("early-data");
  if (!o.host_certs.empty()) given.push_back("host-cert");
  // The contract's default (serve --cert to a name without --host-cert) gives
  // no key: the parser does not say whether it was written out.
  if (o.unknown_sni == peers::UnknownSni::alert) given.push_back("unknown-sni=alert");
  // The parser resolves a TLS run's --client-cert to none when absent (the
  // contract's default, which the tools must be told); DTLS keeps it absent.
  if (server && o.client_cert) given.push_back(std::string("client-cert=") + value_name(*o.client_cert));
  return given;
}

}  // namespace wireproof::stock
