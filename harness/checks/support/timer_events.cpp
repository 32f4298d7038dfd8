#include "harness/checks/support/timer_events.hpp"

#include <cmath>
#include <limits>

namespace wireproof::checks::support {

namespace {

std::optional<double> number(const nlohmann::json& e, const char* key) {
  if (!e.is_object() || !e.contains(key) || !e[key].is_number()) return std::nullopt;
  return e[key].get<double>();
}

std::int64_t us(double ms) { return static_cast<std::int64_t>(std::llround(ms * 1000.0)); }

// The datagram leaves after the event was printed; the mapped time can run
// ahead of the true one by the smallest logging delay (well under 1 ms).
constexpr std::int64_t kMappingSlackUs = 1000;

}  // namespace

std::vector<TimerExpiry> timer_expiries(const events::EventLog& log, const std::string& role) {
  std::int64_t offset = std::numeric_limits<std::int64_t>::max();
  for (const auto* p : log.peer_events())
    if (p->role == role)
      if (auto t = number(p->event, "t_ms")) offset = std::min(offset, p->t_us - us(*t));
  std::vector<TimerExpiry> out;
  for (const auto* p : log.peer_events()) {
    if (p->role != role || !p->event.is_object() || p->event.value("event", nlohmann::json()) != "timer") continue;
    auto t = number(p->event, "t_ms");
    auto deadline = number(p->event, "deadline_ms");
    if (!t || !deadline) continue;  // malformed: not evidence either way
    out.push_back({p->i, us(*t) + offset, us(*deadline) + offset, *t - *deadline});
  }
  return out;
}

const TimerExpiry* expiry_before(const std::vector<TimerExpiry>& expiries, std::int64_t after_us,
                                 std::int64_t until_us) {
  const TimerExpiry* found = nullptr;
  for (const auto& e : expiries)
    if (e.woke_us > after_us && e.woke_us <= until_us + kMappingSlackUs) found = &e;
  return found;
}

}  // namespace wireproof::checks::support
