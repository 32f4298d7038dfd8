#include "peers/common/alert_names.hpp"

#include <utility>

namespace wireproof::peers {

std::string alert_description_name(int description) {
  static constexpr std::pair<int, const char*> kNames[] = {
      {0, "close_notify"},
      {10, "unexpected_message"},
      {20, "bad_record_mac"},
      {21, "decryption_failed"},
      {22, "record_overflow"},
      {30, "decompression_failure"},
      {40, "handshake_failure"},
      {41, "no_certificate"},
      {42, "bad_certificate"},
      {43, "unsupported_certificate"},
      {44, "certificate_revoked"},
      {45, "certificate_expired"},
      {46, "certificate_unknown"},
      {47, "illegal_parameter"},
      {48, "unknown_ca"},
      {49, "access_denied"},
      {50, "decode_error"},
      {51, "decrypt_error"},
      {60, "export_restriction"},
      {70, "protocol_version"},
      {71, "insufficient_security"},
      {80, "internal_error"},
      {86, "inappropriate_fallback"},
      {90, "user_canceled"},
      {100, "no_renegotiation"},
      {109, "missing_extension"},
      {110, "unsupported_extension"},
      {111, "certificate_unobtainable"},
      {112, "unrecognized_name"},
      {113, "bad_certificate_status_response"},
      {114, "bad_certificate_hash_value"},
      {115, "unknown_psk_identity"},
      {116, "certificate_required"},
      {120, "no_application_protocol"},
  };
  for (const auto& [code, name] : kNames)
    if (code == description) return name;
  return "alert_" + std::to_string(description);
}

std::string alert_level_name(int level) {
  if (level == 1) return "warning";
  if (level == 2) return "fatal";
  return "level_" + std::to_string(level);
}

nlohmann::json alert_event(bool sent, int level, int description) {
  return {{"event", "alert"},
          {"direction", sent ? "sent" : "received"},
          {"level", alert_level_name(level)},
          {"description", alert_description_name(description)}};
}

}  // namespace wireproof::peers
