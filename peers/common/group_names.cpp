#include "peers/common/group_names.hpp"

#include <array>

namespace wireproof::peers {
namespace {

constexpr std::array<GroupName, 10> kGroups{{
    {"x25519", "X25519", "GROUP-X25519", false},
    {"x448", "X448", "GROUP-X448", false},
    {"secp256r1", "P-256", "GROUP-SECP256R1", false},
    {"secp384r1", "P-384", "GROUP-SECP384R1", false},
    {"secp521r1", "P-521", "GROUP-SECP521R1", false},
    {"ffdhe2048", "ffdhe2048", "GROUP-FFDHE2048", true},
    {"ffdhe3072", "ffdhe3072", "GROUP-FFDHE3072", true},
    {"ffdhe4096", "ffdhe4096", "GROUP-FFDHE4096", true},
    {"ffdhe6144", "ffdhe6144", "GROUP-FFDHE6144", true},
    {"ffdhe8192", "ffdhe8192", "GROUP-FFDHE8192", true},
}};

}  // namespace

const GroupName* find_group(std::string_view contract_name) {
  for (const auto& g : kGroups)
    if (g.contract == contract_name) return &g;
  return nullptr;
}

std::string known_group_names() {
  std::string out;
  for (const auto& g : kGroups) {
    if (!out.empty()) out += ", ";
    out += g.contract;
  }
  return out;
}

}  // namespace wireproof::peers
