// Growable byte builder (the idea of BoringSSL's CBB): big-endian integers,
// raw bytes, and length-prefixed blocks whose length is back-patched when the
// block closes. Lengths that do not fit their prefix are reported, not truncated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

namespace wireproof::bytes {

class Writer {
 public:
  void put_u8(std::uint8_t v) { put_uint(1, v); }
  void put_u16(std::uint16_t v) { put_uint(2, v); }
  void put_u24(std::uint32_t v) { put_uint(3, v); }
  void put_u32(std::uint32_t v) { put_uint(4, v); }
  void put_u48(std::uint64_t v) { put_uint(6, v); }
  void put_u64(std::uint64_t v) { put_uint(8, v); }
  void put_bytes(std::span<const std::uint8_t> b) { buf_.insert(buf_.end(), b.begin(), b.end()); }
  void put_zeros(std::size_t n) { buf_.insert(buf_.end(), n, 0); }

  // Opens a block with an n-byte length prefix; returns a handle for close_prefixed.
  std::size_t open_prefixed(std::size_t prefix_bytes) {
    std::size_t at = buf_.size();
    buf_.insert(buf_.end(), prefix_bytes, 0);
    return at | (prefix_bytes << 56);
  }
  // Back-patches the block's length. Throws if it does not fit the prefix.
  void close_prefixed(std::size_t handle) {
    std::size_t prefix = handle >> 56;
    std::size_t at = handle & ((std::size_t{1} << 56) - 1);
    std::size_t len = buf_.size() - at - prefix;
    if (prefix < 8 && len >> (8 * prefix) != 0) throw std::length_error("length-prefixed block too long");
    for (std::size_t i = 0; i < prefix; ++i) buf_[at + i] = static_cast<std::uint8_t>(len >> (8 * (prefix - 1 - i)));
  }

  // An opaque vector: an n-byte length prefix, then the bytes (RFC 5246 4.3).
  void put_prefixed(std::size_t prefix_bytes, std::span<const std::uint8_t> b) {
    auto h = open_prefixed(prefix_bytes);
    put_bytes(b);
    close_prefixed(h);
  }
  // A vector of uint16 (cipher suites, groups, signature schemes) behind an n-byte length.
  void put_u16_list(std::size_t prefix_bytes, std::span<const std::uint16_t> values) {
    auto h = open_prefixed(prefix_bytes);
    for (auto v : values) put_u16(v);
    close_prefixed(h);
  }

  // Overwrites bytes already written (e.g. a header field known late).
  void patch_uint(std::size_t at, std::size_t n, std::uint64_t v) {
    if (at + n > buf_.size()) throw std::out_of_range("patch past end");
    for (std::size_t i = 0; i < n; ++i) buf_[at + i] = static_cast<std::uint8_t>(v >> (8 * (n - 1 - i)));
  }

  std::size_t size() const { return buf_.size(); }
  const std::vector<std::uint8_t>& data() const { return buf_; }
  std::vector<std::uint8_t> take() { return std::move(buf_); }

 private:
  void put_uint(std::size_t n, std::uint64_t v) {
    for (std::size_t i = 0; i < n; ++i) buf_.push_back(static_cast<std::uint8_t>(v >> (8 * (n - 1 - i))));
  }
  std::vector<std::uint8_t> buf_;
};

}  // namespace wireproof::bytes
