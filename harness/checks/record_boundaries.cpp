// record_boundaries: every datagram holds whole DTLS records only. A datagram
// fails when the wire's dissection marked it `malformed`, or when walking its
// its record headers (dissect::DtlsRecordWalk) does not end exactly at the end of
// the datagram (a record length past the end, or trailing bytes).
// The log holds each datagram as the sending peer wrote it (before any
// corruption the wire applied), so impairments cannot fail this check.
// Parameters: none.
#include <fmt/format.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/send_order.hpp"
#include "harness/dissect/dtls_record_walk.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;

// Where the record walk of a datagram stops short, or nullopt when every
// byte belongs to a whole record.
std::optional<std::string> record_walk_fault(const std::vector<std::uint8_t>& payload) {
  dissect::DtlsRecordWalk walk(payload);
  while (walk.next()) {
  }
  if (!walk.fault()) return std::nullopt;
  return walk.fault()->what;
}

class RecordBoundaries final : public Check {
 public:
  std::string name() const override { return "record_boundaries"; }
  std::string rfc() const override { return "RFC 6347 4.1.1"; }
  std::string sentence() const override { return "Each DTLS record MUST fit within a single datagram."; }

  CheckResult run(const Inputs& in) const override {
    CheckResult r;
    const auto datagrams = support::datagrams_in_send_order(in.log);
    r.expected = {{"malformed_datagrams", 0}};
    if (datagrams.empty()) {
      r.verdict = Verdict::not_applicable;
      r.detail = "no datagrams crossed the wire";
      r.measured = {{"datagrams", 0}};
      return r;
    }
    json faults = json::array();
    std::size_t records = 0;
    for (const auto* d : datagrams) {
      records += d->records.size();
      std::optional<std::string> fault = d->malformed;
      if (!fault && !d->payload.empty()) fault = record_walk_fault(d->payload);
      if (d->payload.empty() && d->size > 0 && !fault) continue;  // bytes not logged: trust the dissection
      if (!fault) continue;
      r.evidence.push_back(d->i);
      if (faults.size() < 20) faults.push_back({{"i", d->i}, {"dir", d->dir}, {"size", d->size}, {"fault", *fault}});
    }
    r.measured = {{"datagrams", datagrams.size()}, {"records", records},
                  {"malformed_datagrams", r.evidence.size()}, {"faults", faults}};
    if (r.evidence.empty()) {
      r.verdict = Verdict::pass;
      r.detail = fmt::format("all {} datagrams hold whole records only ({} records)", datagrams.size(), records);
    } else {
      r.verdict = Verdict::fail;
      r.detail = fmt::format("{} of {} datagrams do not hold whole records; first: i={} {}", r.evidence.size(),
                             datagrams.size(), faults[0]["i"].get<std::uint64_t>(),
                             faults[0]["fault"].get<std::string>());
    }
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_record_boundaries() { return std::make_unique<RecordBoundaries>(); }

}  // namespace wireproof::checks
