// The datagrams of the log in the order the peers sent them: by the wire's
// arrival time t_us (stable, so equal times keep log order). Every logged
// datagram was sent by a peer; fate (dropped, duplicated, corrupted) is what
// the wire did afterwards and does not change what the sender did.
#pragma once

#include <vector>

#include "harness/events/event_log.hpp"

namespace wireproof::checks::support {

std::vector<const events::Datagram*> datagrams_in_send_order(const events::EventLog& log);

// "c2s" <-> "s2c"
const char* other_dir(const std::string& dir);

// t_us as milliseconds, rounded to 0.001 ms, for readable JSON.
double to_ms(std::int64_t us);

}  // namespace wireproof::checks::support
