#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "harness/runner/host_pressure.hpp"

using namespace wireproof::runner;
namespace fs = std::filesystem;

TEST(HostPressure, ParsesTheKernelsFormats) {
  auto p = parse_cpu_pressure("some avg10=12.50 avg60=3.00 avg300=0.10 total=4567890\n"
                              "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
  ASSERT_TRUE(p);
  EXPECT_DOUBLE_EQ(p->some_avg10, 12.5);
  EXPECT_EQ(p->some_total_us, 4567890u);
  EXPECT_FALSE(parse_cpu_pressure(""));
  EXPECT_FALSE(parse_cpu_pressure("some avg10=x total=1\n"));
  auto l = parse_loadavg("0.52 1.58 2.59 1/189 12345\n");
  ASSERT_TRUE(l);
  EXPECT_DOUBLE_EQ((*l)[1], 1.58);
  EXPECT_FALSE(parse_loadavg("garbage"));
}

TEST(HostPressure, JsonGivesTheWaitingAccumulatedOverTheRun) {
  HostSample a{std::chrono::steady_clock::time_point{}, CpuPressure{10.0, 1'000'000}, std::array<double, 3>{1, 2, 3}};
  HostSample b{a.at + std::chrono::seconds(2), CpuPressure{50.0, 2'000'000}, std::array<double, 3>{4, 5, 6}};
  auto j = host_json(a, b);
  EXPECT_EQ(j["cpu_pressure"]["total_us_delta"], 1'000'000);
  EXPECT_DOUBLE_EQ(j["cpu_pressure"]["share_of_run"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(j["cpu_pressure"]["avg10_end"].get<double>(), 50.0);
  EXPECT_EQ(j["loadavg_start"], nlohmann::json::array({1.0, 2.0, 3.0}));
  EXPECT_EQ(j["loadavg_end"][2], 6.0);
  HostSample no_psi{a.at, std::nullopt, std::nullopt};
  auto k = host_json(no_psi, no_psi);
  EXPECT_TRUE(k["cpu_pressure"].is_null()) << "a kernel without PSI: said so, not zero";
  EXPECT_TRUE(k["loadavg_start"].is_null());
}

TEST(HostPressure, SamplesThisHost) {
  auto s = sample_host();
  ASSERT_TRUE(s.loadavg) << "/proc/loadavg unreadable";
  EXPECT_GE((*s.loadavg)[0], 0.0);
  if (fs::exists("/proc/pressure/cpu")) {
    ASSERT_TRUE(s.cpu) << "/proc/pressure/cpu present but not parsed";
    EXPECT_GE(s.cpu->some_avg10, 0.0);
    EXPECT_LE(s.cpu->some_avg10, 100.0);
  }
  auto missing = sample_host("/nonexistent-proc");
  EXPECT_FALSE(missing.cpu);
  EXPECT_FALSE(missing.loadavg);
}
