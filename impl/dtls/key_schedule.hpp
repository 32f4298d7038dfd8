// TLS 1.2 key schedule for AEAD suites (RFC 5246 6.3, 8.1; RFC 7627 4):
// pre-master -> master secret (extended when negotiated) -> key block ->
// per-direction record keys; Finished verify_data (RFC 5246 7.4.9).
#pragma once

#include <string_view>

#include "impl/dtls/cipher_suites.hpp"

namespace wireproof::dtls {

struct DirectionKeys {
  crypto::Bytes key;
  crypto::Bytes iv;  // fixed_iv_length bytes
};
struct KeyBlock {
  DirectionKeys client_write;
  DirectionKeys server_write;
};

// RFC 7627 4: PRF(pms, "extended master secret", session_hash) when ems, else
// PRF(pms, "master secret", client_random + server_random). 48 bytes.
crypto::Bytes master_secret(const CipherSuite& cs, crypto::ByteView pre_master, bool ems,
                            crypto::ByteView session_hash, crypto::ByteView client_random,
                            crypto::ByteView server_random);
// RFC 5246 6.3: key_block = PRF(master, "key expansion", server_random + client_random);
// AEAD suites have no MAC keys.
KeyBlock key_block(const CipherSuite& cs, crypto::ByteView master, crypto::ByteView client_random,
                   crypto::ByteView server_random);
// 12 bytes: PRF(master, "client finished" | "server finished", Hash(handshake_messages)).
crypto::Bytes finished_verify_data(const CipherSuite& cs, crypto::ByteView master, bool from_client,
                                   crypto::ByteView transcript);
// RFC 4279 2: uint16 N, N zero bytes, uint16 N, psk (plain PSK key exchange).
crypto::Bytes psk_pre_master(crypto::ByteView psk);

}  // namespace wireproof::dtls
