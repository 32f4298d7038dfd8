#include "harness/checks/support/backoff.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

namespace wireproof::checks::support {

static double uncapped(double initial_ms, int level) { return initial_ms * std::ldexp(1.0, std::clamp(level, 0, 40)); }

double Backoff::expected_ms(int level) const { return std::min(uncapped(initial_ms, level), cap_ms); }

double Backoff::tolerance_for(double expected) const {
  return std::max(tolerance_ms, tolerance_pct / 100.0 * expected);
}

bool Backoff::fits(double measured_ms, int level) const {
  const double e = expected_ms(level);
  if (std::abs(measured_ms - e) <= tolerance_for(e)) return true;
  const double raw = uncapped(initial_ms, level);
  return raw > cap_ms && measured_ms >= cap_ms - tolerance_for(cap_ms) && measured_ms <= raw + tolerance_for(raw);
}

Backoff backoff_for(const Inputs& in, double cap_ms) {
  return Backoff{static_cast<double>(in.scenario.peers.timer_initial_ms.value_or(1000)), cap_ms,
                 in.scenario.expect.retransmit_tolerance_ms, in.scenario.expect.retransmit_tolerance_pct};
}

Backoffs backoffs_for(const Inputs& in, double cap_ms) {
  Backoffs b{backoff_for(in, cap_ms), backoff_for(in, cap_ms)};
  if (in.client_timer_initial_ms) b.c2s.initial_ms = *in.client_timer_initial_ms;
  if (in.server_timer_initial_ms) b.s2c.initial_ms = *in.server_timer_initial_ms;
  return b;
}

std::vector<JudgedSeries> judge_retransmissions(const std::vector<FlightSeries>& all, const Backoff& backoff) {
  return judge_retransmissions(all, Backoffs{backoff, backoff});
}

std::vector<JudgedSeries> judge_retransmissions(const std::vector<FlightSeries>& all, const Backoffs& backoffs) {
  std::vector<JudgedSeries> out;
  std::map<std::string, int> retained;  // per dir: the level earlier flights reached
  for (const auto& series : all) {
    const auto& tx = series.transmissions;
    if (tx.size() < 2) continue;
    int& reached = retained[series.dir];
    const Backoff& backoff = backoffs.for_dir(series.dir);
    JudgedSeries js;
    js.series = &series;
    int timers = 0;
    std::int64_t anchor_us = tx[0].t_us;  // last original or timer transmission
    for (std::size_t k = 1; k < tx.size(); ++k) {
      const Transmission& t = tx[k];
      const double since_prev = (t.t_us - tx[k - 1].t_us) / 1000.0;
      const double since_anchor = (t.t_us - anchor_us) / 1000.0;
      auto fits_at = [&](int level) { return backoff.fits(since_prev, level) || backoff.fits(since_anchor, level); };

      std::optional<int> base = js.base_level;
      if (!base) {
        // Reset (0) or retained (reached): the one that fits, else the closer.
        if (fits_at(0)) base = 0;
        else if (fits_at(reached)) base = reached;
        else if (t.kind != Transmission::Kind::response)
          base = std::abs(since_anchor - backoff.expected_ms(reached)) < std::abs(since_anchor - backoff.expected_ms(0))
                     ? reached
                     : 0;
      }
      JudgedRetransmission j;
      j.transmission = &t;
      const int level = base.value_or(0) + timers;
      const bool fits = base && fits_at(level);
      if (!fits && t.kind == Transmission::Kind::response) {
        j.timer = false;
        j.interval_ms = since_prev;
        js.retransmissions.push_back(j);
        continue;
      }
      js.base_level = base;
      j.level = level;
      j.expected_ms = backoff.expected_ms(level);
      j.tolerance_ms = backoff.tolerance_for(j.expected_ms);
      j.ok = fits;
      j.interval_ms = backoff.fits(since_prev, level) || !backoff.fits(since_anchor, level) ? since_prev : since_anchor;
      js.retransmissions.push_back(j);
      ++timers;
      anchor_us = t.t_us;
    }
    if (timers > 0) reached = std::max(reached, *js.base_level + timers);
    out.push_back(std::move(js));
  }
  return out;
}

}  // namespace wireproof::checks::support
