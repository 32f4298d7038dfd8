// Deliberate misbehaviour switches (the idea of BoGo's ProtocolBugs): each
// makes the reference stack break one RFC rule on purpose, so every check in
// harness/checks has a peer that fails it. Each switch changes one piece of
// behaviour (the timer, the flight renderer, a handshake row, the record
// layer's numbering, the answer to a retransmitted flight), never the driving
// loop. All off by default.
//
//   ConnectionConfig cfg;
//   set_protocol_bug(cfg.bugs, "no-backoff");  // false for an unknown name
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace wireproof::dtls {

struct ProtocolBugs {
  bool no_backoff = false;               // the retransmission timer never doubles (RFC 6347 4.2.4.1)
  bool early_retransmit = false;         // retransmit after half the timer value (4.2.4.1)
  bool record_spans_datagrams = false;   // the first application record is split over two datagrams (4.1.1)
  bool ignore_mtu = false;               // size datagrams for 1500 whatever the MTU, until the MTU fallback (4.1.1)
  bool reuse_sequence_number = false;    // the first application record reuses the previous record's number (4.1)
  bool no_cookie_echo = false;           // the client's second ClientHello carries an altered cookie (4.2.1)
  bool inconsistent_fragments = false;   // a flight's first send repeats a fragment with other bytes (4.2.3)
  bool duplicate_app_data = false;       // every application record is sent twice, with distinct numbers (4.1.2.6)
  bool ignore_final_retransmit = false;  // the server ignores the client's resent final flight, never resending its own (4.2.4)
  bool wrong_initial_timer = false;      // the timer starts at 1 s whatever initial value was configured (4.2.4.1)
  bool backoff_1_5x = false;             // the timer grows by 1.5x per retransmission instead of doubling (4.2.4.1)
};

// The switch names ("no-backoff", ...), in declaration order.
const std::vector<std::string_view>& protocol_bug_names();
// Turns on the switch called `name`; false when no switch has that name.
bool set_protocol_bug(ProtocolBugs& bugs, std::string_view name);

}  // namespace wireproof::dtls
