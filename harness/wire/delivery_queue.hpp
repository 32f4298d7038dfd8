// Deliveries waiting for their due time: earliest first, FIFO among equal times.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "harness/wire/link.hpp"

namespace wireproof::wire {

class DeliveryQueue {
 public:
  void push(Delivery d) {
    heap_.push_back({std::move(d), next_seq_++});
    std::push_heap(heap_.begin(), heap_.end(), later);
  }
  std::optional<std::int64_t> next_due_us() const {
    if (heap_.empty()) return std::nullopt;
    return heap_.front().delivery.due_us;
  }
  std::optional<Delivery> pop_due(std::int64_t now_us) {
    if (heap_.empty() || heap_.front().delivery.due_us > now_us) return std::nullopt;
    std::pop_heap(heap_.begin(), heap_.end(), later);
    Delivery d = std::move(heap_.back().delivery);
    heap_.pop_back();
    return d;
  }
  std::size_t size() const { return heap_.size(); }

 private:
  struct Entry {
    Delivery delivery;
    std::uint64_t seq;
  };
  // Heap order: the "largest" element is the earliest (due, seq).
  static bool later(const Entry& a, const Entry& b) {
    if (a.delivery.due_us != b.delivery.due_us) return a.delivery.due_us > b.delivery.due_us;
    return a.seq > b.seq;
  }
  std::vector<Entry> heap_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace wireproof::wire
