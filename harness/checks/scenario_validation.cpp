#include "harness/checks/scenario_validation.hpp"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "harness/checks/check.hpp"
#include "harness/scenario/loader.hpp"

namespace wireproof::checks {

std::vector<std::string> parameter_problems(const scenario::Scenario& sc) {
  std::vector<std::tuple<int, int, std::string>> found;
  for (const auto& check : all_checks()) {
    auto given = sc.expect.check_param_positions.find(check->name());
    if (given == sc.expect.check_param_positions.end()) continue;
    const auto known = check->parameters();
    for (const auto& [key, pos] : given->second) {
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      found.emplace_back(pos.first, pos.second,
                         fmt::format("unknown parameter '{}' for check '{}' (it takes: {})", key, check->name(),
                                     known.empty() ? "none" : fmt::format("{}", fmt::join(known, ", "))));
    }
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (const auto& [line, col, message] : found) out.push_back(fmt::format("{}:{}:{}: {}", sc.file, line, col, message));
  return out;
}

scenario::Scenario load_validated_scenario(const std::string& path) {
  auto sc = scenario::load_scenario_file(path);
  if (auto problems = parameter_problems(sc); !problems.empty()) throw scenario::ScenarioError(std::move(problems));
  return sc;
}

}  // namespace wireproof::checks
