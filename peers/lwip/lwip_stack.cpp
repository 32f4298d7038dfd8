#include "peers/lwip/lwip_stack.hpp"

// Debian's lwipopts.h declares sys_lock_tcpip_core() and friends outside any
// extern "C": included first, here, they get the C linkage liblwip.so defines.
extern "C" {
#include <lwip/opt.h>
}
#include <lwip/init.h>
#include <lwip/sys.h>
#include <lwip/tcpip.h>

#include <future>

namespace wireproof::peers::lwip {

void start_lwip() {
  static std::once_flag once;
  std::call_once(once, [] {
    std::promise<void> running;
    tcpip_init([](void* p) { static_cast<std::promise<void>*>(p)->set_value(); }, &running);
    running.get_future().wait();
  });
}

std::string lwip_version() { return LWIP_VERSION_STRING; }

CoreLock::CoreLock() { sys_lock_tcpip_core(); }
CoreLock::~CoreLock() { sys_unlock_tcpip_core(); }

}  // namespace wireproof::peers::lwip
