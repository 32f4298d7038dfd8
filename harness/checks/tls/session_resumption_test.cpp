#include <gtest/gtest.h>

#include <algorithm>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/tls_view.hpp"
#include "harness/checks/tls/tls_test_support.hpp"

namespace wireproof::checks {
namespace {

using dissect::testing::OpensslMemoryPair;
using testing::TlsOverTcp;

constexpr std::uint16_t kPreSharedKey = 41, kPskModes = 45;

const char* ciphers(int version) {
  return version == TLS1_3_VERSION ? "TLS_AES_128_GCM_SHA256" : "ECDHE-ECDSA-AES128-GCM-SHA256";
}

// Two real connections on the wire, the second with the first's session
// (when `offer`) to a server holding the first's ticket keys (when `same_keys`).
class SessionResumption : public dissect::testing::WithServerPki<int> {
 protected:
  void connect_twice(bool offer, bool same_keys) {
    OpensslMemoryPair first(pki_, GetParam(), ciphers(GetParam()));
    first.handshake();
    ASSERT_EQ(SSL_write(first.server, "x", 1), 1);  // the client reads the 1.3 tickets with it
    first.pump();
    first.read(first.client);
    SSL_SESSION* session = SSL_get1_session(first.client);
    ASSERT_NE(session, nullptr);
    OpensslMemoryPair second(pki_, GetParam(), ciphers(GetParam()));
    if (same_keys) {
      unsigned char keys[80];
      ASSERT_EQ(SSL_CTX_get_tlsext_ticket_keys(first.server_ctx, keys, sizeof keys), 1);
      ASSERT_EQ(SSL_CTX_set_tlsext_ticket_keys(second.server_ctx, keys, sizeof keys), 1);
    }
    if (offer) {
      ASSERT_EQ(SSL_set_session(second.client, session), 1);
    }
    SSL_SESSION_free(session);
    second.handshake();
    resumed_ = SSL_session_reused(second.client) == 1;
    w_.send("c2s", first.c2s, 1000);
    w_.send("s2c", first.s2c, 1000);
    w_.t.next_connection();
    w_.t.handshake(w_.now++);
    w_.send("c2s", second.c2s, 1000);
    w_.send("s2c", second.s2c, 1000);
    key_log_ = first.key_log + second.key_log;
  }
  Inputs inputs(bool key_log = true) const {
    auto in = w_.b.inputs();
    if (key_log) in.key_logs = {{"keylog-client.txt", key_log_, ""}};
    return in;
  }
  void ask() { w_.b.scenario.expect.check_params_json["session_resumption"] = R"({"resumed": true})"; }
  static CheckResult judge(const Inputs& in) { return make_session_resumption()->run(in); }
  template <typename Edit>
  static Inputs edited(Inputs in, Edit edit) {
    auto view = std::make_shared<support::TlsView>(support::tls_view(in));
    edit(view->connections.at(1).tls.client_hellos.at(0).hello.extensions);
    in.tls_view_cache = view;
    return in;
  }
  TlsOverTcp w_;
  std::string key_log_;
  bool resumed_ = false;
};

TEST_P(SessionResumption, AnOfferedAndAcceptedResumptionPasses) {
  connect_twice(true, true);
  ASSERT_TRUE(resumed_) << "OpenSSL resumed";
  ask();
  const auto r = judge(inputs());
  ASSERT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["connections"][1]["accepted"], true) << r.measured.dump();
  EXPECT_NE(r.detail.find(GetParam() == TLS1_3_VERSION ? "connection 2: pre_shared_key offered, ServerHello carries"
                                                       : "connection 2: session_ticket offered, abbreviated handshake"),
            std::string::npos)
      << r.detail;
  EXPECT_EQ(judge(inputs(false)).verdict, Verdict::pass) << "the offer and the acceptance are in clear";
}

// Fails without the acceptance rule.
TEST_P(SessionResumption, AServerDecliningTheAskedResumptionFails) {
  connect_twice(true, false);  // the second server cannot open the first's ticket
  ASSERT_FALSE(resumed_);
  ask();
  const auto r = judge(inputs());
  ASSERT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("the server declined it"), std::string::npos) << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"s2c"}));
}

// Fails without the offer rule.
TEST_P(SessionResumption, AClientNotOfferingItsTicketFails) {
  connect_twice(false, true);
  ask();
  const auto r = judge(inputs());
  ASSERT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("no later ClientHello offered the ticket"), std::string::npos) << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"c2s"}));
  EXPECT_EQ(r.measured["ticket_seen"], true);
  // Not asked: nothing to judge.
  w_.b.scenario.expect.check_params_json.clear();
  EXPECT_EQ(judge(inputs()).verdict, Verdict::not_applicable);
}

// pre_shared_key is TLS 1.3's.
class SessionResumption13 : public SessionResumption {};

// Fails without the 4.2.11 / 4.2.9 rules.
TEST_P(SessionResumption13, PreSharedKeyNotLastOrWithoutModesFails) {
  connect_twice(true, true);
  auto r = judge(edited(inputs(), [](dissect::HelloExtensions& ext) {
    std::rotate(ext.begin(), ext.end() - 1, ext.end());  // pre_shared_key first
  }));
  ASSERT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("has pre_shared_key, but its last extension is"), std::string::npos) << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"c2s"}));
  r = judge(edited(inputs(), [](dissect::HelloExtensions& ext) {
    std::erase_if(ext, [](const auto& e) { return e.first == kPskModes; });
  }));
  ASSERT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("offers pre_shared_key without psk_key_exchange_modes"), std::string::npos) << r.detail;
  ASSERT_EQ(judge(edited(inputs(), [](dissect::HelloExtensions& ext) { ASSERT_EQ(ext.back().first, kPreSharedKey); }))
                .verdict,
            Verdict::pass);
}

// Fails without the cross-check.
TEST_P(SessionResumption, APeerReportTheWireContradictsFails) {
  connect_twice(true, true);
  w_.b.server_event({{"event", "handshake_done"}, {"resumed", false}, {"connection", 1}}, 1);
  w_.b.server_event({{"event", "handshake_done"}, {"resumed", false}, {"connection", 2}}, w_.now);
  const auto r = judge(inputs());
  ASSERT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("connection 2: the server reported resumed: false, but the wire shows the resumption accepted"),
            std::string::npos)
      << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"s2c"}));
}

INSTANTIATE_TEST_SUITE_P(Tls13, SessionResumption13, ::testing::Values(TLS1_3_VERSION));
INSTANTIATE_TEST_SUITE_P(Versions, SessionResumption, ::testing::Values(TLS1_2_VERSION, TLS1_3_VERSION),
                         [](const auto& info) { return info.param == TLS1_3_VERSION ? "tls13" : "tls12"; });

}  // namespace
}  // namespace wireproof::checks
