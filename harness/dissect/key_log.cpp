#include "harness/dissect/key_log.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "impl/bytes/hex.hpp"

namespace wireproof::dissect {


const KeyLog::Bytes* KeyLog::find(const Bytes& client_random, std::string_view label) const {
  auto c = secrets_.find(client_random);
  if (c == secrets_.end()) return nullptr;
  auto s = c->second.find(label);
  return s == c->second.end() ? nullptr : &s->second;
}

void KeyLog::add(Bytes client_random, std::string label, Bytes secret) {
  secrets_[std::move(client_random)][std::move(label)] = std::move(secret);
}

void KeyLog::merge(const KeyLog& other) {
  for (const auto& [random, labels] : other.secrets_)
    for (const auto& [label, secret] : labels) secrets_[random][label] = secret;
}

std::vector<KeyLogFile> read_run_key_logs(const std::filesystem::path& run_dir) {
  std::vector<KeyLogFile> out;
  for (const char* name : kRunKeyLogFiles) {
    const auto path = run_dir / name;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) continue;
    if (!std::filesystem::is_regular_file(path, ec)) {
      out.push_back({name, "", path.string() + ": is not a regular file"});
      continue;
    }
    std::ifstream in(path, std::ios::binary);
    std::string text(std::istreambuf_iterator<char>(in), {});
    if (!in.is_open() || in.bad()) out.push_back({name, "", path.string() + ": cannot read: " + std::strerror(errno)});
    else out.push_back({name, std::move(text), ""});
  }
  return out;
}

KeyLogParse parse_key_log(std::string_view text) {
  KeyLogParse out;
  std::istringstream lines{std::string(text)};
  std::size_t n = 0;
  for (std::string line; std::getline(lines, line);) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string label, random_hex, secret_hex, extra;
    fields >> label >> random_hex >> secret_hex;
    auto error = [&](const std::string& what) { out.errors.push_back("line " + std::to_string(n) + ": " + what); };
    if (secret_hex.empty() || (fields >> extra)) {
      error("expected \"<LABEL> <client_random hex> <secret hex>\"");
      continue;
    }
    auto random = bytes::parse_hex(random_hex);
    auto secret = bytes::parse_hex(secret_hex);
    if (!random || random->size() != 32) {
      error("client_random is not 32 bytes of hex");
      continue;
    }
    if (!secret || secret->empty()) {
      error("secret is not hex");
      continue;
    }
    out.log.add(std::move(*random), std::move(label), std::move(*secret));
  }
  return out;
}

}  // namespace wireproof::dissect
