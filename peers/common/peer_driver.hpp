// The whole life of a contract peer, shared by every shim: parse the command
// line, bind or connect the UDP socket, report "ready", drive the handshake
// under --handshake-timeout-ms, run the echo workload under
// --idle-timeout-ms, report app_data and closed, and return the contract's
// exit code. The decisions are peer_core.hpp's (sans-IO, also run by
// harness/virtual); this adds the socket, poll, SIGTERM and the steady clock.
// A shim's main() is one call:
//
//   int main(int argc, char** argv) { return run_peer(argc, argv, openssl_backend()); }
#pragma once

#include "peers/common/dtls_session.hpp"

namespace wireproof::peers {

int run_peer(int argc, char** argv, const Backend& backend);

}  // namespace wireproof::peers
