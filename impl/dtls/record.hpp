// DTLS 1.2 record header (RFC 6347 4.1): type, version, epoch, 48-bit
// sequence number, length; 13 bytes on the wire.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "impl/bytes/reader.hpp"
#include "impl/bytes/writer.hpp"

namespace wireproof::dtls {

enum class ContentType : std::uint8_t { change_cipher_spec = 20, alert = 21, handshake = 22, application_data = 23 };
bool is_known_content_type(std::uint8_t t);

constexpr std::uint16_t kDtls12 = 0xfefd;
constexpr std::uint16_t kDtls10 = 0xfeff;  // allowed in the ClientHello record (RFC 6347 4.1)
constexpr std::size_t kRecordHeaderLen = 13;
constexpr std::uint64_t kMaxSeq = (std::uint64_t{1} << 48) - 1;
// RFC 6347 4.1 / RFC 5246 6.2.3: a protected fragment is at most 2^14 + 2048 bytes.
constexpr std::size_t kMaxCiphertextLen = (1u << 14) + 2048;
constexpr std::size_t kMaxPlaintextLen = 1u << 14;

struct RecordHeader {
  ContentType type{};
  std::uint16_t version = kDtls12;
  std::uint16_t epoch = 0;
  std::uint64_t seq = 0;  // 48 bits
  std::uint16_t length = 0;
};

// Reads one record (header + fragment) from r. Fails, leaving r unchanged, when the
// header is short, the type unknown, the length above kMaxCiphertextLen or past the end.
bool read_record(bytes::Reader& r, RecordHeader& h, std::span<const std::uint8_t>& fragment);
void write_record_header(bytes::Writer& w, const RecordHeader& h);

// The 8-byte seq_num of the AEAD additional data and nonce: epoch || seq (RFC 6347 4.1.2.1).
inline std::uint64_t epoch_seq(std::uint16_t epoch, std::uint64_t seq) {
  return (std::uint64_t{epoch} << 48) | (seq & kMaxSeq);
}

}  // namespace wireproof::dtls
