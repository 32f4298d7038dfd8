// Writes events.jsonl on a thread of its own, so the wire's thread only hands
// each event over: serialising a packet event (to_json + dump, ~4.7 KB of hex
// for a full-sized TCP segment) costs 40-50 us of CPU, which on the wire's
// thread made the L3 wire CPU-bound at ~100 Mbit/s and delayed every read
// time behind it (bench/l3: 0.12-0.20x of a bare copy loop). Lines keep the
// order events were added in; close() (or the destructor) writes the rest.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <ostream>
#include <thread>

#include "harness/events/event_log.hpp"

namespace wireproof::events {

class EventWriter {
 public:
  explicit EventWriter(std::ostream& out) : out_(out), thread_([this] { run(); }) {}
  ~EventWriter() { close(); }
  EventWriter(const EventWriter&) = delete;
  EventWriter& operator=(const EventWriter&) = delete;

  void add(const Event& e) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(e);
    }
    wake_.notify_one();
  }

  // Writes everything added so far and stops the thread; idempotent.
  void close() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (closed_) return;
      closed_ = true;
    }
    wake_.notify_one();
    thread_.join();
    out_.flush();
  }

 private:
  void run() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return closed_ || !queue_.empty(); });
      std::deque<Event> batch;
      batch.swap(queue_);
      const bool last = closed_;
      lock.unlock();
      for (const auto& e : batch) write_jsonl_line(out_, e);
      lock.lock();
      if (last && queue_.empty()) return;
    }
  }

  std::ostream& out_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Event> queue_;
  bool closed_ = false;
  std::thread thread_;
};

}  // namespace wireproof::events
