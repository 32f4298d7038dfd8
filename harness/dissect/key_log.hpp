// An NSS key log (the SSLKEYLOGFILE format OpenSSL's
// SSL_CTX_set_keylog_callback and GnuTLS's keylog function write): one
// "<LABEL> <client_random hex> <secret hex>" per line, '#' comments and blank
// lines ignored. Secrets are found by the ClientHello's random, so one file
// may hold many connections.
//
//   auto parsed = parse_key_log(text);
//   for (auto& e : parsed.errors) report(e);            // "line 3: ..."
//   if (auto* s = parsed.log.find(ch.random, "SERVER_HANDSHAKE_TRAFFIC_SECRET")) ...
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace wireproof::dissect {

class KeyLog {
 public:
  using Bytes = std::vector<std::uint8_t>;
  // The secret logged under `label` for the connection whose ClientHello.random is `client_random`.
  const Bytes* find(const Bytes& client_random, std::string_view label) const;
  // Whether any secret is logged for that connection.
  bool has(const Bytes& client_random) const { return secrets_.count(client_random) > 0; }
  void add(Bytes client_random, std::string label, Bytes secret);
  // Every secret of `other` added (another file of the same run).
  void merge(const KeyLog& other);
  std::size_t connections() const { return secrets_.size(); }

 private:
  std::map<Bytes, std::map<std::string, Bytes, std::less<>>> secrets_;
};

struct KeyLogParse {
  KeyLog log;
  std::vector<std::string> errors;  // "line N: what", one per line not understood
};

KeyLogParse parse_key_log(std::string_view text);

// A run's key-log files (TLS_CONTRACT.md: the runner passes --key-log
// <run dir>/keylog-<side>.txt to each shim whose registry entry says
// "key_log": true): the checks decrypt with them, capture.pcapng embeds them.
inline constexpr const char* kRunKeyLogFiles[] = {"keylog-client.txt", "keylog-server.txt"};
struct KeyLogFile {
  std::string name;   // "keylog-client.txt"
  std::string text;
  std::string error;  // non-empty: it exists but could not be read (text empty)
};
// Those of kRunKeyLogFiles that exist in `run_dir`, in that order.
std::vector<KeyLogFile> read_run_key_logs(const std::filesystem::path& run_dir);

}  // namespace wireproof::dissect
