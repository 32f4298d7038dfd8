#include "harness/checks/tls/tls_support.hpp"

#include <fmt/format.h>

#include "harness/dissect/tls_decrypt.hpp"
#include "impl/bytes/reader.hpp"
#include "peers/common/alert_names.hpp"

namespace wireproof::checks::tls {

std::string alert_name(int description) { return peers::alert_description_name(description); }

std::optional<int> alert_from_name(const std::string& name) {
  for (int d = 0; d < 256; ++d)
    if (peers::alert_description_name(d) == name && name.rfind("alert_", 0) != 0) return d;
  return std::nullopt;
}

std::string alert_level(int level) { return peers::alert_level_name(level); }

std::vector<std::string> unseen_of(const dissect::TlsTranscript& t, const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& u : t.unseen) {
    const bool about_one = u.rfind("c2s: ", 0) == 0 || u.rfind("s2c: ", 0) == 0;
    if (!about_one || u.rfind(dir + ": ", 0) == 0) out.push_back(u);
  }
  return out;
}

std::optional<std::size_t> finished_record(const dissect::TlsTranscript& t, const std::string& dir) {
  const auto& d = t.dir(dir);
  for (const auto& m : d.handshake)
    if (m.type == dissect::kHsFinished && m.encrypted) return m.first_record;
  if (t.version != dissect::kTls13 && !d.change_cipher_specs.empty()) {
    for (const auto& r : d.records)
      if (r.index > d.change_cipher_specs.front() && r.type == dissect::kHandshake) return r.index;
  }
  return std::nullopt;
}

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

std::string not_judged_suffix(const std::vector<std::string>& not_judged) {
  return not_judged.empty() ? "" : fmt::format("; not judged: {}", fmt::join(not_judged, "; "));
}

void conclude(CheckResult& r, const std::vector<std::string>& problems, bool judged, const std::string& pass_detail,
              const std::string& none_detail, const std::vector<std::string>& not_judged) {
  if (!r.measured.is_object()) r.measured = nlohmann::json::object();
  if (!not_judged.empty()) r.measured["not_judged"] = not_judged;
  if (!problems.empty()) {
    r.verdict = Verdict::fail;
    r.detail = fmt::format("{}{}", fmt::join(problems, "; "), not_judged_suffix(not_judged));
  } else if (judged) {
    r.verdict = Verdict::pass;
    r.detail = pass_detail + not_judged_suffix(not_judged);
  } else {
    r.verdict = Verdict::not_applicable;
    r.detail = none_detail;
  }
}

void conclude(CheckResult& r, const std::vector<std::string>& problems, std::size_t judged, const std::string& what,
              const std::vector<std::string>& not_judged) {
  if (!r.measured.is_object()) r.measured = nlohmann::json::object();
  r.measured["judged"] = judged;
  conclude(r, problems, judged > 0, fmt::format("{} {} judged, all conform", judged, what),
           fmt::format("no {} judged{}", what, not_judged_suffix(not_judged)), not_judged);
}

}  // namespace wireproof::checks::tls
