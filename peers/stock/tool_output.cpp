#include "peers/stock/tool_output.hpp"

#include <algorithm>
#include <cctype>

#include "peers/common/alert_names.hpp"
#include "peers/common/line_frame.hpp"

namespace wireproof::stock {

using Kind = Observation::Kind;

namespace {

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// Group 1 when the pattern has one, else the whole match.
std::string captured(const std::smatch& m) { return m.size() > 1 && m[1].matched ? m[1].str() : m[0].str(); }

}  // namespace

std::string alert_name(const std::string& printed) {
  if (all_digits(printed)) return peers::alert_description_name(std::stoi(printed));
  std::string out;
  for (unsigned char c : printed) out += std::isalnum(c) ? static_cast<char>(std::tolower(c)) : '_';
  return out;
}

std::vector<Observation> classify_line(const registry::RoleSpec& role, const registry::ToolSpec& tool,
                                       std::string_view stream, const std::string& line) {
  std::vector<Observation> out;
  const bool data_stream = std::find(role.data_streams.begin(), role.data_streams.end(), stream) != role.data_streams.end();
  if (data_stream && (!role.data_line || std::regex_search(line, role.data_line->re))) {
    if (auto chunk = peers::decode_line(line)) {
      out.push_back({Kind::data, {}, {}, {}, {}, std::move(*chunk)});
      return out;  // a workload line says nothing else
    }
  }
  std::smatch m;
  auto matches = [&](const std::optional<registry::Pattern>& p) { return p && std::regex_search(line, m, p->re); };
  if (matches(role.ready)) out.push_back({Kind::ready, {}, {}, {}, {}, {}});
  if (matches(role.version)) {
    std::string v = m[1].str();
    auto it = tool.version_names.find(v);
    out.push_back({Kind::version, it == tool.version_names.end() ? v : it->second, {}, {}, {}, {}});
  }
  if (matches(role.cipher)) out.push_back({Kind::cipher, m[1].str(), {}, {}, {}, {}});
  if (matches(role.alpn)) out.push_back({Kind::alpn, m[1].str(), {}, {}, {}, {}});
  if (matches(role.group)) {
    std::string g = m[1].str();
    auto it = tool.group_names.find(g);
    if (it != tool.group_names.end()) {
      g = it->second;
    } else {
      std::transform(g.begin(), g.end(), g.begin(), [](unsigned char c) { return std::tolower(c); });
    }
    out.push_back({Kind::group, g, {}, {}, {}, {}});
  }
  for (std::size_t i = 0; i < role.handshake_done.size(); ++i)
    if (std::regex_search(line, m, role.handshake_done[i].re)) out.push_back({Kind::handshake_done, {}, {}, {}, {}, {}, i});
  for (const auto& a : role.alerts) {
    if (!std::regex_search(line, m, a.pattern.re)) continue;
    std::string level = "fatal";
    if (a.level_group > 0) {
      std::string l = m[a.level_group].str();
      level = all_digits(l) ? peers::alert_level_name(std::stoi(l)) : alert_name(l);
    }
    std::string description = alert_name(m[a.description_group].str());
    // close_notify ends the connection; it is not a failure to report as an alert.
    if (description == "close_notify") {
      out.push_back({a.direction == "received" ? Kind::closed : Kind::close_sent, "close_notify", {}, {}, {}, {}});
    } else {
      out.push_back({Kind::alert, {}, a.direction, level, description, {}});
    }
    break;
  }
  for (const auto& k : role.key_updates) {
    if (!std::regex_search(line, m, k.pattern.re)) continue;
    const bool requested = k.requested_group > 0 ? m[k.requested_group].str() == "1" : k.requested;
    out.push_back({Kind::key_update, requested ? "1" : "0", k.direction, {}, {}, {}});
    break;
  }
  for (const auto& e : role.errors) {
    if (!std::regex_search(line, m, e.re)) continue;
    out.push_back({Kind::error, captured(m), {}, {}, {}, {}});
    break;
  }
  for (const auto& c : role.closed) {
    if (!std::regex_search(line, m, c.pattern.re)) continue;
    out.push_back({Kind::closed, c.reason, {}, {}, {}, {}});
    break;
  }
  return out;
}

}  // namespace wireproof::stock
