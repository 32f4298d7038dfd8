// What the TLS checks share besides the TLS view (support/tls_view.hpp): the
// protocols they judge, the extensions of a decrypted EncryptedExtensions,
// and the verdict's wording of problems, what was judged and what was not.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/checks/check.hpp"
#include "harness/dissect/tls_transcript.hpp"

namespace wireproof::checks::tls {

inline std::vector<std::string> tls_both() { return {"tls1.2", "tls1.3"}; }
inline constexpr std::uint8_t kHsClientHello = 1, kHsServerHello = 2, kHsEncryptedExtensions = 8;
inline constexpr std::uint16_t kExtMaxFragmentLength = 1, kExtRecordSizeLimit = 28;

// The extensions of the server's decrypted EncryptedExtensions (RFC 8446
// 4.3.1); nullopt when it was not seen (not decrypted) or does not parse.
std::optional<dissect::HelloExtensions> encrypted_extensions(const dissect::TlsTranscript& t);

// The verdict from what a check found: fail when any problem, else pass when
// anything was judged, else not_applicable; detail names the problems, the
// count judged and every "not judged" reason.
void conclude(CheckResult& r, const std::vector<std::string>& problems, std::size_t judged, const std::string& what,
              const std::vector<std::string>& not_judged);

}  // namespace wireproof::checks::tls
