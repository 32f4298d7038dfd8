#include "peers/lwip/packet_netif.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <lwip/ip.h>
#include <lwip/pbuf.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "peers/lwip/lwip_stack.hpp"

namespace wireproof::peers::lwip {
namespace {

constexpr std::size_t kMaxPacket = 65535;

}  // namespace

PacketNetif::PacketNetif(int fd, const ip_addr_t& local, int mtu) : fd_(fd), mtu_(mtu) {
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC);
  if (stop_fd_ < 0) throw std::runtime_error("eventfd for the packet reader failed");
  {
    CoreLock lock;
    if (IP_IS_V4_VAL(local)) {
      ip4_addr_t mask, gw;
      IP4_ADDR(&mask, 255, 254, 0, 0);  // 198.18.0.0/15, RFC 2544's range: the peer is on-link
      ip4_addr_set_zero(&gw);
      if (!netif_add(&netif_, ip_2_ip4(&local), &mask, &gw, this, &PacketNetif::init, ip_input))
        throw std::runtime_error("netif_add failed");
    } else {
      if (!netif_add_noaddr(&netif_, this, &PacketNetif::init, ip_input)) throw std::runtime_error("netif_add failed");
      s8_t index = -1;
      if (netif_add_ip6_address(&netif_, ip_2_ip6(&local), &index) != ERR_OK)
        throw std::runtime_error("netif_add_ip6_address failed");
      // Preferred at once: duplicate address detection would send a neighbour
      // solicitation onto a link that has no neighbours and delay the start by 1 s.
      netif_ip6_addr_set_state(&netif_, index, IP6_ADDR_PREFERRED);
    }
    netif_set_default(&netif_);
    netif_set_up(&netif_);
    netif_set_link_up(&netif_);
  }
  reader_ = std::thread([this] { read_loop(); });
}

PacketNetif::~PacketNetif() {
  std::uint64_t one = 1;
  if (::write(stop_fd_, &one, sizeof one) < 0) {
  }  // nothing to do: the reader also ends when the process does
  if (reader_.joinable()) reader_.join();
  ::close(stop_fd_);
}

err_t PacketNetif::init(struct netif* n) {
  auto* self = static_cast<PacketNetif*>(n->state);
  n->name[0] = 'w';
  n->name[1] = 'p';
  n->mtu = static_cast<u16_t>(self->mtu_);
  n->output = &PacketNetif::output4;
  n->output_ip6 = &PacketNetif::output6;
  n->flags = 0;  // no ETHARP, no MLD6 filter: a bare IP point-to-point link
  return ERR_OK;
}

err_t PacketNetif::output4(struct netif* n, struct pbuf* p, const ip4_addr_t*) {
  return static_cast<PacketNetif*>(n->state)->send(p);
}

err_t PacketNetif::output6(struct netif* n, struct pbuf* p, const ip6_addr_t* next_hop) {
  auto* self = static_cast<PacketNetif*>(n->state);
  if (ip6_addr_ismulticast(next_hop)) {
    ++self->multicast_dropped_;
    return ERR_OK;
  }
  return self->send(p);
}

// Runs on the tcpip thread (core lock held).
err_t PacketNetif::send(struct pbuf* p) {
  static thread_local std::vector<std::uint8_t> buffer(kMaxPacket);
  const u16_t len = pbuf_copy_partial(p, buffer.data(), static_cast<u16_t>(buffer.size()), 0);
  too_big_.outbound({buffer.data(), len});
  if (::send(fd_, buffer.data(), len, MSG_NOSIGNAL) != static_cast<ssize_t>(len)) return ERR_IF;
  ++sent_;
  return ERR_OK;
}

void PacketNetif::read_loop() {
  std::vector<std::uint8_t> buffer(kMaxPacket);
  for (;;) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    if ((fds[0].revents & POLLIN) == 0) return;  // hung up: the wire is gone, nothing more will come
    const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
    if (n <= 0) return;
    struct pbuf* p = pbuf_alloc(PBUF_RAW, static_cast<u16_t>(n), PBUF_RAM);
    if (p == nullptr) continue;  // out of memory: a loss the peer's TCP recovers, as on a real NIC
    std::memcpy(p->payload, buffer.data(), static_cast<std::size_t>(n));
    ++received_;
    CoreLock lock;
    too_big_.inbound({buffer.data(), static_cast<std::size_t>(n)});
    if (netif_.input(p, &netif_) != ERR_OK) pbuf_free(p);
  }
}

}  // namespace wireproof::peers::lwip
