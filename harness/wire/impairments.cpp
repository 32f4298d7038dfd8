#include "harness/wire/impairments.hpp"

#include <cmath>

#include <fmt/format.h>

#include "harness/wire/tcp_impairments.hpp"

namespace wireproof::wire {
namespace {

std::int64_t ms_to_us(double ms) { return static_cast<std::int64_t>(std::llround(ms * 1000.0)); }

}  // namespace

void DropImpairment::apply(const std::string& rule, Transit& t, Rng&) {
  t.copies.clear();
  t.record(rule, "drop", "");
}

void DuplicateImpairment::apply(const std::string& rule, Transit& t, Rng&) {
  if (t.copies.empty() || p_.copies <= 0) return;
  const Copy original = t.copies.front();
  for (int k = 1; k <= p_.copies; ++k)
    t.copies.push_back({original.bytes, original.due_us + ms_to_us(k * p_.gap_ms)});
  t.duplicated = true;
  t.record(rule, "duplicate", fmt::format("{} extra cop{}, gap {} ms", p_.copies,
                                          p_.copies == 1 ? "y" : "ies", p_.gap_ms));
}

void DelayImpairment::apply(const std::string& rule, Transit& t, Rng& rng) {
  const double ms = p_.ms + (p_.jitter_ms > 0 ? rng.uniform01() * p_.jitter_ms : 0.0);
  const std::int64_t us = ms_to_us(ms);
  for (auto& c : t.copies) c.due_us += us;
  t.delayed = t.delayed || us > 0;  // a 0 us draw delayed nothing
  t.record(rule, "delay", fmt::format("{} us", us));
}

void ReorderImpairment::apply(const std::string& rule, Transit& t, Rng&) {
  t.hold = HoldRequest{p_.hold, t.now_us + ms_to_us(p_.max_hold_ms)};
  t.record(rule, "reorder",
           fmt::format("held until {} later datagrams pass or {} ms", p_.hold, p_.max_hold_ms));
}

void CorruptImpairment::apply(const std::string& rule, Transit& t, Rng& rng) {
  const std::size_t size = t.event.size;
  if (size == 0) {
    t.record(rule, "corrupt", "empty datagram: nothing to corrupt");
    return;
  }
  const std::size_t offset = p_.offset ? *p_.offset : static_cast<std::size_t>(rng.below(size));
  if (offset >= size) {
    t.record(rule, "corrupt", fmt::format("offset {} beyond size {}: unchanged", offset, size));
    return;
  }
  // On the L3 wire the copy is the whole packet: flip the payload byte inside it, so the
  // transport checksum fails and the receiver's stack discards it, as after a real bit error.
  for (auto& c : t.copies) c.bytes[t.payload_offset + offset] ^= p_.xor_mask;
  t.corrupted = true;
  const std::uint8_t before = t.event.payload_bytes()[offset];  // the arrival's byte, wherever the payload is kept
  t.record(rule, "corrupt",
           fmt::format("offset {} xor 0x{:02x}: 0x{:02x} -> 0x{:02x}", offset, p_.xor_mask, before,
                       static_cast<std::uint8_t>(before ^ p_.xor_mask)));
}

void BurstLossImpairment::apply(const std::string& rule, Transit& t, Rng& rng) {
  bool& bad = bad_[t.dir == Dir::c2s ? 0 : 1];  // one chain per direction
  const bool was_bad = bad;
  const bool lose = rng.uniform01() < (bad ? p_.loss_bad : p_.loss_good);
  const double step = rng.uniform01();
  bad = bad ? !(step < p_.r) : step < p_.p;
  if (!lose) return;
  t.copies.clear();
  t.record(rule, "drop", fmt::format("burst_loss: {} state", was_bad ? "bad" : "good"));
}

std::unique_ptr<Impairment> make_impairment(const scenario::Action& action) {
  struct Factory {
    std::unique_ptr<Impairment> operator()(const scenario::Drop&) { return std::make_unique<DropImpairment>(); }
    std::unique_ptr<Impairment> operator()(const scenario::Duplicate& p) { return std::make_unique<DuplicateImpairment>(p); }
    std::unique_ptr<Impairment> operator()(const scenario::Delay& p) { return std::make_unique<DelayImpairment>(p); }
    std::unique_ptr<Impairment> operator()(const scenario::Reorder& p) { return std::make_unique<ReorderImpairment>(p); }
    std::unique_ptr<Impairment> operator()(const scenario::Corrupt& p) { return std::make_unique<CorruptImpairment>(p); }
    std::unique_ptr<Impairment> operator()(const scenario::BurstLoss& p) { return std::make_unique<BurstLossImpairment>(p); }
    std::unique_ptr<Impairment> operator()(const scenario::Reset&) { return std::make_unique<ResetImpairment>(); }
    std::unique_ptr<Impairment> operator()(const scenario::RewriteWindow& p) { return std::make_unique<RewriteWindowImpairment>(p); }
  };
  return std::visit(Factory{}, action);
}

}  // namespace wireproof::wire
