#include "harness/events/event_writer.hpp"

#include <pthread.h>
#include <sched.h>

#include <utility>

namespace wireproof::events {

std::size_t approx_bytes(const Event& e) {
  constexpr std::size_t kOverhead = 512;  // the struct, its strings, records and actions
  // A payload still to be cut counts already, so an event weighs the same before and after the cut.
  if (const auto* d = std::get_if<Datagram>(&e))
    return kOverhead + d->payload.size() + d->packet.size() + (d->pending_payload ? d->pending_payload->length : 0);
  return kOverhead;
}

EventWriter::EventWriter(std::ostream& out, std::size_t max_queued_bytes, Keep keep)
    : out_(out), max_queued_bytes_(max_queued_bytes), keep_(keep), thread_([this] { run(); }) {}

void EventWriter::set_priority(pthread_t thread, bool idle) {
  sched_param p{};
  // Lowering to SCHED_IDLE needs no privilege; raising back to SCHED_OTHER
  // from SCHED_IDLE is allowed for an unprivileged thread when RLIMIT_NICE
  // permits its nice value (Linux 2.6.39+), which is the default nice 0.
  // A refusal leaves the thread where it is: slower, never wrong.
  (void)pthread_setschedparam(thread, idle ? SCHED_IDLE : SCHED_OTHER, &p);
}

void EventWriter::move_staged() {
  while (!staged_.empty()) {
    queued_bytes_ += approx_bytes(staged_.front());
    queue_.push_back(std::move(staged_.front()));
    staged_.pop_front();
  }
  if (!urgent_ && queued_bytes_ > max_queued_bytes_) {
    urgent_ = true;
    ++bound_reached_;
    set_priority(thread_.native_handle(), false);
  }
}

void EventWriter::add(Event e) {
  std::lock_guard<std::mutex> adding(adders_);
  staged_.push_back(std::move(e));
  std::unique_lock<std::mutex> lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return;  // the writer is taking a batch: the next add() moves this one
  move_staged();
  // Waking the writer costs a futex call; once per batch is enough (the rest
  // waits in memory until close(), which writes everything).
  const bool wake = !wake_sent_ && (queue_.size() >= kWakeBatch || urgent_);
  wake_sent_ = wake_sent_ || wake;
  lock.unlock();
  if (wake) wake_.notify_one();
}

void EventWriter::close() {
  {
    std::lock_guard<std::mutex> adding(adders_);
    // First, so a writer preempted while holding the queue's lock runs again soon.
    if (thread_.joinable()) set_priority(thread_.native_handle(), false);
    std::unique_lock<std::mutex> lock(mutex_);
    if (closed_) return;
    closed_ = true;
    urgent_ = true;
    move_staged();
  }
  wake_.notify_one();
  thread_.join();
  out_.flush();
}

std::vector<Event> EventWriter::take_written() {
  close();  // joins the thread: written_ is this thread's now
  return std::exchange(written_, {});
}

std::size_t EventWriter::times_bound_reached() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bound_reached_;
}

void EventWriter::run() {
  ::pthread_setname_np(::pthread_self(), "wp-events");  // so perf and top tell it from the wire
  std::unique_lock<std::mutex> lock(mutex_);
  if (!urgent_) set_priority(pthread_self(), true);
  for (;;) {
    wake_.wait(lock, [this] { return closed_ || urgent_ || queue_.size() >= kWakeBatch; });
    const bool last = closed_;
    std::deque<Event> batch;
    batch.swap(queue_);
    wake_sent_ = false;  // the next batch gets its own wake-up
    lock.unlock();
    std::size_t written = 0;
    for (auto& e : batch) {
      write_jsonl_line(out_, e);
      written += approx_bytes(e);
      if (keep_ == Keep::written) {
        // The checks read `payload`: cut here, on this thread, what the wire's thread left (PayloadCut::by_writer).
        if (auto* d = std::get_if<Datagram>(&e)) d->cut_pending_payload();
        written_.push_back(std::move(e));
      }
    }
    lines_written_ += batch.size();
    lock.lock();
    queued_bytes_ -= written;
    if (urgent_ && !closed_ && queued_bytes_ <= max_queued_bytes_ / 2) {
      urgent_ = false;
      set_priority(pthread_self(), true);
    }
    if (last && queue_.empty()) return;
  }
}

}  // namespace wireproof::events
