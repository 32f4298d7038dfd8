// The Internet checksum (RFC 1071): the 16-bit one's complement of the one's
// complement sum of 16-bit big-endian words. Bytes may arrive in pieces of any
// length (pseudo-header fields, then the segment); an odd piece's last byte
// pairs with the next piece's first, as if the pieces were one buffer.
//
//   InternetChecksum c; c.add(header); 
//   bool ok = c.verifies();   // the sum over data that includes its checksum
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace wireproof::bytes {

class InternetChecksum {
 public:
  // Four bytes at a time into 64 bits, folded once at the end: the L3 wire
  // verifies every TCP segment's checksum, and byte by byte (with a branch a
  // byte) that was ~8% of its CPU (perf, bench/l3). The words are summed in
  // the machine's byte order and the folded sum swapped back (RFC 1071 2.(B):
  // the sum is byte-order independent); one's complement addition is
  // associative, so the result is the byte-wise one.
  void add(std::span<const std::uint8_t> bytes) {
    const std::uint8_t* p = bytes.data();
    std::size_t n = bytes.size();
    std::uint64_t sum = sum_;
    if (odd_ && n > 0) {  // this piece's first byte is the low half of the last piece's word
      sum += *p++;
      --n;
      odd_ = false;
    }
    std::uint64_t native = 0;  // 32-bit words in host order
    for (; n >= 4; p += 4, n -= 4) {
      std::uint32_t w;
      std::memcpy(&w, p, 4);
      native += w;
    }
    if (n >= 2) {
      std::uint16_t w;
      std::memcpy(&w, p, 2);
      native += w;
      p += 2;
      n -= 2;
    }
    auto fold = [](std::uint64_t v) {
      while (v >> 16) v = (v & 0xffff) + (v >> 16);
      return v;
    };
    native = fold(native);
    if constexpr (std::endian::native == std::endian::little)
      native = static_cast<std::uint16_t>(native << 8 | native >> 8);
    sum += native;
    if (n == 1) {
      sum += static_cast<std::uint32_t>(*p) << 8;
      odd_ = true;
    }
    sum_ = static_cast<std::uint32_t>(fold(sum));
  }
  void add_u16(std::uint16_t v) {
    const std::uint8_t pair[2] = {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
    add(pair);
  }
  void add_u32(std::uint32_t v) {
    add_u16(static_cast<std::uint16_t>(v >> 16));
    add_u16(static_cast<std::uint16_t>(v));
  }
  // The value to put in a checksum field that was zero while summing.
  std::uint16_t value() const { return static_cast<std::uint16_t>(~sum_ & 0xffff); }
  // Over data that includes its own checksum field, the sum is all ones.
  bool verifies() const { return sum_ == 0xffff; }

 private:
  std::uint32_t sum_ = 0;
  bool odd_ = false;
};

}  // namespace wireproof::bytes
