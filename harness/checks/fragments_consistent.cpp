// fragments_consistent: plaintext handshake fragments describe their messages
// consistently (RFC 6347 4.2.3), per direction and message_seq:
//   frag_offset + frag_length <= length, and the fragment fits its record;
//   every fragment agrees on the message type and length;
//   by the end of the log the fragments cover [0, length) with no gap
//   (overlaps are allowed: "DTLS implementations MUST be able to handle
//   overlapping fragment ranges");
//   where fragments overlap, their bytes are identical.
// Messages longer than 1 MiB are counted as unchecked instead of buffered.
// Fragments are read from the datagram bytes (support/handshake_fragments).
// Encrypted handshake records (epoch >= 1, the Finished) are opaque: skipped.
// A HelloVerifyRequest is kept apart from the server's other messages: a
// stateless server numbers it after the ClientHello, independently of the
// numbering it starts once it keeps state.
// Parameters: none.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/handshake_fragments.hpp"
#include "harness/checks/support/send_order.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;
using support::MessageAssembly;

struct Message {
  MessageAssembly assembly;
  std::uint64_t first_i;
  std::uint64_t last_i;
  std::set<std::pair<std::uint32_t, std::uint32_t>> ranges;
};

class FragmentsConsistent final : public Check {
 public:
  std::string name() const override { return "fragments_consistent"; }
  std::string rfc() const override { return "RFC 6347 4.2.3"; }
  std::string sentence() const override {
    return "When transmitting the handshake message, the sender divides the message into a series of N "
           "contiguous data ranges. These ranges MUST NOT be larger than the maximum handshake fragment size "
           "and MUST jointly contain the entire handshake message.";
  }

  CheckResult run(const Inputs& in) const override {
    CheckResult r;
    r.expected = {{"fragment_within_message", "frag_offset + frag_length <= length"},
                  {"same_type_and_length", true},
                  {"coverage", "[0, length) with no gaps; overlaps identical"}};
    const auto fragments = support::plaintext_fragments(support::datagrams_in_send_order(in.log));
    if (fragments.empty()) {
      r.verdict = Verdict::not_applicable;
      r.detail = "no plaintext handshake fragments on the wire";
      r.measured = {{"fragments", 0}};
      return r;
    }

    using Key = std::tuple<std::string, int, bool>;  // dir, message_seq, is HelloVerifyRequest
    std::map<Key, Message> messages;
    json problems = json::array();
    std::size_t problem_count = 0;
    auto problem = [&](std::vector<std::uint64_t> is, std::string what) {
      ++problem_count;
      r.evidence.insert(r.evidence.end(), is.begin(), is.end());
      if (problems.size() < 20) problems.push_back({{"i", is.back()}, {"problem", std::move(what)}});
    };

    for (const auto& f : fragments) {
      const std::uint64_t i = f.datagram->i;
      const std::string where = fmt::format("{} message_seq {} type {}", f.datagram->dir, f.message_seq, f.msg_type);
      if (f.truncated)
        problem({i}, fmt::format("{}: fragment of {} bytes runs past the end of its record", where, f.frag_length));
      const Key key{f.datagram->dir, f.message_seq, f.msg_type == support::kHelloVerifyRequest};
      auto it = messages.find(key);
      if (it == messages.end()) it = messages.emplace(key, Message{MessageAssembly(f), i, i, {}}).first;
      Message& m = it->second;
      m.ranges.emplace(f.frag_offset, f.frag_length);
      switch (m.assembly.add(f)) {
        case MessageAssembly::AddResult::ok: break;
        case MessageAssembly::AddResult::type_mismatch:
          problem({m.first_i, i}, fmt::format("{}: type differs from {} in earlier fragments", where, m.assembly.msg_type()));
          break;
        case MessageAssembly::AddResult::length_mismatch:
          problem({m.first_i, i}, fmt::format("{}: length {} differs from {} in earlier fragments", where, f.length,
                                              m.assembly.length()));
          break;
        case MessageAssembly::AddResult::out_of_range:
          problem({i}, fmt::format("{}: frag_offset {} + frag_length {} > length {}", where, f.frag_offset,
                                   f.frag_length, f.length));
          break;
        case MessageAssembly::AddResult::too_large: break;  // counted below, not judged
        case MessageAssembly::AddResult::content_mismatch:
          problem({m.first_i, i}, fmt::format("{}: overlapping fragment at offset {} carries different bytes", where,
                                              f.frag_offset));
          break;
      }
      m.last_i = i;
    }

    std::size_t fragmented = 0, unchecked = 0;
    for (const auto& [key, m] : messages) {
      if (m.ranges.size() > 1) ++fragmented;
      if (m.assembly.too_large()) ++unchecked;
      const auto gaps = m.assembly.gaps();
      if (gaps.empty()) continue;
      std::vector<std::string> text;
      for (auto [b, e] : gaps) text.push_back(fmt::format("[{}, {})", b, e));
      problem({m.last_i}, fmt::format("{} message_seq {} type {}: bytes {} of {} never sent", std::get<0>(key),
                                      std::get<1>(key), m.assembly.msg_type(), fmt::join(text, " "),
                                      m.assembly.length()));
    }
    std::sort(r.evidence.begin(), r.evidence.end());
    r.evidence.erase(std::unique(r.evidence.begin(), r.evidence.end()), r.evidence.end());

    r.measured = {{"fragments", fragments.size()}, {"messages", messages.size()},
                  {"fragmented_messages", fragmented}, {"problems", problems},
                  {"unchecked_messages_over_1MiB", unchecked}};
    if (problem_count == 0) {
      r.verdict = Verdict::pass;
      r.detail = fmt::format("{} fragments of {} handshake messages ({} fragmented) are consistent and complete",
                             fragments.size(), messages.size(), fragmented);
    } else {
      r.verdict = Verdict::fail;
      r.detail = fmt::format("{} fragment problem(s); first: i={} {}", problem_count,
                             problems[0]["i"].get<std::uint64_t>(), problems[0]["problem"].get<std::string>());
    }
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_fragments_consistent() { return std::make_unique<FragmentsConsistent>(); }

}  // namespace wireproof::checks
