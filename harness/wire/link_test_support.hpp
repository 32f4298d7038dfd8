// Test helpers for Link: a scenario builder shorthand, a recording sink and
// hand-built datagrams of the DTLS handshake.
#pragma once

#include <cstdint>
#include <vector>

#include "harness/dissect/dtls_builder.hpp"
#include "harness/events/event_log.hpp"
#include "harness/scenario/model.hpp"
#include "harness/wire/link.hpp"

namespace wireproof::wire::testing {

using Bytes = std::vector<std::uint8_t>;

scenario::Rule rule(std::string name, scenario::Action action, scenario::Match match = {},
                    scenario::Direction dir = scenario::Direction::both);

// A Link plus everything it logged and delivered.
struct Harness {
  explicit Harness(scenario::Scenario sc, std::uint64_t seed = 1);
  std::vector<events::Event> log;
  scenario::Scenario scenario;
  Link link;

  // A datagram arrives at t_us; what is due by then leaves at once (as a
  // driver of the link would send it), so undelayed datagrams are logged.
  void send(Dir dir, const Bytes& bytes, std::int64_t t_us);
  // Every delivery due up to t_us not returned before (including those sent
  // during send()), each reported sent at its due time: a virtual link.
  std::vector<Delivery> drain(std::int64_t t_us);
  std::vector<const events::Datagram*> datagrams() const;
  std::vector<const events::LinkChange*> link_changes() const;
  std::string jsonl() const;

 private:
  void send_due(std::int64_t t_us);
  std::vector<Delivery> sent_;  // sent, not yet returned by drain()
};

// Handshake datagrams (flights numbered as in docs/EVENTS.md without cookie).
Bytes client_hello(std::uint64_t record_seq = 0);
Bytes server_flight(std::uint64_t record_seq = 0);  // ServerHello + ServerHelloDone
Bytes client_finish(std::uint64_t record_seq = 1);  // ClientKeyExchange + CCS + Finished
Bytes app(std::uint64_t seq, std::size_t n = 32);

}  // namespace wireproof::wire::testing
