#include "harness/wire/event_buffer.hpp"

#include <stdexcept>

namespace wireproof::wire {

std::uint64_t EventBuffer::add(events::Event e, bool complete) {
  const std::uint64_t i = next_++;
  std::visit([i](auto& ev) { ev.i = i; }, e);
  if (pending_.empty()) first_ = i;
  pending_.push_back({std::move(e), complete});
  return i;
}

events::Datagram& EventBuffer::datagram(std::uint64_t i) {
  if (i < first_ || i - first_ >= pending_.size())
    throw std::logic_error("EventBuffer: event " + std::to_string(i) + " was already emitted");
  return std::get<events::Datagram>(pending_[i - first_].event);
}

void EventBuffer::complete(std::uint64_t i) {
  if (i < first_ || i - first_ >= pending_.size())
    throw std::logic_error("EventBuffer: event " + std::to_string(i) + " was already emitted");
  pending_[i - first_].complete = true;
}

void EventBuffer::flush() {
  while (!pending_.empty() && pending_.front().complete) {
    if (sink_) sink_(std::move(pending_.front().event));
    pending_.pop_front();
    ++first_;
  }
}

}  // namespace wireproof::wire
