#include "harness/wire/l3/ipv4_fragment.hpp"

#include <algorithm>

#include "impl/bytes/internet_checksum.hpp"

namespace wireproof::wire::l3 {

std::vector<std::vector<std::uint8_t>> fragment_ipv4(std::span<const std::uint8_t> packet, int mtu) {
  constexpr std::size_t kHeader = 20;
  if (packet.size() < kHeader || (packet[0] >> 4) != 4 || (packet[0] & 0x0f) != 5) return {};  // options: not cut
  const std::uint16_t flags_offset = static_cast<std::uint16_t>(packet[6] << 8 | packet[7]);
  if (flags_offset & 0x4000) return {};  // DF
  const bool more_after = (flags_offset & 0x2000) != 0;
  const std::size_t base_offset = (flags_offset & 0x1fff) * 8u;
  const std::size_t total = std::min<std::size_t>(packet.size(), static_cast<std::size_t>(packet[2] << 8 | packet[3]));
  if (mtu < static_cast<int>(kHeader + 8) || total <= kHeader) return {};
  const std::size_t step = (static_cast<std::size_t>(mtu) - kHeader) / 8 * 8;
  std::vector<std::vector<std::uint8_t>> out;
  for (std::size_t at = kHeader; at < total; at += step) {
    const std::size_t n = std::min(step, total - at);
    std::vector<std::uint8_t> f(packet.begin(), packet.begin() + kHeader);
    f.insert(f.end(), packet.begin() + static_cast<std::ptrdiff_t>(at), packet.begin() + static_cast<std::ptrdiff_t>(at + n));
    const std::size_t len = kHeader + n;
    f[2] = static_cast<std::uint8_t>(len >> 8);
    f[3] = static_cast<std::uint8_t>(len);
    const bool last = at + n >= total;
    const std::size_t offset = (base_offset + (at - kHeader)) / 8;
    const std::uint16_t fo = static_cast<std::uint16_t>((last && !more_after ? 0 : 0x2000) | offset);
    f[6] = static_cast<std::uint8_t>(fo >> 8);
    f[7] = static_cast<std::uint8_t>(fo);
    f[10] = f[11] = 0;
    bytes::InternetChecksum sum;
    sum.add(std::span<const std::uint8_t>(f.data(), kHeader));
    const std::uint16_t c = sum.value();
    f[10] = static_cast<std::uint8_t>(c >> 8);
    f[11] = static_cast<std::uint8_t>(c);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace wireproof::wire::l3
