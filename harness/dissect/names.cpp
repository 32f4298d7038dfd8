#include "harness/dissect/names.hpp"

#include <array>
#include <utility>

namespace wireproof::dissect {
namespace {

using Entry = std::pair<int, std::string_view>;

// RFC 5246 7.4 and RFC 6347 4.3.2 (hello_verify_request), RFC 5077 (new_session_ticket).
constexpr std::array<Entry, 12> kHandshakeTypes{{
    {0, "hello_request"},       {1, "client_hello"},        {2, "server_hello"},
    {3, "hello_verify_request"}, {4, "new_session_ticket"},  {11, "certificate"},
    {12, "server_key_exchange"}, {13, "certificate_request"}, {14, "server_hello_done"},
    {15, "certificate_verify"},  {16, "client_key_exchange"}, {20, "finished"},
}};

// RFC 5246 6.2.1, RFC 6520 (heartbeat).
constexpr std::array<Entry, 5> kContentTypes{{
    {20, "change_cipher_spec"}, {21, "alert"}, {22, "handshake"},
    {23, "application_data"},   {24, "heartbeat"},
}};

template <std::size_t N>
std::string name_of(const std::array<Entry, N>& table, int type) {
  for (const auto& [number, name] : table)
    if (number == type) return std::string(name);
  return "unknown(" + std::to_string(type) + ")";
}

template <std::size_t N>
std::optional<int> number_of(const std::array<Entry, N>& table, std::string_view wanted) {
  for (const auto& [number, name] : table)
    if (name == wanted) return number;
  return std::nullopt;
}

}  // namespace

std::string handshake_type_name(int type) { return name_of(kHandshakeTypes, type); }
std::optional<int> handshake_type_from_name(std::string_view name) {
  return number_of(kHandshakeTypes, name);
}
std::string content_type_name(int type) { return name_of(kContentTypes, type); }
std::optional<int> content_type_from_name(std::string_view name) {
  return number_of(kContentTypes, name);
}

}  // namespace wireproof::dissect
