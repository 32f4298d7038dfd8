#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "peers/common/options.hpp"

using namespace wireproof::peers;

namespace {

const PeerIdentity kId{"TestTLS", "1.2.3"};

// A real file for the ExistingFile checks. Named per process: CTest runs each
// test as its own process, in parallel, and one test's destructor must not
// delete the file another test is reading.
struct PemFile {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("wp_options_test." + std::to_string(::getpid()) + ".pem");
  PemFile() { std::ofstream(path) << "x"; }
  ~PemFile() { std::filesystem::remove(path); }
};

std::vector<std::string> server_args(const std::string& pem) {
  return {"--role", "server", "--protocol", "dtls1.2", "--listen", "127.0.0.1:0",
          "--cert", pem,      "--key",      pem,       "--ca",     pem};
}

nlohmann::json event_of(const ParseResult& r) { return nlohmann::json::parse(r.stdout_text); }

}  // namespace

TEST(Options, ParsesAFullServerLine) {
  PemFile pem;
  auto args = server_args(pem.path);
  for (auto s : {"--mtu", "1400", "--timer-initial-ms", "100", "--echo-bytes", "20000", "--chunk", "500",
                 "--idle-timeout-ms", "700", "--handshake-timeout-ms", "9000"})
    args.push_back(s);
  auto r = parse_peer_options(args, kId);
  ASSERT_TRUE(r.options) << r.stdout_text << r.stderr_text;
  EXPECT_EQ(r.options->role, Role::server);
  EXPECT_EQ(r.options->listen.port, 0);
  EXPECT_EQ(r.options->mtu, 1400);
  EXPECT_EQ(r.options->timer_initial_ms, 100);
  EXPECT_EQ(r.options->echo_bytes, 20000u);
  EXPECT_EQ(r.options->chunk, 500u);
  EXPECT_EQ(r.options->idle_timeout_ms, 700);
  EXPECT_EQ(r.options->handshake_timeout_ms, 9000);
}

TEST(Options, ClientDefaults) {
  PemFile pem;
  auto r = parse_peer_options({"--role", "client", "--protocol", "dtls1.2", "--connect", "127.0.0.1:4433", "--ca",
                               pem.path.string()},
                              kId);
  ASSERT_TRUE(r.options) << r.stderr_text;
  EXPECT_EQ(r.options->connect.host, "127.0.0.1");
  EXPECT_EQ(r.options->connect.port, 4433);
  EXPECT_FALSE(r.options->mtu);
  EXPECT_FALSE(r.options->timer_initial_ms);
  EXPECT_EQ(r.options->handshake_timeout_ms, 30000);
  EXPECT_EQ(r.options->idle_timeout_ms, 5000);
  EXPECT_EQ(r.options->framing, Framing::binary);
}

TEST(Options, FramingLinesAndBinaryAreAccepted) {
  PemFile pem;
  for (auto [text, want] : {std::pair{"lines", Framing::lines}, std::pair{"binary", Framing::binary}}) {
    auto args = server_args(pem.path);
    args.insert(args.end(), {"--framing", text});
    auto r = parse_peer_options(args, kId);
    ASSERT_TRUE(r.options) << text << r.stderr_text;
    EXPECT_EQ(r.options->framing, want) << text;
  }
}

TEST(Options, VersionPrintsOneJsonLineAndExitsZero) {
  auto r = parse_peer_options({"--version"}, kId);
  EXPECT_FALSE(r.options);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(event_of(r), (nlohmann::json{{"event", "version"}, {"implementation", "TestTLS"}, {"version", "1.2.3"}}));
}

TEST(Options, UnknownOptionIsUnsupported127) {
  PemFile pem;
  auto args = server_args(pem.path);
  args.push_back("--fancy-feature=3");
  auto r = parse_peer_options(args, kId);
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_EQ(event_of(r)["message"], "unsupported: --fancy-feature");
}

TEST(Options, OtherProtocolIsUnsupported127) {
  PemFile pem;
  auto args = server_args(pem.path);
  args[3] = "tls1.3";
  auto r = parse_peer_options(args, kId);
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_EQ(event_of(r)["message"], "unsupported: --protocol tls1.3");
}

TEST(Options, BadValuesAreUsageErrors) {
  PemFile pem;
  const std::vector<std::vector<std::string>> bad_tails = {
      {"--mtu", "abc"}, {"--mtu", "100"}, {"--chunk", "0"}, {"--timer-initial-ms", "-5"}, {"--listen", "nowhere"},
      {"--listen", "1.2.3.4:70000"}, {"--cert", "/no/such/file.pem"}, {"--framing", "json"}};
  for (const auto& tail : bad_tails) {
    auto args = server_args(pem.path);
    args.insert(args.end(), tail.begin(), tail.end());
    auto r = parse_peer_options(args, kId);
    EXPECT_FALSE(r.options) << tail[0] << " " << tail[1];
    EXPECT_EQ(r.exit_code, 3) << tail[0] << " " << tail[1];
    EXPECT_EQ(event_of(r)["event"], "error");
    EXPECT_FALSE(r.stderr_text.empty());
  }
}

TEST(Options, MissingRequiredPiecesAreUsageErrors) {
  PemFile pem;
  EXPECT_EQ(parse_peer_options({"--protocol", "dtls1.2"}, kId).exit_code, 3);
  EXPECT_EQ(parse_peer_options({"--role", "client", "--protocol", "dtls1.2", "--ca", pem.path}, kId).exit_code, 3);
  EXPECT_EQ(parse_peer_options({"--role", "server", "--protocol", "dtls1.2", "--ca", pem.path}, kId).exit_code, 3);
}
