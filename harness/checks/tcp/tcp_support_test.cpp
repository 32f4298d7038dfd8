#include <gtest/gtest.h>

#include "harness/checks/tcp/tcp_support.hpp"
#include "harness/checks/testdata/tcp_log_builder.hpp"

namespace wireproof::checks {
namespace {

using testing::LogBuilder;
using testing::TcpLogBuilder;

// The TCP checks share one dissection per judging (Inputs::tcp_connections_cache).
TEST(TcpSupport, ConnectionsDissectsTheLogOncePerJudging) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  t.data("c2s", 1, 1000);
  t.ack("s2c", 1.5);
  const Inputs in = b.inputs();
  EXPECT_EQ(in.tcp_connections_cache, nullptr);  // lazy: nothing dissected before a check asks
  const auto& first = tcp::connections(in);
  const auto& second = tcp::connections(in);
  EXPECT_EQ(&first, &second);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].c2s.stream.size(), 1000u);
  const Inputs copy = in;  // a copy made after the dissection shares it
  EXPECT_EQ(&tcp::connections(copy), &first);
  EXPECT_NE(&tcp::connections(b.inputs()), &first);  // another judging dissects on its own
}

}  // namespace
}  // namespace wireproof::checks
