// Short human descriptions of timeline triggers, used in link events'
// "cause" (docs/EVENTS.md) and in reports.
#include <fmt/format.h>

#include "harness/events/ip_layers.hpp"
#include "harness/scenario/model.hpp"
#include "harness/scenario/names.hpp"

namespace wireproof::scenario {

namespace {

template <std::size_t N>
std::string named(const std::array<names::NamedNumber, N>& table, std::string_view field, int number) {
  if (auto n = names::name_of(table, number)) return std::string(*n);
  return fmt::format("{} {}", field, number);
}

std::string describe_match(const Match& m) {
  std::vector<std::string> parts;
  if (m.handshake_type) parts.push_back(named(names::kHandshakeTypes, "handshake_type", *m.handshake_type));
  if (m.content_type) parts.push_back(named(names::kContentTypes, "content_type", *m.content_type));
  if (m.epoch) parts.push_back(fmt::format("epoch {}", *m.epoch));
  if (m.message_seq) parts.push_back(fmt::format("message_seq {}", *m.message_seq));
  if (m.flight) parts.push_back(fmt::format("flight {}", *m.flight));
  if (m.retransmission) parts.push_back(*m.retransmission ? "retransmission" : "first transmission");
  if (m.index) parts.push_back(fmt::format("index {}", *m.index));
  if (m.size_min || m.size_max)
    parts.push_back(fmt::format("size {}..{}", m.size_min.value_or(0),
                                m.size_max ? std::to_string(*m.size_max) : std::string()));
  if (m.from_ms || m.to_ms)
    parts.push_back(fmt::format("time {}..{} ms", m.from_ms.value_or(0),
                                m.to_ms ? fmt::format("{}", *m.to_ms) : std::string()));
  if (m.tcp) {
    const TcpMatch& t = *m.tcp;
    if (t.flags) parts.push_back(events::tcp_flags_text(t.flags));
    if (t.not_flags) parts.push_back("not " + events::tcp_flags_text(t.not_flags));
    if (t.data) parts.push_back(*t.data ? "data" : "no data");
    if (t.seq_rel_min || t.seq_rel_max)
      parts.push_back(fmt::format("seq_rel {}..{}", t.seq_rel_min.value_or(0),
                                  t.seq_rel_max ? std::to_string(*t.seq_rel_max) : std::string()));
    if (t.covers_seq_rel) parts.push_back(fmt::format("covering byte {}", *t.covers_seq_rel));
    if (t.nth_data) parts.push_back(fmt::format("data segment {}", *t.nth_data));
    if (t.retransmission) parts.push_back(*t.retransmission ? "retransmission" : "first transmission");
    if (parts.empty()) parts.push_back("tcp segment");
  }
  if (parts.empty()) return "datagram";
  return fmt::format("{}", fmt::join(parts, " "));
}

}  // namespace

std::string TimelineEntry::describe() const {
  if (at_ms) return fmt::format("at {} ms", *at_ms);
  if (on_peer) return fmt::format("on {} {}", on_peer->role, on_peer->event);
  if (on_datagram) {
    const auto& [dir, match] = *on_datagram;
    std::string_view d = dir == Direction::c2s ? "c2s " : dir == Direction::s2c ? "s2c " : "";
    return fmt::format("on {}{}", d, describe_match(match));
  }
  return "never (no trigger)";
}

}  // namespace wireproof::scenario
