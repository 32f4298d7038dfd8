// The wire's event log (docs/EVENTS.md) as C++ values, and its JSON-lines form.
// The wire appends; checks, captures and reports read. Nothing else records
// what crossed the wire.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/events/ip_layers.hpp"

namespace wireproof::events {

struct HandshakeHeader {
  int type = 0;
  std::string name;               // "client_hello", ... or "unknown(42)"
  std::uint32_t length = 0;
  int message_seq = 0;
  std::uint32_t frag_offset = 0;
  std::uint32_t frag_length = 0;
};

struct Alert { int level = 0; int description = 0; };

struct Record {
  std::size_t offset = 0;          // byte offset inside the datagram
  int type = 0;                    // content type
  std::uint16_t version = 0;       // 0xfefd for DTLS 1.2
  int epoch = 0;
  std::uint64_t seq = 0;           // 48-bit sequence number
  std::size_t length = 0;          // fragment length from the record header
  std::optional<HandshakeHeader> hs;   // plaintext handshake only
  std::optional<Alert> alert;          // plaintext alert only
};

struct Action {
  std::string rule;                // rule name, or "link"
  std::string action;              // drop | duplicate | delay | reorder | corrupt | rst | window | inject | mtu | send_failed | never_sent
  std::string detail;
};

// One datagram (UDP relay) or one IP packet (L3 wire) that arrived at the wire.
struct Datagram {
  std::uint64_t i = 0;
  std::string dir;                 // "c2s" | "s2c"
  std::int64_t t_us = 0;
  std::size_t size = 0;
  std::size_t ip_size = 0;
  int mtu = 0;
  std::vector<std::uint8_t> payload;  // "hex" in JSON
  std::vector<Record> records;
  std::optional<std::string> malformed;
  std::optional<int> flight;
  bool retransmission = false;
  // forwarded (at least one copy handed to the socket) | dropped (by the
  // impairments) | send_failed (every send refused) | never_sent (the run
  // ended first). Only `forwarded` datagrams reached the receiver.
  std::string fate = "forwarded";
  std::vector<Action> actions;
  std::vector<std::int64_t> deliveries_us;  // when copies really were handed to the socket
  // The bytes of each delivery that differ from what arrived (`packet` on L3,
  // else `payload`): an IPv4 fragment, a corrupted copy, a rewritten window or
  // RST. Empty when every copy left as it arrived; otherwise aligned with
  // deliveries_us, an empty entry meaning "as it arrived". JSON "delivered_hex".
  std::vector<std::vector<std::uint8_t>> delivered;
  const std::vector<std::uint8_t>& delivered_bytes(std::size_t k) const {
    if (k < delivered.size() && !delivered[k].empty()) return delivered[k];
    return packet.empty() ? payload : packet;
  }
  // L3 wire only (ip_layers.hpp). `payload` is then the transport payload (UDP
  // payload, TCP data) and `packet` the whole IP packet as it crossed the wire;
  // `size` is the payload's length and `ip_size` the packet's.
  std::optional<IpLayer> ip;
  std::optional<TcpLayer> tcp;
  std::optional<IcmpLayer> icmp;
  std::vector<std::uint8_t> packet;
  // "peer": sent by a peer's stack. "wire": crafted by the harness (an ICMP
  // frag-needed for an oversize packet, an injected segment); never judged as
  // a peer's behaviour.
  std::string origin = "peer";

  // L3 wire, when the Link leaves the payload to the event writer's thread
  // (wire::PayloadCut::by_writer): `payload` is still empty and is the slice
  // of `packet` named here. The wire's thread then neither copies the payload
  // nor keeps a second ~1.4 KB of fresh memory per packet (bench/l3: its page
  // faults were most of what logging cost that thread). payload_bytes() and the
  // JSON read the slice; cut_pending_payload() fills `payload` from it.
  struct Slice {
    std::size_t offset = 0, length = 0;
  };
  std::optional<Slice> pending_payload;
  std::span<const std::uint8_t> payload_bytes() const;
  void cut_pending_payload();  // throws std::logic_error if the slice is outside `packet`
};

struct LinkChange {
  std::uint64_t i = 0;
  std::int64_t t_us = 0;
  std::string change;              // "mtu" | "rule"
  std::string rule;                // for change == "rule"
  nlohmann::json value;            // 576, "enabled", "disabled"
  std::string cause;
};

struct PeerEvent {
  std::uint64_t i = 0;
  std::int64_t t_us = 0;
  std::string role;                // "client" | "server"
  nlohmann::json event;            // the line the peer printed
};

using Event = std::variant<Datagram, LinkChange, PeerEvent>;

struct EventLog {
  std::vector<Event> events;

  // Convenience views for checks.
  std::vector<const Datagram*> datagrams() const;
  std::vector<const PeerEvent*> peer_events() const;
};

nlohmann::json to_json(const Event& e);
Event event_from_json(const nlohmann::json& j);  // throws std::runtime_error naming the field

// Reads events.jsonl; throws std::runtime_error("events.jsonl:LINE: ...") on bad input.
EventLog read_jsonl(std::istream& in, const std::string& name = "events.jsonl");
void write_jsonl_line(std::ostream& out, const Event& e);

std::string to_hex(std::span<const std::uint8_t> b);
std::vector<std::uint8_t> from_hex(const std::string& s);  // throws on odd length / bad digit

}  // namespace wireproof::events
