// The TLS view of a TCP connection over real OpenSSL bytes (in memory,
// openssl_memory_pair.hpp) put on a TCP wire as the L3 event log holds it
// (TcpLogBuilder): several records in one segment, records spanning
// segments, a dropped segment and its retransmission. With the key log the
// view must hold the encrypted handshake messages, alerts, KeyUpdates and
// application data; without it, what is in clear, and each reason it could
// not see more, in words.
#include "harness/dissect/tls_transcript.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "harness/checks/testdata/tls_over_tcp.hpp"
#include "harness/dissect/openssl_memory_pair.hpp"

namespace wireproof::dissect {
namespace {

using Bytes = std::vector<std::uint8_t>;
using testing::OpensslMemoryPair;

// A TCP connection carrying the pair's two streams.
struct Wire : checks::testing::TlsOverTcp {
  TcpConnection connection() {
    auto conns = tcp_connections(b.log);
    EXPECT_EQ(conns.size(), 1u);
    return conns.at(0);
  }
};

std::vector<int> types(const TranscriptDirection& d) {
  std::vector<int> out;
  for (const auto& m : d.handshake) out.push_back(m.type);
  return out;
}

std::vector<int> keys(const TranscriptDirection& d) {
  std::vector<int> out;
  for (const auto& m : d.handshake) out.push_back(m.key);
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

bool mentions(const TlsTranscript& t, const std::string& words) {
  return std::any_of(t.unseen.begin(), t.unseen.end(), [&](const auto& l) { return l.find(words) != std::string::npos; });
}

// The key log without the lines of `label`.
std::string without(const std::string& key_log, const std::string& label) {
  std::string out;
  std::size_t at = 0;
  for (std::size_t nl; (nl = key_log.find('\n', at)) != std::string::npos; at = nl + 1)
    if (key_log.compare(at, label.size() + 1, label + " ") != 0) out += key_log.substr(at, nl + 1 - at);
  return out;
}

class TlsTranscriptTest : public testing::WithServerPki<int> {};

// 1.3: ClientHello, Finished, KeyUpdate, data, close_notify c2s; the server's
// flight, two tickets, the answering KeyUpdate and data s2c.
struct Tls13Run {
  OpensslMemoryPair p;
  explicit Tls13Run(const pki::PkiFiles& pki) : p(pki, TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256") {
    p.handshake();
    EXPECT_GT(SSL_write(p.client, "hello over tls 1.3", 18), 0);
    p.pump();
    EXPECT_EQ(p.read(p.server), "hello over tls 1.3");
    EXPECT_EQ(SSL_key_update(p.client, SSL_KEY_UPDATE_REQUESTED), 1);
    EXPECT_GT(SSL_write(p.client, "after the update", 16), 0);
    p.pump();
    EXPECT_EQ(p.read(p.server), "after the update");
    EXPECT_GT(SSL_write(p.server, "answer", 6), 0);
    p.pump();
    EXPECT_EQ(p.read(p.client), "answer");
    SSL_shutdown(p.client);
    p.pump();
  }
};

TEST_F(TlsTranscriptTest, Tls13WithTheKeyLogSeesEveryMessageAlertAndKeyUpdate) {
  Tls13Run run(pki_);
  const auto& p = run.p;
  Wire w;
  w.send("c2s", p.c2s, 100);  // every record spans segments
  // The server's first 700 bytes in one segment (several records in it), the
  // rest in 200s, but the 200 bytes around the end of a record dropped and
  // resent after the next segment.
  const auto server_walk = walk_tls_records(p.s2c);
  std::size_t cut = 0;
  for (const auto& r : server_walk.records)
    if (!cut && r.end() > 800) cut = r.end() - 100;
  ASSERT_TRUE(cut > 700 && cut + 200 < p.s2c.size()) << "the server's stream is long enough to cut";
  w.send("s2c", p.s2c, 0, 700, 700);
  w.send("s2c", p.s2c, 700, cut, 200);
  auto& dropped = w.t.data("s2c", w.now, Bytes(p.s2c.begin() + static_cast<std::ptrdiff_t>(cut),
                                              p.s2c.begin() + static_cast<std::ptrdiff_t>(cut + 200)));
  dropped.fate = "dropped";
  dropped.deliveries_us.clear();
  const std::uint64_t dropped_i = dropped.i;
  w.now += 1;
  w.send("s2c", p.s2c, cut + 200, p.s2c.size(), 200);
  const std::uint64_t resent_i = w.t.resend("s2c", w.now, cut, 200).i;
  const auto keylog = parse_key_log(p.key_log);
  ASSERT_TRUE(keylog.errors.empty());
  const auto t = tls_transcript(w.connection(), &keylog.log);
  EXPECT_TRUE(t.unseen.empty()) << joined(t.unseen);
  EXPECT_TRUE(t.key_log_used);
  EXPECT_EQ(t.version, kTls13);
  EXPECT_EQ(t.cipher_suite, 0x1301);
  ASSERT_EQ(t.client_hellos.size(), 1u);
  EXPECT_FALSE(t.hello_retry_request);
  ASSERT_TRUE(t.server_hello);
  EXPECT_EQ(*t.server_hello_message, 0u);

  // ClientHello in clear, Finished under the handshake key, KeyUpdate(update_requested) under secret 0.
  EXPECT_EQ(types(t.c2s), (std::vector<int>{1, 20, 24}));
  EXPECT_EQ(keys(t.c2s), (std::vector<int>{kKeyClear, kKeyHandshake, kKeyApplication0}));
  EXPECT_EQ(t.c2s.handshake[2].body, Bytes{1});
  EXPECT_FALSE(t.c2s.handshake[0].encrypted);
  EXPECT_TRUE(t.c2s.handshake[1].encrypted);
  // ServerHello; EncryptedExtensions .. Finished; two NewSessionTickets; the answering KeyUpdate.
  EXPECT_EQ(types(t.s2c), (std::vector<int>{2, 8, 11, 15, 20, 4, 4, 24}));
  EXPECT_EQ(keys(t.s2c), (std::vector<int>{0, 1, 1, 1, 1, 2, 2, 2}));
  EXPECT_EQ(t.s2c.handshake.back().body, Bytes{0}) << "update_not_requested";
  // OpenSSL's middlebox-compatible CCS, one each way, in clear.
  ASSERT_EQ(t.c2s.change_cipher_specs.size(), 1u);
  EXPECT_EQ(t.s2c.change_cipher_specs.size(), 1u);
  EXPECT_FALSE(t.c2s.records[t.c2s.change_cipher_specs[0]].is_protected);

  // close_notify, encrypted under the client's key after its KeyUpdate.
  ASSERT_EQ(t.c2s.alerts.size(), 1u);
  EXPECT_EQ(t.c2s.alerts[0].level, 1);
  EXPECT_EQ(t.c2s.alerts[0].description, 0);
  EXPECT_TRUE(t.c2s.alerts[0].encrypted);
  EXPECT_EQ(t.c2s.alerts[0].key, kKeyApplication0 + 1);
  EXPECT_EQ(key_name(t.c2s.alerts[0].key, t.version), "application traffic secret 1 (after 1 KeyUpdate)");
  EXPECT_TRUE(t.s2c.alerts.empty());

  const std::string c2s_data(t.c2s.application_data.begin(), t.c2s.application_data.end());
  EXPECT_EQ(c2s_data, "hello over tls 1.3after the update");
  EXPECT_EQ(std::string(t.s2c.application_data.begin(), t.s2c.application_data.end()), "answer");
  for (const auto& r : t.c2s.records) {
    EXPECT_EQ(r.is_protected, r.type == kApplicationData);
    EXPECT_EQ(r.decrypted, r.is_protected);
    if (r.decrypted) {
      EXPECT_EQ(r.content_length + 1 + r.padding + 16, r.length) << "content, inner type, padding, tag";
      EXPECT_EQ(r.padding, 0u);
    }
  }
  EXPECT_EQ(t.c2s.protected_records, t.c2s.decrypted_records);
  EXPECT_TRUE(t.c2s.all_seen() && t.s2c.all_seen());

  // The packets behind each record: the ClientHello spans 100-byte segments.
  const auto& ch = t.c2s.records[0];
  EXPECT_GT(ch.length, 100u);
  EXPECT_LT(ch.first.i, ch.last.i);
  const auto c = w.connection();
  EXPECT_EQ(ch.first.i, c.c2s.segments[2].i()) << "the first data segment (after the SYN and the ACK)";
  // Several server records in its first segment.
  EXPECT_EQ(t.s2c.records[0].first.i, t.s2c.records[1].first.i);
  // A record byte the dropped segment carried came with its retransmission.
  bool seen_resent = false;
  for (const auto& r : t.s2c.records) {
    EXPECT_NE(r.first.i, dropped_i);
    EXPECT_NE(r.last.i, dropped_i);
    const auto resent = [&](std::size_t o) { return o >= cut && o < cut + 200; };
    if (resent(r.offset)) {
      EXPECT_EQ(r.first.i, resent_i) << "record " << r.index;
    }
    if (resent(r.end_offset() - 1)) {
      EXPECT_EQ(r.last.i, resent_i) << "record " << r.index;
    }
    seen_resent |= resent(r.offset) || resent(r.end_offset() - 1);
  }
  EXPECT_TRUE(seen_resent) << "some record starts or ends in the resent bytes";
}

// RFC 7301 3.1: the server's ALPN choice, in 1.3 inside EncryptedExtensions.
int select_h2(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char*, unsigned int, void*) {
  static const unsigned char h2[] = {'h', '2'};
  *out = h2;
  *outlen = 2;
  return SSL_TLSEXT_ERR_OK;
}

TEST_F(TlsTranscriptTest, TheServersEncryptedExtensionsAreParsed) {
  OpensslMemoryPair p(pki_, TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256");
  const unsigned char offer[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  ASSERT_EQ(SSL_set_alpn_protos(p.client, offer, sizeof offer), 0);
  SSL_CTX_set_alpn_select_cb(p.server_ctx, select_h2, nullptr);
  p.handshake();
  Wire w;
  w.send("c2s", p.c2s, 1400);
  w.send("s2c", p.s2c, 1400);
  const auto keylog = parse_key_log(p.key_log);
  const auto t = tls_transcript(w.connection(), &keylog.log);
  ASSERT_TRUE(t.encrypted_extensions) << joined(t.unseen);
  const auto* alpn = find_extension(*t.encrypted_extensions, 16);
  ASSERT_NE(alpn, nullptr);
  EXPECT_EQ(*alpn, (Bytes{0, 3, 2, 'h', '2'}));
  EXPECT_FALSE(tls_transcript(w.connection(), nullptr).encrypted_extensions) << "not without the key log";
}

TEST_F(TlsTranscriptTest, AnEncryptedCertificateSpanningRecordsIsOneMessage) {
  OpensslMemoryPair p(pki_, TLS1_3_VERSION, "TLS_AES_256_GCM_SHA384");
  SSL_set_max_send_fragment(p.server, 512);
  p.handshake();
  Wire w;
  w.send("c2s", p.c2s, 1400);
  w.send("s2c", p.s2c, 1400);
  const auto keylog = parse_key_log(p.key_log);
  const auto t = tls_transcript(w.connection(), &keylog.log);
  EXPECT_TRUE(t.unseen.empty()) << joined(t.unseen);
  const auto cert = std::find_if(t.s2c.handshake.begin(), t.s2c.handshake.end(), [](const auto& m) { return m.type == 11; });
  ASSERT_NE(cert, t.s2c.handshake.end());
  EXPECT_TRUE(cert->complete && cert->encrypted);
  EXPECT_GT(cert->last_record, cert->first_record) << "a Certificate of " << cert->length << " bytes in 512-byte records";
  for (std::size_t k = cert->first_record; k <= cert->last_record; ++k)
    EXPECT_LE(t.s2c.records[k].content_length, 512u);
}

TEST_F(TlsTranscriptTest, Tls12WithTheKeyLogSeesBothFinishedAndTheCloseNotify) {
  OpensslMemoryPair p(pki_, TLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256");
  p.handshake();
  ASSERT_GT(SSL_write(p.client, "hello over tls 1.2", 18), 0);
  p.pump();
  EXPECT_EQ(p.read(p.server), "hello over tls 1.2");
  SSL_shutdown(p.server);
  p.pump();
  Wire w;
  w.send("c2s", p.c2s, 60);
  w.send("s2c", p.s2c, 536);
  const auto keylog = parse_key_log(p.key_log);
  const auto t = tls_transcript(w.connection(), &keylog.log);
  EXPECT_TRUE(t.unseen.empty()) << joined(t.unseen);
  EXPECT_EQ(t.version, kTls12);
  EXPECT_EQ(t.cipher_suite, 0xc02b);
  // ClientHello, ClientKeyExchange in clear; Finished after the CCS, encrypted.
  EXPECT_EQ(types(t.c2s), (std::vector<int>{1, 16, 20}));
  EXPECT_EQ(keys(t.c2s), (std::vector<int>{0, 0, 1}));
  // ServerHello, Certificate, ServerKeyExchange, ServerHelloDone; NewSessionTicket in clear; Finished.
  EXPECT_EQ(types(t.s2c), (std::vector<int>{2, 11, 12, 14, 4, 20}));
  EXPECT_TRUE(t.s2c.handshake.back().encrypted);
  EXPECT_EQ(key_name(t.s2c.handshake.back().key, t.version), "the keys after ChangeCipherSpec");
  EXPECT_EQ(std::string(t.c2s.application_data.begin(), t.c2s.application_data.end()), "hello over tls 1.2");
  ASSERT_EQ(t.s2c.alerts.size(), 1u);
  EXPECT_EQ(t.s2c.alerts[0].description, 0) << "close_notify";
  EXPECT_TRUE(t.s2c.alerts[0].encrypted);
  EXPECT_EQ(t.s2c.records[t.s2c.alerts[0].record].type, kAlert) << "1.2 keeps the outer type";
}

TEST_F(TlsTranscriptTest, AHelloRetryRequestIsToldFromTheServerHello) {
  OpensslMemoryPair p(pki_, TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256");
  ASSERT_EQ(SSL_set1_groups_list(p.client, "X25519:P-256"), 1);  // a key share for X25519 only
  ASSERT_EQ(SSL_set1_groups_list(p.server, "P-256"), 1);
  p.handshake();
  Wire w;
  w.send("c2s", p.c2s, 1400);
  w.send("s2c", p.s2c, 1400);
  const auto keylog = parse_key_log(p.key_log);
  const auto t = tls_transcript(w.connection(), &keylog.log);
  EXPECT_TRUE(t.unseen.empty()) << joined(t.unseen);
  ASSERT_TRUE(t.hello_retry_request);
  EXPECT_EQ(*t.hello_retry_request_message, 0u);
  ASSERT_TRUE(t.server_hello);
  EXPECT_FALSE(is_hello_retry_request(*t.server_hello));
  EXPECT_EQ(t.client_hellos.size(), 2u);
  EXPECT_EQ(t.version, kTls13);
  EXPECT_EQ(types(t.c2s), (std::vector<int>{1, 1, 20}));
  EXPECT_EQ(types(t.s2c), (std::vector<int>{2, 2, 8, 11, 15, 20, 4, 4}));
}

TEST_F(TlsTranscriptTest, AClearAlertIsSeenWithoutAKeyLog) {
  OpensslMemoryPair p(pki_, TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256");
  ASSERT_EQ(SSL_set_min_proto_version(p.server, TLS1_2_VERSION), 1);
  ASSERT_EQ(SSL_set_max_proto_version(p.server, TLS1_2_VERSION), 1);
  SSL_do_handshake(p.client);
  p.pump();
  SSL_do_handshake(p.server);
  p.pump();
  Wire w;
  w.send("c2s", p.c2s, 1400);
  w.send("s2c", p.s2c, 1400);
  const auto t = tls_transcript(w.connection(), nullptr);
  ASSERT_EQ(t.s2c.alerts.size(), 1u);
  EXPECT_EQ(t.s2c.alerts[0].level, 2);
  EXPECT_EQ(t.s2c.alerts[0].description, 70) << "protocol_version";
  EXPECT_FALSE(t.s2c.alerts[0].encrypted);
  EXPECT_EQ(t.version, 0);
  EXPECT_TRUE(mentions(t, "s2c: no ServerHello seen")) << joined(t.unseen);
  EXPECT_FALSE(mentions(t, "no key log")) << "nothing was protected, so nothing is missing for want of keys";
}

// --- What could not be seen, one reason each ---

TEST_F(TlsTranscriptTest, WithoutAKeyLogOnlyTheClearPartIsSeenAndItSaysSo) {
  Tls13Run run(pki_);
  Wire w;
  w.send("c2s", run.p.c2s, 1400);
  w.send("s2c", run.p.s2c, 1400);
  const auto t = tls_transcript(w.connection(), nullptr);
  EXPECT_FALSE(t.key_log_used);
  EXPECT_EQ(t.version, kTls13) << "the hellos are in clear";
  EXPECT_EQ(types(t.c2s), (std::vector<int>{1}));
  EXPECT_EQ(types(t.s2c), (std::vector<int>{2}));
  EXPECT_TRUE(t.c2s.alerts.empty()) << "the close_notify is encrypted";
  EXPECT_GT(t.s2c.protected_records, 0u);
  EXPECT_EQ(t.s2c.decrypted_records, 0u);
  EXPECT_FALSE(t.s2c.all_seen());
  for (const auto& r : t.s2c.records)
    if (r.is_protected) {
      EXPECT_EQ(r.key, kKeyUnknown);
    }
  EXPECT_TRUE(mentions(t, "c2s: no key log for this connection: ")) << joined(t.unseen);
  EXPECT_TRUE(mentions(t, "s2c: no key log for this connection: ")) << joined(t.unseen);
  EXPECT_TRUE(mentions(t, "protected records not decrypted")) << joined(t.unseen);
  const auto named = tls_transcript(w.connection(), nullptr, "no keylog-*.txt in the run directory");
  EXPECT_TRUE(mentions(named, "s2c: no keylog-*.txt in the run directory: ")) << joined(named.unseen);
}

TEST_F(TlsTranscriptTest, AKeyLogOfAnotherConnectionIsNamed) {
  Tls13Run run(pki_), other(pki_);
  Wire w;
  w.send("c2s", run.p.c2s, 1400);
  w.send("s2c", run.p.s2c, 1400);
  const auto keylog = parse_key_log(other.p.key_log);
  const auto t = tls_transcript(w.connection(), &keylog.log);
  EXPECT_FALSE(t.key_log_used);
  EXPECT_TRUE(mentions(t, "s2c: the key log has no secrets for this connection (ClientHello.random ")) << joined(t.unseen);
  EXPECT_EQ(types(t.s2c), (std::vector<int>{2}));
}

TEST_F(TlsTranscriptTest, AMissingSecretIsNamedAndTheOtherDirectionStillDecrypts) {
  Tls13Run run(pki_);
  Wire w;
  w.send("c2s", run.p.c2s, 1400);
  w.send("s2c", run.p.s2c, 1400);
  const auto keylog = parse_key_log(without(run.p.key_log, "SERVER_HANDSHAKE_TRAFFIC_SECRET"));
  const auto t = tls_transcript(w.connection(), &keylog.log);
  EXPECT_TRUE(mentions(t, "s2c: key log has no SERVER_HANDSHAKE_TRAFFIC_SECRET for this connection")) << joined(t.unseen);
  EXPECT_EQ(t.unseen.size(), 1u) << joined(t.unseen);
  EXPECT_EQ(types(t.c2s), (std::vector<int>{1, 20, 24}));
  EXPECT_EQ(types(t.s2c), (std::vector<int>{2}));
}

TEST_F(TlsTranscriptTest, AMissingApplicationSecretStopsAfterFinished) {
  Tls13Run run(pki_);
  Wire w;
  w.send("c2s", run.p.c2s, 1400);
  w.send("s2c", run.p.s2c, 1400);
  const auto keylog = parse_key_log(without(run.p.key_log, "CLIENT_TRAFFIC_SECRET_0"));
  const auto t = tls_transcript(w.connection(), &keylog.log);
  EXPECT_TRUE(mentions(t, "c2s: decryption stopped at record ")) << joined(t.unseen);
  EXPECT_TRUE(mentions(t, "no application traffic secret logged for this direction")) << joined(t.unseen);
  EXPECT_EQ(types(t.c2s), (std::vector<int>{1, 20}));
  EXPECT_LT(t.c2s.decrypted_records, t.c2s.protected_records);
}

TEST_F(TlsTranscriptTest, ARecordThatDoesNotAuthenticateIsNamed) {
  Tls13Run run(pki_);
  Bytes s2c = run.p.s2c;
  const auto walk = walk_tls_records(s2c);
  const std::size_t k = first_of_type(walk, kApplicationData);
  ASSERT_LT(k, walk.records.size());
  s2c[walk.records[k].offset + kTlsRecordHeader + 2] ^= 0x01;
  Wire w;
  w.send("c2s", run.p.c2s, 1400);
  w.send("s2c", s2c, 1400);
  const auto keylog = parse_key_log(run.p.key_log);
  const auto t = tls_transcript(w.connection(), &keylog.log);
  EXPECT_TRUE(mentions(t, "s2c: decryption stopped at record " + std::to_string(k))) << joined(t.unseen);
  EXPECT_TRUE(mentions(t, "does not authenticate under the handshake traffic key")) << joined(t.unseen);
  EXPECT_EQ(t.s2c.decrypted_records, 0u);
}

TEST_F(TlsTranscriptTest, ANonAeadTls12SuiteIsNamed) {
  OpensslMemoryPair p(pki_, TLS1_2_VERSION, "ECDHE-ECDSA-AES128-SHA256");
  p.handshake();
  Wire w;
  w.send("c2s", p.c2s, 1400);
  w.send("s2c", p.s2c, 1400);
  const auto keylog = parse_key_log(p.key_log);
  const auto t = tls_transcript(w.connection(), &keylog.log);
  EXPECT_EQ(t.cipher_suite, 0xc023);
  EXPECT_TRUE(mentions(t, "c2s: cipher suite 0xc023 is not an AEAD suite this harness decrypts")) << joined(t.unseen);
  EXPECT_EQ(types(t.c2s), (std::vector<int>{1, 16}));
}

TEST_F(TlsTranscriptTest, AHoleInTheStreamIsNamed) {
  Tls13Run run(pki_);
  Wire w;
  w.send("c2s", run.p.c2s, 1400);
  w.send("s2c", run.p.s2c, 0, 200, 200);
  auto& lost = w.t.data("s2c", w.now, Bytes(run.p.s2c.begin() + 200, run.p.s2c.begin() + 400));
  lost.fate = "dropped";
  lost.deliveries_us.clear();
  w.send("s2c", run.p.s2c, 400, run.p.s2c.size(), 1400);
  const auto keylog = parse_key_log(run.p.key_log);
  const auto t = tls_transcript(w.connection(), &keylog.log);
  EXPECT_TRUE(mentions(t, "s2c: stream bytes from offset 200 were never delivered")) << joined(t.unseen);
  EXPECT_EQ(t.s2c.records.back().end_offset() + t.s2c.partial_bytes, 200u) << "the records before the hole are kept";
}

TEST_F(TlsTranscriptTest, APlaintextServerIsWhereTheRecordsStop) {
  Tls13Run run(pki_);
  Wire w;
  w.send("c2s", run.p.c2s, 1400);
  const std::string http = "HTTP/1.1 400 Bad Request\r\n\r\n";
  w.send("s2c", Bytes(http.begin(), http.end()), 1400);
  const auto t = tls_transcript(w.connection(), nullptr);
  ASSERT_TRUE(t.s2c.record_fault);
  EXPECT_EQ(t.s2c.fault_offset, 0u);
  EXPECT_TRUE(t.s2c.records.empty());
  EXPECT_FALSE(t.s2c.all_seen());
  EXPECT_TRUE(mentions(t, "s2c: the stream stops being TLS records at record 0 at offset 0: content type 72"))
      << joined(t.unseen);
}

TEST_F(TlsTranscriptTest, AStreamCutInsideTheClientHelloIsNamed) {
  Tls13Run run(pki_);
  Wire w;
  w.send("c2s", run.p.c2s, 0, 150, 100);
  const auto t = tls_transcript(w.connection(), nullptr);
  EXPECT_EQ(t.c2s.partial_bytes, 150u);
  EXPECT_TRUE(t.client_hellos.empty());
  EXPECT_TRUE(mentions(t, "c2s: no ClientHello seen")) << joined(t.unseen);
}

}  // namespace
}  // namespace wireproof::dissect
