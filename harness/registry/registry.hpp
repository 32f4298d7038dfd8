// peers/registry.json: the one list of every peer wireproof can run — the
// contract shims (wireproof-peer-openssl, ...) and the stock command-line
// tools wrapped by wireproof-stock. Loaded and validated as a whole, so a
// broken entry fails at load time with its name and field.
//
//   auto reg = wireproof::registry::Registry::load("peers/registry.json");
//   std::vector<std::string> argv = reg.argv_prefix("gnutls-cli", build_dir);
//   argv += {"--role", "client", ...};   // then the peer contract's flags
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "peers/capabilities.hpp"
#include "harness/registry/sysctl_profile.hpp"
#include "harness/registry/tool_spec.hpp"

namespace wireproof::registry {

struct PeerEntry {
  std::string name;                    // "openssl", "gnutls-cli", ...
  std::string kind;                    // "shim" | "stock"
  std::vector<std::string> protocols;  // {"dtls1.2"} (the default), {"tcp"}, {"tls1.2", "tls1.3"} (scenario/protocol.hpp)
  std::string device = "tun";          // on the L3 wire: "tun" | "packet_socket" (the peer takes --packet-fd)
  std::string implementation;          // "OpenSSL", "GnuTLS", "wireproof"
  std::string executable;              // relative to the build directory, or absolute (a user's own stack)
  std::vector<std::string> args;       // fixed leading arguments; may use {registry}
  std::string description;
  std::optional<ToolSpec> tool;        // stock entries only
  contract::Capabilities capabilities;
  SysctlProfile kernel;                // "sysctls" and "route": applied in the peer's namespace (L3 wire)
  // "key_log": the peer takes --key-log PATH and writes NSS key-log lines there
  // (TLS_CONTRACT.md "Registry"; TLS and DTLS runs), so the harness can decrypt what it captured.
  bool key_log = false;

  bool speaks(std::string_view protocol) const {
    for (const auto& p : protocols)
      if (p == protocol) return true;
    return false;
  }

  // The value a stock tool always uses for contract option `option` (without
  // "--", e.g. "timer-initial-ms") in `role` ("client" | "server"), when its
  // entry declares it "fixed"; nullopt for shims and options the tool sets.
  std::optional<int> fixed_value(std::string_view role, std::string_view option) const;
};

// The source tree's peers/registry.json, compiled in.
std::filesystem::path default_registry_file();

class Registry {
 public:
  // Throws RegistryError ("<file>: ...") when the file cannot be read or parsed,
  // or an entry is invalid ("<file>: peer 'x': field 'y': ...").
  static Registry load(const std::filesystem::path& file);
  // The same from a parsed document; `file` is used in messages and for {registry}.
  static Registry from_json(const nlohmann::json& doc, const std::filesystem::path& file);

  // Names in registry order.
  std::vector<std::string> names() const;
  const std::vector<PeerEntry>& entries() const { return entries_; }
  // Throws RegistryError listing the known names when `name` is not registered.
  const PeerEntry& find(std::string_view name) const;
  // The command that runs peer `name` (absolute executable path, then its
  // fixed arguments); the caller appends the contract's flags. Does not
  // check that the executable exists: the runner reports that with context.
  std::vector<std::string> argv_prefix(std::string_view name, const std::filesystem::path& build_dir) const;
  const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
  std::vector<PeerEntry> entries_;
};

}  // namespace wireproof::registry
