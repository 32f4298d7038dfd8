#include "harness/runner/host_pressure.hpp"

#include <fstream>
#include <sstream>
#include <thread>

namespace wireproof::runner {

using nlohmann::json;

namespace {
std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return in ? s.str() : std::string();
}
}  // namespace

// "some avg10=1.23 avg60=0.50 avg300=0.10 total=123456\nfull ..." (Documentation/accounting/psi.rst)
std::optional<CpuPressure> parse_cpu_pressure(const std::string& text) {
  std::istringstream in(text);
  std::string kind;
  while (in >> kind) {
    std::string line;
    std::getline(in, line);
    if (kind != "some") continue;
    CpuPressure p;
    bool avg = false, total = false;
    std::istringstream fields(line);
    for (std::string f; fields >> f;) {
      try {
        if (f.rfind("avg10=", 0) == 0) p.some_avg10 = std::stod(f.substr(6)), avg = true;
        if (f.rfind("total=", 0) == 0) p.some_total_us = std::stoull(f.substr(6)), total = true;
      } catch (const std::exception&) {
        return std::nullopt;
      }
    }
    if (avg && total) return p;
    return std::nullopt;
  }
  return std::nullopt;
}

// "0.52 0.58 0.59 1/189 12345"
std::optional<std::array<double, 3>> parse_loadavg(const std::string& text) {
  std::istringstream in(text);
  std::array<double, 3> l{};
  if (!(in >> l[0] >> l[1] >> l[2])) return std::nullopt;
  return l;
}

HostSample sample_host(const std::filesystem::path& proc) {
  return {std::chrono::steady_clock::now(), parse_cpu_pressure(slurp(proc / "pressure" / "cpu")),
          parse_loadavg(slurp(proc / "loadavg"))};
}

json host_json(const HostSample& start, const HostSample& end) {
  const double wall_us = std::chrono::duration<double, std::micro>(end.at - start.at).count();
  json cpu = nullptr;
  if (start.cpu && end.cpu) {
    const auto waited = end.cpu->some_total_us >= start.cpu->some_total_us
                            ? end.cpu->some_total_us - start.cpu->some_total_us : 0;
    cpu = {{"source", "/proc/pressure/cpu some"},
           {"avg10_start", start.cpu->some_avg10},
           {"avg10_end", end.cpu->some_avg10},
           {"total_us_delta", waited},
           // The share of the run during which some task waited for a CPU (0..1).
           {"share_of_run", wall_us > 0 ? std::min(1.0, static_cast<double>(waited) / wall_us) : 0.0}};
  }
  auto load = [](const std::optional<std::array<double, 3>>& l) { return l ? json(*l) : json(nullptr); };
  return {{"cpus", std::thread::hardware_concurrency()},
          {"cpu_pressure", cpu},
          {"loadavg_start", load(start.loadavg)},
          {"loadavg_end", load(end.loadavg)}};
}

}  // namespace wireproof::runner
