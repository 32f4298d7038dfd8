// cookie_exchange: after a HelloVerifyRequest reaches the client, the client
// sends its ClientHello again with the HelloVerifyRequest's cookie, keeping
// client_version, random, session_id, cipher_suites and compression_methods
// (RFC 6347 4.2.1). Extensions may change as other RFCs allow: differences are
// reported in `measured` and the detail, not failed.
// Messages are reassembled from the datagram bytes (fragments allowed) and
// parsed with the bounded Reader. The first ClientHello is the one sent
// before the first HelloVerifyRequest that was delivered; the second is the
// first ClientHello carrying a cookie sent after that delivery. Its cookie must
// be one of the HelloVerifyRequests delivered before it (normally the latest).
// not_applicable when no HelloVerifyRequest was seen, or none reached the client.
// Parameters: none.
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/handshake_fragments.hpp"
#include "harness/dissect/hello_parsers.hpp"
#include "harness/checks/support/send_order.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;
using support::MessageAssembly;

struct Complete {
  int message_seq;
  std::vector<std::uint8_t> body;
  const events::Datagram* datagram;  // the datagram that completed it
};

// Every complete copy of a message of `type` sent in `dir`, in send order:
// each retransmission is listed again, as is a changed message reusing a
// message_seq.
std::vector<Complete> complete_messages(const std::vector<support::HandshakeFragment>& fragments,
                                        const std::string& dir, int type) {
  std::vector<Complete> out;
  std::map<int, MessageAssembly> open;
  for (const auto& f : fragments) {
    if (f.datagram->dir != dir || f.msg_type != type) continue;
    auto it = open.find(f.message_seq);
    if (it == open.end()) it = open.emplace(f.message_seq, MessageAssembly(f)).first;
    if (it->second.add(f) != MessageAssembly::AddResult::ok) {
      it->second = MessageAssembly(f);  // a different message under the same number: start again
      it->second.add(f);
    }
    if (auto body = it->second.body()) {
      out.push_back({f.message_seq, std::move(*body), f.datagram});
      open.erase(it);  // a retransmission is assembled afresh
    }
  }
  return out;
}

std::string hex(const std::vector<std::uint8_t>& b) { return events::to_hex(b); }

json hello_json(const Complete& m, const dissect::ClientHello& ch) {
  json exts = json::array();
  for (const auto& [type, data] : ch.extensions) exts.push_back(type);
  return {{"i", m.datagram->i},
          {"message_seq", m.message_seq},
          {"client_version", fmt::format("{:04x}", ch.client_version)},
          {"random", hex(ch.random)},
          {"session_id", hex(ch.session_id)},
          {"cookie", hex(ch.cookie)},
          {"cipher_suites", hex(ch.cipher_suites)},
          {"compression_methods", hex(ch.compression_methods)},
          {"extension_types", exts}};
}

class CookieExchange final : public Check {
 public:
  std::string name() const override { return "cookie_exchange"; }
  std::string rfc() const override { return "RFC 6347 4.2.1"; }
  std::string sentence() const override {
    return "The client MUST retransmit the ClientHello with the cookie added. ... When responding to a "
           "HelloVerifyRequest, the client MUST use the same parameter values (version, random, session_id, "
           "cipher_suites, compression_method) as it did in the original ClientHello.";
  }

  CheckResult run(const Inputs& in) const override {
    CheckResult r;
    r.expected = {{"second_client_hello_cookie", "the HelloVerifyRequest's cookie"},
                  {"unchanged", {"client_version", "random", "session_id", "cipher_suites", "compression_methods"}}};
    const auto fragments = support::plaintext_fragments(support::datagrams_in_send_order(in.log));
    const auto hvrs = complete_messages(fragments, "s2c", support::kHelloVerifyRequest);
    const auto hellos = complete_messages(fragments, "c2s", support::kClientHello);
    if (hvrs.empty()) {
      r.verdict = Verdict::not_applicable;
      r.detail = "no HelloVerifyRequest on the wire";
      return r;
    }
    auto delivered = std::find_if(hvrs.begin(), hvrs.end(),
                                  [](const Complete& m) { return !m.datagram->deliveries_us.empty(); });
    if (delivered == hvrs.end()) {
      r.verdict = Verdict::not_applicable;
      r.detail = fmt::format("{} HelloVerifyRequest(s) sent, none reached the client", hvrs.size());
      r.evidence.push_back(hvrs.front().datagram->i);
      return r;
    }
    const std::int64_t delivered_at =
        *std::min_element(delivered->datagram->deliveries_us.begin(), delivered->datagram->deliveries_us.end());

    std::string error;
    json hvr_list = json::array();
    std::map<std::vector<std::uint8_t>, std::int64_t> cookies;  // delivered cookie -> delivery time
    for (const auto& m : hvrs) {
      auto hvr = dissect::parse_hello_verify_request(m.body, error);
      if (!hvr) return failed(r, m.datagram->i, error);
      hvr_list.push_back({{"i", m.datagram->i}, {"server_version", fmt::format("{:04x}", hvr->server_version)},
                          {"cookie", hex(hvr->cookie)}, {"delivered", !m.datagram->deliveries_us.empty()}});
      if (!m.datagram->deliveries_us.empty())
        cookies.emplace(hvr->cookie, *std::min_element(m.datagram->deliveries_us.begin(), m.datagram->deliveries_us.end()));
    }
    r.measured["hello_verify_requests"] = hvr_list;

    // The original ClientHello: the last one sent before the HelloVerifyRequest that reached the client.
    const Complete* first = nullptr;
    for (const auto& m : hellos)
      if (m.datagram->t_us <= delivered->datagram->t_us) first = &m;
    if (!first) return failed(r, delivered->datagram->i, "no ClientHello precedes the HelloVerifyRequest");
    auto ch1 = dissect::parse_client_hello(first->body, dissect::HelloFlavour::dtls, error);
    if (!ch1) return failed(r, first->datagram->i, error);
    r.measured["client_hello_1"] = hello_json(*first, *ch1);
    r.evidence = {first->datagram->i, delivered->datagram->i};

    const Complete* second = nullptr;
    std::optional<dissect::ClientHello> ch2;
    std::size_t later_hellos = 0;
    for (const auto& m : hellos) {
      if (m.datagram->t_us <= delivered_at) continue;
      ++later_hellos;
      auto parsed = dissect::parse_client_hello(m.body, dissect::HelloFlavour::dtls, error);
      if (!parsed) return failed(r, m.datagram->i, error);
      if (!parsed->cookie.empty()) {
        second = &m;
        ch2 = std::move(parsed);
        break;
      }
    }
    if (!second) {
      r.verdict = Verdict::fail;
      r.detail = later_hellos == 0 ? "the client sent no ClientHello after the HelloVerifyRequest reached it"
                                   : fmt::format("the client sent {} ClientHello(s) after the HelloVerifyRequest, "
                                                 "none with a cookie",
                                                 later_hellos);
      return r;
    }
    r.evidence.push_back(second->datagram->i);
    r.measured["client_hello_2"] = hello_json(*second, *ch2);

    std::vector<std::string> problems;
    auto cookie = cookies.find(ch2->cookie);
    if (cookie == cookies.end() || cookie->second > second->datagram->t_us)
      problems.push_back(fmt::format("cookie {} is not the cookie of a HelloVerifyRequest the client received",
                                     hex(ch2->cookie)));
    if (ch1->client_version != ch2->client_version) problems.push_back("client_version changed");
    if (ch1->random != ch2->random) problems.push_back("random changed");
    if (ch1->session_id != ch2->session_id) problems.push_back("session_id changed");
    if (ch1->cipher_suites != ch2->cipher_suites) problems.push_back("cipher_suites changed");
    if (ch1->compression_methods != ch2->compression_methods) problems.push_back("compression_methods changed");

    const std::string ext_diff = extension_differences(*ch1, *ch2);
    r.measured["extension_differences"] = ext_diff;
    if (problems.empty()) {
      r.verdict = Verdict::pass;
      r.detail = "second ClientHello carries the cookie and keeps version, random, session_id, cipher_suites and "
                 "compression_methods" + (ext_diff.empty() ? std::string{} : "; extensions: " + ext_diff);
    } else {
      r.verdict = Verdict::fail;
      r.detail = fmt::format("{}", fmt::join(problems, "; ")) +
                 (ext_diff.empty() ? std::string{} : "; extensions: " + ext_diff);
    }
    return r;
  }

 private:
  static CheckResult& failed(CheckResult& r, std::uint64_t i, const std::string& why) {
    r.verdict = Verdict::fail;
    r.detail = why;
    r.evidence.push_back(i);
    return r;
  }

  // "added 35; removed 13; changed 10", or "" when the extensions are the same.
  static std::string extension_differences(const dissect::ClientHello& a, const dissect::ClientHello& b) {
    std::map<std::uint16_t, std::vector<std::uint8_t>> before(a.extensions.begin(), a.extensions.end());
    std::map<std::uint16_t, std::vector<std::uint8_t>> after(b.extensions.begin(), b.extensions.end());
    std::vector<std::uint16_t> added, removed, changed;
    for (const auto& [type, data] : after) {
      auto it = before.find(type);
      if (it == before.end()) added.push_back(type);
      else if (it->second != data) changed.push_back(type);
    }
    for (const auto& [type, data] : before)
      if (!after.count(type)) removed.push_back(type);
    std::vector<std::string> parts;
    if (!added.empty()) parts.push_back(fmt::format("added {}", fmt::join(added, ",")));
    if (!removed.empty()) parts.push_back(fmt::format("removed {}", fmt::join(removed, ",")));
    if (!changed.empty()) parts.push_back(fmt::format("changed {}", fmt::join(changed, ",")));
    return fmt::format("{}", fmt::join(parts, "; "));
  }
};

}  // namespace

std::unique_ptr<Check> make_cookie_exchange() { return std::make_unique<CookieExchange>(); }

}  // namespace wireproof::checks
