// For tests only: one peer process speaking the contract, its stdout read as
// JSON lines and its stderr written to a file (a chatty peer, e.g. a stock
// tool at -d 5, would block on an undrained pipe).
//
//   TestPeer server({WP_PEER_OPENSSL, "--role", "server", ...}, dir / "server.err");
//   json ready = server.next_event();
//   int rc = server.finish();
//   EXPECT_EQ(rc, 0) << server.transcript();
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include <boost/process.hpp>
#include <nlohmann/json.hpp>

namespace wireproof::peers::testing {

class TestPeer {
 public:
  // argv[0] is the executable.
  TestPeer(const std::vector<std::string>& argv, const std::filesystem::path& stderr_file)
      : stderr_file_(stderr_file),
        child_(boost::process::exe = argv.at(0),
               boost::process::args = std::vector<std::string>(argv.begin() + 1, argv.end()),
               boost::process::std_out > out_, boost::process::std_err > stderr_file.string(),
               boost::process::std_in < boost::process::null) {}
  ~TestPeer() {
    if (child_.running()) child_.terminate();
  }
  TestPeer(const TestPeer&) = delete;
  TestPeer& operator=(const TestPeer&) = delete;

  // The next stdout line as JSON (blocks); null at end of output.
  nlohmann::json next_event() {
    std::string line;
    if (!std::getline(out_, line)) return nlohmann::json();
    auto e = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    EXPECT_TRUE(e.is_object()) << "not a JSON object on stdout: " << line;
    events_.push_back(e);
    return e;
  }

  // Waits for exit (killing the peer after `limit`: a peer must never hang),
  // reads what is left on stdout, and returns the exit code.
  int finish(std::chrono::seconds limit = std::chrono::seconds(30)) {
    // Polls running(): Boost 1.74's wait_for may sleep the whole limit even
    // when the child has already exited.
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (child_.running() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (child_.running()) {
      child_.terminate();
      ADD_FAILURE() << "peer still running after " << limit.count() << " s: a peer must never hang";
    }
    child_.wait();
    while (!next_event().is_null()) {
    }
    return child_.exit_code();
  }

  // The last event of that name, or null.
  nlohmann::json event(const std::string& name) const {
    for (auto it = events_.rbegin(); it != events_.rend(); ++it)
      if (it->is_object() && it->value("event", "") == name) return *it;
    return nlohmann::json();
  }
  const std::vector<nlohmann::json>& events() const { return events_; }
  // For tests that signal the peer (SIGTERM = the harness ending the run).
  int pid() const { return child_.id(); }

  // Every event, then the end of stderr (the end says why).
  std::string transcript() const {
    std::string s;
    for (const auto& e : events_) s += e.dump() + "\n";
    std::ifstream err(stderr_file_);
    std::string tail((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
    if (tail.size() > 8000) tail = "..." + tail.substr(tail.size() - 8000);
    return s + "--- stderr (" + stderr_file_.string() + ") ---\n" + tail;
  }

 private:
  std::filesystem::path stderr_file_;
  boost::process::ipstream out_;
  boost::process::child child_;
  std::vector<nlohmann::json> events_;
};

}  // namespace wireproof::peers::testing
