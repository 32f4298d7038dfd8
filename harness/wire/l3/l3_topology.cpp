#include "harness/wire/l3/l3_topology.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <fstream>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/wire/l3/icmp_too_big.hpp"
#include "harness/wire/l3/proc_sys.hpp"
#include "harness/wire/l3/tool_command.hpp"
#include "harness/wire/l3/tun_device.hpp"
#include "harness/wire/l3/user_namespace.hpp"
#include "harness/wire/relay_clock.hpp"
#include "harness/wire/unique_fd.hpp"

namespace wireproof::wire::l3 {
namespace {

struct SideAddresses {
  const char *v4, *peer_v4, *v6, *peer_v6;
};
constexpr SideAddresses kClient{"198.18.0.1", "198.18.0.2", "2001:db8::1", "2001:db8::2"};
constexpr SideAddresses kServer{"198.18.0.2", "198.18.0.1", "2001:db8::2", "2001:db8::1"};

// A sysctl absent from /proc/sys: not in this kernel, or (in a user namespace)
// one the kernel shows only to the initial user namespace's network namespaces.
std::string missing_sysctl(const std::string& name, const std::string& path) {
  std::string m = fmt::format("l3: sysctl {} does not exist in this kernel ({} missing)", name, path);
  if (privilege_mode() == PrivilegeMode::user_namespace)
    m += "; or, since this run is in a user namespace, the kernel hides it from the namespace's network "
         "namespaces, as Linux 6.x does net.ipv6.route.* but max_size: run as root to set it";
  return m;
}

std::string kernel_release() {
  utsname u{};
  return ::uname(&u) == 0 ? u.release : "unknown";
}

// The queue a packet-socket peer (lwIP) reads from. An AF_UNIX socketpair
// queues up to the writer's SO_SNDBUF (wmem_default, ~212 KB: ~80 full-size
// packets) and then refuses writes with EAGAIN, which would be loss the
// harness made: a burst of fragments towards a busy peer hit it (up to 80
// send_failed per run). A NIC's queue holds ~1000 packets (txqueuelen), so
// the wire's end gets kPacketQueueBytes: SO_SNDBUFFORCE as root, else
// SO_SNDBUF, capped by net.core.wmem_max. The size obtained is reported.
constexpr int kPacketQueueBytes = 8 << 20;

std::pair<UniqueFd, UniqueFd> seqpacket_pair() {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0)
    throw std::runtime_error(fmt::format("l3: socketpair(AF_UNIX, SOCK_SEQPACKET): {}", std::strerror(errno)));
  UniqueFd wire(sv[0]), peer(sv[1]);
  // The wire's end must not leak into peer processes; the peer's end is inherited on purpose.
  if (::fcntl(wire.get(), F_SETFD, FD_CLOEXEC) != 0)
    throw std::runtime_error(fmt::format("l3: fcntl(FD_CLOEXEC): {}", std::strerror(errno)));
  const int bytes = kPacketQueueBytes;
  if (::setsockopt(wire.get(), SOL_SOCKET, SO_SNDBUFFORCE, &bytes, sizeof bytes) != 0 &&
      ::setsockopt(wire.get(), SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes) != 0)
    throw std::runtime_error(fmt::format("l3: setsockopt(SO_SNDBUF): {}", std::strerror(errno)));
  return {std::move(wire), std::move(peer)};
}

}  // namespace

void apply_sysctl(const NetNamespace& ns, const std::string& name, const std::string& value) {
  const std::string path = sysctl_path(name);
  in_namespace(ns, [&] {
    const int e = write_proc_file(path.c_str(), value);
    if (e == ENOENT) throw std::runtime_error(missing_sysctl(name, path));
    if (e != 0)
      throw std::runtime_error(fmt::format("l3: sysctl {} = '{}' refused by the kernel: {} (writing {})", name, value,
                                           errno_name(e), path));
  });
}

std::string read_sysctl(const NetNamespace& ns, const std::string& name) {
  const std::string path = sysctl_path(name);
  return in_namespace(ns, [&] {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(missing_sysctl(name, path));
    std::string value((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
    std::replace(value.begin(), value.end(), '\t', ' ');  // tcp_rmem & co.: "4096\t131072\t6291456"
    return value;
  });
}

struct L3Topology::Side {
  std::string role;
  SideAddresses addr;
  L3SideConfig config;
  NetNamespace ns;                // declared first: destroyed last, after the fds
  std::optional<TunDevice> tun;
  UniqueFd wire_end, peer_end;    // packet_socket only

  Side(std::string r, SideAddresses a, const L3SideConfig& c, bool ipv6) : role(std::move(r)), addr(a), config(c) {
    auto step = [&](const std::string& what, auto&& fn) {
      try {
        fn();
      } catch (const std::exception& e) {
        throw std::runtime_error(fmt::format("l3 topology, {} side, {}: {}", role, what, e.what()));
      }
    };
    if (c.device == Device::tun) {
      step("tun device", [&] { tun.emplace(ns, TunConfig{a.v4, a.peer_v4, c.mtu}); });
      const std::string& dev = tun->name();
      step("route to the wire's address", [&] {
        run_tool("ip", {"-n", ns.name(), "route", "add", std::string(kRouterAddressV4) + "/32", "dev", dev});
      });
      if (ipv6) {
        if (c.mtu < kIpv6MinMtu)
          throw std::runtime_error(fmt::format("l3 topology, {} side: mtu {} is below IPv6's minimum {} (RFC 8200 5); "
                                               "Linux disables IPv6 on such a device", role, c.mtu, kIpv6MinMtu));
        step("ipv6", [&] {
          apply_sysctl(ns, "net.ipv6.conf." + dev + ".accept_ra", "0");
          run_tool("ip", {"-n", ns.name(), "addr", "add", std::string(a.v6) + "/128", "dev", dev, "nodad"});
          run_tool("ip", {"-n", ns.name(), "-6", "route", "add", std::string(a.peer_v6) + "/128", "dev", dev});
          run_tool("ip", {"-n", ns.name(), "-6", "route", "add", std::string(kRouterAddressV6) + "/128", "dev", dev});
        });
      }
      if (!c.route_options.empty()) step("route options", [&] { apply_route_options(dev, ipv6); });
    } else {
      step("socketpair", [&] { std::tie(wire_end, peer_end) = seqpacket_pair(); });
    }
    for (const auto& [name, value] : c.sysctls) {
      try {
        apply_sysctl(ns, name, value);
      } catch (const std::exception& e) {
        throw std::runtime_error(fmt::format("l3 topology, {} side: {}", role, e.what()));
      }
    }
  }

  // `ip route replace` keeps the route TunDevice made (peer /32 out of dev) and adds the options.
  void apply_route_options(const std::string& dev, bool ipv6) const {
    std::vector<std::string> options;
    for (const auto& [name, value] : config.route_options) {
      options.push_back(name);
      options.push_back(value);
    }
    auto replace = [&](std::vector<std::string> args) {
      args.insert(args.end(), options.begin(), options.end());
      run_tool("ip", args);
    };
    replace({"-n", ns.name(), "route", "replace", std::string(addr.peer_v4) + "/32", "dev", dev});
    if (ipv6) replace({"-n", ns.name(), "-6", "route", "replace", std::string(addr.peer_v6) + "/128", "dev", dev});
  }

  // The side's routes as the kernel holds them (`ip route show`), when options were set.
  nlohmann::json routes(bool ipv6) const {
    nlohmann::json out = nlohmann::json::array();
    for (const char* family : ipv6 ? std::vector<const char*>{"-4", "-6"} : std::vector<const char*>{"-4"}) {
      std::istringstream lines(run_tool("ip", {"-n", ns.name(), family, "route", "show", "dev", tun->name()}));
      for (std::string line; std::getline(lines, line);)
        if (!line.empty()) out.push_back(line);
    }
    return out;
  }

  nlohmann::json describe(bool ipv6) const {
    nlohmann::json j;
    j["namespace"] = ns.name();
    j["device"] = config.device == Device::tun ? "tun" : "packet_socket";
    if (tun) j["device_name"] = tun->name();
    j["addresses"] = ipv6 ? nlohmann::json{addr.v4, addr.v6} : nlohmann::json{addr.v4};
    j["mtu"] = config.mtu;
    if (config.device != Device::tun) {
      int queue = 0;
      socklen_t len = sizeof queue;
      if (::getsockopt(wire_end.get(), SOL_SOCKET, SO_SNDBUF, &queue, &len) == 0) j["packet_queue_bytes"] = queue;
    }
    j["kernel"] = kernel_release();
    nlohmann::json sysctls = nlohmann::json::object();
    auto record = [&](const std::string& name) {
      try {
        sysctls[name] = read_sysctl(ns, name);
      } catch (const std::exception&) {
        // An older kernel lacks some of these; describe what exists.
      }
    };
    const auto tcp_names = in_namespace(ns, [] {
      std::vector<std::string> names;
      for (const auto& e : std::filesystem::directory_iterator("/proc/sys/net/ipv4"))
        if (auto n = e.path().filename().string(); n.rfind("tcp_", 0) == 0) names.push_back("net.ipv4." + n);
      std::sort(names.begin(), names.end());
      return names;
    });
    for (const auto& n : tcp_names) record(n);
    for (const char* n : {"net.ipv4.route.min_pmtu", "net.ipv4.route.mtu_expires", "net.ipv4.ip_no_pmtu_disc",
                          "net.ipv4.conf.all.rp_filter"})
      record(n);
    if (ipv6 && tun) {
      record("net.ipv6.route.mtu_expires");
      record("net.ipv6.conf." + tun->name() + ".mtu");
      record("net.ipv6.conf." + tun->name() + ".accept_ra");
    }
    j["sysctls"] = std::move(sysctls);
    if (tun && !config.route_options.empty()) j["routes"] = routes(ipv6);
    return j;
  }
};

// Not root and no user namespace: say why before the first `ip netns add` fails obscurely.
static const L3Config& privileged(const L3Config& c) {
  require_l3_privileges();
  return c;
}

L3Topology::L3Topology(const L3Config& c)
    : client_(std::make_unique<Side>("client", kClient, privileged(c).client, c.ipv6)),
      server_(std::make_unique<Side>("server", kServer, c.server, c.ipv6)),
      ipv6_(c.ipv6) {}

L3Topology::~L3Topology() = default;

const L3Topology::Side& L3Topology::side(Dir d) const { return d == Dir::c2s ? *client_ : *server_; }

const NetNamespace& L3Topology::ns(Dir d) const { return side(d).ns; }

int L3Topology::wire_fd(Dir d) const {
  const Side& s = side(d);
  return s.tun ? s.tun->fd() : s.wire_end.get();
}

int L3Topology::peer_fd(Dir d) const {
  const Side& s = side(d);
  return s.tun ? -1 : s.peer_end.get();
}

std::string L3Topology::address(Dir d) const { return ipv6_ ? side(d).addr.v6 : side(d).addr.v4; }

nlohmann::json L3Topology::describe() const {
  return {{"client", client_->describe(ipv6_)},
          {"server", server_->describe(ipv6_)},
          {"ipv6", ipv6_},
          {"mode", to_string(privilege_mode())}};  // root | user_namespace (user_namespace.hpp)
}

}  // namespace wireproof::wire::l3
