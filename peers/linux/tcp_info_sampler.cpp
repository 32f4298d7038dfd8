#include "peers/linux/tcp_info_sampler.hpp"

#include "peers/linux/tcp_info.hpp"

namespace wireproof::peers::linux_tcp {

TcpInfoSampler::TcpInfoSampler(int fd, EventEmitter& events) : fd_(fd), events_(events), thread_([this] { loop(); }) {}

TcpInfoSampler::~TcpInfoSampler() {
  {
    std::lock_guard lock(m_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

bool TcpInfoSampler::changed(const nlohmann::json& last, const nlohmann::json& now) {
  if (last.is_null()) return true;
  for (const char* field : kWatched)
    if (last.value(field, nlohmann::json()) != now.value(field, nlohmann::json())) return true;
  return false;
}

void TcpInfoSampler::loop() {
  nlohmann::json last;
  std::unique_lock lock(m_);
  while (!cv_.wait_for(lock, std::chrono::milliseconds(kPeriodMs), [this] { return stop_; })) {
    nlohmann::json now = tcp_info_fields(fd_);
    if (now.contains("error") || !changed(last, now)) continue;
    last = now;
    nlohmann::json e = {{"event", "tcp_info"}, {"when", "sample"}};
    e.update(now);
    events_.emit(std::move(e));
  }
}

}  // namespace wireproof::peers::linux_tcp
