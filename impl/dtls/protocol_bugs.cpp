#include "impl/dtls/protocol_bugs.hpp"

#include <utility>

namespace wireproof::dtls {

namespace {
using Field = bool ProtocolBugs::*;
const std::vector<std::pair<std::string_view, Field>>& table() {
  static const std::vector<std::pair<std::string_view, Field>> t = {
      {"no-backoff", &ProtocolBugs::no_backoff},
      {"early-retransmit", &ProtocolBugs::early_retransmit},
      {"record-spans-datagrams", &ProtocolBugs::record_spans_datagrams},
      {"ignore-mtu", &ProtocolBugs::ignore_mtu},
      {"reuse-sequence-number", &ProtocolBugs::reuse_sequence_number},
      {"no-cookie-echo", &ProtocolBugs::no_cookie_echo},
      {"inconsistent-fragments", &ProtocolBugs::inconsistent_fragments},
      {"duplicate-app-data", &ProtocolBugs::duplicate_app_data},
      {"ignore-final-retransmit", &ProtocolBugs::ignore_final_retransmit},
      {"wrong-initial-timer", &ProtocolBugs::wrong_initial_timer},
      {"backoff-1.5x", &ProtocolBugs::backoff_1_5x},
  };
  return t;
}
}  // namespace

const std::vector<std::string_view>& protocol_bug_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> n;
    for (const auto& [name, field] : table()) n.push_back(name);
    return n;
  }();
  return names;
}

bool set_protocol_bug(ProtocolBugs& bugs, std::string_view name) {
  for (const auto& [n, field] : table()) {
    if (n == name) {
      bugs.*field = true;
      return true;
    }
  }
  return false;
}

}  // namespace wireproof::dtls
