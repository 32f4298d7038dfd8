// Incremental SHA-256 over libcrypto's EVP interface, as lowercase hex.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

struct evp_md_ctx_st;

namespace wireproof::peers {

class Sha256 {
 public:
  Sha256();
  Sha256(const Sha256& other);  // forks the running hash
  Sha256& operator=(const Sha256&) = delete;
  Sha256(Sha256&&) noexcept = default;
  Sha256& operator=(Sha256&&) noexcept = default;
  void update(std::span<const std::uint8_t> bytes);
  // The digest of everything so far; the hasher can keep going afterwards.
  std::string hex() const;

 private:
  struct Free {
    void operator()(evp_md_ctx_st* c) const;
  };
  std::unique_ptr<evp_md_ctx_st, Free> ctx_;
};

}  // namespace wireproof::peers
