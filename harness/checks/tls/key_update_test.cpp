#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/tls_view.hpp"
#include "harness/checks/tls/tls_test_support.hpp"
#include "harness/dissect/tls_decrypt.hpp"

namespace wireproof::checks {
namespace {

using testing::PairOnWire;

class KeyUpdate : public dissect::testing::WithServerPki<int> {
 protected:
  void SetUp() override {
    pw_ = std::make_unique<PairOnWire>(pki_, TLS1_3_VERSION);
    pw_->start();
    pw_->write(pw_->p.client, "before");
    pw_->write(pw_->p.server, "before");
  }
  static CheckResult judge(const Inputs& in) { return make_key_update()->run(in); }
  // The client asks for a key update and writes; the server reads it and echoes.
  void requested_and_echoed() {
    ASSERT_EQ(SSL_key_update(pw_->p.client, SSL_KEY_UPDATE_REQUESTED), 1);
    pw_->write(pw_->p.client, "after");
    pw_->write(pw_->p.server, "after");
  }
  // The judged view with `edit` applied to its first connection's transcript.
  template <typename Edit>
  static Inputs edited(Inputs in, Edit edit) {
    auto view = std::make_shared<support::TlsView>(support::tls_view(in));
    edit(view->connections.at(0).tls);
    in.tls_view_cache = view;
    return in;
  }
  static dissect::TranscriptMessage& key_update_of(dissect::TranscriptDirection& d) {
    for (auto& m : d.handshake)
      if (m.type == dissect::kHsKeyUpdate) return m;
    throw std::runtime_error("no KeyUpdate in " + d.dir);
  }
  std::unique_ptr<PairOnWire> pw_;
};

TEST_F(KeyUpdate, ARequestAnsweredBeforeTheEchoPasses) {
  requested_and_echoed();
  const auto r = judge(pw_->inputs_with_key_log());
  ASSERT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["key_updates"], 2) << "the request and its answer";
  EXPECT_NE(r.detail.find("c2s: the client's KeyUpdate(update_requested)"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("answered by the server's KeyUpdate(update_not_requested)"), std::string::npos) << r.detail;
}

// Fails without the answer rule: the server's library never read the request
// and went on sending application data.
TEST_F(KeyUpdate, ApplicationDataAfterTheRequestAndNoAnswerFails) {
  ASSERT_EQ(SSL_key_update(pw_->p.client, SSL_KEY_UPDATE_REQUESTED), 1);
  ASSERT_EQ(SSL_write(pw_->p.client, "after", 5), 5);
  pw_->withhold(pw_->p.client);
  pw_->flush();
  ASSERT_EQ(SSL_write(pw_->p.server, "late", 4), 4);
  pw_->withhold(pw_->p.server);
  pw_->flush();
  const auto r = judge(pw_->inputs_with_key_log());
  ASSERT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("which then sent 1 application-data record(s) and never a KeyUpdate of its own"),
            std::string::npos)
      << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"s2c"})) << "the receiver of the request is judged";
}

// Fails without the update_not_requested rule.
TEST_F(KeyUpdate, AnAnswerThatRequestsAgainFails) {
  requested_and_echoed();
  const auto r = judge(edited(pw_->inputs_with_key_log(),
                              [](dissect::TlsTranscript& t) { key_update_of(t.s2c).body = {1}; }));
  ASSERT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("answered by the server's KeyUpdate(update_requested)"), std::string::npos) << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"s2c"}));
}

// Fails without the after-Finished rule.
TEST_F(KeyUpdate, AKeyUpdateBeforeFinishedOrUnderTheHandshakeKeyFails) {
  requested_and_echoed();
  auto r = judge(edited(pw_->inputs_with_key_log(), [](dissect::TlsTranscript& t) {
    auto& hs = t.c2s.handshake;
    std::erase_if(hs, [](const auto& m) { return m.type == dissect::kHsFinished; });
  }));
  ASSERT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("was sent before its Finished"), std::string::npos) << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"c2s"}));

  r = judge(edited(pw_->inputs_with_key_log(),
                   [](dissect::TlsTranscript& t) { key_update_of(t.c2s).key = dissect::kKeyHandshake; }));
  ASSERT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("after its Finished but under the handshake traffic key"), std::string::npos) << r.detail;
}

TEST_F(KeyUpdate, TheSideTheScenarioAskedMustHaveRequestedOne) {
  requested_and_echoed();
  pw_->w.b.scenario.expect.check_params_json["key_update"] = R"({"requested_by": "client"})";
  EXPECT_EQ(judge(pw_->inputs_with_key_log()).verdict, Verdict::pass);
  pw_->w.b.scenario.expect.check_params_json["key_update"] = R"({"requested_by": "server"})";
  const auto r = judge(pw_->inputs_with_key_log());
  ASSERT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("asked the server for a KeyUpdate(update_requested) (--key-update), but none crossed the wire"),
            std::string::npos)
      << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"s2c"}));
  pw_->w.b.scenario.expect.check_params_json["key_update"] = R"({"requested_by": "both"})";
  EXPECT_THROW(judge(pw_->inputs_with_key_log()), std::runtime_error);
}

TEST_F(KeyUpdate, WithoutAKeyLogNothingIsJudgedAndItSaysSo) {
  requested_and_echoed();
  pw_->w.b.scenario.expect.check_params_json["key_update"] = R"({"requested_by": "client"})";
  const auto r = judge(pw_->inputs());
  EXPECT_EQ(r.verdict, Verdict::not_applicable) << r.detail;
  EXPECT_NE(r.detail.find(support::kNoKeyLogFiles), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("the client's KeyUpdate(update_requested) the scenario asked for was not seen"),
            std::string::npos)
      << r.detail;
}

}  // namespace
}  // namespace wireproof::checks
