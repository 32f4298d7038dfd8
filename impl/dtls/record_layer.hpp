// The record layer of one connection: write epochs with their 48-bit
// sequence counters, read epochs with their replay windows, and datagram
// <-> records. Records that fail authentication, replays, and malformed
// datagrams are dropped silently and counted (RFC 6347 4.1.2.7); records of
// the next read epoch that arrive before its keys are held (bounded) and
// handed back once the epoch is installed (RFC 6347 4.1). Only protected epochs
// have a replay window (see open_one): epoch 0 cannot authenticate what moves it.
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "impl/dtls/record.hpp"
#include "impl/dtls/record_protection.hpp"
#include "impl/dtls/replay_window.hpp"

namespace wireproof::dtls {

struct ReceivedRecord {
  ContentType type{};
  std::uint16_t epoch = 0;
  std::uint64_t seq = 0;
  crypto::Bytes data;  // plaintext
};

struct RecordStats {
  std::uint64_t auth_failures = 0;  // AEAD open failed: silently discarded
  std::uint64_t replayed = 0;       // seen before or older than the window
  std::uint64_t malformed = 0;      // datagrams with trailing garbage or bad headers
  std::uint64_t unknown_epoch = 0;  // neither a known epoch nor the next one (or the hold was full)
};

class RecordLayer {
 public:
  static constexpr std::size_t kMaxHeldRecords = 16;
  RecordLayer();  // epoch 0 (no protection) for both directions
  // It points into its own epoch maps, so it stays where it was built.
  RecordLayer(const RecordLayer&) = delete;
  RecordLayer& operator=(const RecordLayer&) = delete;

  // Installs protection for the next write epoch (current + 1) and switches to it.
  // Earlier epochs stay usable so a flight can be retransmitted as first sent.
  void next_write_epoch(std::unique_ptr<RecordProtection> p);
  std::uint16_t write_epoch() const { return write_epoch_; }
  // Header plus AEAD expansion of a record sent in epoch.
  std::size_t overhead(std::uint16_t epoch) const;
  // A full record (header + protected fragment) with epoch's next sequence
  // number. Throws std::logic_error for an unknown epoch or an exhausted sequence.
  crypto::Bytes protect(ContentType type, std::uint16_t epoch, crypto::ByteView payload,
                        std::uint16_t version = kDtls12);
  // Test and HelloVerifyRequest hook: the next sequence number epoch will use.
  std::uint64_t next_write_seq(std::uint16_t epoch) const;
  void set_next_write_seq(std::uint16_t epoch, std::uint64_t seq);

  // Installs protection for the next read epoch (current + 1).
  void next_read_epoch(std::unique_ptr<RecordProtection> p);
  std::uint16_t read_epoch() const { return read_epoch_; }
  // Every record of the datagram that is new and authentic, in order.
  std::vector<ReceivedRecord> unprotect(crypto::ByteView datagram);
  // The same into out (cleared first), so a caller can keep one vector's capacity.
  void unprotect(crypto::ByteView datagram, std::vector<ReceivedRecord>& out);
  // Records held for the current read epoch before it was installed, now opened.
  std::vector<ReceivedRecord> take_held();

  const RecordStats& stats() const { return stats_; }

 private:
  struct WriteEpoch {
    std::unique_ptr<RecordProtection> prot;  // null in epoch 0
    std::uint64_t next_seq = 0;
  };
  struct ReadEpoch {
    std::unique_ptr<RecordProtection> prot;
    ReplayWindow window;
  };
  struct Held {
    RecordHeader header;
    crypto::Bytes fragment;
  };
  bool open_one(ReadEpoch& re, const RecordHeader& h, crypto::ByteView fragment, ReceivedRecord& out);
  WriteEpoch& write_state(std::uint16_t epoch);
  const WriteEpoch& write_state(std::uint16_t epoch) const;
  ReadEpoch* read_state(std::uint16_t epoch);  // nullptr: no keys for that epoch yet

  // std::map nodes do not move, so the current epochs are also kept as pointers:
  // every application record uses them, older epochs only go through the map.
  std::map<std::uint16_t, WriteEpoch> write_;
  std::uint16_t write_epoch_ = 0;
  WriteEpoch* current_write_ = nullptr;
  std::map<std::uint16_t, ReadEpoch> read_;
  std::uint16_t read_epoch_ = 0;
  ReadEpoch* current_read_ = nullptr;
  std::vector<Held> held_;
  RecordStats stats_;
};

}  // namespace wireproof::dtls
