#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/tls/tls_test_support.hpp"

namespace wireproof::checks {
namespace {

using dissect::testing::OpensslMemoryPair;
using namespace testing;

class RecordFraming : public dissect::testing::WithServerPki<int> {
 protected:
  std::unique_ptr<Check> check_ = make_record_framing();
};

Bytes record(std::uint8_t type, const Bytes& body) {
  Bytes r{type, 3, 3, 0, 0};
  put16(r, 3, body.size());
  r.insert(r.end(), body.begin(), body.end());
  return r;
}
Bytes prepended(const Bytes& head, const Bytes& stream) {
  Bytes out = head;
  out.insert(out.end(), stream.begin(), stream.end());
  return out;
}

TEST_F(RecordFraming, RealExchangesPassWithAndWithoutTheKeyLog) {
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    OpensslMemoryPair p(pki_, version, version == TLS1_3_VERSION ? "TLS_AES_128_GCM_SHA256" : "ECDHE-ECDSA-AES128-GCM-SHA256");
    SSL_set_tlsext_max_fragment_length(p.client, TLSEXT_max_fragment_length_512);  // the Certificate spans records
    p.handshake();
    write_and_read(p, p.server, 2000);
    const char* proto = version == TLS1_3_VERSION ? "tls1.3" : "tls1.2";
    auto r = judge(*check_, p, true, proto);
    EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
    r = judge(*check_, p, false, proto);
    EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
    EXPECT_NE(r.detail.find("not judged"), std::string::npos) << r.detail;
  }
}

// Fails without the interleaving rule: the ClientHello cut in two records with an alert between.
TEST_F(RecordFraming, AnAlertInsideASplitClientHelloFails) {
  OpensslMemoryPair p(pki_, TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256");
  p.handshake();
  const std::size_t len = get16(p.c2s, 3);
  const Bytes body(p.c2s.begin() + 5, p.c2s.begin() + 5 + static_cast<std::ptrdiff_t>(len));
  Bytes c2s = record(dissect::kHandshake, Bytes(body.begin(), body.begin() + 100));
  const Bytes alert = record(dissect::kAlert, {1, 90});  // warning user_canceled
  c2s.insert(c2s.end(), alert.begin(), alert.end());
  const Bytes rest = record(dissect::kHandshake, Bytes(body.begin() + 100, body.end()));
  c2s.insert(c2s.end(), rest.begin(), rest.end());
  c2s.insert(c2s.end(), p.c2s.begin() + 5 + static_cast<std::ptrdiff_t>(len), p.c2s.end());
  const auto r = judge(*check_, p, c2s, p.s2c, true);
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("c2s: the client's record 1: a alert record inside the client_hello that spans records 0..2"),
            std::string::npos)
      << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"c2s"}));
}

// Fails without the zero-length rule.
TEST_F(RecordFraming, AZeroLengthHandshakeRecordFails) {
  OpensslMemoryPair p(pki_, TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256");
  p.handshake();
  const auto r = judge(*check_, p, prepended(record(dissect::kHandshake, {}), p.c2s), p.s2c, true);
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("c2s: the client's record 0: a zero-length handshake record"), std::string::npos) << r.detail;
}

// Fails without the 1.3 alert rule: two alerts coalesced, then half an alert.
TEST_F(RecordFraming, CoalescedOrFragmentedAlertsFailIn13) {
  OpensslMemoryPair p(pki_, TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256");
  p.handshake();
  Bytes s2c = p.s2c;
  for (const Bytes& a : {record(dissect::kAlert, {1, 90, 1, 90}), record(dissect::kAlert, {1})}) {
    auto r = judge(*check_, p, p.c2s, prepended(a, s2c), false);
    EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
    EXPECT_NE(r.detail.find(a.size() == 9 ? "an alert record of 4 bytes" : "an alert record of 1 bytes (an alert is 2: fragmented)"),
              std::string::npos)
        << r.detail;
  }
}

// Fails without the key-change rule: half a handshake header in clear just
// before the 1.2 client's ChangeCipherSpec, its encrypted Finished after.
TEST_F(RecordFraming, AHandshakeMessageAcrossTheChangeCipherSpecFails) {
  OpensslMemoryPair p(pki_, TLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256");
  p.handshake();
  Bytes c2s = p.c2s;
  std::size_t ccs = 0;
  for (std::size_t at = 0; at + 5 < c2s.size(); at += 5 + get16(c2s, at + 3))
    if (c2s[at] == dissect::kChangeCipherSpec) ccs = at;
  const Bytes half = record(dissect::kHandshake, {20, 0, 0, 12, 1, 2});
  c2s.insert(c2s.begin() + static_cast<std::ptrdiff_t>(ccs), half.begin(), half.end());
  const auto r = judge(*check_, p, c2s, p.s2c, true, "tls1.2");
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("spans a key change"), std::string::npos) << r.detail;
}

}  // namespace
}  // namespace wireproof::checks
