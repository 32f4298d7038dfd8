#include "harness/wire/link_test_support.hpp"

#include <sstream>
#include <utility>

namespace wireproof::wire::testing {

using namespace wireproof::dtls_builder;

scenario::Rule rule(std::string name, scenario::Action action, scenario::Match match, scenario::Direction dir) {
  scenario::Rule r;
  r.name = std::move(name);
  r.action = std::move(action);
  r.match = std::move(match);
  r.dir = dir;
  return r;
}

Harness::Harness(scenario::Scenario sc, std::uint64_t seed)
    : scenario(std::move(sc)), link(scenario, seed, [this](const events::Event& e) { log.push_back(e); }) {}

void Harness::send_due(std::int64_t t_us) {
  while (auto d = link.pop_due(t_us)) {
    link.sent(*d, d->due_us);
    sent_.push_back(std::move(*d));
  }
}

void Harness::send(Dir dir, const Bytes& bytes, std::int64_t t_us) {
  link.on_datagram(dir, bytes, t_us);
  send_due(t_us);
}

std::vector<Delivery> Harness::drain(std::int64_t t_us) {
  link.on_time(t_us);
  send_due(t_us);
  return std::exchange(sent_, {});
}

std::vector<const events::Datagram*> Harness::datagrams() const {
  std::vector<const events::Datagram*> out;
  for (const auto& e : log)
    if (auto* d = std::get_if<events::Datagram>(&e)) out.push_back(d);
  return out;
}

std::vector<const events::LinkChange*> Harness::link_changes() const {
  std::vector<const events::LinkChange*> out;
  for (const auto& e : log)
    if (auto* l = std::get_if<events::LinkChange>(&e)) out.push_back(l);
  return out;
}

std::string Harness::jsonl() const {
  std::ostringstream out;
  for (const auto& e : log) events::write_jsonl_line(out, e);
  return out.str();
}

Bytes client_hello(std::uint64_t record_seq) { return handshake(1, 0, record_seq, 100); }
Bytes server_flight(std::uint64_t record_seq) {
  return datagram({handshake(2, 0, record_seq, 60), handshake(14, 1, record_seq + 1, 0)});
}
Bytes client_finish(std::uint64_t record_seq) {
  return datagram({handshake(16, 1, record_seq, 33), ccs(0, record_seq + 1), encrypted_handshake(0)});
}
Bytes app(std::uint64_t seq, std::size_t n) { return app_data(seq, n); }

}  // namespace wireproof::wire::testing
