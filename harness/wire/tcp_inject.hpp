// The timeline's `inject` (docs/SCENARIO.md "TCP"): one TCP segment crafted
// from the connection state the wire tracked (TcpTracker), forged as the
// sender of `inject.dir` and meant for its receiver. Sans-IO: the Link
// delivers the packet and logs it with origin "wire".
//
//   Injection j = craft_injection(tracker, *entry.inject);
//   if (j.error.empty()) deliver(j.packet);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/events/ip_layers.hpp"
#include "harness/scenario/model.hpp"
#include "harness/wire/match.hpp"

namespace wireproof::wire {

struct Injection {
  std::vector<std::uint8_t> packet;  // the whole IP packet, checksums valid
  events::IpLayer ip;                // its layers, as the event log keeps them
  events::TcpLayer tcp;
  std::string error;                 // non-empty: nothing to forge from yet (why)
};

Injection craft_injection(const TcpTracker& tracker, const scenario::Inject& inject);

}  // namespace wireproof::wire
