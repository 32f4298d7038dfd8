// The one sysctl name -> /proc/sys path mapping and the /proc write.
#include "harness/wire/l3/proc_sys.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <stdexcept>

namespace wireproof::wire::l3 {
namespace {

TEST(SysctlPath, DotsBecomeSlashesBelowProcSys) {
  EXPECT_EQ(sysctl_path("net.ipv4.tcp_sack"), "/proc/sys/net/ipv4/tcp_sack");
  EXPECT_EQ(sysctl_path("net.ipv6.conf.tun-c.accept_ra"), "/proc/sys/net/ipv6/conf/tun-c/accept_ra");
}

TEST(SysctlPath, NamesThatWouldLeaveProcSysAreRefusedByName) {
  for (const char* bad : {"", "net..ipv4", ".net.ipv4", "net/ipv4/tcp_sack", "net.ipv4.tcp sack", "../etc/passwd"}) {
    try {
      sysctl_path(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string(e.what()), "l3: sysctl name '" + std::string(bad) + "' is not a sysctl name");
    }
  }
}

TEST(SysctlExists, SeesThisKernelsSysctlsOnly) {
  EXPECT_TRUE(sysctl_exists("net.ipv4.tcp_sack"));
  EXPECT_FALSE(sysctl_exists("net.ipv4.tcp_no_such_knob"));
}

TEST(WriteProcFile, ReportsTheErrnoOfTheOpenOrTheWrite) {
  EXPECT_EQ(write_proc_file("/proc/sys/net/ipv4/tcp_no_such_knob", "1"), ENOENT);
  // A read-only /proc file: open(O_WRONLY) fails (EACCES, or EIO/EPERM variants), never 0.
  EXPECT_NE(write_proc_file("/proc/self/status", "x"), 0);
}

}  // namespace
}  // namespace wireproof::wire::l3
