#include <gtest/gtest.h>

#include <sstream>

#include "peers/common/alert_names.hpp"
#include "peers/common/event_emitter.hpp"

using namespace wireproof::peers;

TEST(EventEmitter, OneObjectPerLineWithTimeSinceStart) {
  std::ostringstream out;
  EventEmitter ev(out, EventEmitter::Clock::now() - std::chrono::milliseconds(250));
  ev.emit({{"event", "ready"}, {"port", 4433}});
  ev.emit({{"event", "closed"}, {"reason", "done"}});
  std::istringstream lines(out.str());
  std::string line;
  std::vector<nlohmann::json> events;
  while (std::getline(lines, line)) events.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["event"], "ready");
  EXPECT_EQ(events[0]["port"], 4433);
  EXPECT_GE(events[0]["t_ms"].get<double>(), 250.0);
  EXPECT_LT(events[0]["t_ms"].get<double>(), 60000.0);
  EXPECT_EQ(events[1]["reason"], "done");
}

TEST(EventEmitter, RefusesSomethingThatIsNotAnEvent) {
  std::ostringstream out;
  EventEmitter ev(out);
  EXPECT_THROW(ev.emit({{"port", 1}}), std::logic_error);
  EXPECT_THROW(ev.emit(nlohmann::json::array()), std::logic_error);
  EXPECT_TRUE(out.str().empty());
}

TEST(AlertNames, RfcNamesAndUnknownNumbers) {
  EXPECT_EQ(alert_description_name(40), "handshake_failure");
  EXPECT_EQ(alert_description_name(48), "unknown_ca");
  EXPECT_EQ(alert_description_name(0), "close_notify");
  EXPECT_EQ(alert_description_name(222), "alert_222");
  EXPECT_EQ(alert_level_name(2), "fatal");
  EXPECT_EQ(alert_level_name(1), "warning");
  EXPECT_EQ(alert_level_name(7), "level_7");
}

#include "peers/common/cipher_names.hpp"

TEST(CipherNames, IanaToOpensslStyle) {
  EXPECT_EQ(openssl_style_cipher_name("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"), "ECDHE-ECDSA-AES128-GCM-SHA256");
  EXPECT_EQ(openssl_style_cipher_name("TLS_NOT_A_SUITE"), "TLS_NOT_A_SUITE");
}
