// What only the checks know about a scenario, checked before anything runs:
// every expect.checks.<name> parameter must be one the check declares
// (Check::parameters()). The loader cannot know this (it does not depend on
// the checks), so `validate`, `run` and `matrix` load through here, and a
// typo is bad input (exit 2, file:line:col), never a run-time fail that
// blames the stack.
#pragma once

#include <string>
#include <vector>

#include "harness/scenario/model.hpp"

namespace wireproof::checks {

// "file:line:col: message" per problem, in file order; empty when all is well.
std::vector<std::string> parameter_problems(const scenario::Scenario& sc);

// scenario::load_scenario_file, then parameter_problems; throws
// scenario::ScenarioError with every problem.
scenario::Scenario load_validated_scenario(const std::string& path);

}  // namespace wireproof::checks
