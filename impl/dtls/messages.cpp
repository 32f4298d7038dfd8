#include "impl/dtls/messages.hpp"

namespace wireproof::dtls {

namespace {
using bytes::Reader;
using bytes::Writer;

bool get_u8_opaque(Reader& r, Bytes& out) {
  Reader s;
  if (!r.get_u8_prefixed(s)) return false;
  out.assign(s.rest().begin(), s.rest().end());
  return true;
}
bool get_u16_opaque(Reader& r, Bytes& out) {
  Reader s;
  if (!r.get_u16_prefixed(s)) return false;
  out.assign(s.rest().begin(), s.rest().end());
  return true;
}
bool get_random(Reader& r, Bytes& out) {
  std::span<const std::uint8_t> s;
  if (!r.get_bytes(32, s)) return false;
  out.assign(s.begin(), s.end());
  return true;
}
template <typename T>
std::optional<T> fail(std::string& error, const char* what) {
  error = what;
  return std::nullopt;
}
}  // namespace

const char* hs_name(HsType t) {
  switch (t) {
    case HsType::hello_request: return "hello_request";
    case HsType::client_hello: return "client_hello";
    case HsType::server_hello: return "server_hello";
    case HsType::hello_verify_request: return "hello_verify_request";
    case HsType::certificate: return "certificate";
    case HsType::server_key_exchange: return "server_key_exchange";
    case HsType::certificate_request: return "certificate_request";
    case HsType::server_hello_done: return "server_hello_done";
    case HsType::certificate_verify: return "certificate_verify";
    case HsType::client_key_exchange: return "client_key_exchange";
    case HsType::finished: return "finished";
  }
  return "unknown";
}

Bytes EcdheServerKeyExchange::params() const {
  Writer w;
  w.put_u8(3);  // ECCurveType named_curve (RFC 8422 5.4)
  w.put_u16(group);
  w.put_prefixed(1, public_key);
  return w.take();
}

Bytes encode(const ClientHello& m, bool dtls) {
  Writer w;
  w.put_u16(m.version);
  w.put_bytes(m.random);
  w.put_prefixed(1, m.session_id);
  if (dtls) w.put_prefixed(1, m.cookie);
  w.put_u16_list(2, m.cipher_suites);
  w.put_prefixed(1, m.compression_methods);
  write_extensions(w, m.ext);
  return w.take();
}

Bytes encode(const HelloVerifyRequest& m) {
  Writer w;
  w.put_u16(m.version);
  w.put_prefixed(1, m.cookie);
  return w.take();
}

Bytes encode(const ServerHello& m) {
  Writer w;
  w.put_u16(m.version);
  w.put_bytes(m.random);
  w.put_prefixed(1, m.session_id);
  w.put_u16(m.cipher_suite);
  w.put_u8(m.compression_method);
  write_extensions(w, m.ext);
  return w.take();
}

Bytes encode(const CertificateMsg& m) {
  Writer w;
  auto list = w.open_prefixed(3);
  for (const auto& c : m.certs) w.put_prefixed(3, c);
  w.close_prefixed(list);
  return w.take();
}

Bytes encode(const EcdheServerKeyExchange& m) {
  Writer w;
  w.put_bytes(m.params());
  w.put_u16(m.scheme);
  w.put_prefixed(2, m.signature);
  return w.take();
}

Bytes encode(const CertificateRequest& m) {
  Writer w;
  w.put_prefixed(1, m.certificate_types);
  w.put_u16_list(2, m.signature_algorithms);
  auto cas = w.open_prefixed(2);
  for (const auto& dn : m.authorities) w.put_prefixed(2, dn);
  w.close_prefixed(cas);
  return w.take();
}

Bytes encode(const CertificateVerify& m) {
  Writer w;
  w.put_u16(m.scheme);
  w.put_prefixed(2, m.signature);
  return w.take();
}

Bytes encode_u8_opaque(ByteView v) {
  Writer w;
  w.put_prefixed(1, v);
  return w.take();
}
Bytes encode_u16_opaque(ByteView v) {
  Writer w;
  w.put_prefixed(2, v);
  return w.take();
}

std::optional<ClientHello> decode_client_hello(ByteView body, bool dtls, std::string& error) {
  Reader r(body);
  ClientHello m;
  Reader suites;
  if (!r.get_u16(m.version) || !get_random(r, m.random) || !get_u8_opaque(r, m.session_id) ||
      (dtls && !get_u8_opaque(r, m.cookie)) || !r.get_u16_prefixed(suites) ||
      !get_u8_opaque(r, m.compression_methods))
    return fail<ClientHello>(error, "client_hello: truncated");
  if (m.session_id.size() > 32) return fail<ClientHello>(error, "client_hello: session_id longer than 32");
  if (suites.empty() || suites.remaining() % 2) return fail<ClientHello>(error, "client_hello: bad cipher_suites");
  while (!suites.empty()) {
    std::uint16_t s = 0;
    suites.get_u16(s);
    m.cipher_suites.push_back(s);
  }
  if (m.compression_methods.empty()) return fail<ClientHello>(error, "client_hello: no compression method");
  if (!r.empty() && !parse_extensions(r, m.ext, error)) return std::nullopt;
  if (!r.empty()) return fail<ClientHello>(error, "client_hello: trailing bytes");
  return m;
}

std::optional<HelloVerifyRequest> decode_hello_verify_request(ByteView body, std::string& error) {
  Reader r(body);
  HelloVerifyRequest m;
  if (!r.get_u16(m.version) || !get_u8_opaque(r, m.cookie) || !r.empty())
    return fail<HelloVerifyRequest>(error, "hello_verify_request: malformed");
  return m;
}

std::optional<ServerHello> decode_server_hello(ByteView body, std::string& error) {
  Reader r(body);
  ServerHello m;
  if (!r.get_u16(m.version) || !get_random(r, m.random) || !get_u8_opaque(r, m.session_id) ||
      !r.get_u16(m.cipher_suite) || !r.get_u8(m.compression_method))
    return fail<ServerHello>(error, "server_hello: truncated");
  if (m.session_id.size() > 32) return fail<ServerHello>(error, "server_hello: session_id longer than 32");
  if (!r.empty() && !parse_extensions(r, m.ext, error)) return std::nullopt;
  if (!r.empty()) return fail<ServerHello>(error, "server_hello: trailing bytes");
  return m;
}

std::optional<CertificateMsg> decode_certificate(ByteView body, std::string& error) {
  Reader r(body), list;
  if (!r.get_u24_prefixed(list) || !r.empty()) return fail<CertificateMsg>(error, "certificate: bad list length");
  CertificateMsg m;
  while (!list.empty()) {
    Reader c;
    if (!list.get_u24_prefixed(c) || c.empty()) return fail<CertificateMsg>(error, "certificate: bad entry length");
    m.certs.emplace_back(c.rest().begin(), c.rest().end());
  }
  return m;
}

std::optional<EcdheServerKeyExchange> decode_ecdhe_server_key_exchange(ByteView body, std::string& error) {
  Reader r(body);
  EcdheServerKeyExchange m;
  std::uint8_t curve_type;
  if (!r.get_u8(curve_type) || curve_type != 3)
    return fail<EcdheServerKeyExchange>(error, "server_key_exchange: curve_type is not named_curve");
  if (!r.get_u16(m.group) || !get_u8_opaque(r, m.public_key) || m.public_key.empty() || !r.get_u16(m.scheme) ||
      !get_u16_opaque(r, m.signature) || !r.empty())
    return fail<EcdheServerKeyExchange>(error, "server_key_exchange: malformed");
  return m;
}

std::optional<CertificateRequest> decode_certificate_request(ByteView body, std::string& error) {
  Reader r(body), sa, cas;
  CertificateRequest m;
  if (!get_u8_opaque(r, m.certificate_types) || m.certificate_types.empty() || !r.get_u16_prefixed(sa) ||
      sa.empty() || sa.remaining() % 2 || !r.get_u16_prefixed(cas) || !r.empty())
    return fail<CertificateRequest>(error, "certificate_request: malformed");
  while (!sa.empty()) {
    std::uint16_t s = 0;
    sa.get_u16(s);
    m.signature_algorithms.push_back(s);
  }
  while (!cas.empty()) {
    Bytes dn;
    if (!get_u16_opaque(cas, dn) || dn.empty()) return fail<CertificateRequest>(error, "certificate_request: bad DN");
    m.authorities.push_back(std::move(dn));
  }
  return m;
}

std::optional<CertificateVerify> decode_certificate_verify(ByteView body, std::string& error) {
  Reader r(body);
  CertificateVerify m;
  if (!r.get_u16(m.scheme) || !get_u16_opaque(r, m.signature) || !r.empty())
    return fail<CertificateVerify>(error, "certificate_verify: malformed");
  return m;
}

std::optional<Bytes> decode_u8_opaque(ByteView body, std::string& error) {
  Reader r(body);
  Bytes v;
  if (!get_u8_opaque(r, v) || v.empty() || !r.empty()) return fail<Bytes>(error, "bad u8-prefixed value");
  return v;
}

std::optional<Bytes> decode_u16_opaque(ByteView body, std::string& error) {
  Reader r(body);
  Bytes v;
  if (!get_u16_opaque(r, v) || !r.empty()) return fail<Bytes>(error, "bad u16-prefixed value");
  return v;
}

}  // namespace wireproof::dtls
