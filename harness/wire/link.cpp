// Link: glue between the dissector, the per-direction impairment pipeline
// (rule stages, then the MTU cap, then the base delay), reorder holds, the
// timeline and the event log. See link.hpp for use.
//
// Relay mode (`wire: udp_relay`): each datagram is a UDP payload. L3 mode
// (`wire: l3`): each is a whole IP packet; its IP/TCP/ICMP layers are logged,
// UDP payloads are DTLS-dissected as in relay mode, and an MTU drop may make
// the wire send an ICMP back to the sender (logged as an `origin: wire` packet).
//
// A datagram's event stays pending (EventBuffer) from its arrival until every
// copy is accounted for: sent (its real send time joins deliveries_us),
// failed (a send_failed action with the error) or given up at finish (a
// never_sent action). Its fate is then decided from what really happened.
#include "harness/wire/link.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <span>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/dissect/dtls_dissector.hpp"
#include "harness/dissect/flight_tracker.hpp"
#include "harness/wire/delivery_queue.hpp"
#include "harness/wire/event_buffer.hpp"
#include "harness/wire/l3/ip_event.hpp"
#include "harness/wire/mtu_cap.hpp"
#include "harness/wire/rng.hpp"
#include "harness/wire/rule_stage.hpp"
#include "harness/wire/tcp_inject.hpp"
#include "harness/wire/timeline.hpp"
#include "harness/wire/transit.hpp"

namespace wireproof::wire {
namespace {

const char* dir_name(Dir d) { return d == Dir::c2s ? "c2s" : "s2c"; }

std::int64_t ms_to_us(double ms) { return static_cast<std::int64_t>(std::llround(ms * 1000.0)); }

// A datagram that was not dropped, until every copy has left or been given up.
struct InFlight {
  Dir dir;
  std::uint64_t arrival = 0;  // arrival index in its direction
  std::size_t outstanding = 0;  // copies queued or popped, not yet reported
  bool sent = false, failed = false;
  bool crafted = false;  // sent by the wire itself (ICMP, inject): no arrival order to overtake
};

// A datagram held by a reorder rule, waiting for later datagrams to pass it.
struct Held {
  Dir dir;
  std::uint64_t event_i;
  std::vector<Copy> copies;
  int remaining;  // later datagrams still to pass
  std::int64_t deadline_us;
};

}  // namespace

struct Link::Impl {
  Impl(const scenario::Scenario& sc, std::uint64_t seed, EventSink sink, PayloadCut cut)
      : base(sc.link), l3(sc.wire == scenario::Wire::l3), payload_cut(cut), mtu(sc.link.mtu), rngs{Rng(seed), Rng(seed ^ kS2cStream)}, events(std::move(sink)), timeline(sc.timeline) {
    for (const auto& r : sc.rules) rules.push_back(std::make_unique<RuleStage>(r));
    for (const auto& e : sc.timeline)
      for (const auto* name : {&e.enable_rule, &e.disable_rule})
        if (*name && !find_rule(**name))
          throw std::invalid_argument(fmt::format(
              "timeline entry '{}' names rule '{}', which scenario '{}' does not define; fix the rule name",
              e.describe(), **name, sc.name));
  }

  RuleStage* find_rule(const std::string& name) {
    for (auto& r : rules)
      if (r->name() == name) return r.get();
    return nullptr;
  }

  void log_link_change(std::int64_t now_us, std::string change, std::string rule, nlohmann::json value,
                       std::string cause) {
    events.add(events::LinkChange{0, now_us, std::move(change), std::move(rule), std::move(value), std::move(cause)},
               true);
  }

  void apply_entry(const scenario::TimelineEntry& e, std::int64_t now_us) {
    const std::string cause = e.describe();
    if (e.set_mtu) {
      mtu = *e.set_mtu;
      log_link_change(now_us, "mtu", "", mtu, cause);
    }
    if (e.enable_rule) {
      find_rule(*e.enable_rule)->set_enabled(true);
      log_link_change(now_us, "rule", *e.enable_rule, "enabled", cause);
    }
    if (e.disable_rule) {
      find_rule(*e.disable_rule)->set_enabled(false);
      log_link_change(now_us, "rule", *e.disable_rule, "disabled", cause);
    }
    if (e.inject) inject(*e.inject, now_us, cause);
  }

  // A timeline inject: a crafted segment goes straight to its receiver (no
  // rules, no MTU cap), logged as its own datagram with origin "wire".
  void inject(const scenario::Inject& what, std::int64_t now_us, const std::string& cause) {
    Injection j = craft_injection(tcp_tracker, what);
    if (!j.error.empty()) {
      log_link_change(now_us, "inject", "", nlohmann::json{{"skipped", j.error}}, cause);
      return;
    }
    const Dir dir = what.dir == scenario::Direction::s2c ? Dir::s2c : Dir::c2s;
    send_from_wire(dir, std::move(j.packet), now_us, events::Action{"link", "inject", cause});
  }

  // Queues a datagram's copies for sending; its event completes when they are accounted for.
  void schedule(Dir dir, std::uint64_t event_i, std::vector<Copy>& copies, std::int64_t floor_us) {
    in_flight.at(event_i).outstanding += copies.size();
    for (auto& c : copies) {
      c.due_us = std::max(c.due_us, floor_us);
      queue.push(Delivery{dir, std::move(c.bytes), c.due_us, event_i});
    }
  }

  // Decides the fate of a datagram whose copies are all accounted for, and completes its event.
  void settle_if_done(std::uint64_t event_i) {
    auto it = in_flight.find(event_i);
    if (it == in_flight.end() || it->second.outstanding > 0) return;
    auto& ev = events.datagram(event_i);
    sort_deliveries(ev);
    ev.fate = it->second.sent ? "forwarded" : it->second.failed ? "send_failed" : "never_sent";
    totals.send_failed += ev.fate == "send_failed";
    totals.never_sent += ev.fate == "never_sent";
    in_flight.erase(it);
    events.complete(event_i);
  }

  InFlight& copy_owner(const Delivery& d) {
    auto it = in_flight.find(d.event_i);
    if (it == in_flight.end() || it->second.outstanding == 0)
      throw std::logic_error(fmt::format("Link: delivery of event {} reported twice or never popped", d.event_i));
    return it->second;
  }

  // Deliveries in time order, each with its bytes when they differ from the arrival's.
  static void sort_deliveries(events::Datagram& ev) {
    if (std::is_sorted(ev.deliveries_us.begin(), ev.deliveries_us.end())) return;  // the usual case: one copy
    if (ev.delivered.empty()) {
      std::sort(ev.deliveries_us.begin(), ev.deliveries_us.end());
      return;
    }
    std::vector<std::size_t> order(ev.deliveries_us.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return ev.deliveries_us[a] < ev.deliveries_us[b]; });
    std::vector<std::int64_t> times;
    std::vector<std::vector<std::uint8_t>> bytes;
    for (std::size_t k : order) {
      times.push_back(ev.deliveries_us[k]);
      bytes.push_back(std::move(ev.delivered[k]));
    }
    ev.deliveries_us = std::move(times);
    ev.delivered = std::move(bytes);
  }

  static void note_delivery(events::Datagram& ev, const std::vector<std::uint8_t>& bytes, std::int64_t sent_us) {
    ev.deliveries_us.push_back(sent_us);
    const bool altered = bytes != (ev.packet.empty() ? ev.payload : ev.packet);
    if (altered || !ev.delivered.empty()) ev.delivered.resize(ev.deliveries_us.size());
    if (altered) ev.delivered.back() = bytes;
  }

  void sent(const Delivery& d, std::int64_t sent_us) {
    InFlight& f = copy_owner(d);
    note_delivery(events.datagram(d.event_i), d.bytes, sent_us);
    if (!f.sent && !f.crafted) {
      // Overtaken: a later arrival in the same direction already left.
      auto& latest = latest_sent_arrival[f.dir == Dir::c2s ? 0 : 1];
      if (latest && *latest > f.arrival) totals.reordered++;
      if (!latest || *latest < f.arrival) latest = f.arrival;
    }
    f.sent = true;
    f.outstanding--;
    settle_if_done(d.event_i);
    events.flush();
  }

  void send_failed(const Delivery& d, const std::string& error) {
    InFlight& f = copy_owner(d);
    events.datagram(d.event_i).actions.push_back({"link", "send_failed", error});
    f.failed = true;
    f.outstanding--;
    settle_if_done(d.event_i);
    events.flush();
  }

  // A copy that will never leave: says why, once per datagram and reason.
  void give_up(std::uint64_t event_i, const std::string& why) {
    auto& actions = events.datagram(event_i).actions;
    if (actions.empty() || actions.back().action != "never_sent" || actions.back().detail != why)
      actions.push_back({"link", "never_sent", why});
  }

  // A datagram passed in `dir`, its last copy due at pass_due_us: counts towards holds.
  void count_passed(Dir dir, std::int64_t pass_due_us) {
    for (auto it = holds.begin(); it != holds.end();) {
      if (it->dir == dir && --it->remaining <= 0) {
        schedule(it->dir, it->event_i, it->copies, pass_due_us);
        it = holds.erase(it);
      } else {
        ++it;
      }
    }
  }

  // Fires due timeline entries and releases holds whose max_hold_ms ran out.
  void advance_time(std::int64_t now_us) {
    for (const auto* e : timeline.take_due(now_us)) apply_entry(*e, now_us);
    for (auto it = holds.begin(); it != holds.end();) {
      if (it->deadline_us <= now_us) {
        schedule(it->dir, it->event_i, it->copies, it->deadline_us);
        it = holds.erase(it);
      } else {
        ++it;
      }
    }
  }

  void on_datagram(Dir dir, std::vector<std::uint8_t> bytes, std::int64_t now_us) {
    advance_time(now_us);
    ArrivalIndex arrival = next_arrival;
    (dir == Dir::c2s ? next_arrival.c2s : next_arrival.s2c)++;
    next_arrival.all++;

    events::Datagram d;
    d.dir = dir_name(dir);
    d.t_us = now_us;
    d.mtu = mtu;
    std::size_t payload_offset = 0;
    if (l3) {
      payload_offset = dissect_packet(d, bytes);
    } else {
      d.size = bytes.size();
      d.ip_size = bytes.size() + kIpUdpHeaderBytes;
      d.payload = bytes;
      dissect_dtls_payload(dir, d);
    }
    const std::uint64_t i = events.add(std::move(d), false);
    auto& ev = events.datagram(i);
    arrival.tcp = tcp_tracker.observe(dir, ev);  // L3 wire: where the segment sits, for match.tcp

    Transit t{dir, now_us, ev, {Copy{std::move(bytes), now_us}}, std::nullopt, payload_offset};
    Rng& rng = rngs[dir == Dir::c2s ? 0 : 1];
    for (auto& rule : rules) rule->apply(t, arrival, rng);
    MtuCap{mtu, l3, base.icmp}.apply(t);
    for (auto& c : t.copies) {
      const std::int64_t link_delay_us =
          ms_to_us(base.delay_ms) + (base.jitter_ms > 0 ? ms_to_us(rng.uniform01() * base.jitter_ms) : 0);
      c.due_us += link_delay_us;
      t.delayed = t.delayed || link_delay_us > 0;
    }

    totals.datagrams++;
    totals.bytes += ev.size;
    totals.malformed += ev.malformed ? 1 : 0;
    totals.duplicated += t.duplicated && !t.dropped();
    totals.delayed += t.delayed && !t.dropped();
    totals.corrupted += t.corrupted && !t.dropped();

    if (t.dropped()) {
      ev.fate = "dropped";
      totals.dropped++;
      events.complete(i);
    } else {
      in_flight.emplace(i, InFlight{dir, dir == Dir::c2s ? arrival.c2s : arrival.s2c});
      if (t.hold) {
        holds.push_back(Held{dir, i, std::move(t.copies), t.hold->after, t.hold->deadline_us});
      } else {
        std::int64_t last_due = now_us;
        for (const auto& c : t.copies) last_due = std::max(last_due, c.due_us);
        schedule(dir, i, t.copies, now_us);
        count_passed(dir, last_due);
      }
    }
    if (!t.dropped()) {
      // `ev` may be emitted by flush only after this point, so it is still valid here.
      for (const auto* e : timeline.take_on_datagram(dir, events.datagram(i), arrival)) apply_entry(*e, now_us);
    }
    if (!t.wire_reply.empty()) send_from_wire(dir == Dir::c2s ? Dir::s2c : Dir::c2s, std::move(t.wire_reply), now_us);
    events.flush();
  }

  // DTLS records and flight of a UDP payload (relay mode, or UDP on the L3 wire).
  void dissect_dtls_payload(Dir dir, events::Datagram& d) {
    auto dissected = dissect::dissect_dtls(d.payload);
    d.records = std::move(dissected.records);
    if (!d.malformed) d.malformed = std::move(dissected.malformed);
    auto flight = flights.classify(dir == Dir::c2s ? dissect::Sender::client : dissect::Sender::server, d.records);
    d.flight = flight.flight;
    d.retransmission = flight.retransmission;
  }

  // L3: the packet's layers into the event; returns where its transport payload starts.
  std::size_t dissect_packet(events::Datagram& d, const std::vector<std::uint8_t>& packet) {
    auto view = l3::ip_event_view(packet);
    d.ip = std::move(view.ip);
    d.tcp = std::move(view.tcp);
    d.icmp = std::move(view.icmp);
    d.malformed = std::move(view.dissected.malformed);
    d.size = view.payload_length;
    d.ip_size = packet.size();
    d.packet = packet;
    if (payload_cut == PayloadCut::by_writer && !view.udp) {
      d.pending_payload = events::Datagram::Slice{view.payload_offset, view.payload_length};
    } else {
      const auto payload = std::span<const std::uint8_t>(packet).subspan(view.payload_offset, view.payload_length);
      d.payload.assign(payload.begin(), payload.end());
    }
    if (view.udp) dissect_dtls_payload(d.dir == "c2s" ? Dir::c2s : Dir::s2c, d);
    return view.payload_offset;
  }

  // A packet the wire itself sends (the ICMP of an MTU drop, a timeline inject),
  // due now in `dir`, past the impairments (no rules, no MTU cap): not traffic on
  // the link. Logged as its own datagram with origin "wire", dissected from its bytes.
  void send_from_wire(Dir dir, std::vector<std::uint8_t> packet, std::int64_t now_us,
                      std::optional<events::Action> action = std::nullopt) {
    events::Datagram d;
    d.dir = dir_name(dir);
    d.t_us = now_us;
    d.mtu = mtu;
    d.origin = "wire";
    dissect_packet(d, packet);
    if (action) d.actions.push_back(std::move(*action));
    const std::uint64_t i = events.add(std::move(d), false);
    InFlight f{dir};
    f.crafted = true;
    in_flight.emplace(i, f);
    std::vector<Copy> copies{Copy{std::move(packet), now_us}};
    schedule(dir, i, copies, now_us);
  }

  void on_peer_event(const std::string& role, const nlohmann::json& event, std::int64_t now_us) {
    advance_time(now_us);
    events.add(events::PeerEvent{0, now_us, role, event}, true);
    for (const auto* e : timeline.take_on_peer(role, event)) apply_entry(*e, now_us);
    events.flush();
  }

  std::optional<std::int64_t> next_due_us() const {
    std::optional<std::int64_t> next = queue.next_due_us();
    auto consider = [&](std::optional<std::int64_t> t) {
      if (t && (!next || *t < *next)) next = t;
    };
    consider(timeline.next_at_us());
    for (const auto& h : holds) consider(h.deadline_us);
    return next;
  }

  void finish(std::int64_t now_us) {
    advance_time(now_us);
    for (auto& h : holds) give_up(h.event_i, "run ended while held for reordering");
    holds.clear();
    while (auto d = queue.pop_due(std::numeric_limits<std::int64_t>::max())) {
      give_up(d->event_i, d->due_us > now_us ? "run ended before it was due" : "run ended before it was sent");
      in_flight.at(d->event_i).outstanding--;
    }
    // Popped but never reported: the caller lost track of it; it did not reach the receiver as far as we know.
    for (auto& [i, f] : in_flight)
      if (f.outstanding > 0) {
        give_up(i, "run ended before its send was reported");
        f.outstanding = 0;
      }
    std::vector<std::uint64_t> left;
    for (const auto& [i, f] : in_flight) left.push_back(i);
    for (auto i : left) settle_if_done(i);
    events.flush();
  }

  Totals snapshot() const {
    Totals out = totals;
    for (const auto& r : rules) out.rules.push_back({"rule", r->name(), r->matched(), r->acted(), r->must_fire()});
    const auto& entries = timeline.entries();
    for (std::size_t k = 0; k < entries.size(); ++k)
      out.rules.push_back({"timeline", entries[k].describe(), timeline.fired(k), timeline.fired(k),
                           entries[k].must_fire});
    return out;
  }

  scenario::Link base;
  bool l3;  // packets are whole IP packets (wire: l3)
  PayloadCut payload_cut;
  int mtu;
  // One stream per direction: the fate of the n-th datagram each way then
  // depends on the seed and that direction's datagrams only, not on how the
  // two directions happened to interleave in time.
  static constexpr std::uint64_t kS2cStream = 0x5c2a9e3779b97f4bULL;
  Rng rngs[2];
  EventBuffer events;
  Timeline timeline;
  std::vector<std::unique_ptr<RuleStage>> rules;
  dissect::FlightTracker flights;
  TcpTracker tcp_tracker;
  ArrivalIndex next_arrival;
  DeliveryQueue queue;
  std::vector<Held> holds;  // in hold order
  std::map<std::uint64_t, InFlight> in_flight;  // by event index
  std::optional<std::uint64_t> latest_sent_arrival[2];  // per direction (c2s, s2c): the latest arrival sent so far
  Totals totals;
};

Link::Link(const scenario::Scenario& sc, std::uint64_t seed, EventSink sink, PayloadCut cut)
    : impl_(std::make_unique<Impl>(sc, seed, std::move(sink), cut)) {}
Link::~Link() = default;

void Link::on_datagram(Dir dir, std::vector<std::uint8_t> bytes, std::int64_t now_us) {
  impl_->on_datagram(dir, std::move(bytes), now_us);
}
void Link::on_peer_event(const std::string& role, const nlohmann::json& event, std::int64_t now_us) {
  impl_->on_peer_event(role, event, now_us);
}
void Link::on_time(std::int64_t now_us) {
  impl_->advance_time(now_us);
  impl_->events.flush();
}
void Link::finish(std::int64_t now_us) { impl_->finish(now_us); }
std::optional<std::int64_t> Link::next_due_us() const { return impl_->next_due_us(); }
std::optional<Delivery> Link::pop_due(std::int64_t now_us) { return impl_->queue.pop_due(now_us); }
void Link::sent(const Delivery& d, std::int64_t sent_us) { impl_->sent(d, sent_us); }
void Link::send_failed(const Delivery& d, const std::string& error) { impl_->send_failed(d, error); }
Totals Link::totals() const { return impl_->snapshot(); }
int Link::mtu() const { return impl_->mtu; }

}  // namespace wireproof::wire
