#include "peers/common/key_log_file.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "peers/common/dtls_session.hpp"
#include "peers/common/peer_ending.hpp"

namespace wireproof::peers {
namespace {

std::string hex(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (auto b : bytes) out += fmt::format("{:02x}", b);
  return out;
}

}  // namespace

KeyLogFile::KeyLogFile(const std::string& path) : file_(std::fopen(path.c_str(), "a")) {
  if (!file_) throw std::runtime_error("--key-log " + path + ": cannot open for appending: " + std::strerror(errno));
}

KeyLogFile::~KeyLogFile() { std::fclose(file_); }

void KeyLogFile::write_line(std::string_view line) {
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fputc('\n', file_);
  std::fflush(file_);
}

std::string KeyLogFile::line(std::string_view label, std::span<const std::uint8_t> client_random,
                             std::span<const std::uint8_t> secret) {
  return std::string(label) + " " + hex(client_random) + " " + hex(secret);
}

std::unique_ptr<KeyLogFile> open_key_log(const PeerOptions& opts) {
  if (!opts.key_log) return nullptr;
  try {
    return std::make_unique<KeyLogFile>(*opts.key_log);
  } catch (const std::runtime_error& e) {
    throw SetupError(e.what(), kExitUsage);
  }
}

}  // namespace wireproof::peers
