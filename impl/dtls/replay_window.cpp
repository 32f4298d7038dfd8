#include "impl/dtls/replay_window.hpp"

namespace wireproof::dtls {

bool ReplayWindow::check(std::uint64_t seq) const {
  if (!any_ || seq > top_) return true;
  std::uint64_t back = top_ - seq;
  if (back >= kSize) return false;  // too old to tell: reject
  return (bits_ & (std::uint64_t{1} << back)) == 0;
}

void ReplayWindow::mark(std::uint64_t seq) {
  if (!any_) {
    any_ = true;
    top_ = seq;
    bits_ = 1;
    return;
  }
  if (seq > top_) {
    std::uint64_t shift = seq - top_;
    bits_ = shift >= kSize ? 0 : bits_ << shift;
    bits_ |= 1;
    top_ = seq;
    return;
  }
  std::uint64_t back = top_ - seq;
  if (back < kSize) bits_ |= std::uint64_t{1} << back;
}

}  // namespace wireproof::dtls
