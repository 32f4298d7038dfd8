#include "peers/common/sha256.hpp"

#include <stdexcept>

#include <openssl/evp.h>

namespace wireproof::peers {

void Sha256::Free::operator()(evp_md_ctx_st* c) const { EVP_MD_CTX_free(c); }

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("Sha256: EVP_DigestInit_ex(SHA-256) failed");
}

Sha256::Sha256(const Sha256& other) : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_MD_CTX_copy_ex(ctx_.get(), other.ctx_.get()) != 1)
    throw std::runtime_error("Sha256: EVP_MD_CTX_copy_ex failed");
}

void Sha256::update(std::span<const std::uint8_t> bytes) {
  if (EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size()) != 1)
    throw std::runtime_error("Sha256: EVP_DigestUpdate failed");
}

std::string Sha256::hex() const {
  // Finalise a fork so the running hash stays usable.
  Sha256 fork(*this);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(fork.ctx_.get(), md, &len) != 1)
    throw std::runtime_error("Sha256: EVP_DigestFinal_ex failed");
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += digits[md[i] >> 4];
    out += digits[md[i] & 0xf];
  }
  return out;
}

}  // namespace wireproof::peers
