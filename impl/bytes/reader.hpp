// Bounded cursor over a byte span (the idea of BoringSSL's CBS).
// Every get_* either succeeds and advances, or fails (returns false / nullopt)
// and leaves the cursor where it was. A length-prefixed field yields a
// sub-reader bounded by its own length, so nested parsers cannot overrun.
// This is the only way wire bytes are parsed in wireproof.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace wireproof::bytes {

class Reader {
 public:
  Reader() = default;
  explicit Reader(std::span<const std::uint8_t> data) : data_(data) {}

  std::size_t remaining() const { return data_.size(); }
  bool empty() const { return data_.empty(); }
  std::span<const std::uint8_t> rest() const { return data_; }

  bool get_u8(std::uint8_t& out) { return get_uint(1, out); }
  bool get_u16(std::uint16_t& out) { return get_uint(2, out); }
  bool get_u24(std::uint32_t& out) { return get_uint(3, out); }
  bool get_u32(std::uint32_t& out) { return get_uint(4, out); }
  bool get_u48(std::uint64_t& out) { return get_uint(6, out); }
  bool get_u64(std::uint64_t& out) { return get_uint(8, out); }

  // Takes the next n bytes as a span.
  bool get_bytes(std::size_t n, std::span<const std::uint8_t>& out) {
    if (n > data_.size()) return false;
    out = data_.first(n);
    data_ = data_.subspan(n);
    return true;
  }
  // Takes the next n bytes as a sub-reader.
  bool get_sub(std::size_t n, Reader& out) {
    std::span<const std::uint8_t> s;
    if (!get_bytes(n, s)) return false;
    out = Reader(s);
    return true;
  }
  bool skip(std::size_t n) {
    std::span<const std::uint8_t> s;
    return get_bytes(n, s);
  }
  // Length-prefixed sub-readers: the prefix is 1, 2 or 3 bytes.
  bool get_u8_prefixed(Reader& out) { return get_prefixed(1, out); }
  bool get_u16_prefixed(Reader& out) { return get_prefixed(2, out); }
  bool get_u24_prefixed(Reader& out) { return get_prefixed(3, out); }

 private:
  template <typename T>
  bool get_uint(std::size_t n, T& out) {
    if (n > data_.size()) return false;
    T v = 0;
    for (std::size_t i = 0; i < n; ++i) v = static_cast<T>((v << 8) | data_[i]);
    out = v;
    data_ = data_.subspan(n);
    return true;
  }
  bool get_prefixed(std::size_t prefix, Reader& out) {
    Reader save = *this;
    std::uint64_t len = 0;
    if (!get_uint(prefix, len) || !get_sub(static_cast<std::size_t>(len), out)) {
      *this = save;
      return false;
    }
    return true;
  }

  std::span<const std::uint8_t> data_;
};

}  // namespace wireproof::bytes
