#include "harness/dissect/tls_transcript.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "harness/dissect/tls_decrypt.hpp"
#include "impl/bytes/reader.hpp"

namespace wireproof::dissect {

namespace {

constexpr std::uint8_t kHsClientHello = 1, kHsServerHello = 2, kHsEncryptedExtensions = 8;

// Which delivered segment put each stream byte there: the first delivered
// copy in wire order, as tcp_stream keeps it.
class Carriers {
 public:
  explicit Carriers(const TcpDirection& d) {
    for (const auto& s : d.segments) {
      const auto n = static_cast<std::int64_t>(std::min(s.d->payload.size(), s.tcp().payload_length));
      if (!s.delivered || n == 0) continue;
      const CarryingPacket p{s.i(), s.t_us(), s.delivered_us};
      // The parts of [from, to) no earlier copy covered.
      std::int64_t from = s.data_start;
      const std::int64_t to = s.data_start + n;
      auto it = pieces_.upper_bound(from);
      if (it != pieces_.begin() && std::prev(it)->second.end > from) from = std::prev(it)->second.end;
      while (from < to) {
        it = pieces_.lower_bound(from);
        const std::int64_t gap_end = it == pieces_.end() ? to : std::min(to, it->first);
        if (gap_end > from) pieces_.emplace(from, Piece{gap_end, p});
        if (it == pieces_.end() || it->first >= to) break;
        from = it->second.end;
      }
    }
  }
  CarryingPacket at(std::size_t offset) const {
    auto it = pieces_.upper_bound(static_cast<std::int64_t>(offset));
    if (it == pieces_.begin()) return {};
    return std::prev(it)->second.packet;  // the stream is contiguous: some piece covers it
  }

 private:
  struct Piece {
    std::int64_t end;
    CarryingPacket packet;
  };
  std::map<std::int64_t, Piece> pieces_;
};

std::string hex_prefix(const std::vector<std::uint8_t>& b) {
  std::string out;
  for (std::size_t k = 0; k < std::min<std::size_t>(b.size(), 4); ++k) out += fmt::format("{:02x}", b[k]);
  return out + "...";
}

struct DirectionWork {
  TranscriptDirection& out;
  TlsRecordWalk walk;
  std::size_t clear_end = 0;              // records before it carry handshake messages in clear
  std::vector<TlsHandshakeMessage> clear;  // plaintext_handshake(walk, clear_end)
};

void fill_records(const TcpDirection& tcp, DirectionWork& w) {
  const Carriers carriers(tcp);
  for (const auto& r : w.walk.records) {
    TranscriptRecord t;
    t.index = r.index;
    t.offset = r.offset;
    t.type = r.type;
    t.version = r.version;
    t.length = r.length;
    t.first = carriers.at(r.offset);
    t.last = carriers.at(r.end() - 1);
    if (r.type == kChangeCipherSpec) w.out.change_cipher_specs.push_back(r.index);
    w.out.records.push_back(std::move(t));
  }
  w.out.record_fault = w.walk.fault;
  w.out.fault_offset = w.walk.fault_offset;
  w.out.partial_bytes = w.walk.partial_bytes;
}

// Marks the protected records (1.3: outer type 23; else after the sender's
// first ChangeCipherSpec) and fills in the clear ones' content.
void classify(DirectionWork& w, std::uint16_t version) {
  const std::size_t ccs = first_of_type(w.walk, kChangeCipherSpec);
  for (auto& t : w.out.records) {
    t.is_protected = version == kTls13 ? t.type == kApplicationData : t.index > ccs;
    if (t.is_protected) {
      ++w.out.protected_records;
      t.key = version == kTls13 ? kKeyUnknown : kKeyHandshake;  // 1.2: 1, the keys after CCS
      continue;
    }
    t.content_type = t.type;
    t.content_length = t.length;
    const auto body = w.walk.records[t.index].body;
    t.plaintext.assign(body.begin(), body.end());
  }
}

TranscriptMessage message_of(const TlsHandshakeMessage& m, bool encrypted, int key) {
  return {m.type, m.length, m.body, m.first_record, m.last_record, m.complete, encrypted, key};
}

void add_alerts(TranscriptDirection& d) {
  for (const auto& r : d.records) {
    if (r.content_type != kAlert || (r.is_protected && !r.decrypted)) continue;
    bytes::Reader in(r.plaintext);
    TranscriptAlert a{r.index, 0, 0, r.is_protected, r.key, false};
    while (in.get_u8(a.level) && in.get_u8(a.description)) d.alerts.push_back(a);
    if (!in.empty()) d.alerts.push_back({r.index, 0, r.plaintext.back(), r.is_protected, r.key, true});
  }
}

std::string protected_count(std::size_t n) {
  return fmt::format("{} protected record{} not decrypted (the handshake messages, alerts and application data in "
                     "{} not seen)",
                     n, n == 1 ? "" : "s", n == 1 ? "it are" : "them are");
}

// Opens the protected records of one direction with the logged secrets.
void decrypt(DirectionWork& w, const TlsTranscript& t, const KeyLog& keys, std::vector<std::string>& unseen) {
  const bool client = w.out.dir == "c2s";
  const auto& random = t.client_hellos.back().hello.random;
  const auto missing = [&](const std::string& label) {
    unseen.push_back(fmt::format("{}: key log has no {} for this connection: {}", w.out.dir, label,
                                 protected_count(w.out.protected_records)));
  };
  TlsDecryption d;
  if (t.version == kTls13) {
    const auto suite = tls13_suite(t.cipher_suite);
    if (!suite) {
      unseen.push_back(fmt::format("{}: cipher suite 0x{:04x} is not a TLS 1.3 suite this harness decrypts: {}",
                                   w.out.dir, t.cipher_suite, protected_count(w.out.protected_records)));
      return;
    }
    const std::string hs_label = client ? "CLIENT_HANDSHAKE_TRAFFIC_SECRET" : "SERVER_HANDSHAKE_TRAFFIC_SECRET";
    const auto* hs = keys.find(random, hs_label);
    if (!hs) return missing(hs_label);
    d = decrypt_tls13(w.walk, *suite, *hs, keys.find(random, client ? "CLIENT_TRAFFIC_SECRET_0" : "SERVER_TRAFFIC_SECRET_0"));
  } else {
    const auto suite = tls12_suite(t.cipher_suite);
    if (!suite) {
      unseen.push_back(fmt::format("{}: cipher suite 0x{:04x} is not an AEAD suite this harness decrypts: {}",
                                   w.out.dir, t.cipher_suite, protected_count(w.out.protected_records)));
      return;
    }
    const auto* master = keys.find(random, "CLIENT_RANDOM");
    if (!master) return missing("CLIENT_RANDOM (the master secret)");
    d = decrypt_tls12(w.walk, *suite, *master, random, t.server_hello->random, client);
  }
  for (auto& r : d.records) {
    auto& rec = w.out.records[r.record];
    rec.decrypted = true;
    rec.key = t.version == kTls13 ? r.generation + 1 : kKeyHandshake;
    rec.content_type = r.inner_type;
    rec.content_length = r.content.size();
    rec.padding = r.padding;
    if (r.inner_type == kApplicationData)
      w.out.application_data.insert(w.out.application_data.end(), r.content.begin(), r.content.end());
    rec.plaintext = std::move(r.content);
    ++w.out.decrypted_records;
  }
  std::vector<TlsHandshakeMessage> all = std::move(w.clear);
  const std::size_t clear_count = all.size();
  for (auto& m : d.handshake.messages) all.push_back(std::move(m));
  std::vector<std::size_t> order(all.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::pair(all[a].first_record, all[a].offset) < std::pair(all[b].first_record, all[b].offset);
  });
  w.out.handshake.clear();
  for (const std::size_t k : order)
    w.out.handshake.push_back(message_of(all[k], k >= clear_count, w.out.records[all[k].first_record].key));
  if (d.fault)
    unseen.push_back(fmt::format("{}: decryption stopped at {}: {} of {} protected records decrypted", w.out.dir,
                                 *d.fault, w.out.decrypted_records, w.out.protected_records));
}

}  // namespace

std::string key_name(int key, std::uint16_t version) {
  if (key == kKeyClear) return "in clear";
  if (key == kKeyUnknown) return "unknown keys (not decrypted)";
  if (version != kTls13) return "the keys after ChangeCipherSpec";
  if (key == kKeyHandshake) return "handshake traffic key";
  const int n = key - kKeyApplication0;
  if (n == 0) return "application traffic secret 0";
  return fmt::format("application traffic secret {} (after {} KeyUpdate{})", n, n, n == 1 ? "" : "s");
}

TlsTranscript tls_transcript(const TcpConnection& conn, const KeyLog* key_log, const std::string& no_key_log_reason) {
  TlsTranscript t;
  t.client_port = conn.client_port;
  t.server_port = conn.server_port;
  DirectionWork c{t.c2s, walk_tls_records(conn.c2s.stream), 0, {}}, s{t.s2c, walk_tls_records(conn.s2c.stream), 0, {}};
  fill_records(conn.c2s, c);
  fill_records(conn.s2c, s);
  for (const auto* w : {&c, &s}) {
    const auto& d = conn.dir(w->out.dir);
    if (d.missing > 0 || d.highest_delivered > static_cast<std::int64_t>(d.stream.size()))
      t.unseen.push_back(fmt::format("{}: stream bytes from offset {} were never delivered: the records after them "
                                     "are not seen",
                                     w->out.dir, d.stream.size()));
    if (w->out.record_fault)
      t.unseen.push_back(fmt::format("{}: the stream stops being TLS records at {}", w->out.dir, *w->out.record_fault));
  }

  // The ServerHello comes before any ChangeCipherSpec in both versions; a 1.3
  // server's CCS may precede its second ServerHello (after HRR) and carries
  // no key change, so in 1.3 every outer type 22 record is in clear.
  s.clear_end = first_of_type(s.walk, kChangeCipherSpec);
  s.clear = plaintext_handshake(s.walk, s.clear_end).messages;
  std::string error;
  if (!s.clear.empty() && s.clear[0].complete && s.clear[0].type == kHsServerHello) {
    if (auto first = parse_server_hello(s.clear[0].body, error);
        first && (is_hello_retry_request(*first) || selected_version(*first) == kTls13))
      t.version = kTls13;
  }
  if (t.version == kTls13) {
    s.clear_end = s.walk.records.size();
    c.clear_end = c.walk.records.size();
    s.clear = plaintext_handshake(s.walk, s.clear_end).messages;
  } else {
    c.clear_end = first_of_type(c.walk, kChangeCipherSpec);
  }
  c.clear = plaintext_handshake(c.walk, c.clear_end).messages;

  for (std::size_t k = 0; k < c.clear.size(); ++k) {
    const auto& m = c.clear[k];
    if (m.type != kHsClientHello) continue;
    if (!m.complete) {
      t.unseen.push_back(fmt::format("c2s: the stream ends inside ClientHello {}", t.client_hellos.size() + 1));
      continue;
    }
    if (auto ch = parse_client_hello(m.body, HelloFlavour::tls, error)) t.client_hellos.push_back({k, std::move(*ch)});
    else t.unseen.push_back(fmt::format("c2s: ClientHello (message {}) does not parse: {}", k, error));
  }
  for (std::size_t k = 0; k < s.clear.size(); ++k) {
    const auto& m = s.clear[k];
    if (m.type != kHsServerHello) continue;
    if (!m.complete) {
      t.unseen.push_back("s2c: the stream ends inside a ServerHello");
      continue;
    }
    auto sh = parse_server_hello(m.body, error);
    if (!sh) {
      t.unseen.push_back(fmt::format("s2c: ServerHello (message {}) does not parse: {}", k, error));
      continue;
    }
    if (is_hello_retry_request(*sh) && !t.hello_retry_request && !t.server_hello) {
      t.hello_retry_request = std::move(*sh);
      t.hello_retry_request_message = k;
    } else if (!t.server_hello) {
      t.server_hello = std::move(*sh);
      t.server_hello_message = k;
    }
  }
  if (const auto* final_hello = t.server_hello ? &*t.server_hello
                                               : (t.hello_retry_request ? &*t.hello_retry_request : nullptr)) {
    t.version = selected_version(*final_hello);
    t.cipher_suite = final_hello->cipher_suite;
  }
  if (t.client_hellos.empty()) t.unseen.push_back("c2s: no ClientHello seen");
  if (!t.server_hello) t.unseen.push_back("s2c: no ServerHello seen: the version and cipher suite were not agreed on the wire");

  for (auto* w : {&c, &s}) {
    classify(*w, t.version);
    for (const auto& m : w->clear) w->out.handshake.push_back(message_of(m, false, kKeyClear));
  }
  const bool can_decrypt = key_log && t.server_hello && !t.client_hellos.empty();
  for (auto* w : {&c, &s}) {
    if (w->out.protected_records == 0) continue;
    if (!key_log) {
      t.unseen.push_back(fmt::format("{}: {}: {}", w->out.dir, no_key_log_reason, protected_count(w->out.protected_records)));
    } else if (!can_decrypt) {
      t.unseen.push_back(fmt::format("{}: without both hellos the key log cannot be applied: {}", w->out.dir,
                                     protected_count(w->out.protected_records)));
    } else if (!key_log->has(t.client_hellos.back().hello.random)) {
      t.unseen.push_back(fmt::format("{}: the key log has no secrets for this connection (ClientHello.random {}): {}",
                                     w->out.dir, hex_prefix(t.client_hellos.back().hello.random),
                                     protected_count(w->out.protected_records)));
    } else {
      t.key_log_used = true;
      decrypt(*w, t, *key_log, t.unseen);
    }
  }
  for (std::size_t k = 0; k < t.s2c.handshake.size(); ++k) {
    const auto& m = t.s2c.handshake[k];
    if (m.type != kHsEncryptedExtensions || !m.complete || t.encrypted_extensions) continue;
    if (auto ee = parse_encrypted_extensions(m.body, error)) t.encrypted_extensions = std::move(*ee);
    else t.unseen.push_back(fmt::format("s2c: EncryptedExtensions (message {}) does not parse: {}", k, error));
  }
  add_alerts(t.c2s);
  add_alerts(t.s2c);
  return t;
}

}  // namespace wireproof::dissect
