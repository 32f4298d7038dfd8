#include "harness/dissect/key_log.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

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

TEST(KeyLog, MergingAddsTheOtherFilesConnections) {
  auto client = parse_key_log("CLIENT_HANDSHAKE_TRAFFIC_SECRET " + kRandom + " 01\n");
  auto server = parse_key_log("SERVER_HANDSHAKE_TRAFFIC_SECRET " + kRandom + " 02\nCLIENT_RANDOM " +
                              std::string(64, 'b') + " 03\n");
  EXPECT_FALSE(client.log.has(KeyLog::Bytes(32, 0xbb)));
  client.log.merge(server.log);
  EXPECT_EQ(client.log.connections(), 2u);
  EXPECT_TRUE(client.log.has(KeyLog::Bytes(32, 0xbb)));
  EXPECT_EQ(*client.log.find(KeyLog::Bytes(32, 0xaa), "CLIENT_HANDSHAKE_TRAFFIC_SECRET"), (KeyLog::Bytes{1}));
  EXPECT_EQ(*client.log.find(KeyLog::Bytes(32, 0xaa), "SERVER_HANDSHAKE_TRAFFIC_SECRET"), (KeyLog::Bytes{2}));
}

TEST(KeyLog, ARunsKeyLogFilesAreReadInOrderAndAnUnreadableOneIsNamed) {
  const auto dir = std::filesystem::temp_directory_path() / ("wp-keylog-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  EXPECT_TRUE(read_run_key_logs(dir).empty());
  std::ofstream(dir / "keylog-client.txt") << "CLIENT_RANDOM " << kRandom << " 01\n";
  std::filesystem::create_directory(dir / "keylog-server.txt");
  const auto files = read_run_key_logs(dir);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].name, "keylog-client.txt");
  EXPECT_EQ(files[0].text, "CLIENT_RANDOM " + kRandom + " 01\n");
  EXPECT_TRUE(files[0].error.empty());
  EXPECT_EQ(files[1].name, "keylog-server.txt");
  EXPECT_NE(files[1].error.find("keylog-server.txt: is not a regular file"), std::string::npos) << files[1].error;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace wireproof::dissect
