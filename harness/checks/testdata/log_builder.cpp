#include "harness/checks/testdata/log_builder.hpp"

#include <cmath>
#include <string>

#include "harness/dissect/dtls_dissector.hpp"
#include "impl/bytes/writer.hpp"

namespace wireproof::checks::testing {

using bytes::Writer;

Bytes record(int type, int epoch, std::uint64_t seq, std::span<const std::uint8_t> body) {
  Writer w;
  w.put_u8(static_cast<std::uint8_t>(type));
  w.put_u16(0xfefd);
  w.put_u16(static_cast<std::uint16_t>(epoch));
  w.put_u48(seq);
  w.put_prefixed(2, body);
  return w.take();
}

Bytes handshake_fragment(int msg_type, std::uint32_t length, int message_seq, std::uint32_t frag_offset,
                         std::span<const std::uint8_t> fragment) {
  Writer w;
  w.put_u8(static_cast<std::uint8_t>(msg_type));
  w.put_u24(length);
  w.put_u16(static_cast<std::uint16_t>(message_seq));
  w.put_u24(frag_offset);
  w.put_u24(static_cast<std::uint32_t>(fragment.size()));
  w.put_bytes(fragment);
  return w.take();
}

Bytes handshake_message(int msg_type, int message_seq, std::span<const std::uint8_t> body) {
  return handshake_fragment(msg_type, static_cast<std::uint32_t>(body.size()), message_seq, 0, body);
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes filler(std::size_t n, std::uint8_t salt) {
  Bytes out(n);
  for (std::size_t k = 0; k < n; ++k) out[k] = static_cast<std::uint8_t>(k * 31 + salt);
  return out;
}

Bytes client_hello_body(const ClientHelloFields& f) {
  Writer w;
  w.put_u16(f.version);
  w.put_bytes(f.random);
  w.put_prefixed(1, f.session_id);
  w.put_prefixed(1, f.cookie);
  w.put_u16_list(2, f.cipher_suites);
  w.put_prefixed(1, f.compression_methods);
  if (!f.no_extensions) {
    auto exts = w.open_prefixed(2);
    for (const auto& [type, data] : f.extensions) {
      w.put_u16(type);
      w.put_prefixed(2, data);
    }
    w.close_prefixed(exts);
  }
  return w.take();
}

Bytes hello_verify_request_body(std::uint16_t server_version, std::span<const std::uint8_t> cookie) {
  Writer w;
  w.put_u16(server_version);
  w.put_prefixed(1, cookie);
  return w.take();
}

// The dissection the wire writes for a datagram (docs/EVENTS.md `records`):
// the wire's own dissector, so crafted logs read as real ones do.
static void dissect(events::Datagram& d) {
  auto r = dissect::dissect_dtls(d.payload);
  d.records = std::move(r.records);
  d.malformed = std::move(r.malformed);
}

LogBuilder::LogBuilder() { scenario.name = "test"; }

static std::int64_t us(double ms) { return static_cast<std::int64_t>(std::llround(ms * 1000.0)); }

events::Datagram& LogBuilder::datagram(const std::string& dir, double t_ms, Bytes payload, std::optional<int> flight,
                                       bool retransmission) {
  events::Datagram d;
  d.i = next_i_++;
  d.dir = dir;
  d.t_us = us(t_ms);
  d.size = payload.size();
  d.ip_size = payload.size() + 28;
  d.mtu = mtu_;
  d.payload = std::move(payload);
  d.flight = flight;
  d.retransmission = retransmission;
  d.deliveries_us = {d.t_us + 100};
  dissect(d);
  log.events.emplace_back(std::in_place_type<events::Datagram>, std::move(d));
  return std::get<events::Datagram>(log.events.back());
}

events::Datagram& LogBuilder::add(events::Datagram d) {
  d.i = next_i_++;
  d.mtu = mtu_;
  log.events.emplace_back(std::in_place_type<events::Datagram>, std::move(d));
  return std::get<events::Datagram>(log.events.back());
}

void LogBuilder::link_mtu(double t_ms, int mtu) {
  mtu_ = mtu;
  log.events.push_back(events::LinkChange{next_i_++, us(t_ms), "mtu", "", mtu, "at " + std::to_string(t_ms) + " ms"});
}

void LogBuilder::peer_event(PeerOutcome& outcome, nlohmann::json event, double t_ms) {
  outcome.events.push_back(event);
  log.events.push_back(events::PeerEvent{next_i_++, us(t_ms), outcome.role, std::move(event)});
}
void LogBuilder::client_event(nlohmann::json event, double t_ms) { peer_event(client, std::move(event), t_ms); }
void LogBuilder::server_event(nlohmann::json event, double t_ms) { peer_event(server, std::move(event), t_ms); }
void LogBuilder::timer_event(const std::string& role, double woke_ms, double due_ms, double peer_clock_ahead_ms) {
  peer_event(role == "client" ? client : server,
             {{"event", "timer"}, {"t_ms", woke_ms + peer_clock_ahead_ms}, {"deadline_ms", due_ms + peer_clock_ahead_ms}},
             woke_ms);
}

void clean_handshake(LogBuilder& b, bool with_cookie) {
  const Bytes cookie = filler(20, 99);
  ClientHelloFields ch;
  double t = 0;
  int flight = 1;
  std::uint64_t server_seq = 0;
  std::uint64_t client_seq = 0;
  int client_msg = 0;
  int server_msg = 0;
  if (with_cookie) {
    b.datagram("c2s", t, record(kHandshake, 0, client_seq++, handshake_message(1, client_msg++, client_hello_body(ch))),
               flight++);
    b.datagram("s2c", t + 1,
               record(kHandshake, 0, 0, handshake_message(3, server_msg++, hello_verify_request_body(0xfeff, cookie))),
               flight++);
    ch.cookie = cookie;
    t += 2;
    server_seq = client_seq;  // stateless server: ServerHello takes the second ClientHello's number
    server_msg = client_msg;
  }
  b.datagram("c2s", t, record(kHandshake, 0, client_seq++, handshake_message(1, client_msg++, client_hello_body(ch))),
             flight++);
  const Bytes sh = filler(70, 1), cert = filler(400, 2), ske = filler(120, 3), shd = {};
  b.datagram("s2c", t + 1,
             concat({record(kHandshake, 0, server_seq, handshake_message(2, server_msg, sh)),
                     record(kHandshake, 0, server_seq + 1, handshake_message(11, server_msg + 1, cert)),
                     record(kHandshake, 0, server_seq + 2, handshake_message(12, server_msg + 2, ske)),
                     record(kHandshake, 0, server_seq + 3, handshake_message(14, server_msg + 3, shd))}),
             flight++);
  server_seq += 4;
  b.datagram("c2s", t + 3,
             concat({record(kHandshake, 0, client_seq, handshake_message(16, client_msg, filler(66, 4))),
                     record(kChangeCipherSpec, 0, client_seq + 1, Bytes{1}),
                     record(kHandshake, 1, 0, filler(40, 5))}),
             flight++);
  b.datagram("s2c", t + 4,
             concat({record(kChangeCipherSpec, 0, server_seq, Bytes{1}), record(kHandshake, 1, 0, filler(40, 6))}),
             flight++);
  const nlohmann::json done = {{"event", "handshake_done"}, {"version", "DTLSv1.2"},
                               {"cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"}};
  auto c = done, s = done;
  c["time_ms"] = t + 4;
  s["time_ms"] = t + 4;
  b.client_event(c, t + 4.5);
  b.server_event(s, t + 4.6);
}

void app_data_reports(LogBuilder& b, std::uint64_t bytes, std::uint64_t resent, std::uint64_t client_dups,
                      std::uint64_t server_dups, double t_ms) {
  const std::string digest(64, 'a');
  b.client_event({{"event", "app_data"}, {"role", "client"}, {"chunks", (bytes + 999) / 1000}, {"bytes", bytes},
                  {"resent", resent}, {"sent_sha256", digest}, {"echoed_sha256", digest},
                  {"duplicates", client_dups}, {"echoed_chunks", (bytes + 999) / 1000}},
                 t_ms);
  b.server_event({{"event", "app_data"}, {"role", "server"}, {"records", (bytes + 999) / 1000 + server_dups},
                  {"unique_chunks", (bytes + 999) / 1000}, {"bytes", bytes}, {"received_sha256", digest},
                  {"duplicates", server_dups}},
                 t_ms + 0.1);
}

std::vector<std::size_t> echo_on_wire(LogBuilder& b, std::uint64_t records, double t_ms) {
  std::vector<std::size_t> c2s;
  for (std::uint64_t k = 0; k < records; ++k) {
    const auto salt = static_cast<std::uint8_t>(k);
    b.datagram("c2s", t_ms + static_cast<double>(k), record(kApplicationData, 1, k + 1, filler(1024, salt)));
    c2s.push_back(b.log.events.size() - 1);
    b.datagram("s2c", t_ms + static_cast<double>(k) + 0.5,
               record(kApplicationData, 1, k + 1, filler(1024, static_cast<std::uint8_t>(salt + 128))));
  }
  return c2s;
}

}  // namespace wireproof::checks::testing
