// The TLS view of one TCP connection (RFC 5246, RFC 8446), sans-IO: every
// record of each direction's reassembled stream (tcp_stream.hpp) with the
// packets that carried it, the hellos parsed, the negotiated version and
// suite, the handshake messages (in clear, and with a key log the encrypted
// ones too), alerts, ChangeCipherSpecs, and the application data's lengths,
// inner types and padding. What could not be seen is said in words a report
// prints (`unseen`), never silently left out: without a key log the view
// holds what is visible in clear and says so. The TLS checks
// (harness/checks/tls/) and reports judge from this and nothing else, through
// checks::support::tls_view.
//
//   auto t = tls_transcript(conn, &key_log);          // key_log may be null
//   if (t.version == kTls13) ...                      // 0: no ServerHello seen
//   for (const auto& m : t.s2c.handshake)             // stream order
//     if (m.type == kHsFinished) cite(t.s2c.records[m.first_record].first.i);
//   for (const auto& a : t.c2s.alerts) ... a.level, a.description, a.encrypted
//   for (const auto& why : t.unseen) note(why);       // "s2c: no key log ...: 5 protected records not decrypted"
//
// Records and messages are per direction; `first_record`/`last_record` and
// TranscriptAlert::record index that direction's `records`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/dissect/hello_parsers.hpp"
#include "harness/dissect/key_log.hpp"
#include "harness/dissect/tcp_stream.hpp"
#include "harness/dissect/tls_records.hpp"

namespace wireproof::dissect {

inline constexpr std::uint16_t kTls12 = 0x0303, kTls13 = 0x0304;

// The delivered TCP segment that carried a stream byte to the receiver (the
// first copy delivered, the one tcp_stream kept).
struct CarryingPacket {
  std::uint64_t i = 0;           // events.jsonl "i"
  std::int64_t t_us = 0;         // when it reached the wire (sent)
  std::int64_t delivered_us = 0; // when the wire delivered it
};

// The keys a record was sent under, numbered alike in both versions.
// 0: none (in clear). TLS 1.3 (RFC 8446 7.1-7.2): 1 handshake traffic key,
// 2 application traffic secret 0, 2 + n after n KeyUpdates of its sender.
// TLS 1.2 (RFC 5246 7.1): 1 after the sender's ChangeCipherSpec.
// kKeyUnknown: protected, but what it holds and under which key is not known
// (not decrypted).
inline constexpr int kKeyClear = 0, kKeyHandshake = 1, kKeyApplication0 = 2, kKeyUnknown = -1;
// "in clear", "handshake traffic key", "application traffic secret 0", "application traffic secret 1
// (after 1 KeyUpdate)", "the keys after ChangeCipherSpec" (1.2), "unknown keys (not decrypted)".
std::string key_name(int key, std::uint16_t version);

struct TranscriptRecord {
  std::size_t index = 0;         // in its direction
  std::size_t offset = 0;        // stream offset of its header
  std::uint8_t type = 0;         // the outer (wire) content type
  std::uint16_t version = 0;     // legacy_record_version
  std::uint16_t length = 0;      // of the body (TLSCiphertext.length when protected)
  CarryingPacket first, last;    // the packets that carried its first and its last byte
  bool is_protected = false;     // sent under a key: 1.3 outer type 23; 1.2 after the sender's ChangeCipherSpec
  bool decrypted = false;        // protected and opened with the key log
  int key = kKeyClear;           // see kKeyClear
  // The real content: the outer type and length in clear; when decrypted the
  // inner type (1.3 TLSInnerPlaintext.type; 1.2 the outer type) and the
  // plaintext length without type and padding; 0 and 0 when protected and not decrypted.
  std::uint8_t content_type = 0;
  std::size_t content_length = 0;
  std::size_t padding = 0;       // 1.3: zero bytes after the inner type (RFC 8446 5.4)
  // The plaintext (clear: the body; decrypted: the content), for a reader that
  // needs the bytes (an alert's, an echo's); empty when not seen.
  std::vector<std::uint8_t> plaintext;
  std::size_t end_offset() const { return offset + kTlsRecordHeader + length; }
};

struct TranscriptMessage {
  std::uint8_t type = 0;         // HandshakeType (names.hpp handshake_type_name)
  std::uint32_t length = 0;      // as its header says
  std::vector<std::uint8_t> body;  // header excluded; `length` bytes when complete
  std::size_t first_record = 0, last_record = 0;  // the records it spans (indices into its direction's records)
  bool complete = false;         // the stream ended inside it otherwise
  bool encrypted = false;        // seen only by decrypting its records
  int key = kKeyClear;           // that of its first record
};

struct TranscriptAlert {
  std::size_t record = 0;        // the record carrying it
  std::uint8_t level = 0;        // 1 warning, 2 fatal
  std::uint8_t description = 0;  // AlertDescription (RFC 8446 6): 0 close_notify, 112 unrecognized_name, ...
  bool encrypted = false;
  int key = kKeyClear;
  // The record's alert bytes were not whole 2-byte alerts (RFC 8446 5.1:
  // alerts MUST NOT be fragmented): this entry is the odd byte; level 0.
  bool fragment = false;
};

struct TranscriptDirection {
  explicit TranscriptDirection(std::string d) : dir(std::move(d)) {}
  std::string dir;                             // c2s | s2c (the sender's side)
  std::vector<TranscriptRecord> records;       // every whole record, in stream order
  std::vector<TranscriptMessage> handshake;    // in clear and decrypted, in stream order
  std::vector<TranscriptAlert> alerts;         // in clear and decrypted, in stream order
  std::vector<std::size_t> change_cipher_specs;  // record indices
  // The decrypted (or, never in TLS, clear) application data, concatenated:
  // what the receiving application read, for comparison with its digests.
  std::vector<std::uint8_t> application_data;
  // Where the bytes stopped being TLS records (walk_tls_records' fault: a
  // plaintext server's answer), at stream offset fault_offset.
  std::optional<std::string> record_fault;
  std::size_t fault_offset = 0;
  std::size_t partial_bytes = 0;               // the stream ended inside a record after this many of its bytes
  std::size_t protected_records = 0, decrypted_records = 0;
  bool all_seen() const { return protected_records == decrypted_records && !record_fault; }
};

struct ParsedClientHello {
  std::size_t message = 0;       // index into c2s.handshake
  ClientHello hello;
};

struct TlsTranscript {
  std::uint16_t client_port = 0, server_port = 0;
  TranscriptDirection c2s{"c2s"}, s2c{"s2c"};
  std::vector<ParsedClientHello> client_hellos;    // 2 after a HelloRetryRequest
  std::optional<ServerHello> hello_retry_request;  // the first ServerHello, when it is one (RFC 8446 4.1.3)
  std::optional<std::size_t> hello_retry_request_message;  // its index in s2c.handshake
  std::optional<ServerHello> server_hello;         // the real one
  std::optional<std::size_t> server_hello_message; // its index in s2c.handshake
  // TLS 1.3: the server's EncryptedExtensions (where it answers ALPN,
  // max_fragment_length, record_size_limit, server_name, early_data), when decrypted.
  std::optional<HelloExtensions> encrypted_extensions;
  std::uint16_t version = 0;                       // negotiated (selected_version of server_hello); 0 none
  std::uint16_t cipher_suite = 0;                  // server_hello's; 0 none
  bool key_log_used = false;                       // the key log held this connection's secrets
  // What the view could not see and why, one sentence each, prefixed "c2s: "
  // / "s2c: " when it concerns one direction. Empty: everything on the wire was read.
  std::vector<std::string> unseen;

  TranscriptDirection& dir(const std::string& d) { return d == "c2s" ? c2s : s2c; }
  const TranscriptDirection& dir(const std::string& d) const { return d == "c2s" ? c2s : s2c; }
};

// The TLS view of `conn`. key_log null: nothing is decrypted ("no key log for
// this connection"); `no_key_log_reason` replaces those words when the caller
// knows better (e.g. which key-log files were absent).
TlsTranscript tls_transcript(const TcpConnection& conn, const KeyLog* key_log,
                             const std::string& no_key_log_reason = "no key log for this connection");

}  // namespace wireproof::dissect
