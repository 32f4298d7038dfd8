// record_framing: how each sender cuts its content into records (RFC 8446
// 5.1, RFC 5246 6.2.1), judged per sender on the records it sent:
//  - a handshake message spanning records has only handshake records between
//    its first and its last (1.3: "MUST NOT be interleaved with other record
//    types");
//  - a handshake message does not span a key change: all its records under
//    one key (both versions: the keys switch at a record boundary);
//  - no zero-length handshake, alert or change_cipher_spec record (5246
//    6.2.1; 8446 5.1 for handshake);
//  - 1.3: an alert record holds exactly one whole alert (not fragmented, not
//    coalesced).
// Records the key log did not open have unknown content: they are not
// judged, and the transcript's `unseen` says why.
// Parameters: none.
#include <fmt/format.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/failed_dirs.hpp"
#include "harness/checks/support/tls_view.hpp"
#include "harness/checks/tls/tls_support.hpp"
#include "harness/dissect/names.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;

// The content type of a record, when known (in clear, or decrypted).
std::optional<std::uint8_t> content_of(const dissect::TranscriptRecord& rec) {
  if (!rec.is_protected) return rec.type;
  if (rec.decrypted) return rec.content_type;
  return std::nullopt;
}

class RecordFraming final : public Check {
 public:
  std::string name() const override { return "record_framing"; }
  std::string rfc() const override { return "RFC 8446 5.1 / RFC 5246 6.2.1"; }
  std::string sentence() const override {
    return "Handshake messages MUST NOT be interleaved with other record types. That is, if a handshake message is "
           "split over two or more records, there MUST NOT be any other records between them.";
  }
  std::vector<std::string> protocols() const override { return tls::tls_both(); }

  CheckResult run(const Inputs& in) const override {
    CheckResult r;
    r.expected = {{"handshake", "not interleaved, not across a key change, no zero-length fragment"},
                  {"alerts", "tls1.3: one whole alert per record"}};
    r.measured = json::object();
    std::vector<std::string> problems, not_judged;
    std::size_t judged = 0;
    for (const auto& cv : support::tls_view(in).connections) {
      const auto& t = cv.tls;
      const bool v13 = t.version == dissect::kTls13;
      for (const char* dir : {"c2s", "s2c"}) {
        const auto& d = t.dir(dir);
        const std::string sender = std::string(dir) == "c2s" ? "client" : "server";
        const auto fail = [&](const dissect::TranscriptRecord& rec, const std::string& what) {
          support::add_failed_dir(r, dir);
          for (auto i : support::record_packets(rec)) r.evidence.push_back(i);
          problems.push_back(fmt::format("{}: the {}'s record {}: {}", dir, sender, rec.index, what));
        };
        for (const auto& rec : d.records) {
          const auto type = content_of(rec);
          if (!type) continue;
          ++judged;
          const std::size_t len = rec.is_protected ? rec.content_length : rec.length;
          if (len == 0 && (*type == dissect::kHandshake || *type == dissect::kAlert || *type == dissect::kChangeCipherSpec))
            fail(rec, fmt::format("a zero-length {} record", dissect::content_type_name(*type)));
          if (v13 && *type == dissect::kAlert && len != 0 && len != 2)
            fail(rec, fmt::format("an alert record of {} bytes (an alert is 2: {})", len,
                                  len < 2 ? "fragmented" : "fragmented or coalesced"));
        }
        for (const auto& m : d.handshake) {
          if (m.first_record == m.last_record) continue;
          for (std::size_t k = m.first_record + 1; k <= m.last_record && k < d.records.size(); ++k) {
            const auto& rec = d.records[k];
            const auto type = content_of(rec);
            if (!type) {
              not_judged.push_back(fmt::format("{}: record {} inside {} not decrypted", dir, k,
                                               dissect::handshake_type_name(m.type)));
              continue;
            }
            if (*type != dissect::kHandshake && v13)
              fail(rec, fmt::format("a {} record inside the {} that spans records {}..{}",
                                    dissect::content_type_name(*type), dissect::handshake_type_name(m.type),
                                    m.first_record, m.last_record));
          }
        }
        // The view assembles messages per key (in clear, then decrypted), so a
        // message spanning a key change shows as one cut off where records
        // under another key follow.
        for (const auto& m : d.handshake) {
          if (m.complete) continue;
          const auto& last = d.records[m.last_record];
          for (std::size_t k = m.last_record + 1; k < d.records.size(); ++k)
            if (d.records[k].key != last.key) {
              fail(d.records[m.last_record],
                   fmt::format("the {} ({} of its {} bytes under {}) spans a key change: record {} is under {}",
                               dissect::handshake_type_name(m.type), m.body.size(), m.length,
                               dissect::key_name(last.key, t.version), k, dissect::key_name(d.records[k].key, t.version)));
              break;
            }
        }
      }
      for (const auto& why : t.unseen) not_judged.push_back(why);
    }
    tls::conclude(r, problems, judged, "records", not_judged);
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_record_framing() { return std::make_unique<RecordFraming>(); }

}  // namespace wireproof::checks
