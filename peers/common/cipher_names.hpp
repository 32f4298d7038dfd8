// Cipher suite names: the contract reports OpenSSL-style names ("cipher")
// beside the RFC/IANA name ("cipher_iana"), whatever library made the
// connection, so a matrix column reads the same for every peer.
#pragma once

#include <string>

namespace wireproof::peers {

// "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" -> "ECDHE-ECDSA-AES128-GCM-SHA256"
// (OpenSSL's table, OPENSSL_cipher_name); the IANA name itself when OpenSSL
// does not know the suite.
std::string openssl_style_cipher_name(const std::string& iana_name);

}  // namespace wireproof::peers
