// A throwaway PKI for one run: a CA and two leaves (server, client), plus one
// server leaf per SNI host name asked for and one for an IP address when asked,
// written as PEM files. Keys are
// created 0600 from the first byte.
//
//   auto pki = wireproof::pki::generate_pki(out_dir / "pki");
//   argv += {"--cert", pki.server_cert, "--key", pki.server_key, "--ca", pki.ca_cert};
//
// Two modes: generate_pki (real runs) makes fresh random ECDSA P-256 keys,
// which every stock peer accepts; generate_seeded_pki (virtual-clock runs)
// makes the same files, byte for byte, for the same seed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace wireproof::pki {

// A server certificate for one SNI host name (TLS --host-cert NAME=CERT:KEY).
struct HostCert {
  std::string name;                  // SAN DNS:<name> and CN
  std::filesystem::path cert, key;   // host-<name>.pem, host-<name>.key
};

struct PkiFiles {
  std::filesystem::path ca_cert, ca_key;          // ca.pem, ca.key
  std::filesystem::path server_cert, server_key;  // server.pem, server.key
  std::filesystem::path client_cert, client_key;  // client.pem, client.key
  std::vector<HostCert> hosts = {};               // one per host_names entry, in order
  // A server leaf for an IP address (TLS --ip-cert CERT:KEY, served without SNI): ip.pem, ip.key;
  // empty when no ip_address was asked for.
  std::filesystem::path ip_cert = {}, ip_key = {};
};

// Creates dir if needed and writes the six files (replacing old ones): fresh
// random ECDSA P-256 keys and 127-bit serials, ECDSA-SHA256 signatures. Both
// leaves carry SAN DNS:<server_name> and IP:127.0.0.1, EKU serverAuth and
// clientAuth, validity now-1h .. now+2d. Each of `host_names` gets a server
// leaf of its own (SAN DNS:<name> only, so a client verifying that name
// accepts it and no other). A non-empty `ip_address` (an IPv4 or IPv6
// literal) gets a server leaf with SAN IP:<address> only (ip_cert). Throws
// std::runtime_error naming the step and the OpenSSL error on failure,
// std::invalid_argument for a bad name or address.
PkiFiles generate_pki(const std::filesystem::path& dir, const std::string& server_name = "localhost",
                      const std::vector<std::string>& host_names = {}, const std::string& ip_address = "");

// The same six files and extensions, deterministic: Ed25519 keys (RFC 8410)
// whose 32-byte private keys come from crypto::seeded_random(seed, "wireproof pki <role> key"),
// 127-bit serials derived likewise, validity fixed at 2020-01-01T00:00:00Z ..
// 2099-12-31T23:59:59Z, and Ed25519 (deterministic) signatures. Same seed,
// same bytes; another seed, other keys. The keys are as secret as the seed:
// for reproducible test runs only. Throws like generate_pki.
PkiFiles generate_seeded_pki(const std::filesystem::path& dir, std::uint64_t seed,
                             const std::string& server_name = "localhost",
                             const std::vector<std::string>& host_names = {}, const std::string& ip_address = "");

}  // namespace wireproof::pki
