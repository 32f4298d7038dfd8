#include <gtest/gtest.h>

#include <sstream>
#include <thread>

#include "peers/common/event_emitter.hpp"
#include "peers/common/library_timer.hpp"
#include "peers/common/timer_events.hpp"

using namespace wireproof::peers;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {
// A library that, like GnuTLS, reports whole milliseconds left until its deadline (0 when due).
ArmedDeadline::TimeLeft ms_left_until(const std::optional<Clock::time_point>& deadline) {
  return [&deadline]() -> std::optional<std::chrono::microseconds> {
    if (!deadline) return std::nullopt;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now());
    return left.count() > 0 ? left : 0ms;
  };
}

double abs_ms(Clock::duration d) { return std::abs(std::chrono::duration<double, std::milli>(d).count()); }
}  // namespace

TEST(ArmedDeadline, NoTimerRunningIsNullopt) {
  ArmedDeadline a;
  std::optional<Clock::time_point> none;
  EXPECT_FALSE(a.observe(ms_left_until(none)));
}

TEST(ArmedDeadline, KeepsTheArmedDeadlineThenReportsItDue) {
  ArmedDeadline a;
  std::optional<Clock::time_point> lib = Clock::now() + 40ms;
  auto first = a.observe(ms_left_until(lib));
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->due);
  EXPECT_LT(abs_ms(first->deadline - *lib), 2.5);
  std::this_thread::sleep_for(10ms);
  auto later = a.observe(ms_left_until(lib));
  ASSERT_TRUE(later);
  EXPECT_LT(abs_ms(later->deadline - *lib), 2.5) << "the same arming, read again, keeps its deadline";
  std::this_thread::sleep_until(*lib + 5ms);
  auto due = a.observe(ms_left_until(lib));
  ASSERT_TRUE(due);
  EXPECT_TRUE(due->due);
  EXPECT_LT(abs_ms(due->deadline - *lib), 2.5) << "due reports the deadline it was armed for, not the wake-up";
}

TEST(ArmedDeadline, ARearmedTimerGetsItsNewDeadline) {
  ArmedDeadline a;
  std::optional<Clock::time_point> lib = Clock::now() + 100ms;
  ASSERT_TRUE(a.observe(ms_left_until(lib)));
  lib = Clock::now() + 200ms;  // resent and doubled
  auto t = a.observe(ms_left_until(lib));
  ASSERT_TRUE(t);
  EXPECT_LT(abs_ms(t->deadline - *lib), 2.5);
  lib = Clock::now() + 50ms;  // a new flight: reset to a shorter timer
  t = a.observe(ms_left_until(lib));
  ASSERT_TRUE(t);
  EXPECT_LT(abs_ms(t->deadline - *lib), 2.5);
  lib.reset();  // stopped
  EXPECT_FALSE(a.observe(ms_left_until(lib)));
}

TEST(TimerEvents, OneEventPerDeadlineWithTheDeadlineOnTheEventsClock) {
  std::ostringstream out;
  const auto start = Clock::now() - 1000ms;
  EventEmitter ev(out, start);
  TimerEvents timers(ev);
  LibraryTimer t{start + 900ms, true, std::chrono::microseconds(200'000)};
  timers.expiry_handed(t);
  timers.expiry_handed(t);  // seen again before the library acted: not a second expiry
  LibraryTimer next{start + 1100ms, true, std::nullopt};
  timers.expiry_handed(next);
  std::istringstream lines(out.str());
  std::vector<nlohmann::json> events;
  for (std::string line; std::getline(lines, line);) events.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["event"], "timer");
  EXPECT_DOUBLE_EQ(events[0]["deadline_ms"].get<double>(), 900.0);
  EXPECT_DOUBLE_EQ(events[0]["timer_ms"].get<double>(), 200.0);
  EXPECT_GE(events[0]["t_ms"].get<double>(), 1000.0) << "t_ms is when the driver woke: now";
  EXPECT_DOUBLE_EQ(events[1]["deadline_ms"].get<double>(), 1100.0);
  EXPECT_FALSE(events[1].contains("timer_ms")) << "no value is invented where the library does not say";
}
