#include "harness/checks/tls/tls_support.hpp"

#include <fmt/format.h>

#include "impl/bytes/reader.hpp"

namespace wireproof::checks::tls {

std::optional<dissect::HelloExtensions> encrypted_extensions(const dissect::TlsTranscript& t) {
  for (const auto& m : t.s2c.handshake) {
    if (m.type != kHsEncryptedExtensions || !m.complete) continue;
    bytes::Reader r(m.body), exts;
    if (!r.get_u16_prefixed(exts) || !r.empty()) return std::nullopt;
    dissect::HelloExtensions out;
    while (!exts.empty()) {
      std::uint16_t type = 0;
      bytes::Reader data;
      if (!exts.get_u16(type) || !exts.get_u16_prefixed(data)) return std::nullopt;
      out.emplace_back(type, std::vector<std::uint8_t>(data.rest().begin(), data.rest().end()));
    }
    return out;
  }
  return std::nullopt;
}

void conclude(CheckResult& r, const std::vector<std::string>& problems, std::size_t judged, const std::string& what,
              const std::vector<std::string>& not_judged) {
  if (!r.measured.is_object()) r.measured = nlohmann::json::object();
  r.measured["judged"] = judged;
  if (!not_judged.empty()) r.measured["not_judged"] = not_judged;
  const std::string unseen = not_judged.empty() ? "" : fmt::format("; not judged: {}", fmt::join(not_judged, "; "));
  if (!problems.empty()) {
    r.verdict = Verdict::fail;
    r.detail = fmt::format("{}{}", fmt::join(problems, "; "), unseen);
  } else if (judged > 0) {
    r.verdict = Verdict::pass;
    r.detail = fmt::format("{} {} judged, all conform{}", judged, what, unseen);
  } else {
    r.verdict = Verdict::not_applicable;
    r.detail = fmt::format("no {} judged{}", what, unseen);
  }
}

}  // namespace wireproof::checks::tls
