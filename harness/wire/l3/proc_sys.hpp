// /proc/sys as the L3 wire uses it: the one mapping of a sysctl name to its
// file, and the one whole-value write to a /proc file that reports errno.
// The topology applies sysctls with them (inside a side's namespace), the
// runner asks whether the kernel has one, user_namespace writes its id maps.
//
//   if (int e = write_proc_file(sysctl_path("net.ipv4.tcp_sack").c_str(), "0"); e != 0) ...
#pragma once

#include <string>
#include <string_view>

namespace wireproof::wire::l3 {

// net.ipv4.tcp_sack -> /proc/sys/net/ipv4/tcp_sack. Throws naming it for a
// name that is not a sysctl name: no "..", "/" or leading dot may reach
// outside /proc/sys.
std::string sysctl_path(const std::string& name);

// Whether the calling thread's network namespace has the sysctl.
bool sysctl_exists(const std::string& name);

// Writes `text` to a /proc file in one write() (the kernel takes a value
// whole): 0, or the errno of the open or the write. Allocates nothing, so it
// may run between unshare() and the id maps.
int write_proc_file(const char* path, std::string_view text);

}  // namespace wireproof::wire::l3
