// What TunDevice promises, read back from the kernel with ip/tc.
#include "harness/wire/l3/tun_device.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "harness/wire/l3/l3_test_support.hpp"

namespace wireproof::wire::l3 {
namespace {

using test::tool_output;

TEST(TunConfig, AcceptsOnlyTheBenchmarkRange) {
  EXPECT_NO_THROW(validate({"198.18.0.1", "198.18.0.2", 1500}));
  EXPECT_NO_THROW(validate({"198.19.255.254", "198.18.0.2", 68}));
  EXPECT_THROW(validate({"10.0.0.1", "198.18.0.2", 1500}), std::invalid_argument);
  EXPECT_THROW(validate({"198.18.0.1", "198.20.0.2", 1500}), std::invalid_argument);  // just past /15
  EXPECT_THROW(validate({"198.17.255.255", "198.18.0.2", 1500}), std::invalid_argument);
  EXPECT_THROW(validate({"2001:db8::1", "198.18.0.2", 1500}), std::invalid_argument);  // IPv4 only, for now
  EXPECT_THROW(validate({"198.18.0.1", "198.18.0.1", 1500}), std::invalid_argument);
  EXPECT_THROW(validate({"198.18.0.1", "198.18.0.2", 67}), std::invalid_argument);
  EXPECT_THROW(validate({"198.18.0.1", "198.18.0.2", 65536}), std::invalid_argument);
}

std::size_t count_lines(const std::string& s) {
  std::istringstream in(s);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) n += !line.empty();
  return n;
}

TEST(TunDevice, IsConfiguredLikePacketdrill) {
  WP_SKIP_WITHOUT_L3();
  NetNamespace ns;
  TunDevice tun(ns, {"198.18.0.1", "198.18.0.2", 1400});
  ASSERT_GE(tun.fd(), 0);
  const auto& n = ns.name();
  const auto link = tool_output("ip", {"-n", n, "-d", "link", "show", "dev", tun.name()});
  EXPECT_NE(link.find("mtu 1400"), std::string::npos) << link;
  EXPECT_NE(link.find(",UP,"), std::string::npos) << link;
  EXPECT_NE(link.find("tun type tun pi off vnet_hdr off"), std::string::npos) << link;

  const auto addrs = tool_output("ip", {"-n", n, "-o", "addr", "show", "dev", tun.name()});
  EXPECT_NE(addrs.find("inet 198.18.0.1/15"), std::string::npos) << addrs;
  EXPECT_EQ(addrs.find("inet6"), std::string::npos) << "no IPv6 link-local expected:\n" << addrs;
  EXPECT_EQ(count_lines(addrs), 1u) << addrs;

  // Exactly one route in the whole main table: to the peer. No default, no /15 prefix route.
  const auto routes = tool_output("ip", {"-n", n, "route", "show"});
  EXPECT_EQ(routes, "198.18.0.2 dev " + tun.name() + " scope link \n");
  EXPECT_THROW(tool_output("ip", {"-n", n, "route", "get", "192.0.2.1"}), std::runtime_error) << "a route out exists";

  const auto qdisc = tool_output("tc", {"-n", n, "qdisc", "show", "dev", tun.name()});
  EXPECT_EQ(qdisc.rfind("qdisc pfifo ", 0), 0u) << qdisc;
}

TEST(TunDevice, RefusesAnAddressOutsideTheRangeBeforeTouchingTheKernel) {
  WP_SKIP_WITHOUT_L3();
  NetNamespace ns;
  EXPECT_THROW(TunDevice(ns, {"192.0.2.1", "198.18.0.2", 1500}), std::invalid_argument);
  EXPECT_THROW(tool_output("ip", {"-n", ns.name(), "link", "show", "dev", ns.name()}), std::runtime_error)
      << "the device was created although the address was refused";
}

}  // namespace
}  // namespace wireproof::wire::l3
