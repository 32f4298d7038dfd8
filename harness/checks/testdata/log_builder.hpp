// Test helpers: real DTLS 1.2 record bytes (written with impl/bytes Writer)
// and event logs built from them the way the wire logs them (each datagram
// dissected into `records`, `hs`, `malformed`). Used by the checks' tests.
//
//   LogBuilder b;
//   b.datagram("c2s", 0.0, record(22, 0, 0, handshake_message(1, 0, client_hello_body({}))), 1);
//   b.client_event({{"event", "handshake_done"}, ...}, 40.0);
//   auto r = make_record_sequence()->run(b.inputs());
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/checks/check.hpp"
#include "harness/events/dtls_constants.hpp"

namespace wireproof::checks::testing {

using Bytes = std::vector<std::uint8_t>;

using events::kAlert;
using events::kApplicationData;
using events::kChangeCipherSpec;
using events::kHandshake;

// One DTLS 1.2 record: header (type, fefd, epoch, seq, length) + body.
Bytes record(int type, int epoch, std::uint64_t seq, std::span<const std::uint8_t> body);
// One handshake fragment: 12-byte DTLS handshake header + the fragment bytes.
Bytes handshake_fragment(int msg_type, std::uint32_t length, int message_seq, std::uint32_t frag_offset,
                         std::span<const std::uint8_t> fragment);
// A whole handshake message as a single fragment.
Bytes handshake_message(int msg_type, int message_seq, std::span<const std::uint8_t> body);
Bytes concat(std::initializer_list<Bytes> parts);
// n bytes of a recognisable pattern (seeded by `salt`).
Bytes filler(std::size_t n, std::uint8_t salt = 0);

struct ClientHelloFields {
  std::uint16_t version = 0xfefd;
  Bytes random = filler(32, 7);
  Bytes session_id = {};
  Bytes cookie = {};
  std::vector<std::uint16_t> cipher_suites = {0xc02b, 0xc02f};
  Bytes compression_methods = {0};
  // (type, data) pairs; omitted entirely when empty and `no_extensions`.
  std::vector<std::pair<std::uint16_t, Bytes>> extensions = {{0x000a, {0, 2, 0, 23}}, {0x0017, {}}};
  bool no_extensions = false;
};
Bytes client_hello_body(const ClientHelloFields& f);
Bytes hello_verify_request_body(std::uint16_t server_version, std::span<const std::uint8_t> cookie);

// Builds a scenario, an event log and the peers' outcomes for one check run.
class LogBuilder {
 public:
  LogBuilder();

  // A datagram the wire saw from `dir` ("c2s" | "s2c") at t_ms, dissected
  // like the wire does. Forwarded and delivered 0.1 ms later unless changed
  // through the returned reference (valid until the next add).
  events::Datagram& datagram(const std::string& dir, double t_ms, Bytes payload,
                             std::optional<int> flight = std::nullopt, bool retransmission = false);
  // A datagram built by the caller (TcpLogBuilder): numbered, given the link
  // MTU and appended as is.
  events::Datagram& add(events::Datagram d);
  // A link MTU change at t_ms (also the `mtu` of later datagrams).
  void link_mtu(double t_ms, int mtu);
  // A peer's contract event: into the log and into that peer's outcome.
  void client_event(nlohmann::json event, double t_ms);
  void server_event(nlohmann::json event, double t_ms);
  // A shim's `timer` event (peers/CONTRACT.md): the process woke at wire time
  // woke_ms to hand an expiry due at due_ms (wire time) to its library. The
  // peer's own clock runs `peer_clock_ahead_ms` ahead of the wire's.
  void timer_event(const std::string& role, double woke_ms, double due_ms, double peer_clock_ahead_ms = 0);

  scenario::Scenario scenario;
  events::EventLog log;
  PeerOutcome client{"client", {}, 0, "exited 0"};
  PeerOutcome server{"server", {}, 0, "exited 0"};

  nlohmann::json topology = nullptr;  // Inputs::topology

  Inputs inputs() const {
    Inputs in{scenario, log, client, server};
    in.topology = topology;
    return in;
  }

 private:
  void peer_event(PeerOutcome& outcome, nlohmann::json event, double t_ms);
  std::uint64_t next_i_ = 0;
  int mtu_ = 1500;
};

// The wire's view of a DTLS 1.2 handshake that goes through cleanly, with or
// without a cookie exchange, with record numbering as OpenSSL does it, and
// both peers reporting handshake_done. Flights and times (ms):
//   cookie: CH 0 | HVR 1 | CH+cookie 2 | SH..SHD 3 | CKE,CCS,Fin 5 | CCS,Fin 6
//   no cookie: CH 0 | SH..SHD 1 | CKE,CCS,Fin 3 | CCS,Fin 4
void clean_handshake(LogBuilder& b, bool with_cookie);

// The peers' app_data reports for an echo of `bytes` (1000-byte chunks) with the given counts.
void app_data_reports(LogBuilder& b, std::uint64_t bytes, std::uint64_t resent, std::uint64_t client_dups,
                      std::uint64_t server_dups, double t_ms);

// The echo on the wire: `records` client application-data records (epoch 1,
// sequence numbers from 1, distinct bytes), each in its own datagram 1 ms
// apart from t_ms, each echoed by the server 0.5 ms later. Returns the c2s
// datagrams' positions in b.log.events (to duplicate or drop one).
std::vector<std::size_t> echo_on_wire(LogBuilder& b, std::uint64_t records, double t_ms);

}  // namespace wireproof::checks::testing
