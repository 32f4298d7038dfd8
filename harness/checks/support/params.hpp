// Per-check parameters: scenario expect.checks.<name> as JSON text
// (Expectations::check_params_json). Each check documents its own keys.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "harness/checks/check.hpp"

namespace wireproof::checks::support {

// The parameters object for `check`, or an empty object when none are given.
// Throws std::runtime_error naming the check when the text is not a JSON
// object or holds a key the check does not declare in parameters().
nlohmann::json check_params(const Inputs& in, const Check& check);

// params[key] as a number, or `fallback` when absent. Throws when present
// but not a number.
double number_param(const nlohmann::json& params, const std::string& key, double fallback);

}  // namespace wireproof::checks::support
