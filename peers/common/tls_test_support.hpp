// What the TLS shim tests share: the shims by name, the contract's command
// lines over 127.0.0.1, and a server+client pair run to completion.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/pki/pki.hpp"
#include "impl/crypto/test_util.hpp"
#include "peers/common/test_peer.hpp"

namespace wireproof::peers::testing {

namespace fs = std::filesystem;
using nlohmann::json;


inline const std::map<std::string, std::string> kPeers = {{"openssl", WP_PEER_OPENSSL}, {"gnutls", WP_PEER_GNUTLS}};
inline constexpr const char* kEchoBytes = "65536";

struct TempDir : wireproof::crypto::testing::TempDir {
  TempDir() : wireproof::crypto::testing::TempDir("wp_tls_interop") {}
};

inline std::vector<std::string> command(const std::string& name, std::vector<std::string> args) {
  args.insert(args.begin(), kPeers.at(name));
  return args;
}

inline std::vector<std::string> server_args(const std::string& version, const wireproof::pki::PkiFiles& pki) {
  return {"--role", "server", "--protocol", version, "--listen", "127.0.0.1:0", "--cert", pki.server_cert.string(),
          "--key", pki.server_key.string(), "--ca", pki.ca_cert.string(), "--echo-bytes", kEchoBytes, "--chunk", "1000",
          "--handshake-timeout-ms", "10000", "--idle-timeout-ms", "5000"};
}

inline std::vector<std::string> client_args(const std::string& version, int port, const fs::path& ca) {
  return {"--role", "client", "--protocol", version, "--connect", "127.0.0.1:" + std::to_string(port), "--ca",
          ca.string(), "--server-name", "localhost", "--echo-bytes", kEchoBytes, "--chunk", "1000",
          "--handshake-timeout-ms", "10000", "--idle-timeout-ms", "5000"};
}

inline void append(std::vector<std::string>& args, std::initializer_list<std::string> more) {
  args.insert(args.end(), more.begin(), more.end());
}

inline int ready_port(TestPeer& server) {
  json ready = server.next_event();
  EXPECT_EQ(ready.value("event", ""), "ready") << ready.dump();
  return ready.value("port", 0);
}

inline std::string read_all(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::vector<std::uint8_t> unhex(const std::string& h) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<std::uint8_t>(std::stoi(h.substr(i, 2), nullptr, 16)));
  return out;
}

// The ClientHello.random of the key log's first line.
inline std::vector<std::uint8_t> first_random(const std::string& text) {
  std::istringstream in(text);
  std::string label, random;
  in >> label >> random;
  return unhex(random);
}

inline std::vector<std::string> labels_for(const std::string& version) {
  if (version == "tls1.2") return {"CLIENT_RANDOM"};
  return {"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0",
          "SERVER_TRAFFIC_SECRET_0"};
}


// A server and a client of the given shims, run until both exit.
struct PairRun {
  std::unique_ptr<TestPeer> server, client;
  int server_rc = -1, client_rc = -1;
  std::string transcripts() const { return "client:\n" + client->transcript() + "\nserver:\n" + server->transcript(); }
};

inline PairRun run_pair(const fs::path& dir, const std::string& client_impl, const std::string& server_impl,
                        std::vector<std::string> sargs, const std::function<std::vector<std::string>(int)>& cargs) {
  PairRun r;
  r.server = std::make_unique<TestPeer>(command(server_impl, std::move(sargs)), dir / "server.err");
  int port = ready_port(*r.server);
  r.client = std::make_unique<TestPeer>(command(client_impl, cargs(port)), dir / "client.err");
  r.client_rc = r.client->finish();
  r.server_rc = r.server->finish();
  return r;
}

// A string field of an event, "" when the event is missing (null) or lacks it.
inline std::string field(const json& event, const std::string& key) {
  if (!event.is_object() || !event.contains(key) || !event[key].is_string()) return "";
  return event[key].get<std::string>();
}

// Every event of that name, in order.
inline std::vector<json> all_events(const TestPeer& p, const std::string& name) {
  std::vector<json> out;
  for (const auto& e : p.events())
    if (e.is_object() && e.value("event", "") == name) out.push_back(e);
  return out;
}

using Pair = std::pair<std::string, std::string>;  // client, server

// A test run for one client x server pair of shims (the parameter), each
// run with the common command lines plus its own extra flags.
class TlsPairTest : public ::testing::TestWithParam<Pair> {
 protected:
  TempDir dir;
  wireproof::pki::PkiFiles pki = wireproof::pki::generate_pki(dir.path / "pki");
  const std::string& client_impl() const { return GetParam().first; }
  const std::string& server_impl() const { return GetParam().second; }

  PairRun run(const std::string& version, std::vector<std::string> server_extra, std::vector<std::string> client_extra,
              const fs::path& client_ca = {}) {
    auto s = server_args(version, pki);
    s.insert(s.end(), server_extra.begin(), server_extra.end());
    const fs::path ca = client_ca.empty() ? pki.ca_cert : client_ca;
    return run_pair(dir.path, client_impl(), server_impl(), s, [&](int port) {
      auto c = client_args(version, port, ca);
      c.insert(c.end(), client_extra.begin(), client_extra.end());
      return c;
    });
  }
};

// The four pairs, named "openssl_to_gnutls" (client_to_server).
inline auto all_pairs() {
  return ::testing::Values(Pair{"openssl", "openssl"}, Pair{"openssl", "gnutls"}, Pair{"gnutls", "openssl"},
                           Pair{"gnutls", "gnutls"});
}
inline std::string pair_name(const ::testing::TestParamInfo<Pair>& info) {
  return info.param.first + "_to_" + info.param.second;
}

}  // namespace wireproof::peers::testing
