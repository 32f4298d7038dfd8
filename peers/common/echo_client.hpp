// The client half of the echo workload, sans-IO: the caller passes the time
// and the records that arrived; the client says which records to send and
// when it next needs to be woken. Keeps up to 8 chunks outstanding and
// resends a chunk whose echo is overdue (peers/CONTRACT.md, "Workload").
//
//   EchoClient c({plan, EchoClient::resend_after_ms(opts.timer_initial_ms)});
//   for (auto& r : c.records_to_send(now)) write(r);
//   on each record read: c.on_record(bytes);
//   sleep until c.next_deadline_ms() (or data); stop when c.complete().
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "peers/common/echo_chunks.hpp"

namespace wireproof::peers {

// How a workload ended, in words for the app_data report ("idle", "stopped",
// "close_notify" as the drivers' closed reasons say it; others pass through).
std::string workload_ended_by(const std::string& reason);

class EchoClient {
 public:
  static constexpr std::size_t kWindow = 8;

  struct Config {
    ChunkPlan plan;
    // nullopt: never resend (a reliable byte stream, TLS over TCP, loses nothing).
    std::optional<std::int64_t> resend_after_ms = 4000;
  };

  // max(4 x initial timer, 200 ms); the library default timer is 1 s.
  static std::int64_t resend_after_ms(std::optional<int> timer_initial_ms);

  explicit EchoClient(Config config);

  // Overdue resends first, then new chunks while the window has room.
  std::vector<std::vector<std::uint8_t>> records_to_send(std::int64_t now_ms);
  // An echoed record arrived.
  void on_record(std::span<const std::uint8_t> record);
  // A record arrived that carries no chunk (its framing was broken).
  void on_malformed() { ++malformed_; }

  // Every chunk's echo has arrived (not necessarily intact).
  bool complete() const { return echoed_.unique() == config_.plan.count(); }
  // At least one echo came back: the path carries application data both ways,
  // so silence from here on is loss, not a dead peer, and the workload keeps
  // resending until it completes or is stopped (peers/CONTRACT.md "Workload").
  bool heard_back() const { return echoed_.unique() > 0 || duplicates_ > 0 || malformed_ > 0; }
  // Complete, and the echoes are byte-for-byte what was sent.
  bool verified() const;
  // When records_to_send next has a resend to make; nullopt when nothing is outstanding.
  std::optional<std::int64_t> next_deadline_ms() const;

  std::uint64_t resent() const { return resent_; }
  std::uint64_t duplicates() const { return duplicates_; }

  // The contract's app_data event for role client. When the echo is not
  // complete it says so: "incomplete": true and "incomplete_reason" naming how
  // the workload ended (`ended_by`, e.g. "stopped by SIGTERM") and how far it got.
  nlohmann::json report(const std::string& ended_by = "") const;

 private:
  Config config_;
  std::uint64_t next_new_ = 0;                        // next chunk never sent
  std::map<std::uint64_t, std::int64_t> last_sent_;   // outstanding chunk -> last send time
  Sha256 sent_;
  OrderedDigest echoed_;
  std::uint64_t resent_ = 0;
  std::uint64_t duplicates_ = 0;
  std::uint64_t malformed_ = 0;  // too short, or an index never planned
};

}  // namespace wireproof::peers
