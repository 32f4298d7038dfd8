#include "harness/checks/support/params.hpp"

#include <algorithm>
#include <stdexcept>

namespace wireproof::checks::support {

nlohmann::json check_params(const Inputs& in, const Check& check) {
  const std::string check_name = check.name();
  const auto& all = in.scenario.expect.check_params_json;
  auto it = all.find(check_name);
  if (it == all.end() || it->second.empty()) return nlohmann::json::object();
  nlohmann::json j = nlohmann::json::parse(it->second, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !(j.is_object() || j.is_null()))
    throw std::runtime_error("expect.checks." + check_name + ": parameters must be a JSON object, got '" +
                             it->second + "'");
  if (j.is_null()) return nlohmann::json::object();
  const auto known = check.parameters();
  for (const auto& [key, value] : j.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    throw std::runtime_error("expect.checks." + check_name + ": unknown parameter '" + key + "' (known: " +
                             (list.empty() ? "none" : list) + ")");
  }
  return j;
}

double number_param(const nlohmann::json& params, const std::string& key, double fallback) {
  if (!params.contains(key)) return fallback;
  if (!params[key].is_number())
    throw std::runtime_error("parameter '" + key + "' must be a number, got " + params[key].dump());
  return params[key].get<double>();
}

}  // namespace wireproof::checks::support
