#include "harness/registry/json_fields.hpp"

#include <algorithm>

namespace wireproof::registry::fields {

namespace {
std::string join(const std::string& field, const std::string& key) {
  return field.empty() ? key : field + "." + key;
}
}  // namespace

void fail(const std::string& where, const std::string& field, const std::string& what) {
  throw RegistryError(where + ": field '" + field + "': " + what);
}

const nlohmann::json& object(const nlohmann::json& parent, const std::string& key, const std::string& where,
                             const std::string& field) {
  auto it = parent.find(key);
  if (it == parent.end()) fail(where, join(field, key), "missing (expected an object)");
  if (!it->is_object()) fail(where, join(field, key), "expected an object, got " + it->dump());
  return *it;
}

std::string string(const nlohmann::json& parent, const std::string& key, const std::string& where,
                   const std::string& field) {
  auto it = parent.find(key);
  if (it == parent.end()) fail(where, join(field, key), "missing (expected a string)");
  if (!it->is_string() || it->get<std::string>().empty())
    fail(where, join(field, key), "expected a non-empty string, got " + it->dump());
  return it->get<std::string>();
}

std::string string_or(const nlohmann::json& parent, const std::string& key, const std::string& fallback,
                      const std::string& where, const std::string& field) {
  return parent.contains(key) ? string(parent, key, where, field) : fallback;
}

std::vector<std::string> strings(const nlohmann::json& parent, const std::string& key, const std::string& where,
                                 const std::string& field, bool allow_empty) {
  auto it = parent.find(key);
  if (it == parent.end()) fail(where, join(field, key), "missing (expected an array of strings)");
  if (!it->is_array()) fail(where, join(field, key), "expected an array of strings, got " + it->dump());
  std::vector<std::string> out;
  for (const auto& v : *it) {
    if (!v.is_string()) fail(where, join(field, key), "expected an array of strings, found " + v.dump());
    out.push_back(v.get<std::string>());
  }
  if (out.empty() && !allow_empty) fail(where, join(field, key), "must not be empty");
  return out;
}

void only_keys(const nlohmann::json& obj, const std::vector<std::string>& allowed, const std::string& where,
               const std::string& field) {
  for (const auto& [k, v] : obj.items()) {
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      fail(where, join(field, k), "unknown field (known: " + list + ")");
    }
  }
}

}  // namespace wireproof::registry::fields
