// The contract's --key-log file: NSS key-log lines (the SSLKEYLOGFILE format,
// "<LABEL> <client_random hex> <secret hex>"), appended and flushed line by
// line, so every connection of the peer lands in one file the harness can
// read (harness/dissect/key_log.hpp) even if the peer is killed.
//
//   KeyLogFile log(*opts.key_log);
//   log.write_line(openssl_line);                                // OpenSSL hands over whole lines
//   log.write_line(KeyLogFile::line(label, client_random, secret)); // GnuTLS hands over the pieces
#pragma once

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>

namespace wireproof::peers {

class KeyLogFile {
 public:
  // Opens path for appending; throws std::runtime_error naming the path and why.
  explicit KeyLogFile(const std::string& path);
  ~KeyLogFile();
  KeyLogFile(const KeyLogFile&) = delete;
  KeyLogFile& operator=(const KeyLogFile&) = delete;

  // One line, '\n' added; flushed before returning.
  void write_line(std::string_view line);

  static std::string line(std::string_view label, std::span<const std::uint8_t> client_random,
                          std::span<const std::uint8_t> secret);

 private:
  std::FILE* file_;
};

}  // namespace wireproof::peers
