// wireproof-lwip against the Linux kernel's TCP: the kernel socket lives in a
// network namespace behind a TUN device, the lwIP peer's packet port is
// copied to and from that TUN (harness/wire/l3's PacketPump), so the two
// stacks talk nothing but IP packets to each other. Needs root; leaves no
// namespace, device or process behind.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <thread>

#include "harness/wire/l3/l3_test_support.hpp"
#include "harness/wire/l3/tun_device.hpp"
#include "peers/common/echo_chunks.hpp"
#include "peers/common/sha256.hpp"
#include "peers/common/test_peer.hpp"
#include "peers/lwip/lwip_test_support.hpp"

namespace wireproof::peers::lwip {
namespace {

using peers::testing::TestPeer;
using wire::UniqueFd;
using wire::l3::in_namespace;
using wire::l3::NetNamespace;
using wire::l3::TunDevice;

sockaddr_in address(const char* ip, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  ::inet_pton(AF_INET, ip, &a.sin_addr);
  return a;
}

using wire::l3::test::tcp_socket_in;
using wire::l3::test::write_all;

// Only this process's namespaces (wp-<pid>-*): other test processes may hold theirs.
void expect_none_of_ours_left() {
  const std::string mine = std::string(wire::l3::kNamespacePrefix) + std::to_string(::getpid()) + "-";
  for (const auto& n : NetNamespace::list_ours()) EXPECT_NE(n.rfind(mine, 0), 0u) << n << " left behind";
}

TEST(LwipKernel, LwipClientEchoes64KiBWithAKernelServer) {
  WP_SKIP_WITHOUT_L3();
  const ChunkPlan plan{64 * 1024, 1000};
  {
    NetNamespace ns;
    TunDevice tun(ns, {"198.18.0.2", "198.18.0.1", 1500});
    UniqueFd listener = tcp_socket_in(ns, AF_INET);
    auto bind_to = address("198.18.0.2", 0);
    ASSERT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&bind_to), sizeof bind_to), 0) << errno;
    ASSERT_EQ(::listen(listener.get(), 1), 0);
    socklen_t len = sizeof bind_to;
    ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&bind_to), &len);
    const int port = ntohs(bind_to.sin_port);

    // The kernel echoes until the lwIP client's FIN, digesting what it got.
    Sha256 kernel_received;
    std::uint64_t kernel_bytes = 0;
    std::thread echo([&] {
      UniqueFd conn(::accept(listener.get(), nullptr, nullptr));
      std::uint8_t buf[4096];
      for (ssize_t n; conn && (n = ::recv(conn.get(), buf, sizeof buf, 0)) > 0;) {
        kernel_received.update({buf, static_cast<std::size_t>(n)});
        kernel_bytes += static_cast<std::size_t>(n);
        if (!write_all(conn.get(), buf, static_cast<std::size_t>(n))) break;
      }
    });

    test::PacketPort lwip_port;
    wire::l3::test::PacketPump pump(tun.fd(), lwip_port.wire.get());
    TestPeer client(test::lwip_argv("client", "198.18.0.1", "198.18.0.2:" + std::to_string(port),
                                    lwip_port.peer.get(),
                                    {"--echo-bytes", std::to_string(plan.echo_bytes), "--chunk", "1000"}),
                    test::test_dir() / "client.err");
    lwip_port.peer.reset();
    const int rc = client.finish();
    ::shutdown(listener.get(), SHUT_RDWR);  // unblocks accept if the client never came
    echo.join();

    ASSERT_EQ(rc, 0) << client.transcript();
    const auto expected = expected_digest(plan);
    EXPECT_EQ(client.event("app_data").value("echoed_sha256", ""), expected) << client.transcript();
    EXPECT_EQ(kernel_received.hex(), expected);
    EXPECT_EQ(kernel_bytes, plan.count() * 8 + plan.echo_bytes);
    EXPECT_EQ(client.event("closed").value("reason", ""), "done");
    EXPECT_EQ(pump.outside_range.load(), 0u);
    EXPECT_GT(pump.a_to_b.load(), 64u * 1024 / 1500);
    EXPECT_GT(pump.b_to_a.load(), 64u * 1024 / 1500);
  }
  expect_none_of_ours_left();
}

TEST(LwipKernel, KernelClientEchoes64KiBWithAnLwipServer) {
  WP_SKIP_WITHOUT_L3();
  const ChunkPlan plan{64 * 1024, 1000};
  {
    NetNamespace ns;
    TunDevice tun(ns, {"198.18.0.1", "198.18.0.2", 1500});
    test::PacketPort lwip_port;
    TestPeer server(test::lwip_argv("server", "198.18.0.2", "198.18.0.2:0", lwip_port.peer.get(),
                                    {"--echo-bytes", std::to_string(plan.echo_bytes), "--chunk", "1000"}),
                    test::test_dir() / "server.err");
    lwip_port.peer.reset();
    const auto ready = server.next_event();
    ASSERT_EQ(ready.value("event", ""), "ready") << server.transcript();
    const int port = ready.value("port", 0);
    ASSERT_GT(port, 0);
    wire::l3::test::PacketPump pump(tun.fd(), lwip_port.wire.get());

    UniqueFd client = tcp_socket_in(ns, AF_INET);
    auto to = address("198.18.0.2", static_cast<std::uint16_t>(port));
    ASSERT_EQ(::connect(client.get(), reinterpret_cast<sockaddr*>(&to), sizeof to), 0) << errno;
    const auto sent = test::plan_stream(plan);
    std::thread writer([&] {
      write_all(client.get(), sent.data(), sent.size());
      ::shutdown(client.get(), SHUT_WR);
    });
    std::vector<std::uint8_t> echoed;
    std::uint8_t buf[4096];
    for (ssize_t n; (n = ::recv(client.get(), buf, sizeof buf, 0)) > 0;) echoed.insert(echoed.end(), buf, buf + n);
    writer.join();
    const int rc = server.finish();

    EXPECT_EQ(rc, 0) << server.transcript();
    EXPECT_TRUE(echoed == sent) << "echoed " << echoed.size() << " of " << sent.size() << " bytes";
    EXPECT_EQ(server.event("app_data").value("received_sha256", ""), expected_digest(plan)) << server.transcript();
    EXPECT_EQ(server.event("closed").value("reason", ""), "fin");
    EXPECT_EQ(pump.outside_range.load(), 0u);
  }
  expect_none_of_ours_left();
}

}  // namespace
}  // namespace wireproof::peers::lwip
