// A throwaway PKI for one run: a CA and two leaves (server, client), ECDSA
// P-256, written as PEM files. Keys are created 0600 from the first byte.
//
//   auto pki = wireproof::pki::generate_pki(out_dir / "pki");
//   argv += {"--cert", pki.server_cert, "--key", pki.server_key, "--ca", pki.ca_cert};
#pragma once

#include <filesystem>
#include <string>

namespace wireproof::pki {

struct PkiFiles {
  std::filesystem::path ca_cert, ca_key;          // ca.pem, ca.key
  std::filesystem::path server_cert, server_key;  // server.pem, server.key
  std::filesystem::path client_cert, client_key;  // client.pem, client.key
};

// Creates dir if needed and writes the six files (replacing old ones). Both
// leaves carry SAN DNS:<server_name> and IP:127.0.0.1, EKU serverAuth and
// clientAuth, validity now-1h .. now+2d. Throws std::runtime_error naming the
// step and the OpenSSL error on failure.
PkiFiles generate_pki(const std::filesystem::path& dir, const std::string& server_name = "localhost");

}  // namespace wireproof::pki
