// Test helper: one wireproof-stock process started from the test, its JSON
// events collected as they arrive (stock_integration_test, stock_tls_test).
// Needs WIREPROOF_STOCK_EXE and WIREPROOF_REGISTRY defined by CMake.
#pragma once

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "peers/common/line_frame.hpp"
#include "peers/stock/tool_process.hpp"

namespace wireproof::stock {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A running wireproof-stock, its JSON events collected as they come.
class Wrapper {
 public:
  Wrapper(const std::string& tool, std::vector<std::string> args) {
    std::vector<std::string> argv{WIREPROOF_STOCK_EXE, "--registry", WIREPROOF_REGISTRY, "--tool", tool};
    argv.insert(argv.end(), args.begin(), args.end());
    proc_.emplace(argv);
  }

  pid_t pid() const { return proc_->pid(); }

  // Reads until an event named `name` shows up; nullopt after `limit`.
  std::optional<json> wait_event(const std::string& name, milliseconds limit = milliseconds(10'000)) {
    const auto until = Clock::now() + limit;
    for (;;) {
      for (const auto& e : events_)
        if (e.value("event", "") == name) return e;
      if (Clock::now() >= until || eof_) return std::nullopt;
      pump(milliseconds(50));
    }
  }

  // Drains output until the wrapper exits; its exit code, or -1 after `limit`.
  int wait_exit(milliseconds limit = milliseconds(20'000)) {
    const auto until = Clock::now() + limit;
    while (Clock::now() < until) {
      pump(milliseconds(50));
      if (eof_) {
        if (auto st = proc_->poll_exit()) return WIFEXITED(*st) ? WEXITSTATUS(*st) : 128 + WTERMSIG(*st);
      }
    }
    return -1;
  }

  std::optional<json> event(const std::string& name) const {
    for (const auto& e : events_)
      if (e.value("event", "") == name) return e;
    return std::nullopt;
  }
  const std::vector<json>& events() const { return events_; }
  std::string log() const {
    std::string s;
    for (const auto& e : events_) s += e.dump() + "\n";
    return s + "--- stderr ---\n" + stderr_;
  }

 private:
  void pump(milliseconds wait) {
    pollfd fds[2] = {{proc_->stdout_fd(), POLLIN, 0}, {proc_->stderr_fd(), POLLIN, 0}};
    ::poll(fds, 2, static_cast<int>(wait.count()));
    char buf[8192];
    ssize_t n;
    while ((n = ::read(proc_->stderr_fd(), buf, sizeof buf)) > 0) stderr_.append(buf, static_cast<std::size_t>(n));
    while ((n = ::read(proc_->stdout_fd(), buf, sizeof buf)) > 0) {
      for (auto& line : lines_.feed(std::string_view(buf, static_cast<std::size_t>(n)))) {
        auto j = json::parse(line, nullptr, false);
        // The contract: every stdout line is a JSON object.
        EXPECT_TRUE(j.is_object()) << "not a JSON object on stdout: " << line;
        if (j.is_object()) events_.push_back(std::move(j));
      }
    }
    if (n == 0) eof_ = true;
  }

  std::optional<ToolProcess> proc_;
  peers::LineSplitter lines_;
  std::vector<json> events_;
  std::string stderr_;
  bool eof_ = false;
};

}  // namespace wireproof::stock
