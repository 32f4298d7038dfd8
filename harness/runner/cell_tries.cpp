#include "harness/runner/cell_tries.hpp"

#include <algorithm>

#include "harness/checks/check.hpp"

namespace wireproof::runner {

using nlohmann::json;

const std::vector<std::string>& timing_checks() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& c : checks::all_checks())
      if (c->judges_timing()) out.push_back(c->name());
    return out;
  }();
  return names;
}

bool worth_retrying(const json& try_run) {
  const std::string v = try_run.value("verdict", "");
  if (v == "inconclusive") return true;
  if (v != "fail") return false;
  for (const auto& c : try_run.value("failed_checks", json::array()))
    if (c.is_string() && std::ranges::count(timing_checks(), c.get<std::string>())) return true;
  return false;
}

std::string cell_verdict(const std::vector<json>& tries) {
  std::string agreed;
  for (const auto& t : tries) {
    const std::string v = t.value("verdict", "error");
    if (v == "inconclusive") continue;
    if (agreed.empty()) agreed = v;
    else if (agreed != v) return "flaky";
  }
  return agreed.empty() ? "inconclusive" : agreed;
}

bool needs_another_try(const std::vector<json>& tries, unsigned retries) {
  return !tries.empty() && tries.size() <= retries && worth_retrying(tries.back()) && cell_verdict(tries) != "flaky";
}

std::string try_dir(const std::string& cell_dir, unsigned k) {
  return k <= 1 ? cell_dir : cell_dir + "/try-" + std::to_string(k);
}

}  // namespace wireproof::runner
