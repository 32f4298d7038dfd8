#include "harness/runner/xpass.hpp"

#include <set>

#include <fmt/format.h>

namespace wireproof::runner {

using nlohmann::json;

std::optional<CellIdentity> judged_cell(const json& result) {
  if (!result.is_object()) return std::nullopt;
  const auto verdict = result.value("verdict", "error");
  if (verdict == "error" || verdict == "unsupported") return std::nullopt;
  auto name_of = [&](const char* part, const char* field) {
    const auto& p = result.value(part, json::object());
    return p.is_object() && p.contains(field) && p[field].is_string() ? p[field].get<std::string>() : std::string();
  };
  CellIdentity cell{name_of("scenario", "name"), name_of("client", "name"), name_of("server", "name"),
                    name_of("client", "version"), name_of("server", "version")};
  cell.judged_checks.emplace();
  for (const auto& c : result.value("checks", json::array()))
    if (c.is_object() && (c.value("verdict", "") == "pass" || c.value("verdict", "") == "fail"))
      cell.judged_checks->insert(c.value("name", ""));
  return cell;
}

json find_xpass(const Expectations& expect, const std::vector<json>& results) {
  std::vector<CellIdentity> ran;
  std::set<std::string> matched;
  for (const auto& r : results) {
    auto cell = judged_cell(r);
    if (!cell) continue;
    ran.push_back(*cell);
    for (const auto& c : r.value("checks", json::array()))
      if (c.contains("expected_failure_entry") && c["expected_failure_entry"].is_string())
        matched.insert(c["expected_failure_entry"].get<std::string>());
  }
  json out = json::array();
  for (const auto* e : expect.unmatched(ran, matched))
    out.push_back({{"entry", e->where}, {"scenario", e->scenario}, {"client", e->client}, {"server", e->server},
                   {"check", e->check}, {"reason", e->reason}});
  return out;
}

std::string xpass_lines(const json& xpass) {
  std::string out;
  for (const auto& x : xpass)
    out += fmt::format("xpass {} (scenario {}, client {}, server {}, check {}): expected to fail, but no failure "
                       "matched it in the runs judged; remove or narrow the entry\n",
                       x["entry"].get<std::string>(), x["scenario"].get<std::string>(), x["client"].get<std::string>(),
                       x["server"].get<std::string>(), x["check"].get<std::string>());
  return out;
}

}  // namespace wireproof::runner
