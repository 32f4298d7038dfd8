#include "harness/checks/support/hello_parsers.hpp"

#include "impl/bytes/reader.hpp"

namespace wireproof::checks::support {

using bytes::Reader;

static std::vector<std::uint8_t> all(const Reader& r) { return {r.rest().begin(), r.rest().end()}; }

template <typename T>
static std::optional<T> fail(std::string& error, const char* what) {
  error = what;
  return std::nullopt;
}

std::optional<ClientHello> parse_client_hello(const std::vector<std::uint8_t>& body, std::string& error) {
  Reader r(body);
  ClientHello ch;
  std::span<const std::uint8_t> random;
  Reader sid, cookie, suites, comp;
  if (!r.get_u16(ch.client_version) || !r.get_bytes(32, random)) return fail<ClientHello>(error, "ClientHello: truncated random");
  if (!r.get_u8_prefixed(sid)) return fail<ClientHello>(error, "ClientHello: bad session_id");
  if (!r.get_u8_prefixed(cookie)) return fail<ClientHello>(error, "ClientHello: bad cookie");
  if (!r.get_u16_prefixed(suites)) return fail<ClientHello>(error, "ClientHello: bad cipher_suites");
  if (!r.get_u8_prefixed(comp)) return fail<ClientHello>(error, "ClientHello: bad compression_methods");
  ch.random.assign(random.begin(), random.end());
  ch.session_id = all(sid);
  ch.cookie = all(cookie);
  ch.cipher_suites = all(suites);
  ch.compression_methods = all(comp);
  if (!r.empty()) {  // extensions are optional
    Reader exts;
    if (!r.get_u16_prefixed(exts) || !r.empty()) return fail<ClientHello>(error, "ClientHello: bad extensions block");
    while (!exts.empty()) {
      std::uint16_t type = 0;
      Reader data;
      if (!exts.get_u16(type) || !exts.get_u16_prefixed(data))
        return fail<ClientHello>(error, "ClientHello: truncated extension");
      ch.extensions.emplace_back(type, all(data));
    }
  }
  return ch;
}

std::optional<HelloVerifyRequest> parse_hello_verify_request(const std::vector<std::uint8_t>& body,
                                                             std::string& error) {
  Reader r(body);
  HelloVerifyRequest hvr;
  Reader cookie;
  if (!r.get_u16(hvr.server_version) || !r.get_u8_prefixed(cookie) || !r.empty())
    return fail<HelloVerifyRequest>(error, "HelloVerifyRequest: not server_version + cookie<0..255>");
  hvr.cookie = all(cookie);
  return hvr;
}

}  // namespace wireproof::checks::support
