// wireproof-peer-ref: the peer contract (peers/CONTRACT.md) over the reference DTLS 1.2 stack,
// plus the ref-only `--bug NAME` misbehaviour switches (bug_flags.hpp).
#include <iostream>

#include <nlohmann/json.hpp>

#include "peers/common/peer_driver.hpp"
#include "peers/common/peer_ending.hpp"
#include "peers/ref/bug_flags.hpp"
#include "peers/ref/ref_session.hpp"

int main(int argc, char** argv) {
  using namespace wireproof::peers;
  const ref::BugFlags flags = ref::take_bug_flags({argv + 1, argv + argc});
  if (!flags.error.empty()) {
    std::cout << nlohmann::json{{"event", "error"}, {"message", flags.error}}.dump() << std::endl;
    std::cerr << flags.error << "\n";
    return kExitUsage;
  }
  Backend backend{{"wireproof-ref", "0.1.0"},
                  [&flags](const PeerOptions& opts, UdpSocket& socket, EventEmitter& events) -> std::unique_ptr<DtlsSession> {
                    return std::make_unique<ref::RefSession>(opts, flags.bugs, socket, events);
                  }};
  std::vector<char*> rest{argv[0]};
  for (const auto& a : flags.rest) rest.push_back(const_cast<char*>(a.c_str()));  // run_peer only reads them
  return run_peer(static_cast<int>(rest.size()), rest.data(), backend);
}
