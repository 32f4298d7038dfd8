// The scenario model: what a YAML scenario file says, after loading and
// validation (harness/scenario/loader). Plain data; the wire, runner and
// checks consume it. docs/SCENARIO.md describes each field.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace wireproof::scenario {

enum class Direction { c2s, s2c, both };

// How the peers are connected: the UDP relay (payloads only), or the L3 wire
// (IP packets between two namespaces; harness/wire/l3).
enum class Wire { udp_relay, l3 };

// TCP fields of a match (`match: {tcp: {...}}`, protocol tcp only). The
// sequence fields are relative to the sender's ISN (the SYN is 0, the first
// data byte 1) and need the tracked connection (wire::TcpTracker).
struct TcpMatch {
  std::uint8_t flags = 0;                         // events::tcp_flags bits that must all be set
  std::uint8_t not_flags = 0;                     // bits that must all be clear
  std::optional<bool> data;                       // carries payload bytes
  std::optional<std::uint32_t> seq_rel_min, seq_rel_max;  // the segment's first sequence number
  std::optional<std::uint32_t> covers_seq_rel;    // its data holds the byte with this relative number
  std::optional<std::uint64_t> nth_data;          // the K-th (1-based) new data segment of its direction
  std::optional<bool> retransmission;             // occupies sequence space its sender had already sent
};

// All given fields must hold (AND). Empty = matches every datagram.
struct Match {
  std::optional<int> handshake_type;   // any record's plaintext hs.type
  std::optional<int> content_type;     // any record's type
  std::optional<int> epoch;            // any record's epoch
  std::optional<int> message_seq;      // any record's hs.message_seq
  std::optional<int> flight;
  std::optional<bool> retransmission;
  std::optional<std::uint64_t> index;  // index among datagrams in the rule's direction(s)
  std::optional<std::size_t> size_min, size_max;
  std::optional<double> from_ms, to_ms;
  std::optional<TcpMatch> tcp;         // protocol tcp only
};

struct Drop {};
struct Duplicate { int copies = 1; double gap_ms = 0; };
struct Delay { double ms = 0; double jitter_ms = 0; };
struct Reorder { int hold = 2; double max_hold_ms = 500; };
struct Corrupt { std::optional<std::size_t> offset; std::uint8_t xor_mask = 0xff; };
struct BurstLoss { double p = 0.05, r = 0.5, loss_good = 0.0, loss_bad = 1.0; };
// TCP only: replace the segment with a RST carrying its seq (and ack).
struct Reset {};
// TCP only: rewrite the advertised window field (as sent, before scaling).
struct RewriteWindow { std::uint16_t window = 0; };
using Action = std::variant<Drop, Duplicate, Delay, Reorder, Corrupt, BurstLoss, Reset, RewriteWindow>;

struct Rule {
  std::string name;
  Direction dir = Direction::both;
  Match match;
  std::uint64_t skip = 0;
  std::optional<std::uint64_t> count;
  std::uint64_t every = 1;
  double probability = 1.0;
  Action action = Drop{};
  // false: the rule may legitimately never act in a run (a random loss on a
  // short run); true: a run in which it never acted is an error (the
  // scenario did not test what it says).
  bool must_fire = true;
};

// A sequence number for an injected segment: `base` + offset, mod 2^32, from
// the connection state the wire tracks for the forged sender -> receiver.
struct SeqExpr {
  enum class Base {
    rcv_nxt,      // the next sequence number the receiver expects (the sender's highest sent)
    rcv_wnd_end,  // rcv_nxt + the receiver's last advertised window (scaled)
    isn,          // the forged sender's ISN
    snd_nxt,      // ack only: the next sequence number the receiver will send (its highest sent)
  };
  Base base = Base::rcv_nxt;
  std::int64_t offset = 0;
};

// Timeline action (TCP only): the wire crafts one segment that looks as if
// `dir`'s sender sent it, and delivers it to the receiver. origin "wire".
struct Inject {
  Direction dir = Direction::c2s;     // c2s: forged as the client's, delivered to the server
  std::uint8_t flags = 0;             // events::tcp_flags bits
  SeqExpr seq;
  std::optional<SeqExpr> ack;         // default with ACK set: snd_nxt
  std::uint32_t payload_bytes = 0;    // zero bytes of data (blind data injection)
};

// A peer event trigger: "when the client reports handshake_done".
struct PeerTrigger { std::string role; std::string event; };

struct TimelineEntry {
  std::optional<double> at_ms;                  // exactly one of at_ms / on_datagram / on_peer
  std::optional<std::pair<Direction, Match>> on_datagram;
  std::optional<PeerTrigger> on_peer;
  std::optional<int> set_mtu;
  std::optional<std::string> enable_rule, disable_rule;
  std::optional<Inject> inject;
  bool must_fire = true;                        // as Rule::must_fire
  std::string describe() const;                 // "at 2000 ms", "on s2c server_hello_done"
};

// Settings of one side's peer that only the L3 wire can apply.
struct SideSettings {
  // Full sysctl names ("net.ipv4.tcp_syn_linear_timeouts") and values, in
  // file order, applied in the side's namespace (L3SideConfig::sysctls).
  std::vector<std::pair<std::string, std::string>> sysctls;
};

struct PeerSettings {
  std::optional<int> timer_initial_ms;
  std::optional<int> mtu;                       // default: link.mtu
  std::optional<int> handshake_timeout_ms;
  SideSettings client, server;                  // peers.client / peers.server
};

struct Link {
  int mtu = 1500;
  bool mtu_given = false;  // the file sets link.mtu (else 1500 is only the default)
  double delay_ms = 0;
  double jitter_ms = 0;
  bool icmp = true;  // L3 wire: send ICMP frag-needed / Packet Too Big on MTU drops (false = black hole)
};

struct Workload { std::uint64_t echo_bytes = 4096; std::uint32_t chunk = 1000; };

// TCP-only parts of a scenario (protocol tcp); docs/SCENARIO.md "TCP".
struct Keepalive { int idle_s = 0, intvl_s = 0, count = 0; };
struct TcpSettings {
  std::string workload = "echo";          // --workload (peers/CONTRACT.md "TCP")
  std::optional<int> stall_ms;            // --stall-ms: workload stall only
  std::optional<Keepalive> keepalive;     // --keepalive: workload keepalive only
};

// TLS parts of a scenario (protocol tls1.2 / tls1.3); docs/SCENARIO.md "TLS".
// Each maps to one flag of the TLS peer contract (runner/peer_argv.cpp).
struct TlsSide {
  std::string version;                       // this side's --protocol (default: the scenario's)
  std::vector<std::string> alpn;             // --alpn: client offers in order; server supports, preferred first
  std::vector<std::string> groups;           // --groups: client offers (key_share for the first); server, preferred first
  std::optional<int> record_size_limit;      // --record-size-limit (RFC 8449)
  std::optional<int> max_fragment_length;    // --max-fragment-length (RFC 6066 4)
  bool key_update = false;                   // --key-update (1.3 only)
};
struct TlsSettings {
  std::string server_name = "localhost";     // the client's --server-name (SNI and the name verified)
  bool section_given = false;                // the scenario has a tls: section (a DTLS one: its SNI / certificate fields)
  bool no_server_name = false;               // server_name: none: the client's --no-server-name (no SNI, its IP verified)
  TlsSide client, server;
  bool client_has_cert = false;              // the client gets --cert/--key (default: the server asks for one)
  std::vector<std::string> host_certs;       // server: a certificate per SNI host name (--host-cert, harness PKI)
  std::optional<std::string> unknown_sni;    // server: default | alert (--unknown-sni)
  bool server_ip_cert = false;               // server: --ip-cert, the harness PKI's certificate for its address
  std::string client_cert = "none";          // server: none | optional | required (--client-cert)
  bool client_cert_given = false;            // client_cert written in the scenario (DTLS: else the DTLS default)
  bool resume = false;                       // both: --resume
  bool early_data = false;                   // both: --early-data (needs resume and TLS 1.3)
  bool server_plaintext = false;             // server: --plaintext, a port without TLS (answers an HTTP 400)
};

struct Expectations {
  bool handshake_completes = true;
  double retransmit_tolerance_ms = 15;  // docs/CHECKS.md retransmission_schedule: the measured stacks
  double retransmit_tolerance_pct = 10;
  // check name -> enabled; absent = enabled.
  std::map<std::string, bool> checks_enabled;
  // check name -> free-form parameters as JSON text (checks parse their own).
  std::map<std::string, std::string> check_params_json;
  // check name -> parameter -> 1-based (line, column) of its key, so the
  // checks' own validation (harness/checks/scenario_validation) can point at it.
  std::map<std::string, std::map<std::string, std::pair<int, int>>> check_param_positions;
};

struct Scenario {
  std::string name, description, file, protocol = "dtls1.2";
  Wire wire = Wire::udp_relay;
  int ip_version = 4;
  std::vector<std::string> refs;
  PeerSettings peers;
  Link link;
  std::vector<Rule> rules;
  std::vector<TimelineEntry> timeline;
  Workload workload;
  TcpSettings tcp;
  TlsSettings tls;
  double run_timeout_s = 30;
  Expectations expect;
};

}  // namespace wireproof::scenario
