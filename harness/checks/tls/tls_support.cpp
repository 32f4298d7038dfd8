#include "harness/checks/tls/tls_support.hpp"

#include "harness/dissect/tls_decrypt.hpp"
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

}  // namespace wireproof::checks::tls
