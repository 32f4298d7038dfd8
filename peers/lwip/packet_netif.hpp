// An lwIP netif whose "hardware" is a packet port (issue 9 interfaces, 1): an
// inherited SOCK_SEQPACKET socket on which one message is one IP packet.
// Output writes each packet lwIP sends (IPv4 or IPv6, no link layer, no ARP or
// neighbour discovery: the link is point to point); a reader thread hands
// each packet read to ip_input under the core lock, so a burst is never
// dropped by a full tcpip mailbox.
#pragma once

#include <lwip/ip_addr.h>
#include <lwip/netif.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>

#include "peers/lwip/too_big_watch.hpp"

namespace wireproof::peers::lwip {

class PacketNetif {
 public:
  // Adds the netif as the default one, up, with `local` (IPv4: /15, the
  // harness's 198.18.0.0/15; IPv6: preferred at once, no DAD) and `mtu`, and
  // starts reading fd. Call after start_lwip(); throws std::runtime_error.
  PacketNetif(int fd, const ip_addr_t& local, int mtu);
  ~PacketNetif();  // stops the reader thread (the netif stays: the process is ending)
  PacketNetif(const PacketNetif&) = delete;
  PacketNetif& operator=(const PacketNetif&) = delete;

  std::uint64_t packets_sent() const { return sent_; }
  std::uint64_t packets_received() const { return received_; }
  // IPv6 multicast lwIP tried to send (MLD reports for its solicited-node
  // group): a point-to-point packet port carries none, so they are dropped here.
  std::uint64_t multicast_dropped() const { return multicast_dropped_; }
  // Set once lwIP sent a packet larger than an ICMP too-big message had
  // allowed (too_big_watch.hpp). Read under the core lock.
  const std::optional<std::string>& ignored_too_big() const { return too_big_.ignored(); }

 private:
  static err_t init(struct netif* n);
  static err_t output4(struct netif* n, struct pbuf* p, const ip4_addr_t* next_hop);
  static err_t output6(struct netif* n, struct pbuf* p, const ip6_addr_t* next_hop);
  err_t send(struct pbuf* p);
  void read_loop();

  int fd_;
  int mtu_;
  int stop_fd_ = -1;  // eventfd: tells the reader to return
  struct netif netif_ {};
  std::atomic<std::uint64_t> sent_{0}, received_{0}, multicast_dropped_{0};
  TooBigWatch too_big_;  // touched only under the core lock
  std::thread reader_;
};

}  // namespace wireproof::peers::lwip
