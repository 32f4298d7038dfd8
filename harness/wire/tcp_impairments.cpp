#include "harness/wire/tcp_impairments.hpp"

#include <fmt/format.h>

#include "harness/wire/tcp_segment_edit.hpp"

namespace wireproof::wire {

namespace {

// Applies `edit` to every copy; false (and a recorded reason) when the datagram is not a TCP segment.
template <class Edit>
bool edit_copies(const std::string& rule, const char* action, Transit& t, Edit edit) {
  if (!t.event.ip || !t.event.tcp) {
    t.record(rule, action, "not a TCP segment: unchanged");
    return false;
  }
  const TcpPacketView view{t.event.ip->version, t.event.ip->header_length};
  for (auto& c : t.copies)
    if (!edit(c.bytes, view)) {
      t.record(rule, action, "truncated TCP header: unchanged");
      return false;
    }
  return true;
}

}  // namespace

void ResetImpairment::apply(const std::string& rule, Transit& t, Rng&) {
  if (!edit_copies(rule, "rst", t, [](auto& bytes, const TcpPacketView& v) { return to_reset(bytes, v); })) return;
  const auto& seg = *t.event.tcp;
  t.record(rule, "rst",
           fmt::format("{} seq {} len {} replaced by {} seq {}", events::tcp_flags_text(seg.flags), seg.seq,
                       seg.payload_length, seg.has(events::tcp_flags::ack) ? "RST|ACK" : "RST", seg.seq));
}

void RewriteWindowImpairment::apply(const std::string& rule, Transit& t, Rng&) {
  const std::uint16_t w = p_.window;
  if (!edit_copies(rule, "window", t, [w](auto& bytes, const TcpPacketView& v) { return set_window(bytes, v, w); }))
    return;
  t.record(rule, "window", fmt::format("window {} -> {}", t.event.tcp->window, w));
}

}  // namespace wireproof::wire
