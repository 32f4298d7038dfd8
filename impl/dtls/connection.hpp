// A sans-IO DTLS 1.2 connection (the shape of JDK's JEP 219 engine): the
// caller feeds received datagrams with the current time, pulls datagrams to
// send, asks for the next deadline and reports timeouts. No sockets, no clock.
//
//   Connection c(cfg);
//   c.start(now);
//   loop: for (auto& d : c.pull_datagrams()) sendto(d);
//         wait for a datagram or c.next_deadline();
//         got datagram ? c.feed(d, now) : c.on_timeout(now);
//         if (c.handshake_done()) c.send_app(...), c.recv_app();
//
// One application record per send_app() and per recv_app();
// max_application_datagram_size() is the payload that fits the current MTU.
#pragma once

#include <deque>
#include <utility>
#include <optional>
#include <string>
#include <vector>

#include "impl/dtls/flight.hpp"
#include "impl/dtls/handshake.hpp"
#include "impl/dtls/handshake_header.hpp"
#include "impl/dtls/protocol_bugs.hpp"
#include "impl/dtls/reassembler.hpp"
#include "impl/dtls/retransmit_timer.hpp"

namespace wireproof::dtls {

using namespace std::chrono_literals;

struct ConnectionConfig {
  HandshakeConfig handshake;
  std::size_t mtu = 1500;             // link MTU at the IP layer (IPv4 + UDP headers included)
  std::size_t ip_udp_overhead = 28;   // IPv4 (20) + UDP (8)
  // Handshake flights are cut for fallback_mtu after mtu_fallback_after unanswered
  // retransmissions of a flight (timer or response; OpenSSL: 2), but only when that flight
  // had a datagram larger than fallback_mtu: a loss the size cannot explain changes nothing.
  // Application records keep the configured mtu. 0 disables the fallback.
  std::size_t fallback_mtu = 576;
  int mtu_fallback_after = 2;
  Time initial_timer = 1s;            // RFC 6347 4.2.4.1
  Time max_timer = 60s;
  // Give up on the next expiry (OpenSSL also stops after 12). Also the most answers a
  // finished side gives to its peer's repeated Finished (OpenSSL: the same count).
  int max_retransmissions = 12;
  Time handshake_timeout = 0s;        // 0: no overall limit
  std::size_t max_handshake_memory = 64 * 1024;  // reassembly bound (bytes of message bodies)
  bool cookie_exchange = true;        // server: stateless HelloVerifyRequest first
  crypto::Bytes cookie_secret;        // server: random when empty
  crypto::Bytes peer_address;         // server: bound into the cookie (e.g. IP and port bytes)
  ProtocolBugs bugs;                  // deliberate misbehaviour for testing the checks; all off
  // Randoms, ECDHE private keys and an empty cookie_secret come from here; empty: RAND_bytes.
  // ECDSA signature nonces do not (OpenSSL 3.0 has no deterministic ECDSA); Ed25519
  // signatures need none, so a seeded source plus an Ed25519 credential repeats every
  // byte. A seeded (non-secret) source is for reproducible virtual runs only.
  crypto::RandomSource random;
};

enum class State { idle, handshaking, established, closed, failed };

struct AlertEvent {
  bool sent = false;  // false: received
  std::uint8_t level = 2;
  std::uint8_t description = 0;
  Time at{0};
};

struct ConnectionStats {
  int retransmissions = 0;       // flights resent on timeout (this handshake)
  int retransmits_on_peer = 0;   // flights resent because the peer resent its last flight
  int crossed_on_peer = 0;       // peer retransmissions not answered: they crossed our own send
  int final_requests_ignored = 0;  // finished: repeated Finished not answered (rate limit or cap)
  int discarded_fragments = 0;   // malformed or inconsistent epoch-0 fragments, dropped (6347 4.1.2.7)
  std::size_t current_mtu = 0;   // the MTU handshake flights are cut for (after any fallback)
  int flights_sent = 0;
};

class Connection : private HandshakeSink {
 public:
  explicit Connection(ConnectionConfig cfg);  // throws std::invalid_argument for an unusable MTU

  void start(Time now);
  void feed(crypto::ByteView datagram, Time now);
  std::vector<crypto::Bytes> pull_datagrams();
  // When the datagrams queued by the last start()/feed()/on_timeout() were meant to leave:
  // the expired retransmission timer's deadline for a timer-driven resend, else that call's
  // `now`. A caller that pulls after every call can log it per datagram.
  Time intended_send_time() const { return intended_send_at_; }
  std::optional<Time> next_deadline() const;
  void on_timeout(Time now);

  // Queues data as one application_data record; false when not established or too large.
  bool send_app(crypto::ByteView data);
  // Why send_app refused a record of `size` bytes, for a person.
  std::string send_refusal(std::size_t size) const;
  std::optional<crypto::Bytes> recv_app();
  // Payload of one application record that fits the starting MTU (never the handshake's
  // fallback MTU: that guess was made from handshake losses and must not cap the data path).
  std::size_t max_application_datagram_size() const;
  void close();  // close_notify

  State state() const { return state_; }
  bool handshake_done() const { return hs_.done() && state_ == State::established; }
  const std::string& error() const { return error_; }
  std::vector<AlertEvent> take_alerts() { return std::exchange(alerts_, {}); }
  const CipherSuite* cipher_suite() const { return hs_.suite(); }
  const Handshake& handshake() const { return hs_; }
  // Server: a ClientHello passed the cookie check, so its source address is genuine.
  bool hello_accepted() const { return hello_accepted_; }
  const RecordStats& record_stats() const { return rl_.stats(); }
  const ConnectionStats& stats() const { return stats_; }
  // Handshake message bytes buffered for reassembly; never above cfg.max_handshake_memory.
  std::size_t buffered_handshake_bytes() const { return ra_.memory_in_use(); }
  const Reassembler& reassembler() const { return ra_; }

 private:
  // HandshakeSink
  crypto::Bytes send_message(HsType type, crypto::Bytes body) override;
  void send_ccs(const CipherSuite& suite, const DirectionKeys& keys) override;
  void install_read_keys(const CipherSuite& suite, const DirectionKeys& keys) override;
  void end_flight(bool expect_reply) override;

  void process(ReceivedRecord& rec);  // may move rec.data out
  void on_handshake_record(const ReceivedRecord& rec);
  void on_old_fragment(const ReceivedRecord& rec, const HandshakeHeader& h);
  void answer_repeated_finished();
  bool discard_or_fail(const ReceivedRecord& rec, const Failure& f);
  bool stateless_hello_check(const ReceivedRecord& rec, const HandshakeHeader& h, crypto::ByteView body);
  void on_alert(const ReceivedRecord& rec);
  void send_flight_datagrams(bool first);
  void retransmit_flight();
  void fail(const Failure& f);
  void send_alert(std::uint8_t level, std::uint8_t description);
  std::size_t budget() const { return mtu_ - cfg_.ip_udp_overhead; }
  std::size_t app_budget() const { return app_mtu_ - cfg_.ip_udp_overhead; }

  ConnectionConfig cfg_;
  Handshake hs_;
  RecordLayer rl_;
  Reassembler ra_;
  RetransmitTimer timer_;
  State state_ = State::idle;
  Time now_{0};
  Time intended_send_at_{0};
  std::optional<Time> handshake_deadline_;
  std::size_t mtu_;      // handshake flights: the configured MTU, or the fallback
  std::size_t app_mtu_;  // application records: the starting MTU (configured, or 1500 under ignore-mtu), never the fallback
  std::uint16_t next_send_seq_ = 0;
  bool hello_accepted_ = false;  // server: a ClientHello passed the cookie check
  std::vector<FlightItem> building_, last_flight_;
  std::optional<std::uint16_t> peer_flight_first_seq_;
  // message_seq range [first, end) of the peer flight our last_flight_ answers: a fragment of
  // it arriving again means the peer did not get our flight.
  std::optional<std::pair<std::uint16_t, std::uint16_t>> peer_last_flight_seqs_;
  int timeouts_this_flight_ = 0;
  int unanswered_this_flight_ = 0;  // retransmissions of last_flight_ (timer or response)
  Time last_flight_sent_at_{0};
  std::size_t last_flight_largest_datagram_ = 0;  // as last rendered, IP and UDP headers excluded
  int final_answers_ = 0;                         // finished: answers to the peer's repeated Finished
  std::optional<Time> last_final_answer_at_;
  int app_records_sent_ = 0;
  std::deque<crypto::Bytes> out_;
  std::deque<crypto::Bytes> app_in_;
  std::vector<ReceivedRecord> records_;  // feed()'s scratch: capacity kept across datagrams
  std::vector<AlertEvent> alerts_;
  std::string error_;
  ConnectionStats stats_;
};

const char* state_name(State s);

}  // namespace wireproof::dtls
