#include "harness/cli/peer_lookup.hpp"

#include <chrono>
#include <thread>

#include <boost/process.hpp>
#include <nlohmann/json.hpp>

#include "harness/registry/registry.hpp"

namespace bp = boost::process;

namespace wireproof::cli {

PeerLookup default_peer_lookup() {
  return {registry::default_registry_file().string(), WIREPROOF_BUILD_DIR};
}

runner::PeerCommand PeerLookup::resolve(const std::string& name) const {
  auto reg = registry::Registry::load(registry_path);
  const auto& e = reg.find(name);  // throws, listing the known names
  // Field by field: GCC 12 reports a false maybe-uninitialized for an aggregate temporary of this size.
  runner::PeerCommand peer;
  peer.name = e.name;
  peer.implementation = e.implementation;
  peer.kind = e.kind;
  peer.argv_prefix = reg.argv_prefix(name, build_dir);
  peer.fixed_timer_ms_as_client = e.fixed_value("client", "timer-initial-ms");
  peer.fixed_timer_ms_as_server = e.fixed_value("server", "timer-initial-ms");
  peer.capabilities = e.capabilities;
  peer.protocols = e.protocols;
  peer.packet_socket = e.device == "packet_socket";
  peer.key_log = e.key_log;
  for (const auto& s : e.kernel.sysctls) peer.sysctls.push_back({s.name, s.value, s.if_present});
  for (const auto& r : e.kernel.route) peer.route_options.emplace_back(r.name, r.value);
  return peer;
}

std::vector<std::string> PeerLookup::names() const { return registry::Registry::load(registry_path).names(); }

void PeerLookup::query_version(runner::PeerCommand& peer) const {
  if (peer.argv_prefix.empty()) return;
  std::vector<std::string> args(peer.argv_prefix.begin() + 1, peer.argv_prefix.end());
  args.push_back("--version");
  std::error_code ec;
  bp::ipstream out;
  bp::child c(bp::exe = peer.argv_prefix[0], bp::args = args, bp::std_out > out, bp::std_err > bp::null,
              bp::std_in < bp::null, ec);
  if (ec) {
    peer.version = "unavailable: cannot run " + peer.argv_prefix[0] + ": " + ec.message();
    return;
  }
  std::string line, found;
  // A peer that hangs on --version must not hang us: give it 5 s.
  std::thread killer([&c] {
    for (int k = 0; k < 500 && c.running(); ++k) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (c.running()) c.terminate();
  });
  while (std::getline(out, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.value("event", "") == "version") {
      if (j.contains("implementation")) peer.implementation = j["implementation"].get<std::string>();
      found = j.value("version", "");
    }
  }
  killer.join();
  c.wait(ec);
  peer.version = found.empty() ? "unavailable: --version printed no version event" : found;
}

}  // namespace wireproof::cli
