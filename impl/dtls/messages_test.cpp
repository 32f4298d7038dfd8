#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "impl/crypto/test_util.hpp"
#include "impl/dtls/fragmenter.hpp"
#include "impl/dtls/messages.hpp"
#include "impl/dtls/reassembler.hpp"

namespace wd = wireproof::dtls;
namespace wc = wireproof::crypto;
using wc::testing::hex;

namespace {
wd::ClientHello sample_hello() {
  wd::ClientHello ch;
  ch.random = wc::Bytes(32, 0xab);
  ch.cookie = hex("c00c1e");
  ch.cipher_suites = {0xc02b, 0x00ff};
  ch.ext.server_name = "example.test";
  ch.ext.supported_groups = std::vector<std::uint16_t>{29, 23};
  ch.ext.ec_point_formats = std::vector<std::uint8_t>{0};
  ch.ext.signature_algorithms = std::vector<std::uint16_t>{0x0403, 0x0804};
  ch.ext.alpn = std::vector<std::string>{"h2", "echo"};
  ch.ext.extended_master_secret = true;
  ch.ext.renegotiation_info = wc::Bytes{};
  ch.ext.unknown.emplace_back(0x1234, hex("beef"));
  return ch;
}
}  // namespace

TEST(Messages, ClientHelloRoundTrip) {
  auto ch = sample_hello();
  auto body = wd::encode(ch, true);
  std::string err;
  auto back = wd::decode_client_hello(body, true, err);
  ASSERT_TRUE(back) << err;
  EXPECT_EQ(back->cookie, ch.cookie);
  EXPECT_EQ(back->cipher_suites, ch.cipher_suites);
  EXPECT_EQ(back->ext.server_name, "example.test");
  EXPECT_EQ(back->ext.supported_groups, ch.ext.supported_groups);
  EXPECT_EQ(back->ext.signature_algorithms, ch.ext.signature_algorithms);
  EXPECT_EQ(back->ext.alpn, ch.ext.alpn);
  EXPECT_TRUE(back->ext.extended_master_secret);
  ASSERT_TRUE(back->ext.renegotiation_info);
  EXPECT_TRUE(back->ext.renegotiation_info->empty());
  ASSERT_EQ(back->ext.unknown.size(), 1u);
  EXPECT_EQ(wd::encode(*back, true), body);
  // Without the DTLS cookie field the same bytes do not parse as a TLS hello with these values.
  auto tls = wd::decode_client_hello(body, false, err);
  EXPECT_TRUE(!tls || tls->cipher_suites != ch.cipher_suites);
}

TEST(Messages, ClientHelloRejectsTruncationAndDuplicates) {
  auto body = wd::encode(sample_hello(), true);
  std::string err;
  auto bare = sample_hello();
  bare.ext = {};
  std::size_t without_ext = wd::encode(bare, true).size();  // extensions may be absent: that prefix is valid
  for (std::size_t n = 0; n < body.size(); ++n)
    EXPECT_EQ(wd::decode_client_hello(wc::ByteView(body).first(n), true, err).has_value(), n == without_ext)
        << "prefix " << n;
  auto ch = sample_hello();
  ch.ext.unknown.emplace_back(wd::kExtExtendedMasterSecret, wc::Bytes{});  // a second EMS
  EXPECT_FALSE(wd::decode_client_hello(wd::encode(ch, true), true, err));
  EXPECT_NE(err.find("duplicate"), std::string::npos);
  body.push_back(0);
  EXPECT_FALSE(wd::decode_client_hello(body, true, err));
}

TEST(Messages, ServerFlightRoundTrips) {
  std::string err;
  wd::ServerHello sh;
  sh.random = wc::Bytes(32, 1);
  sh.cipher_suite = 0xc02b;
  sh.ext.server_name = "";
  sh.ext.alpn = std::vector<std::string>{"echo"};
  sh.ext.renegotiation_info = wc::Bytes{};
  auto shb = wd::decode_server_hello(wd::encode(sh), err);
  ASSERT_TRUE(shb) << err;
  EXPECT_EQ(shb->cipher_suite, 0xc02b);
  EXPECT_EQ(shb->ext.server_name, "");

  wd::HelloVerifyRequest hvr{0xfefd, hex("0102")};
  EXPECT_EQ(wd::encode(hvr), hex("fefd020102"));
  EXPECT_EQ(wd::decode_hello_verify_request(hex("fefd020102"), err)->cookie, hex("0102"));
  EXPECT_FALSE(wd::decode_hello_verify_request(hex("fefd030102"), err));

  wd::CertificateMsg cm{{hex("3082"), hex("308201")}};
  EXPECT_EQ(wd::encode(cm), hex("00000b" "000002" "3082" "000003" "308201"));
  EXPECT_EQ(wd::decode_certificate(wd::encode(cm), err)->certs.size(), 2u);
  EXPECT_FALSE(wd::decode_certificate(hex("00000b" "000002" "3082" "000004" "308201"), err));

  wd::EcdheServerKeyExchange ske{29, wc::Bytes(32, 9), 0x0403, hex("3044")};
  auto skeb = wd::decode_ecdhe_server_key_exchange(wd::encode(ske), err);
  ASSERT_TRUE(skeb);
  EXPECT_EQ(skeb->public_key, ske.public_key);
  EXPECT_EQ(skeb->params().size(), 4u + 32u);
  EXPECT_FALSE(wd::decode_ecdhe_server_key_exchange(hex("01001d"), err));  // explicit curves refused

  wd::CertificateRequest cr{hex("40"), {0x0403}, {hex("3000")}};
  auto crb = wd::decode_certificate_request(wd::encode(cr), err);
  ASSERT_TRUE(crb);
  EXPECT_EQ(crb->authorities.size(), 1u);
  wd::CertificateVerify cv{0x0403, hex("30")};
  EXPECT_EQ(wd::decode_certificate_verify(wd::encode(cv), err)->signature, hex("30"));
}

TEST(Fragments, SplitAndReassembleInAnyOrderWithDuplicatesAndOverlaps) {
  wc::Bytes body(1000);
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<std::uint8_t>(i * 7);
  auto frags = wd::fragment_message(11, 3, body, 170);
  ASSERT_EQ(frags.size(), 6u);
  // Add an overlapping fragment covering [100, 400) and duplicate everything.
  wc::Bytes overlap;
  {
    wireproof::bytes::Writer w;
    wd::write_handshake_header(w, {11, 1000, 3, 100, 300});
    w.put_bytes(wc::ByteView(body).subspan(100, 300));
    overlap = w.take();
  }
  std::vector<wc::Bytes> all = frags;
  all.insert(all.end(), frags.begin(), frags.end());
  all.push_back(overlap);
  std::mt19937 rng(42);
  std::shuffle(all.begin(), all.end(), rng);
  wd::Reassembler ra(4096);
  ra.set_next_seq(3);
  for (const auto& f : all) {
    wireproof::bytes::Reader r(f);
    wd::HandshakeHeader h;
    std::span<const std::uint8_t> b;
    ASSERT_TRUE(wd::read_handshake_fragment(r, h, b));
    EXPECT_EQ(ra.add(h, b), wd::Reassembler::Outcome::accepted);
  }
  auto m = ra.next();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->body, body);
  EXPECT_EQ(m->message_seq, 3);
  EXPECT_EQ(ra.memory_in_use(), 0u);
  EXPECT_FALSE(ra.next());
  // A fragment of the delivered message is now "old" (peer retransmission).
  wireproof::bytes::Reader r(frags[0]);
  wd::HandshakeHeader h;
  std::span<const std::uint8_t> b;
  ASSERT_TRUE(wd::read_handshake_fragment(r, h, b));
  EXPECT_EQ(ra.add(h, b), wd::Reassembler::Outcome::old);
}

TEST(Fragments, IncompleteMessageNotReleasedAndOrderKept) {
  wd::Reassembler ra(4096);
  auto m1 = wd::fragment_message(14, 1, {}, 100);  // empty body (server_hello_done)
  auto m0 = wd::fragment_message(2, 0, wc::Bytes(50, 1), 20);
  auto add = [&](const wc::Bytes& f) {
    wireproof::bytes::Reader r(f);
    wd::HandshakeHeader h;
    std::span<const std::uint8_t> b;
    EXPECT_TRUE(wd::read_handshake_fragment(r, h, b));
    return ra.add(h, b);
  };
  add(m1[0]);
  EXPECT_FALSE(ra.next());  // seq 1 complete but seq 0 missing
  add(m0[0]);
  add(m0[2]);
  EXPECT_FALSE(ra.next());  // hole in seq 0
  add(m0[1]);
  EXPECT_EQ(ra.next()->message_seq, 0);
  auto done = ra.next();
  ASSERT_TRUE(done);
  EXPECT_EQ(done->type, 14);
  EXPECT_TRUE(done->body.empty());
}

TEST(Fragments, OversizedLengthRefusedWithoutAllocating) {
  wd::Reassembler ra(8192);
  // Claims a 16 MiB message in a 10-byte fragment.
  wd::HandshakeHeader h{11, 0xffffff, 0, 0, 10};
  wc::Bytes frag(10, 0);
  EXPECT_EQ(ra.add(h, frag), wd::Reassembler::Outcome::error);
  EXPECT_EQ(ra.memory_in_use(), 0u);
  EXPECT_NE(ra.error().find("above the reassembly bound"), std::string::npos);
}

TEST(Fragments, InconsistentLengthIsAnErrorFutureOverBoundDropped) {
  wd::Reassembler ra(1000);
  wc::Bytes frag(10, 0);
  EXPECT_EQ(ra.add({11, 600, 1, 0, 10}, frag), wd::Reassembler::Outcome::accepted);  // future message
  EXPECT_EQ(ra.add({11, 600, 2, 0, 10}, frag), wd::Reassembler::Outcome::dropped);   // would exceed the bound
  EXPECT_EQ(ra.add({11, 601, 1, 10, 10}, frag), wd::Reassembler::Outcome::error);    // length disagrees
  EXPECT_EQ(ra.add({2, 900, 0, 0, 10}, frag), wd::Reassembler::Outcome::accepted);   // the next message evicts
  EXPECT_EQ(ra.memory_in_use(), 900u);
  EXPECT_EQ(ra.add({2, 900, 40, 0, 10}, frag), wd::Reassembler::Outcome::dropped);  // beyond the window
}

TEST(Fragments, HeaderRejectsFragmentPastMessageEnd) {
  auto bad = hex("0b000010" "0000" "00000c" "000005" "0102030405");  // 12 + 5 > 16
  wireproof::bytes::Reader r(bad);
  wd::HandshakeHeader h;
  std::span<const std::uint8_t> b;
  EXPECT_FALSE(wd::read_handshake_fragment(r, h, b));
  EXPECT_EQ(r.remaining(), bad.size());
}
