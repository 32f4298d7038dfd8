// libFuzzer target: arbitrary datagrams into a client that has sent its
// ClientHello and into a server without the cookie exchange. Neither may
// crash, read out of bounds, or exceed its reassembly bound; anything they
// queue to send must be well-formed records.
#include <cstdlib>

#include "impl/dtls/connection.hpp"

namespace wd = wireproof::dtls;
using namespace std::chrono_literals;

namespace {
void check_output(wd::Connection& c) {
  for (const auto& d : c.pull_datagrams()) {
    wireproof::bytes::Reader r(d);
    wd::RecordHeader h;
    std::span<const std::uint8_t> frag;
    while (!r.empty())
      if (!wd::read_record(r, h, frag)) std::abort();
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  wd::ConnectionConfig cc;
  cc.handshake.role = wd::Role::client;
  cc.max_handshake_memory = 4096;
  wd::Connection client(cc);
  client.start(0s);
  client.pull_datagrams();
  wd::ConnectionConfig sc;
  sc.handshake.role = wd::Role::server;
  sc.cookie_exchange = false;
  wd::Connection server(sc);
  // The input is a sequence of u16-length-prefixed datagrams.
  wireproof::bytes::Reader r({data, size});
  wireproof::bytes::Reader d;
  wd::Time t = 0s;
  while (r.get_u16_prefixed(d)) {
    t += 10ms;
    client.feed(d.rest(), t);
    server.feed(d.rest(), t);
    check_output(client);
    check_output(server);
  }
  client.on_timeout(t + 1s);
  check_output(client);
  return 0;
}
