// --groups (peers/CONTRACT.md "TLS"): the key-exchange groups the contract
// names, with each library's spelling, in one table so the parser that
// accepts a name and the shims that pass it on cannot disagree.
//
//   const GroupName* g = find_group("secp256r1");   // g->openssl "P-256", g->gnutls "GROUP-SECP256R1"
#pragma once

#include <string>
#include <string_view>

namespace wireproof::peers {

struct GroupName {
  std::string_view contract;  // IANA / OpenSSL short name, lower case: "x25519", "ffdhe2048"
  std::string_view openssl;   // SSL_CTX_set1_groups_list
  std::string_view gnutls;    // priority string keyword (used as "+GROUP-...")
  bool finite_field;          // RFC 7919 FFDHE: OpenSSL 3.0 negotiates these in TLS 1.3 only
};

// nullptr for a name the contract does not know.
const GroupName* find_group(std::string_view contract_name);
// "x25519, x448, ..." for error messages.
std::string known_group_names();

}  // namespace wireproof::peers
