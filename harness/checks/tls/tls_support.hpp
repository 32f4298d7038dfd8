// What the TLS checks share besides the TLS view (support/tls_view.hpp): the
// protocols they judge, alert names as the shims print them, a direction's
// `unseen` lines, where a side's handshake ended on the wire, the extensions
// of a decrypted EncryptedExtensions, and the verdict's wording of problems,
// what was judged and what was not.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/checks/check.hpp"
#include "harness/dissect/tls_transcript.hpp"

namespace wireproof::checks::tls {

inline std::vector<std::string> tls_both() { return {"tls1.2", "tls1.3"}; }
inline std::vector<std::string> tls13_only() { return {"tls1.3"}; }

// RFC 8446 6 names ("close_notify", "unrecognized_name", "alert_<n>"): the
// names the shims' `alert` events use (peers/common/alert_names), so the wire
// and a peer's report compare as strings.
std::string alert_name(int description);
// 0 for "close_notify", ...; nullopt for a name no RFC gives (exact, lower case).
std::optional<int> alert_from_name(const std::string& name);
std::string alert_level(int level);  // "warning", "fatal"

// The transcript's `unseen` lines about `dir` (prefixed "c2s: " / "s2c: ") and
// those about the whole connection (no prefix).
std::vector<std::string> unseen_of(const dissect::TlsTranscript& t, const std::string& dir);

// The index in `dir`'s records of the record carrying the sender's Finished
// (RFC 8446 4.4.4 / RFC 5246 7.4.9) when the view saw it: decrypted, or, in
// 1.2, the first protected handshake record after its ChangeCipherSpec (the
// only message that can be there). nullopt: not seen (not sent, or not decrypted).
std::optional<std::size_t> finished_record(const dissect::TlsTranscript& t, const std::string& dir);

// Whether `dir` holds protected records the view could not open.
inline bool has_unopened(const dissect::TranscriptDirection& d) { return d.protected_records > d.decrypted_records; }

inline constexpr std::uint8_t kHsClientHello = 1, kHsServerHello = 2, kHsEncryptedExtensions = 8;
inline constexpr std::uint16_t kExtMaxFragmentLength = 1, kExtRecordSizeLimit = 28;

// The extensions of the server's decrypted EncryptedExtensions (RFC 8446
// 4.3.1); nullopt when it was not seen (not decrypted) or does not parse.
std::optional<dissect::HelloExtensions> encrypted_extensions(const dissect::TlsTranscript& t);

// The verdict from what a check found: fail when any problem, else pass when
// anything was judged, else not_applicable. The fail detail is the problems
// and the pass detail the check's own words, each followed by every "not
// judged" reason ("; not judged: ..."); the not_applicable detail is the
// check's, whole. measured.not_judged lists the reasons.
void conclude(CheckResult& r, const std::vector<std::string>& problems, bool judged, const std::string& pass_detail,
              const std::string& none_detail, const std::vector<std::string>& not_judged);
// The same worded by a count: "3 records judged, all conform" / "no records
// judged"; measured.judged is the count.
void conclude(CheckResult& r, const std::vector<std::string>& problems, std::size_t judged, const std::string& what,
              const std::vector<std::string>& not_judged);
// "; not judged: a; b", or "" when nothing went unjudged.
std::string not_judged_suffix(const std::vector<std::string>& not_judged);

}  // namespace wireproof::checks::tls
