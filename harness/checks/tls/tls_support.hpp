// What the TLS checks (protocols tls1.2 / tls1.3) share besides the TLS view
// (support/tls_view.hpp): their protocol lists, alert names as the shims
// print them, a direction's `unseen` lines, and where a side's handshake
// ended on the wire.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/dissect/tls_transcript.hpp"

namespace wireproof::checks::tls {

inline std::vector<std::string> tls_protocols() { return {"tls1.2", "tls1.3"}; }
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

}  // namespace wireproof::checks::tls
