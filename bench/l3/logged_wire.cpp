#include "bench/l3/logged_wire.hpp"

#include <pthread.h>
#include <sys/resource.h>
#include <time.h>

#include <chrono>
#include <stdexcept>
#include <string_view>
#include <variant>

namespace wireproof::bench::l3 {

std::uint64_t packet_fingerprint(const std::uint8_t* data, std::size_t captured, std::size_t length) {
  const std::string_view head(reinterpret_cast<const char*>(data), std::min(captured, kFingerprintBytes));
  return std::hash<std::string_view>{}(head) ^ (std::uint64_t{length} * 0x9e3779b97f4a7c15ULL);
}

scenario::Scenario LoggedWire::empty_tcp_scenario() {
  scenario::Scenario sc;
  sc.name = "l3-bench";
  sc.protocol = "tcp";
  sc.wire = scenario::Wire::l3;
  return sc;
}

LoggedWire::LoggedWire(const wire::l3::L3Topology& topo, const std::filesystem::path& events_file)
    : scenario_(empty_tcp_scenario()),
      file_(events_file),
      out_(events_file.empty() ? std::ofstream() : std::ofstream(events_file)),
      link_(scenario_, 1,
            [this](events::Event&& e) {
              if (const auto* d = std::get_if<events::Datagram>(&e))
                packets_.push_back({d->dir == "c2s" ? wire::Dir::c2s : wire::Dir::s2c, d->t_us,
                                    d->deliveries_us.empty() ? -1 : d->deliveries_us.front(),
                                    packet_fingerprint(d->packet.data(), d->packet.size(), d->packet.size())});
              if (out_.is_open()) writer_->add(std::move(e));
            },
            wire::PayloadCut::by_writer),  // as the runner's Link
      relay_(link_, topo.wire_fd(wire::Dir::c2s), topo.wire_fd(wire::Dir::s2c)) {
  if (!events_file.empty() && !out_) throw std::runtime_error(events_file.string() + ": cannot write");
  // As the runner's writer: it keeps every event it wrote (the run's log for judging).
  if (out_.is_open())
    writer_.emplace(out_, events::EventWriter::kDefaultMaxQueuedBytes, events::EventWriter::Keep::written);
  // As the runner's L3 wire setup maps the run's clock for the capture.
  t0_unix_us_ =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count() -
      relay_.now_us();
  thread_ = std::thread([this] {
    ::pthread_setname_np(::pthread_self(), "wp-wire");  // so perf and top tell it from the writer
    wire::run_relay_until(relay_, [this] { return stop_.load(); }, INT64_MAX);
    timespec cpu{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
    thread_cpu_s_ = static_cast<double>(cpu.tv_sec) + static_cast<double>(cpu.tv_nsec) / 1e9;
    rusage usage{};
    ::getrusage(RUSAGE_THREAD, &usage);
    thread_minor_faults_ = static_cast<std::uint64_t>(usage.ru_minflt);
  });
}

void LoggedWire::stop() {
  if (stopped_) return;
  stopped_ = true;
  stop_ = true;
  thread_.join();
  stopped_us_ = relay_.now_us();
  link_.finish(stopped_us_);
  // The events a run would judge: let go (the benchmark judges nothing).
  if (writer_) writer_->take_written();
  out_.flush();
}

LoggedWire::~LoggedWire() { stop(); }

const std::vector<PacketTimes>& LoggedWire::packets() const { return packets_; }

std::uintmax_t LoggedWire::events_file_bytes() const { return file_.empty() ? 0 : std::filesystem::file_size(file_); }

}  // namespace wireproof::bench::l3
