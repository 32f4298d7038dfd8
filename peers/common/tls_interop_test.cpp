// The real shims over TLS 1.2 and 1.3 on 127.0.0.1 TCP (peers/CONTRACT.md
// "TLS"): every client x server x version pair echoes 64 KiB with matching
// digests and agrees on version and cipher, and both key logs hold the
// secrets that version needs (the same ones on both sides). Then each
// contract flag against the other library. Binaries from CMake (WP_PEER_OPENSSL / WP_PEER_GNUTLS).
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "harness/dissect/key_log.hpp"
#include "peers/common/tls_test_support.hpp"

namespace {

using namespace wireproof::peers::testing;

using Case = std::tuple<std::string, std::string, std::string>;  // client, server, version

class TlsPair : public ::testing::TestWithParam<Case> {
 protected:
  TempDir dir;
  wireproof::pki::PkiFiles pki = wireproof::pki::generate_pki(dir.path / "pki");
};

TEST_P(TlsPair, EchoesWithMatchingDigestsAndBothKeyLogsHoldTheVersionsSecrets) {
  const auto& [client_name, server_name, version] = GetParam();
  const fs::path client_log = dir.path / "keylog-client.txt", server_log = dir.path / "keylog-server.txt";
  auto sargs = server_args(version, pki);
  append(sargs, {"--key-log", server_log.string()});
  TestPeer server(command(server_name, sargs), dir.path / "server.err");
  int port = ready_port(server);
  ASSERT_GT(port, 0);
  auto cargs = client_args(version, port, pki.ca_cert);
  append(cargs, {"--key-log", client_log.string()});
  TestPeer client(command(client_name, cargs), dir.path / "client.err");
  int client_rc = client.finish();
  int server_rc = server.finish();
  ASSERT_EQ(client_rc, 0) << client.transcript();
  ASSERT_EQ(server_rc, 0) << server.transcript();

  const std::string expect_version = version == "tls1.3" ? "TLSv1.3" : "TLSv1.2";
  for (TestPeer* p : {&client, &server}) {
    json hs = p->event("handshake_done");
    EXPECT_EQ(hs.value("version", ""), expect_version) << p->transcript();
    EXPECT_FALSE(hs.value("cipher", "").empty());
    EXPECT_FALSE(hs["group"].is_null()) << p->transcript();
    EXPECT_EQ(hs["resumed"], false);
    EXPECT_EQ(hs["connection"], 1);
    EXPECT_FALSE(p->event("connected").is_null()) << p->transcript();
  }
  json ch = client.event("handshake_done"), sh = server.event("handshake_done");
  EXPECT_EQ(ch["cipher"], sh["cipher"]);
  EXPECT_EQ(ch["cipher_iana"], sh["cipher_iana"]);
  EXPECT_EQ(ch["group"], sh["group"]);
  EXPECT_EQ(client.event("connected")["local"], server.event("connected")["remote"]);

  json c = client.event("app_data"), s = server.event("app_data");
  EXPECT_EQ(c["chunks"], 66);
  EXPECT_EQ(c["bytes"], 65536);
  EXPECT_EQ(c["resent"], 0);
  EXPECT_EQ(c["sent_sha256"], c["echoed_sha256"]);
  EXPECT_EQ(s["received_sha256"], c["sent_sha256"]);
  EXPECT_EQ(s["unique_chunks"], 66);
  EXPECT_EQ(s["duplicates"], 0);
  EXPECT_EQ(client.event("closed")["reason"], "done");
  EXPECT_EQ(server.event("closed")["reason"], "close_notify");

  const std::string ctext = read_all(client_log), stext = read_all(server_log);
  auto cparsed = wireproof::dissect::parse_key_log(ctext), sparsed = wireproof::dissect::parse_key_log(stext);
  EXPECT_TRUE(cparsed.errors.empty()) << ctext;
  EXPECT_TRUE(sparsed.errors.empty()) << stext;
  EXPECT_EQ(cparsed.log.connections(), 1u) << ctext;
  EXPECT_EQ(sparsed.log.connections(), 1u) << stext;
  const auto random = first_random(ctext);
  EXPECT_EQ(random.size(), 32u);
  for (const auto& label : labels_for(version)) {
    const auto* cs = cparsed.log.find(random, label);
    const auto* ss = sparsed.log.find(random, label);
    ASSERT_NE(cs, nullptr) << label << "\n" << ctext;
    ASSERT_NE(ss, nullptr) << label << "\n" << stext;
    EXPECT_EQ(*cs, *ss) << label;
  }
}

std::vector<Case> all_cases() {
  std::vector<Case> out;
  for (const char* v : {"tls1.2", "tls1.3"})
    for (const char* c : {"openssl", "gnutls"})
      for (const char* s : {"openssl", "gnutls"}) out.emplace_back(c, s, v);
  return out;
}

INSTANTIATE_TEST_SUITE_P(AllPairs, TlsPair, ::testing::ValuesIn(all_cases()), [](const auto& info) {
  std::string v = std::get<2>(info.param);
  v.erase(v.find('.'), 1);
  return std::get<0>(info.param) + "_to_" + std::get<1>(info.param) + "_" + v;
});

}  // namespace
