// Reassembles handshake messages from DTLS fragments (RFC 6347 4.2.3):
// fragments may arrive out of order, duplicated or overlapping. Messages are
// released strictly in message_seq order. Memory is bounded per connection:
// a message whose declared length alone exceeds the bound is refused with an
// error before anything is allocated; future messages that would push the
// total over the bound are dropped (the peer retransmits them).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "impl/crypto/types.hpp"
#include "impl/dtls/handshake_header.hpp"

namespace wireproof::dtls {

struct HandshakeMessage {
  std::uint8_t type = 0;
  std::uint16_t message_seq = 0;
  crypto::Bytes body;
};

class Reassembler {
 public:
  // How many message_seq values ahead of the next expected one we buffer.
  static constexpr std::uint16_t kWindow = 16;
  // Disjoint byte ranges tracked per partial message. A fragment that would add one more
  // (rather than extend or fill between existing ones) is dropped: otherwise a flood of
  // tiny non-adjacent fragments grows the range list (unbounded by memory_limit) and makes
  // every insertion sort it. A real peer's fragments are adjacent or fill gaps on resend.
  static constexpr std::size_t kMaxRanges = 32;

  explicit Reassembler(std::size_t memory_limit) : limit_(memory_limit) {}

  enum class Outcome {
    accepted,  // stored (or a harmless duplicate of stored bytes)
    old,       // message_seq already delivered: the peer is retransmitting
    dropped,   // too far ahead, or over the memory bound for now
    error,     // oversized, or inconsistent with the partial message (which is forgotten); see error()
  };
  Outcome add(const HandshakeHeader& h, crypto::ByteView fragment);
  // The next message in order, once complete.
  std::optional<HandshakeMessage> next();

  std::uint16_t next_seq() const { return next_seq_; }
  void set_next_seq(std::uint16_t s) { next_seq_ = s; }
  // Bytes of message bodies buffered (never above memory_limit).
  std::size_t memory_in_use() const { return in_use_; }
  // Partial messages held, and disjoint ranges across them (<= kWindow * kMaxRanges).
  std::size_t partial_messages() const { return partial_.size(); }
  std::size_t ranges_in_use() const;
  const std::string& error() const { return error_; }

 private:
  struct Partial {
    std::uint8_t type = 0;
    crypto::Bytes body;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> have;  // sorted, merged [begin, end)
    bool complete() const { return have.size() == 1 && have[0].first == 0 && have[0].second == body.size(); }
  };
  // False (and p unchanged) when the range would push p past kMaxRanges.
  static bool add_range(Partial& p, std::uint32_t begin, std::uint32_t end);

  std::size_t limit_;
  std::size_t in_use_ = 0;
  std::uint16_t next_seq_ = 0;
  std::map<std::uint16_t, Partial> partial_;
  std::string error_;
};

}  // namespace wireproof::dtls
