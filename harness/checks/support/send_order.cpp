#include "harness/checks/support/send_order.hpp"

#include <algorithm>
#include <cmath>

namespace wireproof::checks::support {

std::vector<const events::Datagram*> datagrams_in_send_order(const events::EventLog& log) {
  auto out = log.datagrams();
  std::stable_sort(out.begin(), out.end(),
                   [](const events::Datagram* a, const events::Datagram* b) { return a->t_us < b->t_us; });
  return out;
}

const char* other_dir(const std::string& dir) { return dir == "c2s" ? "s2c" : "c2s"; }

double to_ms(std::int64_t us) { return std::round(static_cast<double>(us)) / 1000.0; }

}  // namespace wireproof::checks::support
