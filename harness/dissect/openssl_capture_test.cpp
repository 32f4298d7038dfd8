// Real datagrams: an OpenSSL 3.0 DTLS 1.2 handshake with cookie exchange,
// captured once on loopback (testdata/openssl_dtls12_handshake.txt).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "harness/dissect/dtls_dissector.hpp"
#include "harness/dissect/flight_tracker.hpp"

using namespace wireproof;

namespace {

struct Captured {
  dissect::Sender from;
  std::vector<std::uint8_t> bytes;
};

std::vector<Captured> load_capture() {
  const std::string path = std::string(WP_DISSECT_TESTDATA) + "/openssl_dtls12_handshake.txt";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open test fixture " + path);
  std::vector<Captured> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string dir, hex;
    fields >> dir >> hex;
    out.push_back({dir == "c2s" ? dissect::Sender::client : dissect::Sender::server, events::from_hex(hex)});
  }
  return out;
}

std::vector<std::string> names(const dissect::DissectResult& r) {
  std::vector<std::string> out;
  for (const auto& rec : r.records) out.push_back(rec.hs ? rec.hs->name : std::to_string(rec.type));
  return out;
}

}  // namespace

TEST(OpenSslCapture, DissectsEveryDatagramAndNumbersFlights) {
  auto capture = load_capture();
  ASSERT_EQ(capture.size(), 9u);
  dissect::FlightTracker flights;
  std::vector<std::vector<std::string>> seen_names;
  std::vector<std::optional<int>> seen_flights;
  for (const auto& c : capture) {
    auto r = dissect::dissect_dtls(c.bytes);
    EXPECT_FALSE(r.malformed) << *r.malformed;
    auto f = flights.classify(c.from, r.records);
    EXPECT_FALSE(f.retransmission);
    seen_names.push_back(names(r));
    seen_flights.push_back(f.flight);
  }
  using V = std::vector<std::string>;
  EXPECT_EQ(seen_names[0], V{"client_hello"});
  EXPECT_EQ(seen_names[1], V{"hello_verify_request"});
  EXPECT_EQ(seen_names[2], V{"client_hello"});
  EXPECT_EQ(seen_names[3], (V{"server_hello", "certificate", "server_key_exchange", "server_hello_done"}));
  EXPECT_EQ(seen_names[4], (V{"client_key_exchange", "20", "22"}));
  EXPECT_EQ(seen_names[5], (V{"new_session_ticket", "20", "22"}));
  EXPECT_EQ(seen_names[6], V{"23"});
  EXPECT_EQ(seen_names[7], V{"21"});
  std::vector<std::optional<int>> want{1, 2, 3, 4, 5, 6, std::nullopt, std::nullopt, std::nullopt};
  EXPECT_EQ(seen_flights, want);
}

TEST(OpenSslCapture, ClientHelloFieldsMatchTheWire) {
  auto capture = load_capture();
  auto r = dissect::dissect_dtls(capture.at(2).bytes);
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].version, 0xfeff) << "OpenSSL sends DTLS 1.0 in the ClientHello record";
  EXPECT_EQ(r.records[0].seq, 1u);
  ASSERT_TRUE(r.records[0].hs);
  EXPECT_EQ(r.records[0].hs->message_seq, 1);
  EXPECT_EQ(r.records[0].length, capture[2].bytes.size() - 13);
}

TEST(OpenSslCapture, ReplayedCaptureIsAllRetransmissions) {
  auto capture = load_capture();
  dissect::FlightTracker flights;
  for (const auto& c : capture) flights.classify(c.from, dissect::dissect_dtls(c.bytes).records);
  for (std::size_t k = 0; k < 6; ++k) {
    auto f = flights.classify(capture[k].from, dissect::dissect_dtls(capture[k].bytes).records);
    EXPECT_TRUE(f.retransmission) << k;
    EXPECT_EQ(f.flight, static_cast<int>(k) + 1);
  }
}
