#include "impl/dtls/flight.hpp"

#include <stdexcept>
#include <utility>

#include "impl/dtls/fragmenter.hpp"

namespace wireproof::dtls {

namespace {
// inconsistent-fragments: the same range as `frag` (a handshake header plus body) with other bytes.
crypto::Bytes inverted_copy(const crypto::Bytes& frag) {
  crypto::Bytes c = frag;
  for (std::size_t i = kHandshakeHeaderLen; i < c.size(); ++i) c[i] ^= 0xff;
  return c;
}

}  // namespace

std::vector<crypto::Bytes> render_flight(RecordLayer& rl, const std::vector<FlightItem>& items, std::size_t budget,
                                         RenderBugs bugs) {
  std::vector<crypto::Bytes> out;
  crypto::Bytes cur;
  auto emit = [&](crypto::Bytes rec) {
    if (!cur.empty() && cur.size() + rec.size() > budget) out.push_back(std::exchange(cur, {}));
    cur.insert(cur.end(), rec.begin(), rec.end());
  };
  for (const auto& it : items) {
    if (it.ccs) {
      const std::uint8_t one = 1;
      emit(rl.protect(ContentType::change_cipher_spec, it.epoch, {&one, 1}));
      continue;
    }
    std::size_t overhead = rl.overhead(it.epoch) + kHandshakeHeaderLen;
    if (budget <= overhead) throw std::invalid_argument("datagram budget too small for a handshake record");
    auto frags = fragment_message(it.type, it.message_seq, it.body, budget - overhead);
    for (auto& frag : frags) emit(rl.protect(ContentType::handshake, it.epoch, frag));
    if (std::exchange(bugs.conflicting_overlap, false))
      emit(rl.protect(ContentType::handshake, it.epoch, inverted_copy(frags.back())));
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

}  // namespace wireproof::dtls
