// How busy the host was during a run, for result.json's `host` block: a
// verdict on timing means little without it. Linux PSI (/proc/pressure/cpu:
// the share of time runnable tasks waited for a CPU) and /proc/loadavg, read
// at the start and the end of the run.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace wireproof::runner {

struct CpuPressure {
  double some_avg10 = 0;          // % of the last 10 s some task waited for a CPU
  std::uint64_t some_total_us = 0;  // cumulative waiting time since boot
};

struct HostSample {
  std::chrono::steady_clock::time_point at;
  std::optional<CpuPressure> cpu;                // absent: kernel without PSI
  std::optional<std::array<double, 3>> loadavg;  // 1, 5, 15 min
};

// Parsers for the two files' text (nullopt when it is not in the kernel's format).
std::optional<CpuPressure> parse_cpu_pressure(const std::string& text);
std::optional<std::array<double, 3>> parse_loadavg(const std::string& text);

HostSample sample_host(const std::filesystem::path& proc = "/proc");

// result.json's `host`: pressure at the start and end, and the waiting time
// accumulated over the run as a share of its wall time.
nlohmann::json host_json(const HostSample& start, const HostSample& end);

}  // namespace wireproof::runner
