// --plaintext between the real shims (peers/CONTRACT.md "TLS"): each TLS
// client against a server port that speaks no TLS fails its handshake with
// an error event, while the server answers the client's first bytes with
// one HTTP 400, keeps the connection until the client ends it, and reports
// closed fin/rst. Then the answer's exact bytes and the server's idle end,
// seen from a bare TCP client, and the option's usage errors.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "peers/common/tls_test_support.hpp"

namespace {

using namespace wireproof::peers::testing;

constexpr const char* kAnswer = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";

class TlsPlaintext : public TlsPairTest {};

TEST_P(TlsPlaintext, TheClientFailsItsHandshakeOnTheAnswerAndTheServerSeesItClose) {
  for (const char* version : {"tls1.2", "tls1.3"}) {
    auto r = run(version, {"--plaintext"}, {});
    EXPECT_EQ(r.client_rc, 1) << version << "\n" << r.transcripts();
    EXPECT_TRUE(r.client->event("handshake_done").is_null()) << r.transcripts();
    EXPECT_FALSE(field(r.client->event("error"), "message").empty()) << r.transcripts();
    EXPECT_EQ(field(r.client->event("closed"), "reason"), "error") << r.transcripts();

    EXPECT_EQ(r.server_rc, 0) << version << "\n" << r.transcripts();
    std::vector<std::string> names;
    for (const auto& e : r.server->events()) names.push_back(e.value("event", ""));
    EXPECT_EQ(names, (std::vector<std::string>{"ready", "connected", "closed"})) << r.transcripts();
    json closed = r.server->event("closed");
    EXPECT_TRUE(field(closed, "reason") == "fin" || field(closed, "reason") == "rst") << r.transcripts();
    EXPECT_GT(closed.value("received_bytes", 0), 0) << r.transcripts();  // at least the ClientHello
  }
}

INSTANTIATE_TEST_SUITE_P(Pairs, TlsPlaintext, all_pairs(), pair_name);

// A bare TCP connection to a --plaintext server.
class PlaintextWire : public ::testing::TestWithParam<std::string> {
 protected:
  TempDir dir;
  wireproof::pki::PkiFiles pki = wireproof::pki::generate_pki(dir.path / "pki");

  std::unique_ptr<TestPeer> start_server(const std::string& idle_ms = "5000") {
    auto args = server_args("tls1.3", pki);
    args.back() = idle_ms;  // server_args ends with --idle-timeout-ms 5000
    args.push_back("--plaintext");
    return std::make_unique<TestPeer>(command(GetParam(), args), dir.path / "server.err");
  }
  static int connect_to(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    return fd;
  }
  static bool readable_within(int fd, int ms) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, ms) > 0;
  }
};

TEST_P(PlaintextWire, AnswersTheFirstBytesOnceAndWaitsForTheClientToClose) {
  auto server = start_server();
  int fd = connect_to(ready_port(*server));
  EXPECT_FALSE(readable_within(fd, 200)) << "the server spoke first";
  ASSERT_EQ(::send(fd, "\x16\x03\x01", 3, 0), 3);
  std::string got;
  char buf[256];
  while (got.size() < std::string(kAnswer).size() && readable_within(fd, 2000)) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  EXPECT_EQ(got, kAnswer);
  // More bytes get no second answer, and the server neither closes nor resets while the client stays.
  ASSERT_EQ(::send(fd, "more", 4, 0), 4);
  EXPECT_FALSE(readable_within(fd, 300)) << "the server answered twice or closed first";
  ::shutdown(fd, SHUT_WR);
  // Its lingering close: our FIN is answered with its FIN, not a reset.
  ASSERT_TRUE(readable_within(fd, 2000));
  EXPECT_EQ(::recv(fd, buf, sizeof buf, 0), 0);
  ::close(fd);
  EXPECT_EQ(server->finish(std::chrono::seconds(5)), 0) << server->transcript();
  json closed = server->event("closed");
  EXPECT_EQ(field(closed, "reason"), "fin") << server->transcript();
  EXPECT_EQ(closed.value("received_bytes", 0), 7);
  EXPECT_TRUE(server->event("error").is_null()) << server->transcript();
}

TEST_P(PlaintextWire, AClientThatNeverSpeaksEndsTheServerAtTheIdleTimeout) {
  auto server = start_server("500");
  int fd = connect_to(ready_port(*server));
  EXPECT_EQ(server->finish(std::chrono::seconds(5)), 2) << server->transcript();
  ::close(fd);
  EXPECT_EQ(field(server->event("closed"), "reason"), "idle") << server->transcript();
  EXPECT_NE(field(server->event("error"), "message").find("--idle-timeout-ms 500"), std::string::npos)
      << server->transcript();
}

TEST_P(PlaintextWire, OnAClientOrWithDtlsItIsAUsageError) {
  auto client = client_args("tls1.3", 4433, pki.ca_cert);
  client.push_back("--plaintext");
  TestPeer c(command(GetParam(), client), dir.path / "c.err");
  EXPECT_EQ(c.finish(std::chrono::seconds(5)), 3) << c.transcript();
  EXPECT_NE(field(c.event("error"), "message").find("--plaintext is a server option"), std::string::npos);
  auto dtls = server_args("dtls1.2", pki);
  dtls.push_back("--plaintext");
  TestPeer d(command(GetParam(), dtls), dir.path / "d.err");
  EXPECT_EQ(d.finish(std::chrono::seconds(5)), 3) << d.transcript();
  EXPECT_NE(field(d.event("error"), "message").find("--plaintext needs --protocol tls1.2 or tls1.3"),
            std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Shims, PlaintextWire, ::testing::Values("openssl", "gnutls"),
                         [](const auto& info) { return info.param; });

}  // namespace
