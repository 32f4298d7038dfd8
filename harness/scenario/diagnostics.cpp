#include "harness/scenario/diagnostics.hpp"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "harness/scenario/loader.hpp"

namespace wireproof::scenario {

namespace {

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) {
    if (!out.empty()) out += '\n';
    out += l;
  }
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), 0);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

ScenarioError::ScenarioError(std::vector<std::string> problems)
    : std::runtime_error(join_lines(problems)), problems_(std::move(problems)) {}

void Diagnostics::error(const YAML::Mark& at, std::string message) {
  // A null mark (no position known) points at the start of the file.
  int line = at.is_null() ? 1 : at.line + 1;
  int col = at.is_null() ? 1 : at.column + 1;
  problems_.push_back({line, col, std::move(message)});
}

void Diagnostics::throw_if_any() const {
  if (problems_.empty()) return;
  auto sorted = problems_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Problem& a, const Problem& b) {
    return a.line != b.line ? a.line < b.line : a.col < b.col;
  });
  std::vector<std::string> lines;
  for (const auto& p : sorted) lines.push_back(fmt::format("{}:{}:{}: {}", file_, p.line, p.col, p.message));
  throw ScenarioError(std::move(lines));
}

std::string closest_name(std::string_view word, std::span<const std::string_view> candidates) {
  std::string_view best;
  std::size_t best_distance = SIZE_MAX;
  for (auto c : candidates) {
    auto d = edit_distance(word, c);
    if (d < best_distance) best_distance = d, best = c;
  }
  // Short words tolerate two edits; longer ones about a third of their length.
  std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  return best_distance <= limit ? std::string(best) : std::string();
}

std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates) {
  auto best = closest_name(word, candidates);
  return best.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", best);
}

std::string join_names(std::span<const std::string_view> names) {
  std::string out;
  for (auto n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

}  // namespace wireproof::scenario
