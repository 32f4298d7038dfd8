// Test helper: a handshake run up to the server's final flight (ChangeCipherSpec +
// Finished), whose datagrams are all lost. The server is done and waits, timerless, for
// the client to ask again (RFC 6347 4.2.4); the client still waits for that flight.
//
//   LostFinalFlight t(server_cfg());
//   auto flight5 = t.client_timer_fires();   // the client's resent flight 5
//   auto answer = t.server_gets(flight5);     // what the server sends back
#pragma once

#include "impl/dtls/test_configs.hpp"

namespace wireproof::dtls::testing {

// Whether any record of a datagram belongs to `epoch`.
inline bool has_epoch(const crypto::Bytes& d, std::uint16_t epoch) {
  bytes::Reader r(d);
  RecordHeader h;
  std::span<const std::uint8_t> f;
  while (!r.empty() && read_record(r, h, f))
    if (h.epoch == epoch) return true;
  return false;
}

// Each record of a datagram as a datagram of its own, in order.
inline std::vector<crypto::Bytes> records_of(const crypto::Bytes& d) {
  std::vector<crypto::Bytes> out;
  bytes::Reader r(d);
  RecordHeader h;
  std::span<const std::uint8_t> f;
  std::size_t at = 0;
  while (!r.empty() && read_record(r, h, f)) {
    const std::size_t end = at + kRecordHeaderLen + f.size();
    out.emplace_back(d.begin() + static_cast<std::ptrdiff_t>(at), d.begin() + static_cast<std::ptrdiff_t>(end));
    at = end;
  }
  return out;
}

struct LostFinalFlight {
  bool dropping = true;
  MemoryLink link;
  Time now{0};
  explicit LostFinalFlight(ConnectionConfig server, ConnectionConfig client = client_cfg())
      : link(std::move(client), std::move(server)) {
    link.drop = [this](const Sent& s) {
      return dropping && s.dir == Dir::s2c && (s.data.at(0) == 20 || has_epoch(s.data, 1));
    };
    EXPECT_TRUE(link.run_until([&] { return link.server->handshake_done(); }, 10s));
    dropping = false;
    EXPECT_TRUE(link.server->pull_datagrams().empty());
    now = link.now;
  }
  // The client's timer fires: its resent flight 5. `now` moves to that moment.
  std::vector<crypto::Bytes> client_timer_fires() {
    auto deadline = link.client->next_deadline();
    EXPECT_TRUE(deadline);
    if (!deadline) return {};
    link.client->on_timeout(*deadline);
    now = std::max(now, *deadline);
    auto flight5 = link.client->pull_datagrams();
    EXPECT_FALSE(flight5.empty());
    return flight5;
  }
  // The server receives these datagrams `after` from now (then now moves there);
  // returns what it sends.
  std::vector<crypto::Bytes> server_gets(const std::vector<crypto::Bytes>& datagrams, Time after = 1ms) {
    now += after;
    for (const auto& d : datagrams) link.server->feed(d, now);
    return link.server->pull_datagrams();
  }
  // The client's timer fires and the server receives its flight 5 1 ms later.
  std::vector<crypto::Bytes> client_retransmits() { return server_gets(client_timer_fires()); }
};

}  // namespace wireproof::dtls::testing
