#include "harness/checks/support/failed_dirs.hpp"

#include <algorithm>
#include <map>

namespace wireproof::checks::support {

void add_failed_dir(CheckResult& r, const std::string& dir) {
  if (!r.measured.is_object()) r.measured = nlohmann::json::object();
  auto& dirs = r.measured["failed_dirs"];
  if (!dirs.is_array()) dirs = nlohmann::json::array();
  if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(dir);
  std::sort(dirs.begin(), dirs.end());
}

std::set<std::string> failed_dirs(const CheckResult& r, const events::EventLog& log) {
  std::set<std::string> out;
  if (r.measured.is_object() && r.measured.contains("failed_dirs") && r.measured["failed_dirs"].is_array()) {
    for (const auto& d : r.measured["failed_dirs"])
      if (d.is_string()) out.insert(d.get<std::string>());
    return out;
  }
  std::map<std::uint64_t, const std::string*> dir_of;
  for (const auto* d : log.datagrams()) dir_of[d->i] = &d->dir;
  for (auto i : r.evidence)
    if (auto it = dir_of.find(i); it != dir_of.end()) out.insert(*it->second);
  return out;
}

}  // namespace wireproof::checks::support
