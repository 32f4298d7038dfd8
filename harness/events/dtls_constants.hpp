// DTLS 1.2 wire numbers that both the dissector (which writes the event log)
// and the checks (which read it) use: record content types (RFC 5246 6.2.1,
// as events::Record::type holds them) and header sizes (RFC 6347 4.1, 4.2.2).
#pragma once

#include <cstddef>

namespace wireproof::events {

inline constexpr int kChangeCipherSpec = 20;
inline constexpr int kAlert = 21;
inline constexpr int kHandshake = 22;
inline constexpr int kApplicationData = 23;

inline constexpr std::size_t kRecordHeaderBytes = 13;     // type, version, epoch, seq48, length
inline constexpr std::size_t kHandshakeHeaderBytes = 12;  // type, length24, seq16, offset24, frag_len24

}  // namespace wireproof::events
