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
  void add(std::span<const std::uint8_t> bytes) {
    for (std::uint8_t b : bytes) {
      sum_ += odd_ ? b : static_cast<std::uint32_t>(b) << 8;
      odd_ = !odd_;
    }
    fold_carries();
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
  void fold_carries() {
    while (sum_ >> 16) sum_ = (sum_ & 0xffff) + (sum_ >> 16);
  }
  std::uint32_t sum_ = 0;
  bool odd_ = false;
};

}  // namespace wireproof::bytes
