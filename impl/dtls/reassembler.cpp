#include "impl/dtls/reassembler.hpp"

#include <algorithm>

namespace wireproof::dtls {

bool Reassembler::add_range(Partial& p, std::uint32_t begin, std::uint32_t end) {
  if (begin == end && !p.body.empty()) return true;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> merged;
  merged.reserve(p.have.size() + 1);
  auto all = p.have;
  all.insert(std::upper_bound(all.begin(), all.end(), std::make_pair(begin, end)), {begin, end});
  for (auto r : all) {
    if (!merged.empty() && r.first <= merged.back().second)
      merged.back().second = std::max(merged.back().second, r.second);
    else
      merged.push_back(r);
  }
  if (merged.size() > kMaxRanges) return false;
  p.have = std::move(merged);
  return true;
}

std::size_t Reassembler::ranges_in_use() const {
  std::size_t n = 0;
  for (const auto& [seq, p] : partial_) n += p.have.size();
  return n;
}

Reassembler::Outcome Reassembler::add(const HandshakeHeader& h, crypto::ByteView fragment) {
  if (static_cast<std::uint16_t>(h.message_seq - next_seq_) >= 0x8000) return Outcome::old;
  if (h.message_seq - next_seq_ >= kWindow) return Outcome::dropped;
  auto it = partial_.find(h.message_seq);
  if (it == partial_.end()) {
    if (h.length > limit_) {
      error_ = "handshake message " + std::to_string(h.message_seq) + " declares " + std::to_string(h.length) +
               " bytes, above the reassembly bound of " + std::to_string(limit_);
      return Outcome::error;
    }
    if (in_use_ + h.length > limit_) {
      if (h.message_seq != next_seq_) return Outcome::dropped;
      // The message we need next wins: evict buffered future messages.
      for (auto& [seq, p] : partial_) in_use_ -= p.body.size();
      partial_.clear();
    }
    Partial p;
    p.type = h.type;
    p.body.assign(h.length, 0);
    in_use_ += h.length;
    it = partial_.emplace(h.message_seq, std::move(p)).first;
  }
  Partial& p = it->second;
  if (p.type != h.type || p.body.size() != h.length) {
    error_ = "fragments of handshake message " + std::to_string(h.message_seq) + " disagree on type or length";
    // Which one is wrong cannot be told: forget the partial message too, so a forged first
    // fragment cannot make every genuine one disagree for good (the peer resends them).
    in_use_ -= p.body.size();
    partial_.erase(it);
    return Outcome::error;
  }
  if (!add_range(p, h.frag_offset, h.frag_offset + h.frag_length)) return Outcome::dropped;
  std::copy(fragment.begin(), fragment.end(), p.body.begin() + h.frag_offset);
  return Outcome::accepted;
}

std::optional<HandshakeMessage> Reassembler::next() {
  auto it = partial_.find(next_seq_);
  if (it == partial_.end() || !it->second.complete()) return std::nullopt;
  HandshakeMessage m{it->second.type, next_seq_, std::move(it->second.body)};
  in_use_ -= m.body.size();
  partial_.erase(it);
  ++next_seq_;
  return m;
}

}  // namespace wireproof::dtls
