// Known failures (like BoGo's DisabledTests): a YAML list of
//   - scenario: mtu-shrink-mid-handshake   # name, or "*"
//     client: gnutls                       # peer name, or "*" (default)
//     server: "*"
//     check: mtu_fit                       # check name, or "*"
//     reason: GnuTLS keeps sending 1228-byte datagrams after the MTU drops ...
// A failing check that matches an entry is reported as xfail with the reason.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace wireproof::runner {

struct KnownFailure {
  std::string scenario = "*", client = "*", server = "*", check = "*", reason;
  std::string where;  // "file:line" of the entry, for messages
};

struct Expectations {
  std::vector<KnownFailure> entries;
  // The reason if (scenario, client, server, check) is a known failure.
  std::optional<std::string> known_failure(const std::string& scenario, const std::string& client,
                                           const std::string& server, const std::string& check) const;
};

// Throws std::runtime_error "file:line:col: message" on bad input.
Expectations load_expectations(const std::string& path);
Expectations parse_expectations(const std::string& text, const std::string& name);

}  // namespace wireproof::runner
