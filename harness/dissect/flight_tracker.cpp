#include "harness/dissect/flight_tracker.hpp"

#include <algorithm>

#include "harness/events/dtls_constants.hpp"

namespace wireproof::dissect {
namespace {

using events::kChangeCipherSpec;
using events::kHandshake;

int index_of(Sender s) { return s == Sender::client ? 0 : 1; }

// True when [begin, end) lies inside the union of `ranges`.
bool covered(std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges, std::uint32_t begin,
             std::uint32_t end) {
  std::sort(ranges.begin(), ranges.end());
  std::uint32_t reach = begin;
  for (const auto& [b, e] : ranges) {
    if (b > reach) break;
    reach = std::max(reach, e);
    if (reach >= end) return true;
  }
  return reach >= end;
}

}  // namespace

bool FlightTracker::seen_before(Sender from, const events::HandshakeHeader& hs) const {
  auto it = messages_.find({index_of(from), hs.type, hs.message_seq});
  if (it == messages_.end()) return false;
  const auto begin = hs.frag_offset, end = hs.frag_offset + hs.frag_length;
  if (begin == end) {  // empty fragment (e.g. ServerHelloDone): seen if any range touches it
    for (const auto& [b, e] : it->second.ranges)
      if (b <= begin && begin <= e) return true;
    return false;
  }
  return covered(it->second.ranges, begin, end);
}

FlightInfo FlightTracker::classify(Sender from, const std::vector<events::Record>& records) {
  std::vector<const events::HandshakeHeader*> plaintext, fresh;
  bool has_ccs = false, has_encrypted = false;  // encrypted = epoch > 0 handshake (Finished)
  for (const auto& r : records) {
    if (r.hs) plaintext.push_back(&*r.hs);
    if (r.type == kChangeCipherSpec) has_ccs = true;
    if (r.type == kHandshake && r.epoch > 0) has_encrypted = true;
  }
  if (plaintext.empty() && !has_ccs && !has_encrypted) return {};

  for (const auto* hs : plaintext)
    if (!seen_before(from, *hs)) fresh.push_back(hs);
  auto& ccs_flight = ccs_flight_[index_of(from)];
  auto& encrypted_flight = encrypted_flight_[index_of(from)];
  const bool ccs_is_new = has_ccs && !ccs_flight;
  const bool encrypted_is_new = has_encrypted && !encrypted_flight;

  if (fresh.empty() && !ccs_is_new && !encrypted_is_new) {
    // Everything here was sent before: a retransmission of the original flight.
    int flight = has_ccs ? *ccs_flight : encrypted_flight.value_or(0);
    if (!plaintext.empty())
      flight = messages_.at({index_of(from), plaintext.front()->type, plaintext.front()->message_seq}).flight;
    return {flight, true};
  }

  if (current_flight_ == 0 || from != current_sender_) {
    ++current_flight_;
    current_sender_ = from;
  }
  const int flight = current_flight_;
  for (const auto* hs : fresh) {
    auto& m = messages_[{index_of(from), hs->type, hs->message_seq}];
    if (m.ranges.empty()) m.flight = flight;
    m.ranges.emplace_back(hs->frag_offset, hs->frag_offset + hs->frag_length);
  }
  if (ccs_is_new) ccs_flight = flight;
  if (encrypted_is_new) encrypted_flight = flight;
  return {flight, false};
}

}  // namespace wireproof::dissect
