#include "harness/events/ip_layers.hpp"

#include <array>
#include <stdexcept>

namespace wireproof::events {

using nlohmann::json;

namespace {

constexpr const auto& kFlagNames = tcp_flags::kNames;

template <class T>
void put_optional(json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}
template <class T>
std::optional<T> get_optional(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return j[key].get<T>();
}

}  // namespace

std::string tcp_flags_text(std::uint8_t flags) {
  std::string s;
  for (auto [bit, name] : kFlagNames) {
    if (!(flags & bit)) continue;
    if (!s.empty()) s += '|';
    for (char c : name) s += static_cast<char>(c - 'a' + 'A');
  }
  return s.empty() ? "none" : s;
}

json to_json(const IpLayer& l) {
  return {{"version", l.version}, {"src", l.src},  {"dst", l.dst}, {"protocol", l.protocol},
          {"ttl", l.ttl},         {"df", l.df},    {"header_length", l.header_length}};
}

json to_json(const TcpLayer& l) {
  json flags = json::array();
  for (auto [bit, name] : kFlagNames)
    if (l.flags & bit) flags.push_back(std::string(name));
  json j{{"src_port", l.src_port}, {"dst_port", l.dst_port}, {"seq", l.seq},
         {"ack", l.ack},           {"flags", flags},         {"window", l.window},
         {"urgent_pointer", l.urgent_pointer}, {"payload_length", l.payload_length},
         {"checksum_ok", l.checksum_ok}};
  put_optional(j, "mss", l.mss);
  put_optional(j, "window_scale", l.window_scale);
  if (l.sack_permitted) j["sack_permitted"] = true;
  if (!l.sack.empty()) {
    json blocks = json::array();
    for (auto [left, right] : l.sack) blocks.push_back({left, right});
    j["sack"] = blocks;
  }
  put_optional(j, "ts_val", l.ts_val);
  put_optional(j, "ts_ecr", l.ts_ecr);
  return j;
}

json to_json(const IcmpLayer& l) {
  json j{{"v6", l.v6}, {"type", l.type}, {"code", l.code}};
  put_optional(j, "mtu", l.mtu);
  put_optional(j, "quoted_protocol", l.quoted_protocol);
  put_optional(j, "quoted_src_port", l.quoted_src_port);
  put_optional(j, "quoted_dst_port", l.quoted_dst_port);
  put_optional(j, "quoted_tcp_seq", l.quoted_tcp_seq);
  return j;
}

IpLayer ip_layer_from(const json& j) {
  IpLayer l;
  l.version = j.at("version").get<int>();
  l.src = j.at("src").get<std::string>();
  l.dst = j.at("dst").get<std::string>();
  l.protocol = j.at("protocol").get<int>();
  l.ttl = j.value("ttl", 0);
  l.df = j.value("df", false);
  l.header_length = j.value("header_length", std::size_t{0});
  return l;
}

TcpLayer tcp_layer_from(const json& j) {
  TcpLayer l;
  l.src_port = j.at("src_port").get<std::uint16_t>();
  l.dst_port = j.at("dst_port").get<std::uint16_t>();
  l.seq = j.at("seq").get<std::uint32_t>();
  l.ack = j.at("ack").get<std::uint32_t>();
  for (const auto& f : j.at("flags")) {
    const std::string name = f.get<std::string>();
    bool known = false;
    for (auto [bit, n] : kFlagNames)
      if (name == n) l.flags |= bit, known = true;
    if (!known) throw std::runtime_error("tcp.flags: unknown flag '" + name + "'");
  }
  l.window = j.at("window").get<std::uint16_t>();
  l.urgent_pointer = j.value("urgent_pointer", std::uint16_t{0});
  l.payload_length = j.at("payload_length").get<std::size_t>();
  l.checksum_ok = j.value("checksum_ok", true);
  l.mss = get_optional<std::uint16_t>(j, "mss");
  l.window_scale = get_optional<int>(j, "window_scale");
  l.sack_permitted = j.value("sack_permitted", false);
  for (const auto& b : j.value("sack", json::array()))
    l.sack.emplace_back(b.at(0).get<std::uint32_t>(), b.at(1).get<std::uint32_t>());
  l.ts_val = get_optional<std::uint32_t>(j, "ts_val");
  l.ts_ecr = get_optional<std::uint32_t>(j, "ts_ecr");
  return l;
}

IcmpLayer icmp_layer_from(const json& j) {
  IcmpLayer l;
  l.v6 = j.value("v6", false);
  l.type = j.at("type").get<int>();
  l.code = j.at("code").get<int>();
  l.mtu = get_optional<std::uint32_t>(j, "mtu");
  l.quoted_protocol = get_optional<int>(j, "quoted_protocol");
  l.quoted_src_port = get_optional<std::uint16_t>(j, "quoted_src_port");
  l.quoted_dst_port = get_optional<std::uint16_t>(j, "quoted_dst_port");
  l.quoted_tcp_seq = get_optional<std::uint32_t>(j, "quoted_tcp_seq");
  return l;
}

}  // namespace wireproof::events
