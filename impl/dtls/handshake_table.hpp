// The TLS 1.2 / DTLS 1.2 full handshake as one table (the s2n-tls shape):
// each row is a message, who writes it, its flight (RFC 6347 4.2.4 numbering
// with a cookie exchange), and the condition under which it is present. The
// driving loop in handshake.cpp walks this table; flights, retransmission and
// "which flight is this" all come from here.
//
//   flight 1  C  ClientHello
//   flight 2  S  HelloVerifyRequest          (cookie exchange; the server may omit it)
//   flight 3  C  ClientHello (with cookie)   (cookie exchange)
//   flight 4  S  ServerHello, Certificate*, ServerKeyExchange*, CertificateRequest*, ServerHelloDone
//   flight 5  C  Certificate*, ClientKeyExchange, CertificateVerify*, [ChangeCipherSpec], Finished
//   flight 6  S  [ChangeCipherSpec], Finished
#pragma once

#include <array>
#include <cstdint>

#include "impl/dtls/messages.hpp"

namespace wireproof::dtls {

enum class Role { client, server };

// Facts about this handshake that decide which optional rows are present.
enum HandshakeFlag : std::uint32_t {
  kAlways = 0,
  kCookie = 1 << 0,          // a HelloVerifyRequest exchange happens (DTLS only)
  kCertKx = 1 << 1,          // the suite authenticates with certificates (not PSK)
  kServerKx = 1 << 2,        // a ServerKeyExchange is sent (ECDHE; PSK only with a hint)
  kClientAuth = 1 << 3,      // the server sent CertificateRequest
  kClientCertSent = 1 << 4,  // the client's Certificate is non-empty: CertificateVerify follows
};

// A row's message: a handshake type, or ChangeCipherSpec (not a handshake message).
struct RowMessage {
  bool ccs = false;
  HsType type = HsType::hello_request;
};

struct HandshakeRow {
  RowMessage msg;
  Role writer;
  int flight;
  std::uint32_t needs;     // all these flags must be set for the row to be present
  bool peer_may_omit;      // the reader cannot know in advance: skip when a later message arrives
};

inline constexpr RowMessage hs(HsType t) { return {false, t}; }
inline constexpr RowMessage kCcs{true, HsType::hello_request};

inline constexpr std::array<HandshakeRow, 15> kHandshakeRows = {{
    {hs(HsType::client_hello), Role::client, 1, kAlways, false},
    {hs(HsType::hello_verify_request), Role::server, 2, kCookie, true},
    {hs(HsType::client_hello), Role::client, 3, kCookie, false},
    {hs(HsType::server_hello), Role::server, 4, kAlways, false},
    {hs(HsType::certificate), Role::server, 4, kCertKx, false},
    {hs(HsType::server_key_exchange), Role::server, 4, kServerKx, true},
    {hs(HsType::certificate_request), Role::server, 4, kClientAuth, true},
    {hs(HsType::server_hello_done), Role::server, 4, kAlways, false},
    {hs(HsType::certificate), Role::client, 5, kClientAuth, false},
    {hs(HsType::client_key_exchange), Role::client, 5, kAlways, false},
    {hs(HsType::certificate_verify), Role::client, 5, kClientCertSent, false},
    {kCcs, Role::client, 5, kAlways, false},
    {hs(HsType::finished), Role::client, 5, kAlways, false},
    {kCcs, Role::server, 6, kAlways, false},
    {hs(HsType::finished), Role::server, 6, kAlways, false},
}};

// The ClientHello that echoes a cookie; a repeated HelloVerifyRequest sends the client back here.
inline constexpr std::size_t kCookieHelloRow = 2;
static_assert(kHandshakeRows[kCookieHelloRow].msg.type == HsType::client_hello &&
              kHandshakeRows[kCookieHelloRow].needs == kCookie);

inline bool row_present(const HandshakeRow& r, std::uint32_t flags) { return (flags & r.needs) == r.needs; }
inline bool same_message(RowMessage a, RowMessage b) { return a.ccs == b.ccs && (a.ccs || a.type == b.type); }

}  // namespace wireproof::dtls
