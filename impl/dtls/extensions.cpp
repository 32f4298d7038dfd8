#include "impl/dtls/extensions.hpp"

#include <set>

namespace wireproof::dtls {

namespace {
bool parse_u16_list(bytes::Reader r, std::vector<std::uint16_t>& out, bool allow_empty = false) {
  bytes::Reader list;
  if (!r.get_u16_prefixed(list) || !r.empty() || list.remaining() % 2 != 0) return false;
  if (list.empty() && !allow_empty) return false;
  while (!list.empty()) {
    std::uint16_t v = 0;
    list.get_u16(v);
    out.push_back(v);
  }
  return true;
}

bool parse_one(std::uint16_t type, bytes::Reader body, Extensions& e) {
  switch (type) {
    case kExtServerName: {
      if (body.empty()) {  // ServerHello acknowledgment (RFC 6066 3)
        e.server_name = std::string();
        return true;
      }
      bytes::Reader list;
      if (!body.get_u16_prefixed(list) || !body.empty() || list.empty()) return false;
      while (!list.empty()) {
        std::uint8_t name_type;
        bytes::Reader name;
        if (!list.get_u8(name_type) || !list.get_u16_prefixed(name) || name.empty()) return false;
        if (name_type == 0) {
          if (e.server_name) return false;  // one host_name only
          e.server_name = std::string(name.rest().begin(), name.rest().end());
        }
      }
      return e.server_name.has_value();
    }
    case kExtSupportedGroups: e.supported_groups.emplace(); return parse_u16_list(body, *e.supported_groups);
    case kExtSignatureAlgorithms:
      e.signature_algorithms.emplace();
      return parse_u16_list(body, *e.signature_algorithms);
    case kExtEcPointFormats: {
      bytes::Reader list;
      if (!body.get_u8_prefixed(list) || !body.empty() || list.empty()) return false;
      e.ec_point_formats.emplace(list.rest().begin(), list.rest().end());
      return true;
    }
    case kExtAlpn: {
      bytes::Reader list;
      if (!body.get_u16_prefixed(list) || !body.empty() || list.empty()) return false;
      e.alpn.emplace();
      while (!list.empty()) {
        bytes::Reader name;
        if (!list.get_u8_prefixed(name) || name.empty()) return false;
        e.alpn->emplace_back(name.rest().begin(), name.rest().end());
      }
      return true;
    }
    case kExtExtendedMasterSecret: e.extended_master_secret = true; return body.empty();
    case kExtRenegotiationInfo: {
      bytes::Reader v;
      if (!body.get_u8_prefixed(v) || !body.empty()) return false;
      e.renegotiation_info.emplace(v.rest().begin(), v.rest().end());
      return true;
    }
    default: e.unknown.emplace_back(type, crypto::Bytes(body.rest().begin(), body.rest().end())); return true;
  }
}
}  // namespace

bool parse_extensions(bytes::Reader& block, Extensions& out, std::string& error) {
  bytes::Reader list;
  if (!block.get_u16_prefixed(list)) {
    error = "extensions block length exceeds the message";
    return false;
  }
  std::set<std::uint16_t> seen;
  while (!list.empty()) {
    std::uint16_t type;
    bytes::Reader body;
    if (!list.get_u16(type) || !list.get_u16_prefixed(body)) {
      error = "truncated extension";
      return false;
    }
    if (!seen.insert(type).second) {
      error = "duplicate extension " + std::to_string(type);
      return false;
    }
    if (!parse_one(type, body, out)) {
      error = "malformed extension " + std::to_string(type);
      return false;
    }
  }
  return true;
}

void write_extensions(bytes::Writer& w, const Extensions& e) {
  bytes::Writer body;
  auto ext = [&](std::uint16_t type, auto&& fill) {
    body.put_u16(type);
    auto h = body.open_prefixed(2);
    fill();
    body.close_prefixed(h);
  };
  if (e.server_name) ext(kExtServerName, [&] {
      if (e.server_name->empty()) return;
      auto l = body.open_prefixed(2);
      body.put_u8(0);  // host_name
      body.put_prefixed(2, crypto::as_bytes(*e.server_name));
      body.close_prefixed(l);
    });
  if (e.supported_groups) ext(kExtSupportedGroups, [&] { body.put_u16_list(2, *e.supported_groups); });
  if (e.ec_point_formats) ext(kExtEcPointFormats, [&] { body.put_prefixed(1, *e.ec_point_formats); });
  if (e.signature_algorithms) ext(kExtSignatureAlgorithms, [&] { body.put_u16_list(2, *e.signature_algorithms); });
  if (e.alpn) ext(kExtAlpn, [&] {
      auto l = body.open_prefixed(2);
      for (const auto& p : *e.alpn) body.put_prefixed(1, crypto::as_bytes(p));
      body.close_prefixed(l);
    });
  if (e.extended_master_secret) ext(kExtExtendedMasterSecret, [] {});
  if (e.renegotiation_info) ext(kExtRenegotiationInfo, [&] { body.put_prefixed(1, *e.renegotiation_info); });
  for (const auto& u : e.unknown) ext(u.first, [&] { body.put_bytes(u.second); });
  if (body.size() == 0) return;  // RFC 5246 7.4.1.2: the block may be omitted
  w.put_prefixed(2, body.data());
}

}  // namespace wireproof::dtls
