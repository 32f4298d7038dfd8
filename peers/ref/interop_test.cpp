// The reference stack over real UDP on 127.0.0.1 against stock OpenSSL
// (`openssl s_server -dtls1_2`, `openssl s_client -dtls1_2`) and, when it is
// built, against wireproof-peer-openssl with the contract's echo workload.
// Certificates come from harness/pki (ECDSA P-256 CA + leaves).
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <boost/process.hpp>
#include <nlohmann/json.hpp>

#include "harness/pki/pki.hpp"
#include "impl/crypto/test_util.hpp"

namespace bp = boost::process;
namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct TempDir : wireproof::crypto::testing::TempDir {
  TempDir() : wireproof::crypto::testing::TempDir("wp_ref_interop") {}
};

// A UDP port that was free a moment ago (the stock tools need a fixed port).
int free_udp_port() {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// A child process with its stdout read line by line (stdin kept open: s_server quits on EOF).
class Proc {
 public:
  Proc(const std::string& exe, const std::vector<std::string>& args)
      : child_(bp::exe = exe, bp::args = args, bp::std_out > out_, bp::std_err > bp::null, bp::std_in < in_) {}
  ~Proc() {
    if (child_.running()) child_.terminate();
  }
  // Reads lines until one contains `needle` (true) or the stream ends (false).
  bool wait_for_line(const std::string& needle, std::vector<std::string>* seen = nullptr) {
    std::string line;
    while (std::getline(out_, line)) {
      if (seen) seen->push_back(line);
      if (line.find(needle) != std::string::npos) return true;
    }
    return false;
  }
  void write(const std::string& s) {
    in_ << s << std::flush;
  }
  int finish(std::chrono::seconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (child_.running() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
    if (child_.running()) {
      child_.terminate();
      ADD_FAILURE() << "process still running after " << limit.count() << " s";
    }
    child_.wait();
    return child_.exit_code();
  }
  void kill() {
    if (child_.running()) child_.terminate();
  }
  std::vector<json> events() {
    std::vector<json> out;
    std::string line;
    while (std::getline(out_, line)) out.push_back(json::parse(line, nullptr, false));
    return out;
  }

 private:
  bp::ipstream out_;
  bp::opstream in_;
  bp::child child_;
};

json find_event(const std::vector<json>& evs, const std::string& name) {
  for (const auto& e : evs)
    if (e.is_object() && e.value("event", "") == name) return e;
  return json();
}

class RefInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    openssl_ = bp::search_path("openssl").string();
    if (openssl_.empty()) GTEST_SKIP() << "openssl CLI not installed";
    pki_ = wireproof::pki::generate_pki(dir_.path / "pki", "localhost");
  }
  TempDir dir_;
  wireproof::pki::PkiFiles pki_;
  std::string openssl_;
};

}  // namespace

class RefClientVsOpensslServer : public RefInterop, public ::testing::WithParamInterface<const char*> {};

TEST_P(RefClientVsOpensslServer, HandshakeCompletesWithForcedSuite) {
  int port = free_udp_port();
  Proc server(openssl_, {"s_server", "-dtls1_2", "-accept", "127.0.0.1:" + std::to_string(port), "-cert",
                         pki_.server_cert.string(), "-key", pki_.server_key.string(), "-cipher", GetParam(),
                         "-naccept", "1"});
  ASSERT_TRUE(server.wait_for_line("ACCEPT"));
  Proc client(WP_PEER_REF, {"--role", "client", "--protocol", "dtls1.2", "--connect",
                            "127.0.0.1:" + std::to_string(port), "--ca", pki_.ca_cert.string(), "--server-name",
                            "localhost", "--echo-bytes", "0", "--handshake-timeout-ms", "5000"});
  int rc = client.finish(10s);
  auto evs = client.events();
  auto done = find_event(evs, "handshake_done");
  ASSERT_TRUE(done.is_object()) << "no handshake_done; rc=" << rc;
  EXPECT_EQ(done["cipher"], GetParam());
  EXPECT_EQ(done["version"], "DTLSv1.2");
  EXPECT_EQ(rc, 0);
}

INSTANTIATE_TEST_SUITE_P(Suites, RefClientVsOpensslServer,
                         ::testing::Values("ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
                                           "ECDHE-ECDSA-CHACHA20-POLY1305"));

TEST_F(RefInterop, OpensslClientGetsEchoFromRefServer) {
  Proc server(WP_PEER_REF, {"--role", "server", "--protocol", "dtls1.2", "--listen", "127.0.0.1:0", "--cert",
                            pki_.server_cert.string(), "--key", pki_.server_key.string(), "--ca",
                            pki_.ca_cert.string(), "--idle-timeout-ms", "3000"});
  std::vector<std::string> lines;
  ASSERT_TRUE(server.wait_for_line("\"ready\"", &lines));
  int port = json::parse(lines.back())["port"];
  Proc client(openssl_, {"s_client", "-dtls1_2", "-connect", "127.0.0.1:" + std::to_string(port), "-CAfile",
                         pki_.ca_cert.string(), "-verify_hostname", "localhost", "-servername", "localhost",
                         "-verify_return_error", "-ign_eof"});
  std::vector<std::string> seen;
  ASSERT_TRUE(client.wait_for_line("Extended master secret", &seen));
  EXPECT_NE(seen.back().find("yes"), std::string::npos);
  client.write("hello-wireproof\n");
  // s_client prints only what it receives: the line comes back from our server's echo.
  ASSERT_TRUE(client.wait_for_line("hello-wireproof", &seen));
  bool verified = false, cipher = false;
  for (const auto& l : seen) {
    verified = verified || l.find("Verify return code: 0 (ok)") != std::string::npos;
    cipher = cipher || l.find("Cipher is ECDHE-ECDSA-AES128-GCM-SHA256") != std::string::npos;
  }
  EXPECT_TRUE(verified);
  EXPECT_TRUE(cipher);
  client.kill();
  server.kill();
}

// ECDHE_RSA with an RSA-2048 certificate made by the openssl CLI: RSA signatures
// (PSS or PKCS#1, whichever OpenSSL picks from our signature_algorithms) both ways.
TEST_F(RefInterop, EcdheRsaBothDirections) {
  fs::path cert = dir_.path / "rsa.pem", key = dir_.path / "rsa.key";
  int made = bp::system(openssl_, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.string(), "-out",
                        cert.string(), "-days", "1", "-subj", "/CN=localhost", "-addext",
                        "subjectAltName=DNS:localhost", bp::std_out > bp::null, bp::std_err > bp::null);
  ASSERT_EQ(made, 0);
  {
    int port = free_udp_port();
    Proc server(openssl_, {"s_server", "-dtls1_2", "-accept", "127.0.0.1:" + std::to_string(port), "-cert",
                           cert.string(), "-key", key.string(), "-cipher", "ECDHE-RSA-AES128-GCM-SHA256", "-naccept",
                           "1"});
    ASSERT_TRUE(server.wait_for_line("ACCEPT"));
    Proc client(WP_PEER_REF, {"--role", "client", "--protocol", "dtls1.2", "--connect",
                              "127.0.0.1:" + std::to_string(port), "--ca", cert.string(), "--server-name", "localhost",
                              "--echo-bytes", "0", "--handshake-timeout-ms", "5000"});
    EXPECT_EQ(client.finish(10s), 0);
    EXPECT_EQ(find_event(client.events(), "handshake_done")["cipher"], "ECDHE-RSA-AES128-GCM-SHA256");
  }
  {
    Proc server(WP_PEER_REF, {"--role", "server", "--protocol", "dtls1.2", "--listen", "127.0.0.1:0", "--cert",
                              cert.string(), "--key", key.string(), "--ca", cert.string(), "--idle-timeout-ms", "3000"});
    std::vector<std::string> lines;
    ASSERT_TRUE(server.wait_for_line("\"ready\"", &lines));
    int port = json::parse(lines.back())["port"];
    Proc client(openssl_, {"s_client", "-dtls1_2", "-connect", "127.0.0.1:" + std::to_string(port), "-CAfile",
                           cert.string(), "-verify_hostname", "localhost", "-verify_return_error", "-ign_eof"});
    std::vector<std::string> seen;
    ASSERT_TRUE(client.wait_for_line("Verify return code", &seen));
    EXPECT_NE(seen.back().find("0 (ok)"), std::string::npos);
    bool rsa = false;
    for (const auto& l : seen) rsa = rsa || l.find("Cipher is ECDHE-RSA-") != std::string::npos;
    EXPECT_TRUE(rsa);
    client.kill();
    server.kill();
  }
}

// The contract's echo workload both ways against the library shims, with mutual
// authentication, at the default MTU and at a small one (fragmented flights).
std::vector<std::pair<std::string, std::string>> other_shims() {
  std::vector<std::pair<std::string, std::string>> out;
#ifdef WP_PEER_OPENSSL
  out.emplace_back("openssl", WP_PEER_OPENSSL);
#endif
#ifdef WP_PEER_GNUTLS
  out.emplace_back("gnutls", WP_PEER_GNUTLS);
#endif
  return out;
}

TEST_F(RefInterop, EchoWorkloadWithLibraryShims) {
  if (other_shims().empty()) GTEST_SKIP() << "no library shim built";
  for (const auto& [name, exe] : other_shims()) {
    for (const char* mtu : {"", "400"}) {
      for (bool ref_is_client : {true, false}) {
        SCOPED_TRACE(name + (ref_is_client ? ": ref client" : ": ref server") + " mtu=" + (*mtu ? mtu : "default"));
        std::vector<std::string> extra;
        if (*mtu) extra = {"--mtu", mtu};
        std::string chunk = *mtu ? "300" : "1000";
        std::string server_exe = ref_is_client ? exe : WP_PEER_REF;
        std::string client_exe = ref_is_client ? WP_PEER_REF : exe;
        std::vector<std::string> sargs = {"--role", "server", "--protocol", "dtls1.2", "--listen", "127.0.0.1:0",
                                          "--cert", pki_.server_cert.string(), "--key", pki_.server_key.string(),
                                          "--ca", pki_.ca_cert.string(), "--echo-bytes", "20000", "--chunk", chunk,
                                          "--idle-timeout-ms", "2000"};
        sargs.insert(sargs.end(), extra.begin(), extra.end());
        Proc server(server_exe, sargs);
        std::vector<std::string> lines;
        ASSERT_TRUE(server.wait_for_line("\"ready\"", &lines));
        int port = json::parse(lines.back())["port"];
        std::vector<std::string> cargs = {"--role", "client", "--protocol", "dtls1.2", "--connect",
                                          "127.0.0.1:" + std::to_string(port), "--cert", pki_.client_cert.string(),
                                          "--key", pki_.client_key.string(), "--ca", pki_.ca_cert.string(),
                                          "--server-name", "localhost", "--echo-bytes", "20000", "--chunk", chunk};
        cargs.insert(cargs.end(), extra.begin(), extra.end());
        Proc client(client_exe, cargs);
        EXPECT_EQ(client.finish(15s), 0);
        EXPECT_EQ(server.finish(15s), 0);
        auto report = find_event(client.events(), "app_data");
        ASSERT_TRUE(report.is_object());
        EXPECT_EQ(report["sent_sha256"], report["echoed_sha256"]);
        EXPECT_EQ(report["bytes"], 20000);
      }
    }
  }
}
