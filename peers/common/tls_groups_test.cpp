// --groups between the real shims (peers/CONTRACT.md "TLS"), every client x
// server pair: a server lacking the client's first group asks for a retry
// (RFC 8446 4.1.4), no common group fails the handshake, the server's order
// picks among shared groups, DTLS 1.2 takes the flag too, and bad names exit 3.
// The HelloRetryRequest is seen through each library's own report
// (handshake_done "hello_retry": OpenSSL's message callback, GnuTLS's
// handshake hook), not the bytes: these runs have no capture. The harness's
// hello_retry_request check judges the wire.
#include <gtest/gtest.h>

#include "peers/common/tls_test_support.hpp"

namespace {

using namespace wireproof::peers::testing;

class TlsGroups : public TlsPairTest {};

TEST_P(TlsGroups, AServerWithoutTheClientsFirstGroupAsksForARetryAndBothReportTheGroup) {
  auto r = run("tls1.3", {"--groups", "secp256r1"}, {"--groups", "x25519,secp256r1"});
  ASSERT_EQ(r.client_rc, 0) << r.transcripts();
  ASSERT_EQ(r.server_rc, 0) << r.transcripts();
  for (TestPeer* p : {r.client.get(), r.server.get()}) {
    json done = p->event("handshake_done");
    EXPECT_EQ(done["group"], "secp256r1") << r.transcripts();
    // Had the client sent a key_share for secp256r1 as well, the server would have used it without a retry.
    EXPECT_EQ(done["hello_retry"], true) << r.transcripts();
  }
  json c = r.client->event("app_data");
  EXPECT_EQ(c["sent_sha256"], c["echoed_sha256"]);

  // The same client against a server with the defaults: its first group, first time.
  auto plain = run("tls1.3", {}, {"--groups", "x25519,secp256r1"});
  ASSERT_EQ(plain.client_rc, 0) << plain.transcripts();
  for (TestPeer* p : {plain.client.get(), plain.server.get()}) {
    EXPECT_EQ(p->event("handshake_done")["group"], "x25519") << plain.transcripts();
    EXPECT_EQ(p->event("handshake_done")["hello_retry"], false) << plain.transcripts();
  }
}

TEST_P(TlsGroups, AFiniteFieldGroupIsOfferedInTls13) {
  auto r = run("tls1.3", {}, {"--groups", "ffdhe2048"});
  ASSERT_EQ(r.client_rc, 0) << r.transcripts();
  EXPECT_EQ(r.client->event("handshake_done")["group"], "ffdhe2048") << r.transcripts();
  EXPECT_EQ(r.server->event("handshake_done")["group"], "ffdhe2048");
}

TEST_P(TlsGroups, NoCommonGroupFailsTheHandshake) {
  for (const char* version : {"tls1.2", "tls1.3"}) {
    auto r = run(version, {"--groups", "secp384r1"}, {"--groups", "x25519,secp256r1"});
    EXPECT_EQ(r.client_rc, 1) << version << "\n" << r.transcripts();
    EXPECT_EQ(r.server_rc, 1) << version << "\n" << r.transcripts();
    EXPECT_TRUE(r.client->event("handshake_done").is_null()) << r.transcripts();
    EXPECT_TRUE(r.server->event("handshake_done").is_null()) << r.transcripts();
    EXPECT_FALSE(r.server->event("error").is_null()) << r.transcripts();
  }
}

// TLS 1.2 and DTLS 1.2 have no key_share: the server picks from the client's
// supported_groups, and with --groups its own order decides.
TEST_P(TlsGroups, TheServersOrderPicksAmongSharedGroupsInTls12AndDtls12) {
  for (const char* version : {"tls1.2", "dtls1.2"}) {
    auto r = run(version, {"--groups", "secp384r1,secp256r1"}, {"--groups", "secp256r1,secp384r1"});
    ASSERT_EQ(r.client_rc, 0) << version << "\n" << r.transcripts();
    EXPECT_EQ(r.client->event("handshake_done")["group"], "secp384r1") << version << "\n" << r.transcripts();
    EXPECT_EQ(r.server->event("handshake_done")["group"], "secp384r1") << version;
  }
}

// TLS 1.3, the client's key_share for an accepted group that is not the
// server's first: OpenSSL takes the share (no extra round trip); GnuTLS with
// %SERVER_PRECEDENCE asks for its own first group. Both are RFC 8446 4.2.8.
TEST_P(TlsGroups, ATls13ServerWithTheClientsShareAcceptedFollowsItsLibrary) {
  auto r = run("tls1.3", {"--groups", "secp384r1,secp256r1"}, {"--groups", "secp256r1,secp384r1"});
  ASSERT_EQ(r.client_rc, 0) << r.transcripts();
  const bool gnutls_server = server_impl() == "gnutls";
  json done = r.client->event("handshake_done");
  EXPECT_EQ(done["group"], gnutls_server ? "secp384r1" : "secp256r1") << r.transcripts();
  EXPECT_EQ(done["hello_retry"], gnutls_server) << r.transcripts();
}

INSTANTIATE_TEST_SUITE_P(Pairs, TlsGroups, all_pairs(), pair_name);

class TlsGroupsShim : public ::testing::TestWithParam<std::string> {
 protected:
  TempDir dir;
  wireproof::pki::PkiFiles pki = wireproof::pki::generate_pki(dir.path / "pki");
  // Exit code and error message of a server started with these --groups (a refusal exits at once).
  std::pair<int, std::string> server_with(const std::string& groups, const std::string& version) {
    auto args = server_args(version, pki);
    append(args, {"--groups", groups});
    TestPeer p(command(GetParam(), args), dir.path / "p.err");
    int rc = p.finish(std::chrono::seconds(5));
    return {rc, field(p.event("error"), "message")};
  }
};

TEST_P(TlsGroupsShim, AnUnknownGroupExits3NamingIt) {
  for (const char* version : {"tls1.2", "tls1.3", "dtls1.2"}) {
    auto [rc, message] = server_with("x25519,prime256v1", version);
    EXPECT_EQ(rc, 3) << version << ": " << message;
    EXPECT_NE(message.find("unknown group 'prime256v1'"), std::string::npos) << message;
  }
}

INSTANTIATE_TEST_SUITE_P(Shims, TlsGroupsShim, ::testing::Values("openssl", "gnutls"),
                         [](const auto& info) { return info.param; });

// OpenSSL 3.0 negotiates RFC 7919 groups in TLS 1.3 only: a 1.2 FFDHE group is refused, never ignored.
TEST(TlsGroupsOpenssl, AFiniteFieldGroupWithTls12IsUnsupported127) {
  TempDir dir;
  auto pki = wireproof::pki::generate_pki(dir.path / "pki");
  for (const char* version : {"tls1.2", "dtls1.2"}) {
    auto args = server_args(version, pki);
    append(args, {"--groups", "secp256r1,ffdhe2048"});
    TestPeer p(command("openssl", args), dir.path / "p.err");
    EXPECT_EQ(p.finish(std::chrono::seconds(5)), 127) << p.transcript();
    EXPECT_EQ(field(p.event("error"), "message").rfind("unsupported: --groups ffdhe2048", 0), 0u) << p.transcript();
  }
}

}  // namespace
