// Parsers for the hello messages (RFC 5246 7.4.1, RFC 6347 4.2.1, RFC 8446
// 4.1), over a reassembled handshake body, with the bounded Reader: the
// ClientHello of TLS and of DTLS (which adds a cookie), the ServerHello (a
// HelloRetryRequest is a ServerHello with a special random), and DTLS's
// HelloVerifyRequest. Each returns nullopt and says where it stopped when the
// body does not parse exactly. Kept apart from impl/'s codecs on purpose: the
// judge must not share the parser of the stack it judges.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace wireproof::dissect {

using HelloExtensions = std::vector<std::pair<std::uint16_t, std::vector<std::uint8_t>>>;  // in order

enum class HelloFlavour { tls, dtls };

struct ClientHello {
  std::uint16_t client_version = 0;
  std::vector<std::uint8_t> random, session_id, cookie, cipher_suites, compression_methods;  // cookie: DTLS only
  HelloExtensions extensions;
};

struct ServerHello {
  std::uint16_t server_version = 0;  // legacy_version in TLS 1.3
  std::vector<std::uint8_t> random, session_id;
  std::uint16_t cipher_suite = 0;
  std::uint8_t compression_method = 0;
  HelloExtensions extensions;
};

struct HelloVerifyRequest {
  std::uint16_t server_version = 0;
  std::vector<std::uint8_t> cookie;
};

std::optional<ClientHello> parse_client_hello(std::span<const std::uint8_t> body, HelloFlavour flavour,
                                              std::string& error);
std::optional<ServerHello> parse_server_hello(std::span<const std::uint8_t> body, std::string& error);
std::optional<HelloVerifyRequest> parse_hello_verify_request(std::span<const std::uint8_t> body,
                                                             std::string& error);

// RFC 8446 4.3.1 EncryptedExtensions (a decrypted TLS 1.3 message): its
// extension list, which may be empty but must be there.
std::optional<HelloExtensions> parse_encrypted_extensions(std::span<const std::uint8_t> body, std::string& error);

// The extension's data, if the hello carries it (the first one of that type).
const std::vector<std::uint8_t>* find_extension(const HelloExtensions& extensions, std::uint16_t type);

// RFC 8446 4.1.3: a ServerHello whose random is SHA-256("HelloRetryRequest") is a HelloRetryRequest.
bool is_hello_retry_request(const ServerHello& sh);
// The version the server selected: supported_versions (RFC 8446 4.2.1) when
// present (0x0304 for TLS 1.3), else server_version.
std::uint16_t selected_version(const ServerHello& sh);

inline constexpr std::uint16_t kExtSupportedVersions = 43;

}  // namespace wireproof::dissect
