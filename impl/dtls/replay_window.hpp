// Anti-replay window (RFC 6347 4.1.2.6): a 64-entry sliding bitmap anchored
// at the highest sequence number authenticated so far in one epoch. check()
// before decrypting; mark() only after the record authenticated, so forged
// records cannot move the window.
#pragma once

#include <cstdint>

namespace wireproof::dtls {

class ReplayWindow {
 public:
  static constexpr std::uint64_t kSize = 64;
  // True when seq is new: above the window's top, or inside and not yet seen.
  bool check(std::uint64_t seq) const;
  void mark(std::uint64_t seq);
  std::uint64_t highest() const { return top_; }

 private:
  bool any_ = false;
  std::uint64_t top_ = 0;   // highest seq marked
  std::uint64_t bits_ = 0;  // bit i set = (top_ - i) seen
};

}  // namespace wireproof::dtls
