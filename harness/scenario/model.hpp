// The scenario model: what a YAML scenario file says, after loading and
// validation (harness/scenario/loader). Plain data; the wire, runner and
// checks consume it. docs/SCENARIO.md describes each field.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace wireproof::scenario {

enum class Direction { c2s, s2c, both };

// Which wire carries the run: the UDP relay (payloads only) or the L3 wire (IP packets between namespaces).
enum class Wire { udp_relay, l3 };

// All given fields must hold (AND). Empty = matches every datagram.
struct Match {
  std::optional<int> handshake_type;   // any record's plaintext hs.type
  std::optional<int> content_type;     // any record's type
  std::optional<int> epoch;            // any record's epoch
  std::optional<int> message_seq;      // any record's hs.message_seq
  std::optional<int> flight;
  std::optional<bool> retransmission;
  std::optional<std::uint64_t> index;  // index among datagrams in the rule's direction(s)
  std::optional<std::size_t> size_min, size_max;
  std::optional<double> from_ms, to_ms;
};

struct Drop {};
struct Duplicate { int copies = 1; double gap_ms = 0; };
struct Delay { double ms = 0; double jitter_ms = 0; };
struct Reorder { int hold = 2; double max_hold_ms = 500; };
struct Corrupt { std::optional<std::size_t> offset; std::uint8_t xor_mask = 0xff; };
struct BurstLoss { double p = 0.05, r = 0.5, loss_good = 0.0, loss_bad = 1.0; };
using Action = std::variant<Drop, Duplicate, Delay, Reorder, Corrupt, BurstLoss>;

struct Rule {
  std::string name;
  Direction dir = Direction::both;
  Match match;
  std::uint64_t skip = 0;
  std::optional<std::uint64_t> count;
  std::uint64_t every = 1;
  double probability = 1.0;
  Action action = Drop{};
  // false: the rule may legitimately never act in a run (a random loss on a
  // short run); true: a run in which it never acted is an error (the
  // scenario did not test what it says).
  bool must_fire = true;
};

// A peer event trigger: "when the client reports handshake_done".
struct PeerTrigger { std::string role; std::string event; };

struct TimelineEntry {
  std::optional<double> at_ms;                  // exactly one of at_ms / on_datagram / on_peer
  std::optional<std::pair<Direction, Match>> on_datagram;
  std::optional<PeerTrigger> on_peer;
  std::optional<int> set_mtu;
  std::optional<std::string> enable_rule, disable_rule;
  bool must_fire = true;                        // as Rule::must_fire
  std::string describe() const;                 // "at 2000 ms", "on s2c server_hello_done"
};

struct PeerSettings {
  std::optional<int> timer_initial_ms;
  std::optional<int> mtu;                       // default: link.mtu
  std::optional<int> handshake_timeout_ms;
};

struct Link {
  int mtu = 1500;
  bool mtu_given = false;  // the file sets link.mtu (else 1500 is only the default)
  double delay_ms = 0;
  double jitter_ms = 0;
  bool icmp = true;  // L3 wire: answer an MTU drop with ICMP frag-needed / Packet Too Big (false: black hole)
};

struct Workload { std::uint64_t echo_bytes = 4096; std::uint32_t chunk = 1000; };

struct Expectations {
  bool handshake_completes = true;
  double retransmit_tolerance_ms = 15;  // docs/CHECKS.md retransmission_schedule: the measured stacks
  double retransmit_tolerance_pct = 10;
  // check name -> enabled; absent = enabled.
  std::map<std::string, bool> checks_enabled;
  // check name -> free-form parameters as JSON text (checks parse their own).
  std::map<std::string, std::string> check_params_json;
  // check name -> parameter -> 1-based (line, column) of its key, so the
  // checks' own validation (harness/checks/scenario_validation) can point at it.
  std::map<std::string, std::map<std::string, std::pair<int, int>>> check_param_positions;
};

struct Scenario {
  std::string name, description, file, protocol = "dtls1.2";
  std::vector<std::string> refs;
  PeerSettings peers;
  Link link;
  std::vector<Rule> rules;
  std::vector<TimelineEntry> timeline;
  Workload workload;
  double run_timeout_s = 30;
  Expectations expect;
  Wire wire = Wire::udp_relay;
  int ip_version = 4;  // L3 wire: 4 | 6
};

}  // namespace wireproof::scenario
