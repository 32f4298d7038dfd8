// Assigns handshake flight numbers and retransmission flags to datagrams, as
// docs/EVENTS.md defines them. One tracker per run, fed every datagram of both
// directions in arrival order (before any impairment).
//
//   FlightTracker flights;
//   auto f = flights.classify(Sender::client, dissected.records);
//   datagram.flight = f.flight; datagram.retransmission = f.retransmission;
//
// Rules:
// - Flights are numbered 1, 2, ... over the whole handshake in order of first
//   appearance (1 ClientHello, 2 HelloVerifyRequest, 3 ClientHello+cookie, ...).
// - A datagram whose plaintext handshake fragments were all seen before in the
//   same direction (same type and message_seq, byte range already covered) is a
//   retransmission and keeps the flight of the original. Covering ranges, not
//   only identical (offset, length) pairs, catches re-fragmentation at a smaller
//   MTU (OpenSSL does this after two unanswered retransmissions).
// - New (not retransmitted) handshake content starts a new flight when its
//   sender differs from the current flight's sender. Retransmissions do not
//   count as "the other side spoke", so a flight sent in several datagrams
//   stays one flight even if the other side retransmits in between. (The
//   "message_seq beyond the current flight after the other side spoke" rule
//   never adds a case: the wire sees every datagram, so the other side's new
//   content already changed the current flight's sender.)
// - change_cipher_spec and encrypted handshake records (epoch > 0, i.e. Finished)
//   belong to the flight of the messages around them; seen again from the same
//   sender, they are a retransmission.
// - Datagrams with no handshake content (application data, alerts): flight null.
#pragma once

#include <map>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "harness/events/event_log.hpp"

namespace wireproof::dissect {

enum class Sender { client, server };

struct FlightInfo {
  std::optional<int> flight;
  bool retransmission = false;
};

class FlightTracker {
 public:
  FlightInfo classify(Sender from, const std::vector<events::Record>& records);

 private:
  struct Message {
    int flight = 0;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges;  // [begin, end) seen
  };
  using MessageKey = std::tuple<int, int, int>;  // sender, handshake type, message_seq

  bool seen_before(Sender from, const events::HandshakeHeader& hs) const;

  std::map<MessageKey, Message> messages_;
  // Flight of each sender's change_cipher_spec and encrypted handshake records
  // (indexed by sender); content we cannot tell apart, so one of each per sender.
  std::optional<int> ccs_flight_[2];
  std::optional<int> encrypted_flight_[2];
  int current_flight_ = 0;                  // 0: no handshake content yet
  Sender current_sender_ = Sender::client;
};

}  // namespace wireproof::dissect
