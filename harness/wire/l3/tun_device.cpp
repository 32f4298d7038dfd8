#include "harness/wire/l3/tun_device.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "harness/wire/l3/tool_command.hpp"
#include "harness/wire/l3/user_namespace.hpp"
#include "harness/wire/relay_clock.hpp"

namespace wireproof::wire::l3 {

namespace {

// RFC 2544 benchmarking range 198.18.0.0/15 (DESIGN.md): only these addresses, ever.
bool in_benchmark_range(const std::string& text) {
  in_addr a{};
  if (::inet_pton(AF_INET, text.c_str(), &a) != 1) return false;
  return (ntohl(a.s_addr) & 0xfffe0000u) == 0xc6120000u;
}

// Root of a user namespace has no rights over a device node the host's root
// owns: only its mode bits for "other" count. udev's default is 0666.
std::string tun_denied_in_user_namespace(int error) {
  struct stat st {};
  const std::string mode = ::stat("/dev/net/tun", &st) == 0 ? fmt::format("{:04o}", st.st_mode & 07777) : "unknown";
  return fmt::format("l3: open /dev/net/tun: {} in a user namespace (not root): the device's mode is {}, and a user "
                     "namespace can open it only when every user may (mode 0666, udev's default). "
                     "Allow it with `chmod 0666 /dev/net/tun` (as root), or run as root",
                     errno_name(error), mode);
}

UniqueFd open_tun(const std::string& name) {
  UniqueFd fd(::open("/dev/net/tun", O_RDWR | O_CLOEXEC));
  if (!fd) {
    const int error = errno;
    if ((error == EACCES || error == EPERM) && privilege_mode() == PrivilegeMode::user_namespace)
      throw std::runtime_error(tun_denied_in_user_namespace(error));
    throw std::system_error(error, std::generic_category(), "l3: open /dev/net/tun");
  }
  ifreq ifr{};
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (::ioctl(fd.get(), TUNSETIFF, &ifr) != 0)
    throw std::system_error(errno, std::generic_category(), "l3: TUNSETIFF " + name);
  // No checksum/TSO/UFO offload: the kernel hands us finished packets of real size.
  if (::ioctl(fd.get(), TUNSETOFFLOAD, 0UL) != 0)
    throw std::system_error(errno, std::generic_category(), "l3: TUNSETOFFLOAD 0 on " + name);
  return fd;
}

}  // namespace

void validate(const TunConfig& c) {
  if (!in_benchmark_range(c.local))
    throw std::invalid_argument(fmt::format("l3: tun local address '{}' is not IPv4 in 198.18.0.0/15", c.local));
  if (!in_benchmark_range(c.peer))
    throw std::invalid_argument(fmt::format("l3: tun peer address '{}' is not IPv4 in 198.18.0.0/15", c.peer));
  if (c.local == c.peer) throw std::invalid_argument(fmt::format("l3: tun local and peer are both '{}'", c.local));
  if (c.mtu < 68 || c.mtu > 65535) throw std::invalid_argument(fmt::format("l3: tun mtu {} not in 68..65535", c.mtu));
}

TunDevice::TunDevice(const NetNamespace& ns, const TunConfig& c) : name_(ns.name()) {
  validate(c);
  if (name_.size() >= IFNAMSIZ) throw std::runtime_error("l3: device name too long: " + name_);
  // The device is created in the namespace of the thread that calls TUNSETIFF.
  fd_ = in_namespace(ns, [&] { return open_tun(name_); });
  const std::string& n = ns.name();
  const std::string mtu = std::to_string(c.mtu);
  run_tool("ip", {"-n", n, "link", "set", "dev", name_, "addrgenmode", "none"});
  run_tool("ip", {"-n", n, "link", "set", "dev", name_, "mtu", mtu});
  run_tool("ip", {"-n", n, "addr", "add", c.local + "/15", "dev", name_, "noprefixroute"});
  run_tool("tc", {"-n", n, "qdisc", "replace", "dev", name_, "root", "pfifo"});
  run_tool("ip", {"-n", n, "link", "set", "dev", name_, "up"});
  run_tool("ip", {"-n", n, "route", "add", c.peer + "/32", "dev", name_});
}

}  // namespace wireproof::wire::l3
