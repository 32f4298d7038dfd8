// wireproof-capture EVENTS.jsonl OUT.pcapng [--key-log F]...: re-generates a run's capture from its
// event log, with the NSS key logs given in a Decryption Secrets Block (as the runner writes it).
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "harness/capture/pcapng_writer.hpp"

int main(int argc, char** argv) {
  using namespace wireproof;
  CLI::App app{"Writes the pcapng capture of a run from its events.jsonl (both legs: sender->wire, wire->receiver)"};
  std::string in_path, out_path;
  capture::CaptureEndpoints ep;
  app.add_option("events", in_path, "events.jsonl of a run")->required()->check(CLI::ExistingFile);
  app.add_option("out", out_path, "pcapng file to write")->required();
  app.add_option("--client-port", ep.client.port, "client's UDP port")->capture_default_str();
  app.add_option("--wire-client-port", ep.wire_client_side.port, "wire's port facing the client")->capture_default_str();
  app.add_option("--wire-server-port", ep.wire_server_side.port, "wire's port facing the server")->capture_default_str();
  app.add_option("--server-port", ep.server.port, "server's UDP port")->capture_default_str();
  app.add_option("--t0-unix-us", ep.t0_unix_us, "wall-clock microseconds of t_us 0 (result.json started_at)");
  std::vector<std::string> key_logs;
  app.add_option("--key-log", key_logs, "NSS key log to embed (a run's keylog-client.txt, keylog-server.txt); repeatable")
      ->check(CLI::ExistingFile);
  CLI11_PARSE(app, argc, argv);

  try {
    std::ifstream in(in_path);
    if (!in) throw std::runtime_error(in_path + ": cannot open");
    const auto log = events::read_jsonl(in, in_path);
    std::vector<std::string> secrets;
    for (const auto& path : key_logs) {
      std::ifstream k(path, std::ios::binary);
      if (!k) throw std::runtime_error(path + ": cannot open");
      secrets.emplace_back(std::istreambuf_iterator<char>(k), std::istreambuf_iterator<char>());
    }
    std::ostringstream packets;
    capture::write_pcapng(log, ep, packets);
    std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(out_path + ": cannot create");
    out << capture::with_tls_secrets(packets.str(), secrets);
    out.close();
    if (!out) throw std::runtime_error(out_path + ": write failed");
  } catch (const std::exception& e) {
    std::cerr << "wireproof-capture: error: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
