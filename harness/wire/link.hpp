// The impaired link, sans-IO: datagrams and the current time go in,
// deliveries (with the time they are due) come out, and the caller says when
// each delivery really left (or why it could not). The same Link runs on the
// real clock (UdpRelay) and on a virtual clock (in-process reference runs).
//
//   Link link(scenario, seed, sink);
//   link.on_datagram(Dir::c2s, bytes, now_us);     // dissect, apply rules
//   while (auto d = link.pop_due(now_us)) {
//     if (send(d->dir, d->bytes)) link.sent(*d, clock_now_us());
//     else link.send_failed(*d, "ECONNREFUSED");
//   }
//   sleep_until(link.next_due_us());                // also covers timeline at_ms entries
//   link.finish(now_us);                            // at the end: what never left is logged as such
//
// A datagram's event reaches the sink once every copy of it has left, failed
// or been given up, so `deliveries_us` are the times copies really were
// handed to the socket, and only those.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
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
  std::uint64_t event_i = 0;  // the datagram's event; Link::sent / send_failed say what became of the copy
};

// Receives every event as it is logged, and owns it from then on: the event is
// moved in, never copied (the runner moves it into its events.jsonl writer,
// which then keeps it for judging). A sink taking `const events::Event&` works too.
using EventSink = std::function<void(events::Event&&)>;

// How often one scenario rule or timeline entry took effect (result.json wire.rules).
struct RuleHits {
  std::string kind;           // "rule" | "timeline"
  std::string name;           // the rule's name, or the timeline entry's describe()
  std::uint64_t matched = 0;  // rules: datagrams that matched while the rule was enabled
  std::uint64_t hits = 0;     // rules: datagrams acted on; timeline: times fired (0 or 1)
  bool must_fire = true;
};

// What the link really did. `reordered`: datagrams that left after a later
// arrival in the same direction had left (whatever caused it: a reorder hold,
// jitter, a delay rule). `delayed`: datagrams whose delivery was put off by a
// delay rule or the link's delay/jitter (by at least 1 us).
struct Totals {
  std::uint64_t datagrams = 0, bytes = 0, dropped = 0, duplicated = 0, reordered = 0,
                delayed = 0, corrupted = 0, malformed = 0, send_failed = 0, never_sent = 0;
  std::vector<RuleHits> rules;  // scenario rules in file order, then timeline entries
};

// Who copies an L3 TCP or ICMP packet's transport payload into its event.
// on_wire: the Link, before the event reaches the sink (every sink sees
// `payload` filled). by_writer: nobody on the wire's thread; the event names
// the slice of `packet` (Datagram::pending_payload), which is all an
// events::EventWriter sink needs: it writes from the slice and cuts it before
// keeping the event. Only for a sink that hands every event to an EventWriter.
// UDP payloads are cut on the wire either way (DTLS dissection reads them).
enum class PayloadCut { on_wire, by_writer };

class Link {
 public:
  Link(const scenario::Scenario& sc, std::uint64_t seed, EventSink sink, PayloadCut cut = PayloadCut::on_wire);
  ~Link();
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  // A datagram arrived at the wire from one side at now_us.
  void on_datagram(Dir dir, std::vector<std::uint8_t> bytes, std::int64_t now_us);
  // A peer printed a contract event (logged; may fire timeline entries).
  void on_peer_event(const std::string& role, const nlohmann::json& event, std::int64_t now_us);
  // Fires time-based timeline entries that are due and releases reorder holds that timed out.
  void on_time(std::int64_t now_us);

  // End of run: every copy not yet sent (held for reordering, not yet due, or
  // popped but never reported) is logged as never sent, with why, and every
  // pending event goes to the sink.
  void finish(std::int64_t now_us);

  // Next delivery, reorder-hold or timeline deadline, if any.
  std::optional<std::int64_t> next_due_us() const;
  // The earliest delivery due at or before now_us, if any (in due order, FIFO on ties).
  std::optional<Delivery> pop_due(std::int64_t now_us);
  // A popped copy was handed to the socket at sent_us.
  void sent(const Delivery& d, std::int64_t sent_us);
  // A popped copy could not be sent: `error` names why ("ECONNREFUSED").
  void send_failed(const Delivery& d, const std::string& error);

  Totals totals() const;
  int mtu() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wireproof::wire
