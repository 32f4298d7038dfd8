#include "bench/l3/independent_capture.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "bench/l3/logged_wire.hpp"

extern char** environ;

namespace wireproof::bench::l3 {
namespace {

std::uint32_t u32(const std::uint8_t* p, bool swapped) {
  const std::uint32_t v = std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
                          std::uint32_t{p[3]} << 24;
  return swapped ? __builtin_bswap32(v) : v;
}

// Bytes of link header before the IP packet, by pcap linktype.
std::size_t link_header_bytes(std::uint32_t linktype) {
  switch (linktype) {
    case 101: case 12: case 14: return 0;  // LINKTYPE_RAW and its DLT aliases
    case 113: return 16;                   // LINKTYPE_LINUX_SLL
    default: throw std::runtime_error("pcap: unsupported linktype " + std::to_string(linktype));
  }
}

}  // namespace

std::vector<CapturedPacket> read_pcap(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  const std::vector<std::uint8_t> b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (b.size() < 24) throw std::runtime_error(file.string() + ": no pcap header");
  const std::uint32_t magic = u32(b.data(), false);
  const bool swapped = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
  const std::uint32_t m = swapped ? __builtin_bswap32(magic) : magic;
  if (m != 0xa1b2c3d4 && m != 0xa1b23c4d) throw std::runtime_error(file.string() + ": not a classic pcap file");
  const std::int64_t frac_per_us = m == 0xa1b23c4d ? 1000 : 1;  // nanosecond or microsecond stamps
  const std::size_t skip = link_header_bytes(u32(&b[20], swapped));
  std::vector<CapturedPacket> out;
  for (std::size_t at = 24; at + 16 <= b.size();) {
    const std::int64_t sec = u32(&b[at], swapped), frac = u32(&b[at + 4], swapped);
    const std::size_t captured = u32(&b[at + 8], swapped), length = u32(&b[at + 12], swapped);
    if (at + 16 + captured > b.size()) break;  // cut short by the stop
    const std::uint8_t* ip = &b[at + 16];
    if (captured > skip + 20) {
      const std::uint8_t* p = ip + skip;
      const std::uint32_t src = (p[0] >> 4) == 4 ? (std::uint32_t{p[12]} << 24 | std::uint32_t{p[13]} << 16 |
                                                    std::uint32_t{p[14]} << 8 | p[15])
                                                 : 0;
      out.push_back({sec * 1'000'000 + frac / frac_per_us, src,
                     packet_fingerprint(p, captured - skip, length - skip)});
    }
    at += 16 + captured;
  }
  return out;
}

NamespaceCapture::NamespaceCapture(const std::string& ns_name, const std::string& device,
                                   const std::filesystem::path& file)
    : file_(file) {
  std::filesystem::remove(file);
  const std::string snap = std::to_string(kFingerprintBytes);
  std::vector<std::string> args = {"ip", "netns", "exec", ns_name, "dumpcap", "-q", "-i", device, "-P",
                                   "-s", snap, "-B", "64", "-w", file.string()};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  const int rc = posix_spawnp(&pid_, "ip", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start dumpcap (ip netns exec): " + std::string(strerror(rc)));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    std::error_code ec;
    if (std::filesystem::file_size(file, ec) >= 24 && !ec) break;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("dumpcap on " + device + " in " + ns_name + " exited before capturing");
    }
    if (std::chrono::steady_clock::now() > deadline) {
      stop();
      throw std::runtime_error("dumpcap on " + device + " in " + ns_name + " wrote no header within 5 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // The header is written as the capture opens; give the tap a moment to be attached.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
}

std::vector<CapturedPacket> NamespaceCapture::stop() {
  if (pid_ < 0) return {};
  // libpcap's TPACKET_V3 ring hands packets over a block at a time, a partly
  // filled block only when its timeout expires; dumpcap has no immediate mode
  // and drops what is still in the ring at SIGINT. Waiting a second first lost
  // the tail of the server's capture no more (without it: 289 of 1009 packets).
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  ::kill(pid_, SIGINT);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return read_pcap(file_);
}

NamespaceCapture::~NamespaceCapture() {
  if (pid_ >= 0) {
    ::kill(pid_, SIGINT);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

}  // namespace wireproof::bench::l3
