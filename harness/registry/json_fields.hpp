// Typed reads of registry.json fields that fail with a message naming the
// entry and field ("peer 'gnutls-cli': field 'tool.client.argv': expected
// an array of strings"), so a broken registry says where it is broken.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/registry/tool_spec.hpp"

namespace wireproof::registry::fields {

[[noreturn]] void fail(const std::string& where, const std::string& field, const std::string& what);

const nlohmann::json& object(const nlohmann::json& parent, const std::string& key, const std::string& where,
                             const std::string& field);
std::string string(const nlohmann::json& parent, const std::string& key, const std::string& where,
                   const std::string& field);
std::string string_or(const nlohmann::json& parent, const std::string& key, const std::string& fallback,
                      const std::string& where, const std::string& field);
std::vector<std::string> strings(const nlohmann::json& parent, const std::string& key, const std::string& where,
                                 const std::string& field, bool allow_empty = false);
// The whole object must contain only these keys (typos do not pass silently).
void only_keys(const nlohmann::json& obj, const std::vector<std::string>& allowed, const std::string& where,
               const std::string& field);

}  // namespace wireproof::registry::fields
