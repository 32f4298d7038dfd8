#include "harness/wire/l3/proc_sys.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/wire/unique_fd.hpp"

namespace wireproof::wire::l3 {

std::string sysctl_path(const std::string& name) {
  const bool ok = !name.empty() && name.find("..") == std::string::npos && name.front() != '.' &&
                  std::all_of(name.begin(), name.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                           c == '.' || c == '-';
                  });
  if (!ok) throw std::runtime_error(fmt::format("l3: sysctl name '{}' is not a sysctl name", name));
  constexpr std::string_view kRoot = "/proc/sys/";
  std::string path = std::string(kRoot) + name;
  std::replace(path.begin() + static_cast<std::ptrdiff_t>(kRoot.size()), path.end(), '.', '/');
  return path;
}

bool sysctl_exists(const std::string& name) { return std::filesystem::exists(sysctl_path(name)); }

int write_proc_file(const char* path, std::string_view text) {
  UniqueFd fd(::open(path, O_WRONLY | O_CLOEXEC));
  if (!fd) return errno;
  const ssize_t n = ::write(fd.get(), text.data(), text.size());
  if (n < 0) return errno;
  return static_cast<std::size_t>(n) == text.size() ? 0 : EIO;  // a short write took part of the value
}

}  // namespace wireproof::wire::l3
