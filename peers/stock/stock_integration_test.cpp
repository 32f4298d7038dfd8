// wireproof-stock end to end: real openssl/gnutls tools, a throwaway PKI,
// both ends stock, a 5000-byte echo; a fixed timer option accepted and
// reported; failures (wrong CA, unmapped option,
// nobody listening); and that no tool survives its wrapper (SIGTERM, SIGKILL).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "harness/pki/pki.hpp"
#include "peers/common/line_frame.hpp"
#include "peers/stock/tool_process.hpp"
#include "peers/stock/unique_fd.hpp"
#include "peers/stock/wrapper_under_test.hpp"

namespace wireproof::stock {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
namespace fs = std::filesystem;

// The tool process the wrapper started (its only child), or -1.
pid_t child_of(pid_t parent) {
  for (const auto& d : fs::directory_iterator("/proc")) {
    const std::string name = d.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(d.path() / "stat");
    std::string stat;
    std::getline(in, stat);
    auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    char state;
    pid_t ppid;
    rest >> state >> ppid;
    if (ppid == parent) return std::stoi(name);
  }
  return -1;
}

// True while pid is a live process (a zombie counts as gone).
bool alive(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return false;
  auto close = stat.rfind(')');
  return close != std::string::npos && stat.size() > close + 2 && stat[close + 2] != 'Z';
}

bool gone_within(pid_t pid, milliseconds limit) {
  const auto until = Clock::now() + limit;
  while (alive(pid)) {
    if (Clock::now() >= until) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return true;
}

class StockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("wp-stock-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    pki_ = pki::generate_pki(dir_ / "pki");
    other_ = pki::generate_pki(dir_ / "other");  // a CA nobody here trusts
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<std::string> server_args(const std::string& extra_mtu = "1500") const {
    return {"--role", "server", "--protocol", "dtls1.2", "--listen", "127.0.0.1:0",
            "--cert", pki_.server_cert.string(), "--key", pki_.server_key.string(), "--ca", pki_.ca_cert.string(),
            "--mtu", extra_mtu, "--echo-bytes", "5000", "--chunk", "1000",
            "--handshake-timeout-ms", "8000", "--idle-timeout-ms", "4000"};
  }
  std::vector<std::string> client_args(int port, const fs::path& ca) const {
    return {"--role", "client", "--protocol", "dtls1.2", "--connect", "127.0.0.1:" + std::to_string(port),
            "--server-name", "localhost", "--ca", ca.string(), "--mtu", "1500", "--echo-bytes", "5000",
            "--chunk", "1000", "--handshake-timeout-ms", "8000", "--idle-timeout-ms", "4000"};
  }

  fs::path dir_;
  pki::PkiFiles pki_, other_;
};

void expect_echo_between(StockTest& t, const std::string& client_tool, const std::string& server_tool,
                         const std::vector<std::string>& sargs, std::function<std::vector<std::string>(int)> cargs) {
  (void)t;
  Wrapper server(server_tool, sargs);
  auto ready = server.wait_event("ready");
  ASSERT_TRUE(ready && ready->contains("port")) << server.log();
  const int port = (*ready)["port"];
  ASSERT_GT(port, 0);

  Wrapper client(client_tool, cargs(port));
  EXPECT_EQ(client.wait_exit(), 0) << client.log();
  EXPECT_EQ(server.wait_exit(), 0) << server.log();

  for (Wrapper* w : {&client, &server}) {
    auto hs = w->event("handshake_done");
    ASSERT_TRUE(hs) << w->log();
    EXPECT_EQ((*hs)["version"], "DTLSv1.2") << w->log();
    EXPECT_NE((*hs)["cipher"], "unknown") << w->log();
  }
  // Both ends name the suite the same way, whichever tool printed it.
  EXPECT_EQ((*client.event("handshake_done"))["cipher"], (*server.event("handshake_done"))["cipher"]);
  EXPECT_TRUE(client.event("handshake_done")->contains("cipher_iana"));
  auto c = client.event("app_data"), s = server.event("app_data");
  ASSERT_TRUE(c && s) << client.log() << server.log();
  EXPECT_EQ((*c)["role"], "client");
  EXPECT_EQ((*c)["bytes"], 5000);
  EXPECT_EQ((*c)["chunks"], 45);  // 5000 bytes at 112 pattern bytes per line
  EXPECT_EQ((*c)["echoed_chunks"], 45);
  EXPECT_EQ((*c)["sent_sha256"], (*c)["echoed_sha256"]);
  EXPECT_EQ((*s)["received_sha256"], (*c)["sent_sha256"]) << server.log();
  EXPECT_EQ((*s)["unique_chunks"], 45);
  EXPECT_EQ((*s)["bytes"], 5000);
  EXPECT_LE((*s)["duplicates"].get<int>(), (*c)["resent"].get<int>());
  auto closed = client.event("closed");
  ASSERT_TRUE(closed);
  EXPECT_EQ((*closed)["reason"], "done");
}

TEST_F(StockTest, OpensslCliEchoesWithOpensslCli) {
  expect_echo_between(*this, "openssl-cli", "openssl-cli", server_args(),
                      [&](int port) { return client_args(port, pki_.ca_cert); });
}

TEST_F(StockTest, GnutlsCliEchoesWithGnutlsCli) {
  expect_echo_between(*this, "gnutls-cli", "gnutls-cli", server_args(),
                      [&](int port) { return client_args(port, pki_.ca_cert); });
}

TEST_F(StockTest, OpensslCliClientEchoesWithGnutlsServer) {
  expect_echo_between(*this, "openssl-cli", "gnutls-cli", server_args(),
                      [&](int port) { return client_args(port, pki_.ca_cert); });
}

// A loopback UDP relay that drops chosen client->server application-data
// datagrams (content type 23): records lost mid-stream, as on a lossy link.
class DroppingRelay {
 public:
  DroppingRelay(int server_port, std::vector<int> drop_nth) : drop_(std::move(drop_nth)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    front_ = UniqueFd(::socket(AF_INET, SOCK_DGRAM, 0));
    back_ = UniqueFd(::socket(AF_INET, SOCK_DGRAM, 0));
    socklen_t len = sizeof a;
    ::bind(front_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::getsockname(front_.get(), reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    a.sin_port = htons(static_cast<std::uint16_t>(server_port));
    ::connect(back_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
    thread_ = std::thread([this] { loop(); });
  }
  ~DroppingRelay() {
    stop_ = true;
    thread_.join();
  }
  int port() const { return port_; }
  int dropped() const { return dropped_; }

 private:
  void loop() {
    sockaddr_in client{};
    socklen_t client_len = 0;
    int app_datagrams = 0;
    char buf[65536];
    while (!stop_) {
      pollfd fds[2] = {{front_.get(), POLLIN, 0}, {back_.get(), POLLIN, 0}};
      if (::poll(fds, 2, 50) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        client_len = sizeof client;
        ssize_t n = ::recvfrom(front_.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&client), &client_len);
        if (n > 0 && buf[0] == 23 && std::count(drop_.begin(), drop_.end(), ++app_datagrams) > 0) {
          ++dropped_;
        } else if (n > 0) {
          ::send(back_.get(), buf, static_cast<std::size_t>(n), 0);
        }
      }
      if (fds[1].revents & POLLIN) {
        ssize_t n = ::recv(back_.get(), buf, sizeof buf, 0);
        if (n > 0 && client_len > 0)
          ::sendto(front_.get(), buf, static_cast<std::size_t>(n), 0, reinterpret_cast<sockaddr*>(&client), client_len);
      }
    }
  }

  std::vector<int> drop_;
  UniqueFd front_, back_;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> dropped_{0};
  std::thread thread_;
};

TEST_F(StockTest, LostRecordsAreResentAndTheEchoStillVerifies) {
  // The client resends a lost chunk after 4 s (4 x its fixed 1 s timer): the
  // server must outwait that, or it gives up in the same instant (2 runs in 6).
  auto args = server_args();
  args.back() = "10000";  // --idle-timeout-ms
  Wrapper server("gnutls-cli", args);
  auto ready = server.wait_event("ready");
  ASSERT_TRUE(ready) << server.log();
  DroppingRelay relay((*ready)["port"], {3, 10});  // two chunks' records vanish on the way
  Wrapper client("openssl-cli", client_args(relay.port(), pki_.ca_cert));
  EXPECT_EQ(client.wait_exit(), 0) << client.log();
  EXPECT_EQ(server.wait_exit(), 0) << server.log();
  EXPECT_EQ(relay.dropped(), 2);
  auto c = client.event("app_data"), s = server.event("app_data");
  ASSERT_TRUE(c && s) << client.log() << server.log();
  EXPECT_GE((*c)["resent"].get<int>(), 2) << client.log();
  EXPECT_EQ((*c)["sent_sha256"], (*c)["echoed_sha256"]);
  EXPECT_EQ((*s)["received_sha256"], (*c)["sent_sha256"]);
  EXPECT_EQ((*s)["unique_chunks"], 45);
}

TEST_F(StockTest, WrongCaFailsTheHandshakeWithAnAlert) {
  for (const std::string tool : {"openssl-cli", "gnutls-cli"}) {
    Wrapper server(tool, server_args());
    auto ready = server.wait_event("ready");
    ASSERT_TRUE(ready) << server.log();
    Wrapper client(tool, client_args((*ready)["port"], other_.ca_cert));
    EXPECT_EQ(client.wait_exit(), 1) << client.log();
    EXPECT_TRUE(client.event("error")) << client.log();
    EXPECT_EQ(server.wait_exit(), 1) << server.log();
    auto alert = server.event("alert");
    ASSERT_TRUE(alert) << tool << "\n" << server.log();
    EXPECT_EQ((*alert)["direction"], "received");
    EXPECT_EQ((*alert)["level"], "fatal");
    EXPECT_FALSE(client.event("handshake_done"));
  }
}

TEST_F(StockTest, FixedTimerIsAcceptedAndReportedInReady) {
  // The shipped registry fixes both tools' initial timer at 1 s: the option
  // is dropped (not 127) and the ready event says what the tool really uses.
  for (const std::string tool : {"openssl-cli", "gnutls-cli"}) {
    auto args = server_args();
    args.insert(args.end(), {"--timer-initial-ms", "100"});
    Wrapper server(tool, args);
    auto ready = server.wait_event("ready");
    ASSERT_TRUE(ready) << tool << "\n" << server.log();
    EXPECT_EQ(ready->value("timer_initial_ms_effective", 0), 1000) << tool << "\n" << server.log();
    ::kill(server.pid(), SIGTERM);
    EXPECT_NE(server.wait_exit(milliseconds(5000)), 127) << server.log();
  }
}

TEST_F(StockTest, UnmappedOptionIsUnsupported) {
  // A registry whose gnutls-cli client neither maps nor fixes the timer.
  std::ifstream in(WIREPROOF_REGISTRY);
  json doc = json::parse(in);
  for (auto& e : doc["peers"])
    if (e["name"] == "gnutls-cli") e["tool"]["client"].erase("fixed");
  const fs::path reg = dir_ / "registry.json";
  std::ofstream(reg) << doc.dump(2);
  auto args = client_args(4433, pki_.ca_cert);
  args.insert(args.end(), {"--timer-initial-ms", "100", "--registry", reg.string()});
  Wrapper client("gnutls-cli", args);
  EXPECT_EQ(client.wait_exit(milliseconds(5000)), 127);
  auto err = client.event("error");
  ASSERT_TRUE(err) << client.log();
  EXPECT_EQ((*err)["message"].get<std::string>().rfind("unsupported: --timer-initial-ms", 0), 0u) << client.log();
}

TEST_F(StockTest, FramingLinesIsAcceptedAndBinaryIsUnsupported) {
  auto args = client_args(4433, pki_.ca_cert);
  args.insert(args.end(), {"--framing", "binary"});
  Wrapper binary("openssl-cli", args);
  EXPECT_EQ(binary.wait_exit(milliseconds(5000)), 127) << binary.log();
  args.back() = "json";
  Wrapper bad("openssl-cli", args);
  EXPECT_EQ(bad.wait_exit(milliseconds(5000)), 3) << bad.log();
  args.back() = "lines";
  args.insert(args.end(), {"--version"});
  Wrapper lines("openssl-cli", args);
  EXPECT_EQ(lines.wait_exit(milliseconds(5000)), 0) << lines.log();
  EXPECT_TRUE(lines.event("version")) << lines.log();
}

TEST_F(StockTest, HandshakeTimeoutEndsTheTool) {
  // A bound socket that never answers: no ICMP refusal, just silence.
  UniqueFd silent(::socket(AF_INET, SOCK_DGRAM, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(silent.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::getsockname(silent.get(), reinterpret_cast<sockaddr*>(&addr), &len), 0);
  auto args = client_args(ntohs(addr.sin_port), pki_.ca_cert);
  auto t = std::find(args.begin(), args.end(), "--handshake-timeout-ms");
  ASSERT_NE(t, args.end());
  *(t + 1) = "1500";
  Wrapper client("openssl-cli", args);
  ASSERT_TRUE(client.wait_event("ready"));
  std::this_thread::sleep_for(milliseconds(300));
  const pid_t tool = child_of(client.pid());
  ASSERT_GT(tool, 0);
  EXPECT_EQ(client.wait_exit(milliseconds(8000)), 1) << client.log();
  auto err = client.event("error");
  ASSERT_TRUE(err);
  EXPECT_NE((*err)["message"].get<std::string>().find("handshake not done"), std::string::npos) << client.log();
  EXPECT_TRUE(gone_within(tool, milliseconds(1000)));
}

// The wrapper is told to stop (SIGTERM) or killed outright (SIGKILL): in
// neither case may the tool it started keep running.
void expect_no_orphan(StockTest& t, const std::vector<std::string>& sargs, int sig) {
  (void)t;
  for (const std::string tool : {"openssl-cli", "gnutls-cli"}) {
    Wrapper server(tool, sargs);
    ASSERT_TRUE(server.wait_event("ready")) << server.log();
    const pid_t child = child_of(server.pid());
    ASSERT_GT(child, 0) << tool;
    ASSERT_TRUE(alive(child));
    ::kill(server.pid(), sig);
    const int code = server.wait_exit(milliseconds(5000));
    if (sig == SIGTERM) {
      // SIGTERM is the harness's "the run is over" (CONTRACT.md "Ending"): before a handshake, exit 1.
      EXPECT_EQ(code, 1) << server.log();
      auto err = server.event("error");
      ASSERT_TRUE(err) << server.log();
      EXPECT_NE((*err)["message"].get<std::string>().find("signal 15"), std::string::npos);
    }
    EXPECT_TRUE(gone_within(child, milliseconds(2000))) << tool << " pid " << child << " outlived its wrapper";
  }
}

TEST_F(StockTest, SigtermToWrapperLeavesNoTool) { expect_no_orphan(*this, server_args(), SIGTERM); }
TEST_F(StockTest, SigkillToWrapperLeavesNoTool) { expect_no_orphan(*this, server_args(), SIGKILL); }

}  // namespace
}  // namespace wireproof::stock
