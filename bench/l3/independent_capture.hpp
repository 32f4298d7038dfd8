// An independent witness of the wire's timing: dumpcap (Wireshark's capture
// engine, from the tshark package) on a TUN device inside its namespace,
// writing classic pcap, and a reader for what it wrote.
//
// Its timestamps are the kernel's (the packet tap's skb timestamp, CLOCK_REALTIME,
// microseconds): taken when the namespace's stack hands a packet to the TUN
// (before the wire's read()) and when a packet the wire wrote enters the stack
// (after the wire's write()).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace wireproof::bench::l3 {

struct CapturedPacket {
  std::int64_t unix_us;
  std::uint32_t src_v4;        // host order; 0 if not IPv4
  std::uint64_t fingerprint;   // packet_fingerprint (logged_wire.hpp)
};

class NamespaceCapture {
 public:
  // Starts `ip netns exec NS dumpcap -i DEV -P -s 96 -w FILE` and waits until
  // dumpcap has written its file header (it captures from then on); throws if
  // it exits or does not start within 5 s.
  NamespaceCapture(const std::string& ns_name, const std::string& device, const std::filesystem::path& file);
  ~NamespaceCapture();  // stop() if not yet
  NamespaceCapture(const NamespaceCapture&) = delete;
  NamespaceCapture& operator=(const NamespaceCapture&) = delete;

  // SIGINT, then waits for dumpcap to flush and exit; returns what it captured.
  std::vector<CapturedPacket> stop();

 private:
  std::filesystem::path file_;
  pid_t pid_ = -1;
};

// Reads a classic pcap file of raw IP packets (linktype RAW 101/12/14 or Linux SLL 113).
std::vector<CapturedPacket> read_pcap(const std::filesystem::path& file);

}  // namespace wireproof::bench::l3
