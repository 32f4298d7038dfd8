#include "harness/checks/support/tls_view.hpp"

#include "harness/checks/tcp/tcp_support.hpp"

namespace wireproof::checks::support {

const TlsView& tls_view(const Inputs& in) {
  if (in.tls_view_cache) return *in.tls_view_cache;
  auto view = std::make_shared<TlsView>();
  tcp::connections(in);  // fills the shared TCP dissection
  view->tcp_connections = in.tcp_connections_cache;
  dissect::KeyLog keys;
  for (const auto& f : in.key_logs) {
    if (!f.error.empty()) {
      view->key_log_notes.push_back(f.error);
      continue;
    }
    view->key_log = true;
    auto parsed = dissect::parse_key_log(f.text);
    for (const auto& e : parsed.errors) view->key_log_notes.push_back(f.name + " " + e);
    keys.merge(parsed.log);
  }
  const char* const why_none = in.key_logs.empty() ? kNoKeyLogFiles : kKeyLogFilesUnreadable;
  for (const auto& c : *view->tcp_connections)
    view->connections.push_back({&c, dissect::tls_transcript(c, view->key_log ? &keys : nullptr, why_none)});
  in.tls_view_cache = std::move(view);
  return *in.tls_view_cache;
}

std::vector<std::uint64_t> record_packets(const dissect::TranscriptRecord& r) {
  if (r.first.i == r.last.i) return {r.first.i};
  return {r.first.i, r.last.i};
}

}  // namespace wireproof::checks::support
