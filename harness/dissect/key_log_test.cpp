#include "harness/dissect/key_log.hpp"

#include <gtest/gtest.h>

namespace wireproof::dissect {
namespace {

const std::string kRandom(64, 'a');

TEST(KeyLog, SecretsAreFoundByClientRandomAndLabel) {
  auto parsed = parse_key_log("# SSL/TLS secrets log file\n\nSERVER_HANDSHAKE_TRAFFIC_SECRET " + kRandom +
                              " 0102\r\nCLIENT_TRAFFIC_SECRET_0 " + kRandom + " A0b1\n");
  EXPECT_TRUE(parsed.errors.empty());
  EXPECT_EQ(parsed.log.connections(), 1u);
  KeyLog::Bytes random(32, 0xaa);
  ASSERT_NE(parsed.log.find(random, "SERVER_HANDSHAKE_TRAFFIC_SECRET"), nullptr);
  EXPECT_EQ(*parsed.log.find(random, "SERVER_HANDSHAKE_TRAFFIC_SECRET"), (KeyLog::Bytes{1, 2}));
  EXPECT_EQ(*parsed.log.find(random, "CLIENT_TRAFFIC_SECRET_0"), (KeyLog::Bytes{0xa0, 0xb1}));
  EXPECT_EQ(parsed.log.find(random, "CLIENT_RANDOM"), nullptr);
  EXPECT_EQ(parsed.log.find(KeyLog::Bytes(32, 0xbb), "CLIENT_TRAFFIC_SECRET_0"), nullptr);
}

TEST(KeyLog, EachLineNotUnderstoodIsNamedAndTheRestKept) {
  auto parsed = parse_key_log("CLIENT_RANDOM " + kRandom + "\nCLIENT_RANDOM abcd 0102\nCLIENT_RANDOM " + kRandom +
                              " zz\nCLIENT_RANDOM " + kRandom + " 01 extra\nCLIENT_RANDOM " + kRandom + " 0303\n");
  ASSERT_EQ(parsed.errors.size(), 4u);
  EXPECT_EQ(parsed.errors[0], "line 1: expected \"<LABEL> <client_random hex> <secret hex>\"");
  EXPECT_EQ(parsed.errors[1], "line 2: client_random is not 32 bytes of hex");
  EXPECT_EQ(parsed.errors[2], "line 3: secret is not hex");
  EXPECT_EQ(parsed.errors[3], "line 4: expected \"<LABEL> <client_random hex> <secret hex>\"");
  EXPECT_NE(parsed.log.find(KeyLog::Bytes(32, 0xaa), "CLIENT_RANDOM"), nullptr);
}

}  // namespace
}  // namespace wireproof::dissect
