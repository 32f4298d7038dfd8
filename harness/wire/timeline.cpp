#include "harness/wire/timeline.hpp"

#include <algorithm>
#include <cmath>

namespace wireproof::wire {
namespace {

std::int64_t at_us(const scenario::TimelineEntry& e) {
  return static_cast<std::int64_t>(std::llround(*e.at_ms * 1000.0));
}

}  // namespace

Timeline::Timeline(std::vector<Entry> entries) : entries_(std::move(entries)), fired_(entries_.size(), false) {
  for (std::size_t k = 0; k < entries_.size(); ++k)
    if (entries_[k].at_ms) by_time_.push_back(k);
  std::stable_sort(by_time_.begin(), by_time_.end(),
                   [&](std::size_t a, std::size_t b) { return at_us(entries_[a]) < at_us(entries_[b]); });
}

std::vector<const Timeline::Entry*> Timeline::take_due(std::int64_t now_us) {
  std::vector<const Entry*> out;
  for (std::size_t k : by_time_) {
    if (fired_[k]) continue;
    if (at_us(entries_[k]) > now_us) break;
    fired_[k] = true;
    out.push_back(&entries_[k]);
  }
  return out;
}

std::optional<std::int64_t> Timeline::next_at_us() const {
  for (std::size_t k : by_time_)
    if (!fired_[k]) return at_us(entries_[k]);
  return std::nullopt;
}

std::vector<const Timeline::Entry*> Timeline::take_on_datagram(Dir dir, const events::Datagram& d,
                                                               const ArrivalIndex& arrival) {
  std::vector<const Entry*> out;
  for (std::size_t k = 0; k < entries_.size(); ++k) {
    const auto& e = entries_[k];
    if (fired_[k] || !e.on_datagram) continue;
    const auto& [edir, match] = *e.on_datagram;
    if (!direction_includes(edir, dir) || !matches(match, d, arrival.in(edir), arrival.tcp)) continue;
    fired_[k] = true;
    out.push_back(&e);
  }
  return out;
}

std::vector<const Timeline::Entry*> Timeline::take_on_peer(const std::string& role, const nlohmann::json& event) {
  std::vector<const Entry*> out;
  if (!event.is_object() || !event.contains("event") || !event["event"].is_string()) return out;
  const auto name = event["event"].get<std::string>();
  for (std::size_t k = 0; k < entries_.size(); ++k) {
    const auto& e = entries_[k];
    if (fired_[k] || !e.on_peer || e.on_peer->role != role || e.on_peer->event != name) continue;
    fired_[k] = true;
    out.push_back(&e);
  }
  return out;
}

}  // namespace wireproof::wire
