#include <algorithm>
#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "harness/cli/commands.hpp"
#include "harness/checks/scenario_validation.hpp"
#include "harness/scenario/loader.hpp"

namespace fs = std::filesystem;

namespace wireproof::cli {

std::vector<std::string> expand_scenario_paths(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const auto& p : paths) {
    if (fs::is_directory(p)) {
      std::vector<std::string> found;
      for (const auto& e : fs::directory_iterator(p))
        if (e.is_regular_file() && (e.path().extension() == ".yaml" || e.path().extension() == ".yml"))
          found.push_back(e.path().string());
      if (found.empty()) throw std::runtime_error(p + ": directory has no .yaml scenario files");
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else if (fs::exists(p)) {
      out.push_back(p);
    } else {
      throw std::runtime_error(p + ": no such file or directory");
    }
  }
  return out;
}

int cmd_validate(const std::vector<std::string>& paths) {
  int bad = 0;
  auto files = expand_scenario_paths(paths);
  for (const auto& f : files) {
    try {
      checks::load_validated_scenario(f);
    } catch (const scenario::ScenarioError& e) {
      ++bad;
      for (const auto& p : e.problems()) std::cerr << p << "\n";
    }
  }
  std::cout << files.size() - bad << " of " << files.size() << " scenario files valid\n";
  return bad ? 2 : 0;  // bad input, as for run and matrix (README)
}

}  // namespace wireproof::cli
