#include "peers/common/peer_ending.hpp"

#include <cerrno>
#include <cmath>

#include "peers/common/errno_names.hpp"

namespace wireproof::peers {

using nlohmann::json;

int end_with_error(int code, const std::string& message, const EmitEvent& emit, const std::string& reason,
                   int socket_errno) {
  nlohmann::json e{{"event", "error"}, {"message", message}};
  if (!reason.empty()) e["reason"] = reason;
  if (socket_errno) e["errno"] = errno_name(socket_errno);
  emit(std::move(e));
  const bool reset = socket_errno == ECONNRESET || socket_errno == EPIPE;
  emit({{"event", "closed"}, {"reason", reset ? "rst" : "error"}});
  return code;
}

std::string handshake_failed(const std::string& library_error) { return "handshake failed: " + library_error; }
std::string handshake_closed_by_peer() { return "handshake failed: the peer closed the connection"; }
std::string handshake_timed_out(std::int64_t handshake_timeout_ms) {
  return "handshake did not complete within --handshake-timeout-ms " + std::to_string(handshake_timeout_ms) + " ms";
}
std::string handshake_stopped() { return "handshake did not complete: stopped by SIGTERM"; }

json handshake_done_event(const std::string& version, const std::string& cipher, const std::string& cipher_iana,
                          double took_ms) {
  return {{"event", "handshake_done"},
          {"version", version},
          {"cipher", cipher},
          {"cipher_iana", cipher_iana},
          {"time_ms", std::round(took_ms * 10) / 10}};
}

int end_client_workload(const json& report, bool complete, bool verified, const WorkloadStop& stop,
                        const EmitEvent& emit, const std::function<void()>& send_close_notify) {
  emit(report);
  if (!stop.error.empty()) return end_with_error(kExitWorkload, stop.error, emit, stop.library_reason, stop.socket_errno);
  if (stop.reason != "close_notify") send_close_notify();
  emit({{"event", "closed"}, {"reason", stop.reason}});
  if (verified) return kExitOk;
  emit({{"event", "error"},
        {"message", complete ? "echoed data differs from what was sent"
                             : "echo incomplete: connection ended by " + stop.reason}});
  return kExitWorkload;
}

int end_server_workload(const json& report, bool verified, const WorkloadStop& stop, const EmitEvent& emit) {
  emit(report);
  if (!stop.error.empty()) return end_with_error(kExitWorkload, stop.error, emit, stop.library_reason, stop.socket_errno);
  emit({{"event", "closed"}, {"reason", stop.reason}});
  if (verified) return kExitOk;
  emit({{"event", "error"},
        {"message", "received data incomplete or not the expected pattern (ended by " + stop.reason + ")"}});
  return kExitWorkload;
}

}  // namespace wireproof::peers
