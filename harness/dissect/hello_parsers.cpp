#include "harness/dissect/hello_parsers.hpp"

#include <algorithm>
#include <array>

#include "impl/bytes/reader.hpp"

namespace wireproof::dissect {

using bytes::Reader;

namespace {

std::vector<std::uint8_t> all(const Reader& r) { return {r.rest().begin(), r.rest().end()}; }

template <typename T>
std::optional<T> fail(std::string& error, const char* what) {
  error = what;
  return std::nullopt;
}

// The optional extensions block that ends both hellos; false when it is malformed.
bool read_extensions(Reader& r, HelloExtensions& out) {
  if (r.empty()) return true;  // extensions are optional
  Reader exts;
  if (!r.get_u16_prefixed(exts) || !r.empty()) return false;
  while (!exts.empty()) {
    std::uint16_t type = 0;
    Reader data;
    if (!exts.get_u16(type) || !exts.get_u16_prefixed(data)) return false;
    out.emplace_back(type, all(data));
  }
  return true;
}

// SHA-256("HelloRetryRequest"), RFC 8446 4.1.3.
constexpr std::array<std::uint8_t, 32> kHelloRetryRequestRandom = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

}  // namespace

std::optional<HelloExtensions> parse_encrypted_extensions(std::span<const std::uint8_t> body, std::string& error) {
  if (body.size() < 2) return fail<HelloExtensions>(error, "EncryptedExtensions: no extensions block");
  Reader r(body);
  HelloExtensions out;
  if (!read_extensions(r, out)) return fail<HelloExtensions>(error, "EncryptedExtensions: bad extensions block");
  return out;
}

std::optional<ClientHello> parse_client_hello(std::span<const std::uint8_t> body, HelloFlavour flavour,
                                              std::string& error) {
  Reader r(body);
  ClientHello ch;
  std::span<const std::uint8_t> random;
  Reader sid, cookie, suites, comp;
  if (!r.get_u16(ch.client_version) || !r.get_bytes(32, random)) return fail<ClientHello>(error, "ClientHello: truncated random");
  if (!r.get_u8_prefixed(sid)) return fail<ClientHello>(error, "ClientHello: bad session_id");
  if (flavour == HelloFlavour::dtls && !r.get_u8_prefixed(cookie)) return fail<ClientHello>(error, "ClientHello: bad cookie");
  if (!r.get_u16_prefixed(suites)) return fail<ClientHello>(error, "ClientHello: bad cipher_suites");
  if (!r.get_u8_prefixed(comp)) return fail<ClientHello>(error, "ClientHello: bad compression_methods");
  ch.random.assign(random.begin(), random.end());
  ch.session_id = all(sid);
  ch.cookie = all(cookie);
  ch.cipher_suites = all(suites);
  ch.compression_methods = all(comp);
  if (!read_extensions(r, ch.extensions)) return fail<ClientHello>(error, "ClientHello: bad extensions block");
  return ch;
}

std::optional<ServerHello> parse_server_hello(std::span<const std::uint8_t> body, std::string& error) {
  Reader r(body);
  ServerHello sh;
  std::span<const std::uint8_t> random;
  Reader sid;
  if (!r.get_u16(sh.server_version) || !r.get_bytes(32, random)) return fail<ServerHello>(error, "ServerHello: truncated random");
  if (!r.get_u8_prefixed(sid)) return fail<ServerHello>(error, "ServerHello: bad session_id");
  if (!r.get_u16(sh.cipher_suite) || !r.get_u8(sh.compression_method))
    return fail<ServerHello>(error, "ServerHello: truncated cipher_suite / compression_method");
  sh.random.assign(random.begin(), random.end());
  sh.session_id = all(sid);
  if (!read_extensions(r, sh.extensions)) return fail<ServerHello>(error, "ServerHello: bad extensions block");
  return sh;
}

std::optional<HelloVerifyRequest> parse_hello_verify_request(std::span<const std::uint8_t> body,
                                                             std::string& error) {
  Reader r(body);
  HelloVerifyRequest hvr;
  Reader cookie;
  if (!r.get_u16(hvr.server_version) || !r.get_u8_prefixed(cookie) || !r.empty())
    return fail<HelloVerifyRequest>(error, "HelloVerifyRequest: not server_version + cookie<0..255>");
  hvr.cookie = all(cookie);
  return hvr;
}

const std::vector<std::uint8_t>* find_extension(const HelloExtensions& extensions, std::uint16_t type) {
  for (const auto& [t, data] : extensions)
    if (t == type) return &data;
  return nullptr;
}

bool is_hello_retry_request(const ServerHello& sh) {
  return std::equal(sh.random.begin(), sh.random.end(), kHelloRetryRequestRandom.begin(),
                    kHelloRetryRequestRandom.end());
}

std::uint16_t selected_version(const ServerHello& sh) {
  const auto* v = find_extension(sh.extensions, kExtSupportedVersions);
  if (v && v->size() == 2) return static_cast<std::uint16_t>((*v)[0] << 8 | (*v)[1]);
  return sh.server_version;
}

}  // namespace wireproof::dissect
