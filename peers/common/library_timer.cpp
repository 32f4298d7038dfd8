#include "peers/common/library_timer.hpp"

namespace wireproof::peers {

std::optional<LibraryTimer> ArmedDeadline::observe(const TimeLeft& time_left) {
  using std::chrono::microseconds;
  for (int attempt = 0;; ++attempt) {
    const auto before = Clock::now();
    const auto left = time_left();
    const auto after = Clock::now();
    if (!left) {
      armed_.reset();
      return std::nullopt;
    }
    if (left->count() <= 0) {
      // Due. Seen due without an earlier reading (armed and expired between two
      // looks): the best known deadline is now.
      if (!armed_) armed_ = before;
      return LibraryTimer{*armed_, true, std::nullopt};
    }
    // Preempted between the clock reads (a loaded host): the pairing of "left"
    // with a moment is loose by that much, so read again (a few times at most).
    if (after - before > microseconds(500) && attempt < 3) continue;
    // The library read its clock between `before` and `after`; `before + left`
    // can only be early, never late, so among readings of one arming keep the latest.
    const auto candidate = before + *left;
    if (!armed_ || candidate > *armed_ || *armed_ - candidate > kSameArming) armed_ = candidate;
    return LibraryTimer{*armed_, false, std::nullopt};
  }
}

}  // namespace wireproof::peers
