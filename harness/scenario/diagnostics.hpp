// Collects loader problems with their YAML positions; turns them into a
// ScenarioError at the end. Internal to harness/scenario.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace wireproof::scenario {

class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}

  // `at` is yaml-cpp's 0-based mark; messages show it 1-based.
  void error(const YAML::Mark& at, std::string message);
  bool empty() const { return problems_.empty(); }
  // Throws ScenarioError with every problem, sorted by position, if any.
  void throw_if_any() const;

 private:
  struct Problem { int line, col; std::string message; };
  std::string file_;
  std::vector<Problem> problems_;
};

// The closest candidate to `word` if it is plausibly a typo, else "".
std::string closest_name(std::string_view word, std::span<const std::string_view> candidates);

// " (did you mean 'x'?)" or "".
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);

// "a, b, c"
std::string join_names(std::span<const std::string_view> names);

}  // namespace wireproof::scenario
