// Parsers for the two messages of the cookie exchange (RFC 6347 4.2.1), over
// a reassembled handshake body, with the bounded Reader. Each returns nullopt
// and says where it stopped when the body does not parse exactly. Kept apart
// from impl/dtls's codecs on purpose: the judge must not share the parser of
// the stack it judges.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace wireproof::checks::support {

struct ClientHello {
  std::uint16_t client_version = 0;
  std::vector<std::uint8_t> random, session_id, cookie, cipher_suites, compression_methods;
  std::vector<std::pair<std::uint16_t, std::vector<std::uint8_t>>> extensions;  // in order
};

struct HelloVerifyRequest {
  std::uint16_t server_version = 0;
  std::vector<std::uint8_t> cookie;
};

std::optional<ClientHello> parse_client_hello(const std::vector<std::uint8_t>& body, std::string& error);
std::optional<HelloVerifyRequest> parse_hello_verify_request(const std::vector<std::uint8_t>& body,
                                                             std::string& error);

}  // namespace wireproof::checks::support
