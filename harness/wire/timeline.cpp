#include "harness/wire/timeline.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "harness/dissect/names.hpp"

namespace wireproof::wire {
namespace {

std::int64_t at_us(const scenario::TimelineEntry& e) {
  return static_cast<std::int64_t>(std::llround(*e.at_ms * 1000.0));
}

std::string describe_match(const scenario::Match& m) {
  std::vector<std::string> parts;
  if (m.handshake_type) parts.push_back(dissect::handshake_type_name(*m.handshake_type));
  if (m.content_type) parts.push_back(dissect::content_type_name(*m.content_type));
  if (m.epoch) parts.push_back(fmt::format("epoch {}", *m.epoch));
  if (m.message_seq) parts.push_back(fmt::format("message_seq {}", *m.message_seq));
  if (m.flight) parts.push_back(fmt::format("flight {}", *m.flight));
  if (m.retransmission) parts.push_back(*m.retransmission ? "retransmission" : "first transmission");
  if (m.index) parts.push_back(fmt::format("datagram #{}", *m.index));
  if (m.size_min || m.size_max)
    parts.push_back(fmt::format("size {}..{}", m.size_min.value_or(0), m.size_max ? std::to_string(*m.size_max) : ""));
  if (m.from_ms || m.to_ms)
    parts.push_back(fmt::format("time {}..{} ms", m.from_ms.value_or(0), m.to_ms ? fmt::format("{}", *m.to_ms) : ""));
  if (parts.empty()) return "any datagram";
  return fmt::format("{}", fmt::join(parts, " "));
}

const char* direction_name(scenario::Direction d) {
  return d == scenario::Direction::c2s ? "c2s" : d == scenario::Direction::s2c ? "s2c" : "c2s/s2c";
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
    if (!direction_includes(edir, dir) || !matches(match, d, arrival.in(edir))) continue;
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

std::string describe_trigger(const scenario::TimelineEntry& e) {
  if (e.at_ms) return fmt::format("at {} ms", *e.at_ms);
  if (e.on_datagram) return fmt::format("on {} {}", direction_name(e.on_datagram->first), describe_match(e.on_datagram->second));
  if (e.on_peer) return fmt::format("on {} {}", e.on_peer->role, e.on_peer->event);
  return "never (entry has no trigger)";
}

}  // namespace wireproof::wire
