// read_pcap: the capture reader l3_bench compares the wire's timestamps with.
#include "bench/l3/independent_capture.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "bench/l3/logged_wire.hpp"

namespace wireproof::bench::l3 {
namespace {

void put32(std::ofstream& out, std::uint32_t v) { out.write(reinterpret_cast<const char*>(&v), 4); }

// A little-endian classic pcap of `packets`, each stamped 1000 s + k*1001 fractions.
std::filesystem::path write_pcap(std::uint32_t magic, std::uint32_t linktype, std::size_t snap,
                                 const std::vector<std::vector<std::uint8_t>>& packets) {
  const auto path = std::filesystem::temp_directory_path() / ("wp-read-pcap-" + std::to_string(magic) + ".pcap");
  std::ofstream out(path, std::ios::binary);
  put32(out, magic);
  put32(out, 0x00040002);  // version 2.4
  put32(out, 0);
  put32(out, 0);
  put32(out, static_cast<std::uint32_t>(snap));
  put32(out, linktype);
  for (std::size_t k = 0; k < packets.size(); ++k) {
    const auto n = std::min(snap, packets[k].size());
    put32(out, 1000);
    put32(out, static_cast<std::uint32_t>(k * 1001));
    put32(out, static_cast<std::uint32_t>(n));
    put32(out, static_cast<std::uint32_t>(packets[k].size()));
    out.write(reinterpret_cast<const char*>(packets[k].data()), static_cast<std::streamsize>(n));
  }
  return path;
}

std::vector<std::uint8_t> ipv4_packet(std::uint8_t src_last, std::size_t size) {
  std::vector<std::uint8_t> p(size, 0xab);
  p[0] = 0x45;
  p[12] = 198, p[13] = 18, p[14] = 0, p[15] = src_last;
  return p;
}

TEST(ReadPcap, MicrosecondStampsSourcesAndFingerprintsOfCutPackets) {
  const auto big = ipv4_packet(1, 1500), small = ipv4_packet(2, 60);
  const auto path = write_pcap(0xa1b2c3d4, 101, kFingerprintBytes, {big, small});
  const auto got = read_pcap(path);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].unix_us, 1'000'000'000);
  EXPECT_EQ(got[1].unix_us, 1'000'001'001);
  EXPECT_EQ(got[0].src_v4, 0xc6120001u);
  EXPECT_EQ(got[1].src_v4, 0xc6120002u);
  // The capture holds 96 of the 1500 bytes; the wire's fingerprint of the whole packet agrees.
  EXPECT_EQ(got[0].fingerprint, packet_fingerprint(big.data(), big.size(), big.size()));
  EXPECT_EQ(got[1].fingerprint, packet_fingerprint(small.data(), small.size(), small.size()));
  EXPECT_NE(got[0].fingerprint, got[1].fingerprint);
  std::filesystem::remove(path);
}

TEST(ReadPcap, NanosecondStampsAndLinuxCookedHeader) {
  auto cooked = std::vector<std::uint8_t>(16, 0);
  const auto ip = ipv4_packet(2, 60);
  cooked.insert(cooked.end(), ip.begin(), ip.end());
  const auto path = write_pcap(0xa1b23c4d, 113, 65535, {cooked, cooked});
  const auto got = read_pcap(path);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].unix_us, 1'000'000'001);  // 1001 ns
  EXPECT_EQ(got[1].src_v4, 0xc6120002u);
  EXPECT_EQ(got[1].fingerprint, packet_fingerprint(ip.data(), ip.size(), ip.size()));
  std::filesystem::remove(path);
}

TEST(ReadPcap, RefusesWhatItCannotRead) {
  const auto ethernet = write_pcap(0xa1b2c3d4, 1, 65535, {ipv4_packet(1, 60)});
  EXPECT_THROW(read_pcap(ethernet), std::runtime_error);
  std::filesystem::remove(ethernet);
  EXPECT_THROW(read_pcap("/nonexistent/x.pcap"), std::runtime_error);
}

}  // namespace
}  // namespace wireproof::bench::l3
