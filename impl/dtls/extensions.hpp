// Hello extensions used by our TLS 1.2 / DTLS 1.2 handshake. Parsed fields
// are optional (absent != empty); unknown extensions are kept verbatim.
//   server_name (RFC 6066 3), supported_groups + ec_point_formats (RFC 8422 5.1),
//   signature_algorithms (RFC 5246 7.4.1.4.1), ALPN (RFC 7301 3.1),
//   extended_master_secret (RFC 7627 5.1), renegotiation_info (RFC 5746 3.2).
// Shared with impl/tls: nothing here depends on DTLS.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "impl/bytes/reader.hpp"
#include "impl/bytes/writer.hpp"
#include "impl/crypto/types.hpp"

namespace wireproof::dtls {

enum ExtensionType : std::uint16_t {
  kExtServerName = 0,
  kExtSupportedGroups = 10,
  kExtEcPointFormats = 11,
  kExtSignatureAlgorithms = 13,
  kExtAlpn = 16,
  kExtExtendedMasterSecret = 23,
  kExtRenegotiationInfo = 0xff01,
};

struct Extensions {
  // ClientHello: the host name; ServerHello: "" means the empty acknowledgment.
  std::optional<std::string> server_name;
  std::optional<std::vector<std::uint16_t>> supported_groups;
  std::optional<std::vector<std::uint8_t>> ec_point_formats;
  std::optional<std::vector<std::uint16_t>> signature_algorithms;
  std::optional<std::vector<std::string>> alpn;  // ServerHello: exactly one
  bool extended_master_secret = false;
  std::optional<crypto::Bytes> renegotiation_info;  // renegotiated_connection; empty on an initial handshake
  std::vector<std::pair<std::uint16_t, crypto::Bytes>> unknown;
};

// Parses an extensions block (the u16-prefixed list). Refuses duplicates
// (RFC 5246 7.4.1.4) and malformed bodies; `error` says which extension.
bool parse_extensions(bytes::Reader& block, Extensions& out, std::string& error);
// Writes the u16-prefixed extensions block (nothing when no extension is set).
void write_extensions(bytes::Writer& w, const Extensions& e);

}  // namespace wireproof::dtls
