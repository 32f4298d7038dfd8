// Loads a scenario YAML file (docs/SCENARIO.md) into the model and validates
// everything the format defines. Problems are collected, not thrown one at a
// time, so an author fixes a file in one pass:
//
//   try { auto sc = load_scenario_file("scenarios/dtls/x.yaml"); }
//   catch (const ScenarioError& e) { for (auto& p : e.problems()) std::cerr << p << '\n'; }
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "harness/scenario/model.hpp"

namespace wireproof::scenario {

// Every problem found in one file, each "file:line:col: message" (1-based),
// in file order. what() is the problems joined by newlines.
class ScenarioError : public std::runtime_error {
 public:
  explicit ScenarioError(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

// Reads and validates `path`; Scenario::file is `path` as given.
// Throws ScenarioError (also when the file cannot be read).
Scenario load_scenario_file(const std::string& path);

// Same, from text; `name` stands for the file in messages and Scenario::file.
Scenario load_scenario_text(const std::string& text, const std::string& name);

}  // namespace wireproof::scenario
