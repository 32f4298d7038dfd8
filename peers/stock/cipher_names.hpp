// The contract reports a cipher suite by its OpenSSL-style name ("cipher")
// and its IANA name ("cipher_iana"), as the shims do (peers/common/
// cipher_names.hpp). Stock tools print their own spelling: s_client the
// OpenSSL name, gnutls-cli's log the GnuTLS one
// ("GNUTLS_ECDHE_ECDSA_AES_256_GCM_SHA384"). This maps any of the three to
// both contract names, through the suite's two-byte id.
#pragma once

#include <optional>
#include <string>

namespace wireproof::stock {

struct CipherNames {
  std::string openssl;  // "ECDHE-ECDSA-AES256-GCM-SHA384"
  std::string iana;     // "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"
};

// nullopt when neither library knows the name.
std::optional<CipherNames> identify_cipher(const std::string& printed);

}  // namespace wireproof::stock
