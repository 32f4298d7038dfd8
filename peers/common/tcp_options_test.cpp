#include "peers/common/tcp_options.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace wireproof::peers {
namespace {

const PeerIdentity kId{"Linux", "6.1.0"};

TcpParseResult parse(std::vector<std::string> args) { return parse_tcp_peer_options(args, kId); }

TEST(TcpOptions, ClientWithIpv6ConnectAndWorkload) {
  auto r = parse({"--role", "client", "--protocol", "tcp", "--connect", "[2001:db8::2]:5000", "--workload",
                  "half-close", "--echo-bytes", "3000", "--chunk", "500", "--nonblocking"});
  ASSERT_TRUE(r.options) << r.stderr_text;
  EXPECT_EQ(r.options->connect.host, "2001:db8::2");
  EXPECT_EQ(r.options->connect.port, 5000);
  EXPECT_EQ(r.options->workload, TcpWorkload::half_close);
  EXPECT_EQ(r.options->echo_bytes, 3000u);
  EXPECT_EQ(r.options->chunk, 500u);
  EXPECT_TRUE(r.options->nonblocking);
}

TEST(TcpOptions, ServerDefaultsToEchoOnLoopbackEphemeralPort) {
  auto r = parse({"--role", "server", "--protocol", "tcp"});
  ASSERT_TRUE(r.options) << r.stderr_text;
  EXPECT_EQ(r.options->workload, TcpWorkload::echo);
  EXPECT_EQ(r.options->listen.host, "127.0.0.1");
  EXPECT_EQ(r.options->listen.port, 0);
  EXPECT_FALSE(r.options->nonblocking);
}

TEST(TcpOptions, KeepaliveTriple) {
  auto r = parse({"--role", "client", "--protocol", "tcp", "--connect", "127.0.0.1:1", "--workload", "keepalive",
                  "--keepalive", "1,2,3"});
  ASSERT_TRUE(r.options) << r.stderr_text;
  ASSERT_TRUE(r.options->keepalive);
  EXPECT_EQ(r.options->keepalive->idle_s, 1);
  EXPECT_EQ(r.options->keepalive->intvl_s, 2);
  EXPECT_EQ(r.options->keepalive->count, 3);
}

TEST(TcpOptions, BadValuesExitThreeNamingTheOption) {
  for (auto args : std::vector<std::vector<std::string>>{
           {"--role", "client", "--protocol", "tcp", "--connect", "127.0.0.1:1", "--keepalive", "1,2"},
           {"--role", "client", "--protocol", "tcp", "--connect", "127.0.0.1:1", "--keepalive", "0,1,1"},
           {"--role", "client", "--protocol", "tcp", "--connect", "127.0.0.1"},
           {"--role", "client", "--protocol", "tcp"},
           {"--role", "client", "--protocol", "tcp", "--connect", "127.0.0.1:1", "--workload", "keepalive"},
           {"--role", "server", "--protocol", "tcp", "--chunk", "0"},
           {"--role", "server", "--protocol", "tcp", "--chunk", "1048577"},  // contract::kTcp.chunk_max + 1
           {"--role", "server", "--protocol", "tcp", "--mtu", "575"},        // below contract::kTcp.mtu_min
           {"--role", "server"},
       }) {
    auto r = parse(args);
    EXPECT_FALSE(r.options);
    EXPECT_EQ(r.exit_code, 3) << r.stdout_text;
    auto e = nlohmann::json::parse(r.stdout_text);
    EXPECT_EQ(e["event"], "error");
    EXPECT_NE(e["message"].get<std::string>().find("usage: "), std::string::npos);
  }
}

TEST(TcpOptions, UnsupportedOptionsAndValuesExit127) {
  auto a = parse({"--role", "client", "--protocol", "tcp", "--connect", "127.0.0.1:1", "--cert", "x.pem"});
  EXPECT_EQ(a.exit_code, 127);
  EXPECT_NE(a.stdout_text.find("unsupported: --cert"), std::string::npos) << a.stdout_text;
  auto b = parse({"--role", "client", "--protocol", "dtls1.2", "--connect", "127.0.0.1:1"});
  EXPECT_EQ(b.exit_code, 127);
  EXPECT_NE(b.stdout_text.find("unsupported: --protocol dtls1.2"), std::string::npos);
  auto c = parse({"--role", "client", "--protocol", "tcp", "--connect", "127.0.0.1:1", "--workload", "sack"});
  EXPECT_EQ(c.exit_code, 127);
  EXPECT_NE(c.stdout_text.find("unsupported: --workload sack"), std::string::npos);
  // A kernel peer has no packet port: --packet-fd is a user-space stack's option.
  auto d = parse({"--role", "client", "--protocol", "tcp", "--connect", "127.0.0.1:1", "--packet-fd", "3"});
  EXPECT_EQ(d.exit_code, 127);
}

TEST(TcpOptions, PacketPortOptionsWhenThePeerTakesThem) {
  auto r = parse_tcp_peer_options({"--role", "server", "--protocol", "tcp", "--packet-fd", "5", "--local-address",
                                   "198.18.0.2", "--listen", "198.18.0.2:5000"},
                                  kId, {.packet_port = true});
  ASSERT_TRUE(r.options) << r.stderr_text;
  EXPECT_EQ(r.options->packet_fd, 5);
  EXPECT_EQ(r.options->local_address, "198.18.0.2");
  auto half = parse_tcp_peer_options({"--role", "server", "--protocol", "tcp", "--packet-fd", "5"}, kId,
                                     {.packet_port = true});
  EXPECT_EQ(half.exit_code, 3);
}

TEST(TcpOptions, VersionAnswersAlone) {
  auto r = parse({"--version", "--bogus"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(r.stdout_text),
            (nlohmann::json{{"event", "version"}, {"implementation", "Linux"}, {"version", "6.1.0"}}));
}

TEST(TcpOptions, WorkloadNamesRoundTrip) {
  for (auto name : {"echo", "bulk", "stall", "keepalive", "urgent", "half-close", "abort-unread", "linger-abort",
                    "reconnect"})
    EXPECT_EQ(tcp_workload_name(*tcp_workload_from_name(name)), name);
}

}  // namespace
}  // namespace wireproof::peers
