// capture.pcapng with the key log in a Decryption Secrets Block, read by
// tshark: real OpenSSL TLS 1.3 bytes (openssl_memory_pair.hpp) on a TCP
// connection of an L3 event log (TlsOverTcp, each segment a real IPv4 packet
// with valid checksums), written by write_pcapng + with_tls_secrets. tshark
// must find the encrypted handshake messages (EncryptedExtensions,
// Certificate, CertificateVerify, Finished, ...) in the order the harness's
// own decryption (tls_transcript) found them, and without the block it must
// not see them. Skipped when tshark is not installed.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/process.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <variant>

#include "harness/capture/pcapng_writer.hpp"
#include "harness/checks/testdata/tls_over_tcp.hpp"
#include "harness/dissect/openssl_memory_pair.hpp"
#include "harness/dissect/tls_transcript.hpp"
#include "harness/wire/l3/l3_packet_test_support.hpp"

namespace wireproof::capture {
namespace {

namespace bp = boost::process;
using Bytes = std::vector<std::uint8_t>;

Bytes ipv4_address(const std::string& text) {
  Bytes a(4);
  EXPECT_EQ(::inet_pton(AF_INET, text.c_str(), a.data()), 1) << text;
  return a;
}

// The IPv4 + TCP packet the log's layers describe (no TCP options), checksums valid.
Bytes packet_of(const events::Datagram& d) {
  const auto& tcp = *d.tcp;
  wire::l3::test::TcpSegmentSpec s;
  s.src = ipv4_address(d.ip->src);
  s.dst = ipv4_address(d.ip->dst);
  s.src_port = tcp.src_port;
  s.dst_port = tcp.dst_port;
  s.seq = tcp.seq;
  s.ack = tcp.ack;
  s.flags = tcp.flags;
  s.window = tcp.window;
  s.payload = d.payload;
  s.ip_id = static_cast<std::uint16_t>(d.i);
  return wire::l3::test::tcp_packet(s);
}

// tshark's handshake message types per TCP source port, in capture order.
// Each packet is in the capture twice (arriving at the wire, delivered by it):
// tshark takes the second copy as a retransmission and dissects the first.
// The builder's server port 5000 is registered to another dissector, so TLS
// is asked for; a real run's server listens on an ephemeral port, which
// tshark's TLS-over-TCP heuristic (on by default) recognises.
std::map<int, std::vector<int>> tshark_handshake_types(const std::filesystem::path& pcap, int server_port) {
  bp::ipstream out;
  bp::child c(bp::search_path("tshark"), "-r", pcap.string(), "-d", "tcp.port==" + std::to_string(server_port) + ",tls",
              "-Y", "tls.handshake.type", "-T", "fields", "-e", "tcp.srcport", "-e", "tls.handshake.type",
              bp::std_out > out, bp::std_err > bp::null);
  std::map<int, std::vector<int>> types;
  for (std::string line; std::getline(out, line);) {
    std::istringstream fields(line);
    int port = 0;
    std::string list;
    fields >> port >> list;
    std::istringstream each(list);
    for (std::string t; std::getline(each, t, ',');) types[port].push_back(std::stoi(t));
  }
  c.wait();
  EXPECT_EQ(c.exit_code(), 0);
  return types;
}

std::vector<int> types_of(const dissect::TranscriptDirection& d) {
  std::vector<int> out;
  for (const auto& m : d.handshake) out.push_back(m.type);
  return out;
}

class CaptureTlsSecrets : public dissect::testing::WithServerPki<int> {};

TEST_F(CaptureTlsSecrets, TsharkDecryptsTheSameHandshakeMessagesAsTheHarness) {
  if (bp::search_path("tshark").empty()) GTEST_SKIP() << "tshark not installed";
  dissect::testing::OpensslMemoryPair p(pki_, TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256");
  p.handshake();
  ASSERT_GT(SSL_write(p.client, "hello", 5), 0);
  p.pump();
  EXPECT_EQ(p.read(p.server), "hello");
  ASSERT_EQ(SSL_key_update(p.server, SSL_KEY_UPDATE_NOT_REQUESTED), 1);
  ASSERT_GT(SSL_write(p.server, "answer", 6), 0);
  p.pump();
  EXPECT_EQ(p.read(p.client), "answer");

  checks::testing::TlsOverTcp w;
  // In the order a real exchange has (tshark decrypts the client's Finished
  // only after the ServerHello): the ClientHello, the server's bytes, the rest.
  const std::size_t hello_end = dissect::walk_tls_records(p.c2s).records.at(0).end();
  w.send("c2s", p.c2s, 0, hello_end, 200);
  w.send("s2c", p.s2c, 0, 300, 300);
  w.send("s2c", p.s2c, 300, p.s2c.size(), 1000);
  w.send("c2s", p.c2s, hello_end, p.c2s.size(), 200);
  for (auto& e : w.b.log.events)
    if (auto* d = std::get_if<events::Datagram>(&e)) d->packet = packet_of(*d);
  ASSERT_TRUE(is_l3_log(w.b.log));

  const auto keys = dissect::parse_key_log(p.key_log);
  const auto conns = dissect::tcp_connections(w.b.log);
  ASSERT_EQ(conns.size(), 1u);
  const auto t = dissect::tls_transcript(conns[0], &keys.log);
  ASSERT_TRUE(t.unseen.empty()) << t.unseen[0];
  const auto harness_s2c = types_of(t.s2c), harness_c2s = types_of(t.c2s);
  ASSERT_EQ(harness_s2c, (std::vector<int>{2, 8, 11, 15, 20, 4, 4, 24}));
  ASSERT_EQ(harness_c2s, (std::vector<int>{1, 20}));

  const auto dir = std::filesystem::temp_directory_path() / ("wp-capture-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ostringstream plain;
  write_pcapng(w.b.log, {}, plain);
  std::ofstream(dir / "plain.pcapng", std::ios::binary) << plain.str();
  std::ofstream(dir / "secrets.pcapng", std::ios::binary) << with_tls_secrets(plain.str(), {p.key_log});

  const int client_port = t.client_port, server_port = t.server_port;
  auto seen = tshark_handshake_types(dir / "secrets.pcapng", server_port);
  EXPECT_EQ(seen[server_port], harness_s2c);
  EXPECT_EQ(seen[client_port], harness_c2s);
  // Without the block only the hellos are visible.
  auto blind = tshark_handshake_types(dir / "plain.pcapng", server_port);
  EXPECT_EQ(blind[server_port], (std::vector<int>{2}));
  EXPECT_EQ(blind[client_port], (std::vector<int>{1}));
  if (!HasFailure()) std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace wireproof::capture
