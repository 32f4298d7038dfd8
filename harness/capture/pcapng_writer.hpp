// Writes what the wire saw as a pcapng file, from the event log alone
// (docs/EVENTS.md; nothing is re-captured). Each datagram appears on two legs:
//   leg 1: sender -> wire at t_us (every datagram, dropped ones too),
//   leg 2: wire -> receiver at each deliveries_us entry (copies, delays, reorders),
// with synthesized IPv4 + UDP headers and a per-packet comment saying what the
// wire did ("c2s #12 flight 4 retransmission; dropped by rule drop-server-flight").
//
// An L3 run's log (its datagrams carry `packet`) is written as the real IP
// packets instead (LINKTYPE_RAW), on two interfaces: 0 = the client's side of
// the wire, 1 = the server's. Leg 1 is on the sender's side at arrival, leg 2 on
// the receiver's side at each delivery; a packet the wire crafted (origin wire,
// the ICMP of an MTU drop) has only leg 2, on the side it was sent to.
//
//   wireproof::capture::CaptureEndpoints ep;            // the ports the run used
//   std::ofstream out("capture.pcapng", std::ios::binary);
//   wireproof::capture::write_pcapng(log, ep, out);
#pragma once

#include <array>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "harness/events/event_log.hpp"

namespace wireproof::capture {

struct Endpoint {
  std::array<std::uint8_t, 4> ip;
  std::uint16_t port;
};

// client <-> wire (client side) ... wire (server side) <-> server.
struct CaptureEndpoints {
  Endpoint client{{127, 0, 0, 1}, 40001};
  Endpoint wire_client_side{{127, 0, 0, 1}, 40002};
  Endpoint wire_server_side{{127, 0, 0, 2}, 40003};
  Endpoint server{{127, 0, 0, 1}, 40004};
  std::int64_t t0_unix_us = 0;  // wall-clock time of t_us == 0 (0: timestamps start at the epoch)
};

// One IPv4+UDP packet as it appears in the capture, with its comment.
struct CapturedPacket {
  std::int64_t t_us = 0;             // relative to the run's t0
  std::vector<std::uint8_t> ip;      // IPv4 header + UDP header + payload (L3: the packet as it crossed)
  std::string comment;
  std::uint32_t interface = 0;       // L3: 0 client side, 1 server side; relay mode: always 0
};

// An L3 wire's log: its datagrams carry the whole IP packet.
bool is_l3_log(const events::EventLog& log);

// The packets of both legs in time order (leg 1 before leg 2 on equal times).
std::vector<CapturedPacket> capture_packets(const events::EventLog& log, const CaptureEndpoints& ep);

// IPv4 + UDP around a payload; IPv4 header checksum and UDP checksum filled in.
std::vector<std::uint8_t> ipv4_udp(const Endpoint& src, const Endpoint& dst, std::uint16_t ip_id,
                                   const std::vector<std::uint8_t>& payload);

// `pcapng` (one written by write_pcapng) with a Decryption Secrets Block
// (pcapng spec 4.7: block type 0x0000000A, secrets type 0x544c534b "TLSK")
// holding the NSS key logs' text (each ended by a newline, in order), padded
// to 32 bits, placed right
// after the Section Header Block, before any packet: Wireshark and tshark then
// decrypt the TLS in the capture with no setup. Throws std::invalid_argument
// when `pcapng` does not start with a whole big-endian SHB (this writer's).
// No key-log text at all: `pcapng` unchanged.
std::string with_tls_secrets(const std::string& pcapng, const std::vector<std::string>& key_logs);

// SHB, one IDB (LINKTYPE_IPV4, if_tsresol = microseconds), one EPB per packet;
// for an L3 log two IDBs (LINKTYPE_RAW: client side, server side).
void write_pcapng(const events::EventLog& log, const CaptureEndpoints& ep, std::ostream& out);

}  // namespace wireproof::capture
