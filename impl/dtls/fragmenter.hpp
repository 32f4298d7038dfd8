// Splits a handshake message into DTLS fragments (RFC 6347 4.2.3) so each
// fits a record that fits the datagram budget.
#pragma once

#include <vector>

#include "impl/crypto/types.hpp"
#include "impl/dtls/handshake_header.hpp"

namespace wireproof::dtls {

// Each element is a handshake header plus at most max_fragment body bytes (>= 1).
// An empty body gives one fragment of length 0.
std::vector<crypto::Bytes> fragment_message(std::uint8_t type, std::uint16_t message_seq, crypto::ByteView body,
                                            std::size_t max_fragment);

// The full message with an unfragmented header (offset 0, length = length):
// what goes into the transcript hash (RFC 6347 4.2.6).
crypto::Bytes whole_message(std::uint8_t type, std::uint16_t message_seq, crypto::ByteView body);

}  // namespace wireproof::dtls
