#include "peers/common/key_log_file.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "harness/dissect/key_log.hpp"

namespace wireproof::peers {
namespace {

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct TempPath {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("wp_key_log_file_test." + std::to_string(::getpid()) + ".txt");
  ~TempPath() { std::filesystem::remove(path); }
};

TEST(KeyLogFile, LinesParseAsAnNssKeyLogAndAppendAcrossOpenings) {
  TempPath tmp;
  std::vector<std::uint8_t> random(32, 0xab), secret{0x01, 0x02, 0xff};
  {
    KeyLogFile log(tmp.path.string());
    log.write_line(KeyLogFile::line("CLIENT_HANDSHAKE_TRAFFIC_SECRET", random, secret));
    // Flushed per line: readable while the writer is still open.
    std::string random_hex;
    for (int i = 0; i < 32; ++i) random_hex += "ab";
    EXPECT_EQ(read_all(tmp.path), "CLIENT_HANDSHAKE_TRAFFIC_SECRET " + random_hex + " 0102ff\n");
  }
  {
    KeyLogFile again(tmp.path.string());  // a second connection's writer appends
    again.write_line(KeyLogFile::line("SERVER_TRAFFIC_SECRET_0", random, secret));
  }
  auto parsed = dissect::parse_key_log(read_all(tmp.path));
  EXPECT_TRUE(parsed.errors.empty());
  ASSERT_NE(parsed.log.find(random, "CLIENT_HANDSHAKE_TRAFFIC_SECRET"), nullptr);
  ASSERT_NE(parsed.log.find(random, "SERVER_TRAFFIC_SECRET_0"), nullptr);
  EXPECT_EQ(*parsed.log.find(random, "SERVER_TRAFFIC_SECRET_0"), secret);
}

TEST(KeyLogFile, AnUnopenablePathNamesItself) {
  try {
    KeyLogFile log("/nonexistent-dir/keylog.txt");
    FAIL() << "opened";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/keylog.txt"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace wireproof::peers
