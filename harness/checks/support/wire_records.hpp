// Records of one kind crossing the wire in one direction, counted from the
// event log: what a peer's self-report (handshake_done, app_data) can be
// checked against. A record is identified by its bytes (header with epoch and
// sequence number, plus ciphertext), so a copy the wire duplicated, or the
// same record sent twice, counts once among the distinct ones, while a record
// the sender really sent anew (a fresh sequence number) counts again.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/events/event_log.hpp"

namespace wireproof::checks::support {

struct RecordFilter {
  int content_type = 0;  // events::kHandshake, kApplicationData, ...
  int min_epoch = 0;     // 1: protected records only
  bool matches(const events::Record& r) const { return r.type == content_type && r.epoch >= min_epoch; }
};

// Whether the datagram holds at least one record the filter matches.
bool carries(const events::Datagram& d, const RecordFilter& filter);

struct RecordTally {
  std::uint64_t arrived = 0;             // records that arrived at the wire from the sender
  std::uint64_t forwarded = 0;           // of those, in datagrams with at least one delivered copy
  std::uint64_t delivered = 0;           // record copies handed to the receiver (duplicates count each)
  std::uint64_t distinct_arrived = 0;    // distinct records among `arrived`
  std::uint64_t distinct_delivered = 0;  // distinct records delivered at least once
  std::vector<std::uint64_t> datagrams;  // event indices of the datagrams carrying them
};

RecordTally tally_records(const events::EventLog& log, const std::string& dir, const RecordFilter& filter);

nlohmann::json to_json(const RecordTally& t);  // the counts, without the datagram list

}  // namespace wireproof::checks::support
