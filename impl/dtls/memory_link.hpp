// Test helper: two Connections joined by an in-memory link on a virtual clock.
// Deterministic: fixed one-way delay, no randomness; a filter decides which
// datagrams are dropped. Every datagram offered to the link is logged.
//
//   MemoryLink link(client_cfg, server_cfg);
//   link.drop = [](const Sent& s) { return s.dir == Dir::s2c && s.index_in_dir == 1; };
//   link.run_until_established(30s);
#pragma once

#include <functional>
#include <map>
#include <memory>

#include "impl/dtls/connection.hpp"

namespace wireproof::dtls::testing {

enum class Dir { c2s, s2c };

struct Sent {
  Dir dir;
  int index_in_dir;  // 0-based count of datagrams in this direction
  Time at;
  crypto::Bytes data;
  bool dropped = false;
};

class MemoryLink {
 public:
  MemoryLink(ConnectionConfig client_cfg, ConnectionConfig server_cfg, Time one_way_delay = 1ms)
      : delay_(one_way_delay) {
    client_cfg.handshake.role = Role::client;
    server_cfg.handshake.role = Role::server;
    client = std::make_unique<Connection>(std::move(client_cfg));
    server = std::make_unique<Connection>(std::move(server_cfg));
  }

  std::unique_ptr<Connection> client, server;
  std::function<bool(const Sent&)> drop = [](const Sent&) { return false; };
  std::vector<Sent> log;
  Time now{0};

  // Runs the event loop until pred() holds or `limit` of virtual time passes.
  bool run_until(const std::function<bool()>& pred, Time limit) {
    if (!started_) {
      started_ = true;
      client->start(now);
      server->start(now);
    }
    collect();
    while (!pred()) {
      std::optional<Time> next;
      auto consider = [&](std::optional<Time> t) {
        if (t && (!next || *t < *next)) next = t;
      };
      if (!in_flight_.empty()) consider(in_flight_.begin()->first);
      consider(client->next_deadline());
      consider(server->next_deadline());
      if (!next || *next > limit) return false;
      now = std::max(now, *next);
      while (!in_flight_.empty() && in_flight_.begin()->first <= now) {
        auto [dir, data] = in_flight_.begin()->second;
        in_flight_.erase(in_flight_.begin());
        (dir == Dir::c2s ? server : client)->feed(data, now);
      }
      for (auto* c : {client.get(), server.get()})
        if (auto d = c->next_deadline(); d && *d <= now) c->on_timeout(now);
      collect();
    }
    return true;
  }
  bool run_until_established(Time limit) {
    return run_until([&] { return client->handshake_done() && server->handshake_done(); }, limit);
  }
  // Lets queued datagrams and timers play out for d of virtual time.
  void run_for(Time d) {
    Time until = now + d;
    run_until([] { return false; }, until);
    now = std::max(now, until);
  }

  std::vector<const Sent*> sent(Dir d) const {
    std::vector<const Sent*> out;
    for (const auto& s : log)
      if (s.dir == d) out.push_back(&s);
    return out;
  }

  // Pushes everything both sides have queued onto the link (or drops it).
  void collect() {
    for (Dir d : {Dir::c2s, Dir::s2c}) {
      Connection& c = d == Dir::c2s ? *client : *server;
      for (auto& data : c.pull_datagrams()) {
        Sent s{d, count_[static_cast<int>(d)]++, now, std::move(data)};
        s.dropped = drop(s);
        if (!s.dropped) in_flight_.emplace(now + delay_, std::make_pair(d, s.data));  // multimap keeps FIFO order
        log.push_back(std::move(s));
      }
    }
  }

 private:
  Time delay_;
  bool started_ = false;
  int count_[2] = {0, 0};
  std::multimap<Time, std::pair<Dir, crypto::Bytes>> in_flight_;
};

}  // namespace wireproof::dtls::testing
