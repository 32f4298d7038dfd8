#include "harness/events/event_log.hpp"

#include <istream>
#include <ostream>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace wireproof::events {

using nlohmann::json;

std::vector<const Datagram*> EventLog::datagrams() const {
  std::vector<const Datagram*> out;
  for (const auto& e : events)
    if (auto* d = std::get_if<Datagram>(&e)) out.push_back(d);
  return out;
}

std::vector<const PeerEvent*> EventLog::peer_events() const {
  std::vector<const PeerEvent*> out;
  for (const auto& e : events)
    if (auto* p = std::get_if<PeerEvent>(&e)) out.push_back(p);
  return out;
}

std::span<const std::uint8_t> Datagram::payload_bytes() const {
  if (!pending_payload) return payload;
  if (pending_payload->offset > packet.size() || pending_payload->length > packet.size() - pending_payload->offset)
    throw std::logic_error("Datagram: pending payload slice lies outside the packet");
  return std::span<const std::uint8_t>(packet).subspan(pending_payload->offset, pending_payload->length);
}

void Datagram::cut_pending_payload() {
  if (!pending_payload) return;
  const auto bytes = payload_bytes();
  payload.assign(bytes.begin(), bytes.end());
  pending_payload.reset();
}

static constexpr char kHexDigits[] = "0123456789abcdef";

std::string to_hex(std::span<const std::uint8_t> b) {
  std::string s;
  s.reserve(b.size() * 2);
  for (auto c : b) {
    s.push_back(kHexDigits[c >> 4]);
    s.push_back(kHexDigits[c & 15]);
  }
  return s;
}

// to_hex straight into a stream, a chunk at a time (no string of it all).
static void write_hex(std::ostream& out, std::span<const std::uint8_t> b) {
  char chunk[1024];
  std::size_t n = 0;
  for (auto c : b) {
    chunk[n++] = kHexDigits[c >> 4];
    chunk[n++] = kHexDigits[c & 15];
    if (n == sizeof chunk) out.write(chunk, static_cast<std::streamsize>(std::exchange(n, 0)));
  }
  out.write(chunk, static_cast<std::streamsize>(n));
}

static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::vector<std::uint8_t> from_hex(const std::string& s) {
  if (s.size() % 2) throw std::runtime_error("hex string has odd length");
  std::vector<std::uint8_t> out(s.size() / 2);
  for (std::size_t k = 0; k < out.size(); ++k) {
    int hi = hex_digit(s[2 * k]), lo = hex_digit(s[2 * k + 1]);
    if (hi < 0 || lo < 0) throw std::runtime_error("bad hex digit at " + std::to_string(2 * k));
    out[k] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return out;
}

static json record_json(const Record& r) {
  json j{{"offset", r.offset}, {"type", r.type}, {"version", r.version},
         {"epoch", r.epoch}, {"seq", r.seq}, {"length", r.length}};
  if (r.hs)
    j["hs"] = {{"type", r.hs->type}, {"name", r.hs->name}, {"length", r.hs->length},
               {"message_seq", r.hs->message_seq}, {"frag_offset", r.hs->frag_offset},
               {"frag_length", r.hs->frag_length}};
  if (r.alert) j["alert"] = {{"level", r.alert->level}, {"description", r.alert->description}};
  return j;
}

static Record record_from(const json& j) {
  Record r;
  r.offset = j.at("offset").get<std::size_t>();
  r.type = j.at("type").get<int>();
  r.version = j.at("version").get<std::uint16_t>();
  r.epoch = j.at("epoch").get<int>();
  r.seq = j.at("seq").get<std::uint64_t>();
  r.length = j.at("length").get<std::size_t>();
  if (j.contains("hs")) {
    const auto& h = j["hs"];
    r.hs = HandshakeHeader{h.at("type").get<int>(), h.value("name", std::string{}),
                           h.at("length").get<std::uint32_t>(), h.at("message_seq").get<int>(),
                           h.at("frag_offset").get<std::uint32_t>(), h.at("frag_length").get<std::uint32_t>()};
  }
  if (j.contains("alert")) r.alert = Alert{j["alert"].at("level").get<int>(), j["alert"].at("description").get<int>()};
  return r;
}

// How a datagram's two large byte fields, "hex" (payload) and "packet_hex",
// go into its JSON: as their digits, or as empty strings that
// write_jsonl_line fills in on the stream.
enum class HexFields { digits, placeholders };

static std::string hex_field(std::span<const std::uint8_t> b, HexFields hex) {
  return hex == HexFields::digits ? to_hex(b) : std::string();
}

// The L3 fields, only when the wire is L3: a relay-mode line stays as it was.
static void add_l3_layers(json& j, const Datagram& d, HexFields hex) {
  if (d.ip) j["ip"] = to_json(*d.ip);
  if (d.tcp) j["tcp"] = to_json(*d.tcp);
  if (d.icmp) j["icmp"] = to_json(*d.icmp);
  if (!d.packet.empty()) j["packet_hex"] = hex_field(d.packet, hex);
  if (!d.delivered.empty()) {
    json hex = json::array();
    for (const auto& b : d.delivered) hex.push_back(to_hex(b));
    j["delivered_hex"] = hex;
  }
  if (d.origin != "peer") j["origin"] = d.origin;
}

static void read_l3_layers(const json& j, Datagram& d) {
  if (j.contains("ip")) d.ip = ip_layer_from(j["ip"]);
  if (j.contains("tcp")) d.tcp = tcp_layer_from(j["tcp"]);
  if (j.contains("icmp")) d.icmp = icmp_layer_from(j["icmp"]);
  d.packet = from_hex(j.value("packet_hex", std::string{}));
  for (const auto& h : j.value("delivered_hex", json::array())) d.delivered.push_back(from_hex(h.get<std::string>()));
  d.origin = j.value("origin", std::string("peer"));
}

static json datagram_json(const Datagram& d, HexFields hex) {
  json recs = json::array();
  for (const auto& r : d.records) recs.push_back(record_json(r));
  json acts = json::array();
  for (const auto& a : d.actions) acts.push_back({{"rule", a.rule}, {"action", a.action}, {"detail", a.detail}});
  json j{{"kind", "datagram"}, {"i", d.i}, {"dir", d.dir}, {"t_us", d.t_us},
         {"size", d.size}, {"ip_size", d.ip_size}, {"mtu", d.mtu}, {"hex", hex_field(d.payload_bytes(), hex)},
         {"records", recs}, {"malformed", d.malformed ? json(*d.malformed) : json(nullptr)},
         {"flight", d.flight ? json(*d.flight) : json(nullptr)},
         {"retransmission", d.retransmission}, {"fate", d.fate}, {"actions", acts},
         {"deliveries_us", d.deliveries_us}};
  add_l3_layers(j, d, hex);
  return j;
}

json to_json(const Event& e) {
  if (auto* d = std::get_if<Datagram>(&e)) return datagram_json(*d, HexFields::digits);
  if (auto* l = std::get_if<LinkChange>(&e)) {
    json j{{"kind", "link"}, {"i", l->i}, {"t_us", l->t_us}, {"change", l->change},
           {"value", l->value}, {"cause", l->cause}};
    if (!l->rule.empty()) j["rule"] = l->rule;
    return j;
  }
  const auto& p = std::get<PeerEvent>(e);
  return {{"kind", "peer"}, {"i", p.i}, {"t_us", p.t_us}, {"role", p.role}, {"event", p.event}};
}

Event event_from_json(const json& j) {
  const std::string kind = j.at("kind").get<std::string>();
  if (kind == "datagram") {
    Datagram d;
    d.i = j.at("i").get<std::uint64_t>();
    d.dir = j.at("dir").get<std::string>();
    d.t_us = j.at("t_us").get<std::int64_t>();
    d.size = j.at("size").get<std::size_t>();
    d.ip_size = j.value("ip_size", d.size + 28);
    d.mtu = j.value("mtu", 0);
    d.payload = from_hex(j.value("hex", std::string{}));
    for (const auto& r : j.value("records", json::array())) d.records.push_back(record_from(r));
    if (j.contains("malformed") && !j["malformed"].is_null()) d.malformed = j["malformed"].get<std::string>();
    if (j.contains("flight") && !j["flight"].is_null()) d.flight = j["flight"].get<int>();
    d.retransmission = j.value("retransmission", false);
    d.fate = j.value("fate", std::string("forwarded"));
    for (const auto& a : j.value("actions", json::array()))
      d.actions.push_back({a.at("rule").get<std::string>(), a.at("action").get<std::string>(),
                           a.value("detail", std::string{})});
    d.deliveries_us = j.value("deliveries_us", std::vector<std::int64_t>{});
    read_l3_layers(j, d);
    return d;
  }
  if (kind == "link") {
    return LinkChange{j.at("i").get<std::uint64_t>(), j.at("t_us").get<std::int64_t>(),
                      j.at("change").get<std::string>(), j.value("rule", std::string{}),
                      j.value("value", json(nullptr)), j.value("cause", std::string{})};
  }
  if (kind == "peer") {
    return PeerEvent{j.at("i").get<std::uint64_t>(), j.at("t_us").get<std::int64_t>(),
                     j.at("role").get<std::string>(), j.at("event")};
  }
  throw std::runtime_error("unknown event kind '" + kind + "'");
}

EventLog read_jsonl(std::istream& in, const std::string& name) {
  EventLog log;
  std::string line;
  for (std::size_t lineno = 1; std::getline(in, line); ++lineno) {
    if (line.empty()) continue;
    try {
      log.events.push_back(event_from_json(json::parse(line)));
    } catch (const std::exception& e) {
      throw std::runtime_error(name + ":" + std::to_string(lineno) + ": " + e.what());
    }
  }
  return log;
}

// The same line as to_json(e).dump(), but a datagram's hex digits go straight
// to the stream: dump() inspects every character of a string for escaping,
// which for the ~6 KB of hex of a full-sized TCP segment was about half of the
// line's cost (bench/l3). Hex needs no escaping. The dumped rest of the line
// holds each field as "" in its place; keys are sorted, so "hex" comes before
// "packet_hex", and as every quote inside a string value is escaped, the text
// `"hex":""` can only be that key (no nested object has a "hex" key).
void write_jsonl_line(std::ostream& out, const Event& e) {
  const auto* d = std::get_if<Datagram>(&e);
  if (!d) {
    out << to_json(e).dump() << '\n';
    return;
  }
  const std::string rest = datagram_json(*d, HexFields::placeholders).dump();
  std::size_t from = 0;
  auto fill = [&](std::string_view key_and_placeholder, std::span<const std::uint8_t> bytes) {
    const std::size_t at = rest.find(key_and_placeholder, from);
    if (at == std::string::npos) throw std::logic_error("write_jsonl_line: no placeholder for a hex field");
    const std::size_t closing_quote = at + key_and_placeholder.size() - 1;
    out.write(rest.data() + from, static_cast<std::streamsize>(closing_quote - from));
    write_hex(out, bytes);
    from = closing_quote;
  };
  fill(R"("hex":"")", d->payload_bytes());
  if (!d->packet.empty()) fill(R"("packet_hex":"")", d->packet);
  out.write(rest.data() + from, static_cast<std::streamsize>(rest.size() - from));
  out.put('\n');
}

}  // namespace wireproof::events
