// record_sequence: per direction and epoch, record sequence numbers start at
// 0 and strictly increase over the records as sent (wire t_us order, then
// record order in the datagram); a retransmission is a new record with a new
// number (RFC 6347 4.2.2), so no number is ever reused.
// Two exceptions, both from RFC 6347 4.2.1, handled exactly:
//  - a HelloVerifyRequest record carries the sequence number of a ClientHello
//    record the client sent before it, and does not advance the server's
//    epoch-0 numbering (a stateless server keeps no counter);
//  - the server's first other epoch-0 record (its ServerHello) may start at
//    the sequence number of a ClientHello record instead of 0.
// Parameters: none.
#include <map>

#include <fmt/format.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/handshake_fragments.hpp"
#include "harness/checks/support/send_order.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;
using events::Record;

bool is_first_message(const Record& rec, int type) {
  return rec.epoch == 0 && rec.type == events::kHandshake && rec.hs && rec.hs->type == type;
}

class RecordSequence final : public Check {
 public:
  std::string name() const override { return "record_sequence"; }
  std::string rfc() const override { return "RFC 6347 4.1 / 4.2.2 / 4.2.1"; }
  std::string sentence() const override {
    return "Sequence numbers are maintained separately for each epoch, with each sequence_number initially "
           "being 0 for each epoch. ... From the perspective of the DTLS record layer, the retransmission is a "
           "new record. This record will have a new DTLSPlaintext.sequence_number value. ... the server MUST "
           "use the record sequence number in the ClientHello as the record sequence number in the "
           "HelloVerifyRequest.";
  }

  CheckResult run(const Inputs& in) const override {
    CheckResult r;
    r.expected = {{"per_dir_epoch", "starts at 0, strictly increasing, never reused"},
                  {"hello_verify_request", "copies the sequence number of a ClientHello record"},
                  {"server_epoch0_start", "0, or a ClientHello record's sequence number"}};
    const auto datagrams = support::datagrams_in_send_order(in.log);

    struct Stream {
      std::uint64_t records = 0, first = 0, last = 0;
      std::uint64_t last_i = 0;
    };
    std::map<std::pair<std::string, int>, Stream> streams;
    std::vector<std::uint64_t> client_hello_seqs;
    std::size_t hvr_records = 0;
    json violations = json::array();
    std::size_t violation_count = 0;
    auto violate = [&](const events::Datagram& d, std::string what, std::optional<std::uint64_t> also_i) {
      ++violation_count;
      if (also_i) r.evidence.push_back(*also_i);
      r.evidence.push_back(d.i);
      if (violations.size() < 20) violations.push_back({{"i", d.i}, {"dir", d.dir}, {"problem", std::move(what)}});
    };

    for (const auto* d : datagrams) {
      for (const auto& rec : d->records) {
        if (d->dir == "c2s" && is_first_message(rec, support::kClientHello)) client_hello_seqs.push_back(rec.seq);
        if (d->dir == "s2c" && is_first_message(rec, support::kHelloVerifyRequest)) {
          ++hvr_records;
          bool copied = false;
          for (auto s : client_hello_seqs) copied = copied || s == rec.seq;
          if (!copied)
            violate(*d, fmt::format("HelloVerifyRequest record seq {} matches no earlier ClientHello record", rec.seq),
                    std::nullopt);
          continue;  // stateless: outside the server's own numbering
        }
        auto& s = streams[{d->dir, rec.epoch}];
        if (s.records == 0) {
          bool start_ok = rec.seq == 0;
          if (!start_ok && d->dir == "s2c" && rec.epoch == 0)
            for (auto c : client_hello_seqs) start_ok = start_ok || c == rec.seq;
          if (!start_ok)
            violate(*d, fmt::format("epoch {} starts at seq {}, not 0", rec.epoch, rec.seq), std::nullopt);
          s.first = rec.seq;
        } else if (rec.seq <= s.last) {
          violate(*d,
                  fmt::format("epoch {} seq {} after seq {} (i={}): {}", rec.epoch, rec.seq, s.last, s.last_i,
                              rec.seq == s.last ? "reused" : "went backwards"),
                  s.last_i == d->i ? std::nullopt : std::optional<std::uint64_t>(s.last_i));
        }
        ++s.records;
        if (s.records == 1 || rec.seq > s.last) {
          s.last = rec.seq;
          s.last_i = d->i;
        }
      }
    }

    json per = json::array();
    for (const auto& [key, s] : streams)
      per.push_back({{"dir", key.first}, {"epoch", key.second}, {"records", s.records}, {"first_seq", s.first},
                     {"max_seq", s.last}});
    r.measured = {{"streams", per}, {"hello_verify_requests", hvr_records}, {"violations", violations}};
    if (streams.empty() && hvr_records == 0) {
      r.verdict = Verdict::not_applicable;
      r.detail = "no DTLS records crossed the wire";
    } else if (violations.empty()) {
      r.verdict = Verdict::pass;
      r.detail = fmt::format("sequence numbers strictly increase in all {} (direction, epoch) streams", streams.size());
    } else {
      r.verdict = Verdict::fail;
      r.detail = fmt::format("{} sequence violation(s); first: i={} {} {}", violation_count,
                             violations[0]["i"].get<std::uint64_t>(), violations[0]["dir"].get<std::string>(),
                             violations[0]["problem"].get<std::string>());
    }
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_record_sequence() { return std::make_unique<RecordSequence>(); }

}  // namespace wireproof::checks
