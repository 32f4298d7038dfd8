#include "peers/common/cipher_names.hpp"

#include <cstring>

#include <openssl/ssl.h>

namespace wireproof::peers {

std::string openssl_style_cipher_name(const std::string& iana_name) {
  const char* name = OPENSSL_cipher_name(iana_name.c_str());
  if (!name || std::strcmp(name, "(NONE)") == 0) return iana_name;
  return name;
}

}  // namespace wireproof::peers
