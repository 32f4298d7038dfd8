// The Internet checksum (RFC 1071): the 16-bit one's complement of the one's
// complement sum of 16-bit big-endian words. Bytes may arrive in pieces of any
// length (pseudo-header fields, then the segment); an odd piece's last byte
// pairs with the next piece's first, as if the pieces were one buffer.
//
//   InternetChecksum c; c.add(header); 
//   bool ok = c.verifies();   // the sum over data that includes its checksum
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace wireproof::bytes {

class InternetChecksum {
 public:
  // Word by word into 64 bits, folded once at the end: the L3 wire verifies
  // every TCP segment's checksum, and byte by byte (with a branch a byte) that
  // was ~1 us of its CPU per full-sized segment (perf, bench/l3). One's
  // complement addition is associative, so the folded sum is the same.
  void add(std::span<const std::uint8_t> bytes) {
    std::uint64_t sum = sum_;
    std::size_t k = 0;
    const std::size_t n = bytes.size();
    if (odd_ && n > 0) {  // this piece's first byte is the low half of the last piece's word
      sum += bytes[0];
      k = 1;
      odd_ = false;
    }
    for (; k + 1 < n; k += 2) sum += static_cast<std::uint32_t>(bytes[k]) << 8 | bytes[k + 1];
    if (k < n) {
      sum += static_cast<std::uint32_t>(bytes[k]) << 8;
      odd_ = true;
    }
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    sum_ = static_cast<std::uint32_t>(sum);
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
