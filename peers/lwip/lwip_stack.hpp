// lwIP (Debian's liblwip 2.1.3: NO_SYS=0, LWIP_TCPIP_CORE_LOCKING=1) as a
// library: one tcpip thread runs the stack and its timers; any other thread
// may call the raw API while it holds the core lock (the library asserts it).
#pragma once

#include <string>

namespace wireproof::peers::lwip {

// Starts the tcpip thread once (tcpip_init) and waits until it runs.
void start_lwip();

// The version the headers were built against ("2.1.3").
std::string lwip_version();

// Holds lwIP's core lock for a scope: raw-API calls and reading pcb fields.
class CoreLock {
 public:
  CoreLock();
  ~CoreLock();
  CoreLock(const CoreLock&) = delete;
  CoreLock& operator=(const CoreLock&) = delete;
};

}  // namespace wireproof::peers::lwip
