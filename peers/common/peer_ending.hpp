// How a DTLS echo peer's life ends, as contract events and an exit code
// (peers/CONTRACT.md "Events", "Exit codes"): which events, in which order,
// with which words. Sans-IO; peer_core.hpp ends every DTLS peer, real or
// virtual, through these. The caller says where events go and how to send
// close_notify.
//
//   return end_client_workload(client.report(...), client.complete(), client.verified(),
//                              {reason, error}, emit, [&] { session.send_close_notify(); });
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace wireproof::peers {

// The contract's exit codes (peers/CONTRACT.md "Exit codes"; TCP: "TCP",
// "Exit codes"), the one table every peer uses.
inline constexpr int kExitOk = 0;
inline constexpr int kExitHandshake = 1;  // TCP: connect or accept failed
inline constexpr int kExitWorkload = 2;
inline constexpr int kExitUsage = 3;
inline constexpr int kExitInternal = 4;
inline constexpr int kExitUnsupported = 127;

using EmitEvent = std::function<void(nlohmann::json)>;

// `error` with the message (and the library's reason when known), then `closed` "error"; returns `code`.
// With `socket_errno` the error carries its symbolic name (`errno`, as the
// TCP contract's) and a reset (ECONNRESET, EPIPE) closes with reason `rst`.
int end_with_error(int code, const std::string& message, const EmitEvent& emit, const std::string& reason = "",
                   int socket_errno = 0);

// Why a handshake did not complete, in the contract's words.
std::string handshake_failed(const std::string& library_error);  // "handshake failed: <error>"
std::string handshake_closed_by_peer();
std::string handshake_timed_out(std::int64_t handshake_timeout_ms);
std::string handshake_stopped();  // SIGTERM before the handshake completed

// The `handshake_done` event; took_ms is rounded to 0.1 ms.
nlohmann::json handshake_done_event(const std::string& version, const std::string& cipher,
                                    const std::string& cipher_iana, double took_ms);

// What ended the echo workload: a reason ("done", "idle", "stopped",
// "close_notify") when it ended normally, else the error that ended it.
struct WorkloadStop {
  std::string reason;
  std::string error;
  std::string library_reason = {};  // with an error: the library's name for it, when known
  int socket_errno = 0;             // with an error: the socket's errno behind it, when known
};

// Client: its app_data report; on error, end_with_error(2); otherwise our
// close_notify (unless the server closed first), `closed` with the reason,
// and an `error` with exit 2 when the echo was not verified.
int end_client_workload(const nlohmann::json& report, bool complete, bool verified, const WorkloadStop& stop,
                        const EmitEvent& emit, const std::function<void()>& send_close_notify);

// Server: its app_data report; on error, end_with_error(2); otherwise
// `closed` with the reason, and an `error` with exit 2 when what arrived was
// not the whole expected pattern. (A server answers close_notify itself,
// before its report.)
int end_server_workload(const nlohmann::json& report, bool verified, const WorkloadStop& stop, const EmitEvent& emit);

}  // namespace wireproof::peers
