// The TLS view of a run for the TLS checks (harness/checks/tls/): for every
// TCP connection of the run (tcp::connections, same order) its
// dissect::TlsTranscript (tls_transcript.hpp: records with the packets that
// carried them, hellos, negotiated version and suite, handshake messages in
// clear and decrypted, alerts, CCS, application data, and `unseen`: what
// could not be seen and why), decrypted with the run's key logs
// (Inputs::key_logs). Made once per judging and shared by every check.
//
//   const auto& view = support::tls_view(in);
//   for (const auto& c : view.connections) {
//     const auto& t = c.tls;                        // dissect::TlsTranscript
//     if (!t.server_hello) continue;                // no TLS handshake reached the wire
//     for (const auto& m : t.s2c.handshake)
//       if (m.type == dissect::kHsFinished) result.evidence.push_back(t.s2c.records[m.first_record].first.i);
//     for (const auto& why : t.unseen) ...          // say what the verdict could not judge
//   }
//   view.key_log_notes                              // "keylog-client.txt line 3: ...": the key logs' own faults
//
// Judging rules the view supports:
//  - A check that needs encrypted content (1.3 EncryptedExtensions..Finished,
//    KeyUpdate, NewSessionTicket, inner types; 1.2 Finished, alerts after CCS)
//    judges only what the transcript shows (TranscriptRecord::decrypted, the
//    direction's all_seen()); what it could not see it names from `unseen`,
//    never a silent pass.
//  - Cite packets with TranscriptRecord::first.i / last.i (record_packets()).
//  - Sides: c2s is the client's sending, s2c the server's (tcp::sender_role).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "harness/checks/check.hpp"
#include "harness/dissect/tcp_stream.hpp"
#include "harness/dissect/tls_transcript.hpp"

namespace wireproof::checks::support {

struct TlsConnectionView {
  const dissect::TcpConnection* tcp = nullptr;  // the TCP connection it rides (valid while the Inputs live)
  dissect::TlsTranscript tls;
};

struct TlsView {
  std::vector<TlsConnectionView> connections;
  bool key_log = false;                    // at least one key-log file was read
  // One line per key-log fault: a file that could not be read, a line not
  // understood ("keylog-client.txt line 3: secret is not hex").
  std::vector<std::string> key_log_notes;
  // Keeps tcp_connections_cache alive while the view's pointers are.
  std::shared_ptr<const std::vector<dissect::TcpConnection>> tcp_connections;
};

// The run's TLS view, made on the first call (Inputs::tls_view_cache) from
// tcp::connections(in) and in.key_logs; later calls return the same object.
const TlsView& tls_view(const Inputs& in);

// The packets (events.jsonl "i") that carried a record: its first byte's and,
// when another, its last byte's.
std::vector<std::uint64_t> record_packets(const dissect::TranscriptRecord& r);

// What a connection without a key log says it lacks, by what the run had:
// no files at all vs files that hold nothing for it (the transcript's own words).
inline constexpr const char* kNoKeyLogFiles =
    "no key log for this run (no keylog-client.txt or keylog-server.txt in the run directory: a stock tool or a "
    "peer whose registry entry has no key_log)";
inline constexpr const char* kKeyLogFilesUnreadable = "the run's key-log files could not be read (key_log_notes)";

}  // namespace wireproof::checks::support
