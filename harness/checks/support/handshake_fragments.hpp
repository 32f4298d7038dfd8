// Plaintext DTLS handshake fragments, read from the datagram bytes with the
// bounded Reader, and their reassembly into whole messages (RFC 6347 4.2.3).
// Only epoch-0 handshake records are readable; epoch >= 1 (the encrypted
// Finished) is opaque to the wire and skipped.
//
//   for (const auto& f : plaintext_fragments(datagrams)) assembly[key(f)].add(f);
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "harness/events/dtls_constants.hpp"
#include "harness/events/event_log.hpp"

namespace wireproof::checks::support {

using events::kHandshakeHeaderBytes;
using events::kRecordHeaderBytes;
inline constexpr int kClientHello = 1;
inline constexpr int kHelloVerifyRequest = 3;

struct HandshakeFragment {
  const events::Datagram* datagram = nullptr;
  std::size_t record_offset = 0;   // where the record starts in the datagram
  std::uint64_t record_seq = 0;
  int msg_type = 0;
  std::uint32_t length = 0;        // whole message length from the header
  int message_seq = 0;
  std::uint32_t frag_offset = 0;
  std::uint32_t frag_length = 0;
  std::vector<std::uint8_t> body;  // the fragment bytes present in the record
  bool truncated = false;          // frag_length runs past the end of its record
};

// Every handshake fragment in epoch-0 handshake records of the given
// datagrams, in the order given. Several fragments may share one record.
std::vector<HandshakeFragment> plaintext_fragments(const std::vector<const events::Datagram*>& datagrams);

// One handshake message being put back together from its fragments.
// Overlapping fragments are allowed (RFC 6347 4.2.3) but must carry
// identical bytes where they overlap.
class MessageAssembly {
 public:
  // Messages above this size are not buffered (a corrupt or hostile length
  // field must not make a check allocate up to 16 MiB per message number).
  static constexpr std::uint32_t kMaxBytes = 1u << 20;

  // The first fragment fixes type and length; later ones are compared with it.
  explicit MessageAssembly(const HandshakeFragment& first);

  enum class AddResult { ok, type_mismatch, length_mismatch, out_of_range, content_mismatch, too_large };
  AddResult add(const HandshakeFragment& f);

  int msg_type() const { return msg_type_; }
  std::uint32_t length() const { return length_; }
  bool too_large() const { return length_ > kMaxBytes; }
  bool complete() const;  // false for a message too large to buffer
  // Byte ranges [begin, end) not yet covered.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> gaps() const;
  // The message body, once complete.
  std::optional<std::vector<std::uint8_t>> body() const;

 private:
  int msg_type_;
  std::uint32_t length_;
  std::vector<std::uint8_t> bytes_;
  std::vector<bool> have_;
};

}  // namespace wireproof::checks::support
