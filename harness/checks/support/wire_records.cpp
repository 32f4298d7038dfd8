#include "harness/checks/support/wire_records.hpp"

#include <algorithm>
#include <set>

#include "harness/events/dtls_constants.hpp"

namespace wireproof::checks::support {

// The record's bytes as they arrived (header + body), clipped to the datagram.
static std::string record_bytes(const events::Datagram& d, const events::Record& r) {
  const std::size_t begin = std::min(r.offset, d.payload.size());
  const std::size_t end = std::min(begin + events::kRecordHeaderBytes + r.length, d.payload.size());
  return std::string(d.payload.begin() + static_cast<std::ptrdiff_t>(begin),
                     d.payload.begin() + static_cast<std::ptrdiff_t>(end));
}

bool carries(const events::Datagram& d, const RecordFilter& filter) {
  return std::any_of(d.records.begin(), d.records.end(), [&](const events::Record& r) { return filter.matches(r); });
}

RecordTally tally_records(const events::EventLog& log, const std::string& dir, const RecordFilter& filter) {
  RecordTally t;
  std::set<std::string> arrived, delivered;
  for (const auto* d : log.datagrams()) {
    if (d->dir != dir) continue;
    bool any = false;
    for (const auto& r : d->records) {
      if (!filter.matches(r)) continue;
      any = true;
      auto bytes = record_bytes(*d, r);
      t.arrived++;
      arrived.insert(bytes);
      if (d->deliveries_us.empty()) continue;
      t.forwarded++;
      t.delivered += d->deliveries_us.size();
      delivered.insert(std::move(bytes));
    }
    if (any) t.datagrams.push_back(d->i);
  }
  t.distinct_arrived = arrived.size();
  t.distinct_delivered = delivered.size();
  return t;
}

nlohmann::json to_json(const RecordTally& t) {
  return {{"arrived", t.arrived},
          {"forwarded", t.forwarded},
          {"delivered", t.delivered},
          {"distinct_arrived", t.distinct_arrived},
          {"distinct_delivered", t.distinct_delivered}};
}

}  // namespace wireproof::checks::support
