// The impaired link, sans-IO: datagrams and the current time go in,
// deliveries (with the time they are due) come out. The same Link runs on the
// real clock (UdpRelay) and on a virtual clock (in-process reference runs).
//
//   Link link(scenario, seed, sink);
//   link.on_datagram(Dir::c2s, bytes, now_us);     // dissect, apply rules, log
//   while (auto d = link.pop_due(now_us)) send(d->dir, d->bytes);
//   sleep_until(link.next_due_us());                // also covers timeline at_ms entries
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/events/event_log.hpp"
#include "harness/scenario/model.hpp"

namespace wireproof::wire {

enum class Dir { c2s, s2c };

struct Delivery {
  Dir dir;
  std::vector<std::uint8_t> bytes;
  std::int64_t due_us;
};

// Receives every event as it is logged (the runner writes events.jsonl from it).
using EventSink = std::function<void(const events::Event&)>;

struct Totals {
  std::uint64_t datagrams = 0, bytes = 0, dropped = 0, duplicated = 0, reordered = 0,
                delayed = 0, corrupted = 0, malformed = 0;
};

class Link {
 public:
  Link(const scenario::Scenario& sc, std::uint64_t seed, EventSink sink);
  ~Link();
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  // A datagram arrived at the wire from one side at now_us.
  void on_datagram(Dir dir, std::vector<std::uint8_t> bytes, std::int64_t now_us);
  // A peer printed a contract event (logged; may fire timeline entries).
  void on_peer_event(const std::string& role, const nlohmann::json& event, std::int64_t now_us);
  // Fires time-based timeline entries that are due and releases reorder holds that timed out.
  void on_time(std::int64_t now_us);

  // End of run: releases every datagram still held for reordering at now_us
  // and hands all pending events to the sink. (Events of held datagrams wait
  // until their delivery time is known, at most max_hold_ms.)
  void finish(std::int64_t now_us);

  // Next delivery, reorder-hold or timeline deadline, if any.
  std::optional<std::int64_t> next_due_us() const;
  // The earliest delivery due at or before now_us, if any (in due order, FIFO on ties).
  std::optional<Delivery> pop_due(std::int64_t now_us);

  const Totals& totals() const;
  int mtu() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wireproof::wire
