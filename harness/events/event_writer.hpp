// Writes events.jsonl on a thread of its own, so the wire's thread only hands
// each event over: serialising a packet event (~4.7 KB of JSON, most of it
// hex, for a full-sized TCP segment) cost 40-50 us of CPU (24-34 us since
// write_jsonl_line writes the hex straight to the stream), which on the wire's
// thread made the L3 wire CPU-bound at ~100 Mbit/s and delayed every read
// time behind it (bench/l3: 0.12-0.20x of a bare copy loop).
//
// The thread runs at SCHED_IDLE: it writes whenever a core would otherwise be
// idle, and under a bulk transfer that keeps both cores busy it waits, so the
// log's CPU is not taken from the stacks under test (on 2 cores, a writer
// competing at normal priority held the wire at ~0.5x of the copy loop). The
// queue is bounded: past `max_queued_bytes` the thread runs at normal
// priority until the queue is down to half of it, so memory stays bounded and
// nothing is dropped. Lines keep the order events were added in; close() (or
// the destructor) writes the rest at normal priority.
//
// An idle-priority thread must never hold a lock the wire's thread waits for
// (preempted inside it, it may not run again for a long while, stalling the
// wire). So add() only try_locks the queue: when the writer holds it, the
// event waits in a staging list that only adders touch, moved over by the
// next add() or by close().
//
// Events are moved in, never copied (an L3 packet event holds ~3 KB of bytes).
// With Keep::written the thread keeps each event after writing it, and
// take_written() hands them over: the runner judges those, so one copy of each
// event serves both the file and the checks. A datagram whose payload the wire
// left uncut (Datagram::pending_payload) is written from its packet and cut
// here before it is kept, so what take_written() returns is always whole.
#pragma once

#include <pthread.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <ostream>
#include <thread>
#include <vector>

#include "harness/events/event_log.hpp"

namespace wireproof::events {

class EventWriter {
 public:
  static constexpr std::size_t kDefaultMaxQueuedBytes = std::size_t{256} << 20;
  static constexpr std::size_t kWakeBatch = 256;  // events queued before the writer is woken

  enum class Keep { none, written };  // written: keep every event for take_written()

  explicit EventWriter(std::ostream& out, std::size_t max_queued_bytes = kDefaultMaxQueuedBytes,
                       Keep keep = Keep::none);
  ~EventWriter() { close(); }
  EventWriter(const EventWriter&) = delete;
  EventWriter& operator=(const EventWriter&) = delete;

  void add(Event e);  // pass an rvalue: the event is moved, not copied
  // Writes everything added so far and stops the thread; idempotent.
  void close();
  // Closes, then hands over every event written, in order (Keep::written;
  // empty otherwise). Once: a second call returns nothing.
  std::vector<Event> take_written();

  // How often the queue reached its bound (the writer then ran at normal priority).
  std::size_t times_bound_reached() const;
  // Lines written so far (any thread may ask: bench/l3 counts those written during a transfer).
  std::size_t lines_written() const { return lines_written_.load(); }

 private:
  void run();
  static void set_priority(pthread_t thread, bool idle);  // SCHED_IDLE or SCHED_OTHER

  void move_staged();  // adders_ and mutex_ held

  std::ostream& out_;
  const std::size_t max_queued_bytes_;
  const Keep keep_;
  std::vector<Event> written_;  // Keep::written: the writer thread's until join
  std::mutex adders_;  // guards staged_; never taken by the writer thread
  std::deque<Event> staged_;
  mutable std::mutex mutex_;  // guards the rest
  std::condition_variable wake_;
  std::deque<Event> queue_;
  std::size_t queued_bytes_ = 0;
  std::atomic<std::size_t> lines_written_{0};
  bool wake_sent_ = false;  // notified since the writer last took a batch: no second futex call
  bool urgent_ = false;  // running at normal priority to drain a full queue or on close
  std::size_t bound_reached_ = 0;
  bool closed_ = false;
  std::thread thread_;
};

// About how much memory an event holds (its byte vectors and a fixed overhead).
std::size_t approx_bytes(const Event& e);

}  // namespace wireproof::events
