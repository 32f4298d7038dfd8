#include "peers/stock/cipher_names.hpp"

#include <gnutls/gnutls.h>
#include <openssl/ssl.h>

#include <array>
#include <memory>

namespace wireproof::stock {

namespace {

// GnuTLS spells "GNUTLS_X" in its log and "TLS_X" in gnutls_cipher_suite_info.
std::optional<std::array<unsigned char, 2>> gnutls_suite_id(const std::string& printed) {
  const std::string prefix = "GNUTLS_";
  if (printed.rfind(prefix, 0) != 0) return std::nullopt;
  const std::string wanted = "TLS_" + printed.substr(prefix.size());
  std::array<unsigned char, 2> id{};
  for (std::size_t i = 0;; ++i) {
    const char* name = gnutls_cipher_suite_info(i, id.data(), nullptr, nullptr, nullptr, nullptr);
    if (!name) return std::nullopt;
    if (wanted == name) return id;
  }
}

CipherNames names_of(const SSL_CIPHER* c) {
  const char* iana = SSL_CIPHER_standard_name(c);
  return {SSL_CIPHER_get_name(c), iana ? iana : SSL_CIPHER_get_name(c)};
}

}  // namespace

std::optional<CipherNames> identify_cipher(const std::string& printed) {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_method()), SSL_CTX_free);
  if (!ctx) return std::nullopt;
  // Every suite this libssl knows, so a lookup does not depend on the default list.
  SSL_CTX_set_cipher_list(ctx.get(), "ALL:COMPLEMENTOFALL:@SECLEVEL=0");
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
  if (!ssl) return std::nullopt;

  if (auto id = gnutls_suite_id(printed)) {
    if (const SSL_CIPHER* c = SSL_CIPHER_find(ssl.get(), id->data())) return names_of(c);
    return std::nullopt;
  }
  STACK_OF(SSL_CIPHER)* all = SSL_get_ciphers(ssl.get());
  for (int i = 0; i < sk_SSL_CIPHER_num(all); ++i) {
    const SSL_CIPHER* c = sk_SSL_CIPHER_value(all, i);
    CipherNames n = names_of(c);
    if (n.openssl == printed || n.iana == printed) return n;
  }
  return std::nullopt;
}

}  // namespace wireproof::stock
