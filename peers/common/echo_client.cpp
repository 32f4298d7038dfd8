#include "peers/common/echo_client.hpp"

#include <algorithm>

namespace wireproof::peers {

std::string workload_ended_by(const std::string& reason) {
  if (reason == "idle") return "idle: no echo within --idle-timeout-ms";
  if (reason == "stopped") return "stopped by SIGTERM";
  if (reason == "close_notify") return "the server's close_notify";
  return reason;
}

std::int64_t EchoClient::resend_after_ms(std::optional<int> timer_initial_ms) {
  return std::max<std::int64_t>(4 * static_cast<std::int64_t>(timer_initial_ms.value_or(1000)), 200);
}

EchoClient::EchoClient(Config config) : config_(config) {}

std::vector<std::vector<std::uint8_t>> EchoClient::records_to_send(std::int64_t now_ms) {
  std::vector<std::vector<std::uint8_t>> out;
  for (auto& [index, sent_at] : last_sent_) {
    if (!config_.resend_after_ms || now_ms - sent_at < *config_.resend_after_ms) continue;
    out.push_back(make_chunk(index, config_.plan.pattern_bytes(index)));
    sent_at = now_ms;
    ++resent_;
  }
  while (last_sent_.size() < kWindow && next_new_ < config_.plan.count()) {
    std::uint64_t index = next_new_++;
    if (echoed_.contains(index)) continue;  // a corrupted header already claimed it; nothing to wait for
    auto record = make_chunk(index, config_.plan.pattern_bytes(index));
    sent_.update(record);
    last_sent_[index] = now_ms;
    out.push_back(std::move(record));
  }
  return out;
}

void EchoClient::on_record(std::span<const std::uint8_t> record) {
  auto index = chunk_index(record);
  if (!index || *index >= config_.plan.count()) {
    ++malformed_;
    return;
  }
  if (!echoed_.add(*index, record)) {
    ++duplicates_;
    return;
  }
  last_sent_.erase(*index);
}

bool EchoClient::verified() const {
  return complete() && malformed_ == 0 && echoed_.hex() == sent_.hex() && next_new_ == config_.plan.count();
}

std::optional<std::int64_t> EchoClient::next_deadline_ms() const {
  std::optional<std::int64_t> earliest;
  if (!config_.resend_after_ms) return earliest;
  for (const auto& [index, sent_at] : last_sent_) {
    std::int64_t due = sent_at + *config_.resend_after_ms;
    if (!earliest || due < *earliest) earliest = due;
  }
  return earliest;
}

nlohmann::json EchoClient::report(const std::string& ended_by) const {
  nlohmann::json r = {{"event", "app_data"},      {"role", "client"},
                      {"chunks", config_.plan.count()}, {"bytes", config_.plan.echo_bytes},
                      {"resent", resent_},        {"sent_sha256", sent_.hex()},
                      {"echoed_sha256", echoed_.hex()}, {"duplicates", duplicates_},
                      {"echoed_chunks", echoed_.unique()}, {"malformed", malformed_}};
  if (!complete()) {
    r["incomplete"] = true;
    r["incomplete_reason"] = std::to_string(echoed_.unique()) + " of " + std::to_string(config_.plan.count()) +
                             " chunks echoed" + (ended_by.empty() ? "" : "; ended by " + ended_by);
  }
  return r;
}

}  // namespace wireproof::peers
