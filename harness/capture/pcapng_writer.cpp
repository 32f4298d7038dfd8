// pcapng blocks (draft-ietf-opsawg-pcapng): SHB, IDB, EPB, DSB, written big-endian
// with impl/bytes Writer (readers detect byte order from the SHB magic).
#include "harness/capture/pcapng_writer.hpp"

#include <algorithm>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include "impl/bytes/reader.hpp"
#include "impl/bytes/writer.hpp"

namespace wireproof::capture {

namespace {

constexpr std::uint32_t kShb = 0x0A0D0D0A, kIdb = 1, kEpb = 6, kDsb = 0x0000000A;
constexpr std::uint32_t kSecretsTls = 0x544c534b;  // "TLSK": NSS key log
constexpr std::uint16_t kLinktypeIpv4 = 228, kLinktypeRaw = 101;  // RAW: IPv4 or IPv6 by the version nibble
constexpr std::uint16_t kOptEnd = 0, kOptComment = 1, kShbUserAppl = 4, kIfName = 2, kIfTsresol = 9;

void pad4(bytes::Writer& w) { w.put_zeros((4 - w.size() % 4) % 4); }

void option(bytes::Writer& w, std::uint16_t code, std::span<const std::uint8_t> value) {
  w.put_u16(code);
  w.put_u16(static_cast<std::uint16_t>(value.size()));  // length excludes padding
  w.put_bytes(value);
  pad4(w);
}

void option(bytes::Writer& w, std::uint16_t code, std::string_view text) {
  // Comments are free text from the log; pcapng options cap at 65535 bytes.
  text = text.substr(0, 65532);
  option(w, code, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

// A block: type, total length, body, total length again.
template <typename Body>
void block(std::ostream& out, std::uint32_t type, Body&& body) {
  bytes::Writer w;
  w.put_u32(type);
  w.put_u32(0);  // patched
  body(w);
  pad4(w);
  const auto total = static_cast<std::uint32_t>(w.size() + 4);
  w.put_u32(total);
  w.patch_uint(4, 4, total);
  out.write(reinterpret_cast<const char*>(w.data().data()), static_cast<std::streamsize>(w.size()));
}

}  // namespace

std::string with_tls_secrets(const std::string& pcapng, const std::vector<std::string>& key_logs) {
  std::string tls_key_log;
  for (const auto& text : key_logs) {
    tls_key_log += text;
    if (!tls_key_log.empty() && tls_key_log.back() != '\n') tls_key_log += '\n';
  }
  if (tls_key_log.empty()) return pcapng;
  bytes::Reader in(std::span(reinterpret_cast<const std::uint8_t*>(pcapng.data()), pcapng.size()));
  std::uint32_t type = 0, length = 0, magic = 0;
  if (!in.get_u32(type) || type != kShb || !in.get_u32(length) || !in.get_u32(magic) || magic != 0x1A2B3C4D ||
      length < 28 || length % 4 != 0 || length > pcapng.size())
    throw std::invalid_argument("with_tls_secrets: the capture does not start with a big-endian Section Header Block");
  std::ostringstream dsb;
  block(dsb, kDsb, [&](bytes::Writer& w) {
    w.put_u32(kSecretsTls);
    w.put_u32(static_cast<std::uint32_t>(tls_key_log.size()));  // secrets length, padding excluded
    w.put_bytes(std::span(reinterpret_cast<const std::uint8_t*>(tls_key_log.data()), tls_key_log.size()));
    pad4(w);
    w.put_u32(kOptEnd);
  });
  std::string out = pcapng.substr(0, length);
  out += dsb.str();
  out.append(pcapng, length);
  return out;
}

void write_pcapng(const events::EventLog& log, const CaptureEndpoints& ep, std::ostream& out) {
  const bool l3 = is_l3_log(log);
  block(out, kShb, [&](bytes::Writer& w) {
    w.put_u32(0x1A2B3C4D);          // byte-order magic
    w.put_u16(1);
    w.put_u16(0);
    w.put_u64(~std::uint64_t{0});   // section length unknown
    option(w, kShbUserAppl, l3 ? "wireproof capture (the L3 wire's packets, from events.jsonl)"
                               : "wireproof capture (synthesized from events.jsonl)");
    w.put_u32(kOptEnd);
  });
  auto interface = [&](std::uint16_t linktype, std::string_view name) {
    block(out, kIdb, [&](bytes::Writer& w) {
      w.put_u16(linktype);
      w.put_u16(0);
      w.put_u32(0);                   // no snap length limit
      option(w, kIfName, name);
      const std::uint8_t micro = 6;   // 10^-6 s
      option(w, kIfTsresol, std::span(&micro, 1));
      w.put_u32(kOptEnd);
    });
  };
  if (l3) {
    interface(kLinktypeRaw, "wire-client-side");  // interface 0
    interface(kLinktypeRaw, "wire-server-side");  // interface 1
  } else {
    interface(kLinktypeIpv4, "wireproof-wire");
  }
  for (const auto& p : capture_packets(log, ep)) {
    block(out, kEpb, [&](bytes::Writer& w) {
      const auto ts = static_cast<std::uint64_t>(std::max<std::int64_t>(0, ep.t0_unix_us + p.t_us));
      w.put_u32(p.interface);
      w.put_u32(static_cast<std::uint32_t>(ts >> 32));
      w.put_u32(static_cast<std::uint32_t>(ts));
      w.put_u32(static_cast<std::uint32_t>(p.ip.size()));
      w.put_u32(static_cast<std::uint32_t>(p.ip.size()));
      w.put_bytes(p.ip);
      pad4(w);
      if (!p.comment.empty()) option(w, kOptComment, p.comment);
      w.put_u32(kOptEnd);
    });
  }
  if (!out) throw std::runtime_error("writing pcapng failed");
}

}  // namespace wireproof::capture
