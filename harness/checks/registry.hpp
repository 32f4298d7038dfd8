// Factories for the checks, one per check file. all_checks() (check.cpp)
// lists them in report order; tests may build a single check directly.
#pragma once

#include <memory>

#include "harness/checks/check.hpp"

namespace wireproof::checks {

std::unique_ptr<Check> make_handshake_completes();
std::unique_ptr<Check> make_app_data_intact();
std::unique_ptr<Check> make_record_boundaries();
std::unique_ptr<Check> make_mtu_fit();
std::unique_ptr<Check> make_fragments_consistent();
std::unique_ptr<Check> make_retransmission_schedule();
std::unique_ptr<Check> make_record_sequence();
std::unique_ptr<Check> make_cookie_exchange();
std::unique_ptr<Check> make_last_flight_answered();
// TCP (protocols(): tcp and TLS over TCP, tcp_support.hpp over_tcp), harness/checks/tcp/.
std::unique_ptr<Check> make_tcp_handshake();
std::unique_ptr<Check> make_tcp_data_intact();
std::unique_ptr<Check> make_syn_retransmission_schedule();
std::unique_ptr<Check> make_rto_backoff();
std::unique_ptr<Check> make_rto_matches_stack();
std::unique_ptr<Check> make_fast_retransmit();
std::unique_ptr<Check> make_segments_fit_mss();
std::unique_ptr<Check> make_zero_window_probe();
std::unique_ptr<Check> make_graceful_close();
std::unique_ptr<Check> make_delayed_ack();
std::unique_ptr<Check> make_pmtud_response();
std::unique_ptr<Check> make_blind_reset_defence();
std::unique_ptr<Check> make_keepalive();
std::unique_ptr<Check> make_urgent_data();
// TLS over TCP (protocols() tls1.2 / tls1.3), harness/checks/tls/.
std::unique_ptr<Check> make_close_notify();
std::unique_ptr<Check> make_key_update();
std::unique_ptr<Check> make_session_resumption();
std::unique_ptr<Check> make_alerts();
std::unique_ptr<Check> make_tls_data_intact();
std::unique_ptr<Check> make_plaintext_fallback();
std::unique_ptr<Check> make_tls_handshake_completes();
std::unique_ptr<Check> make_record_size();
std::unique_ptr<Check> make_record_framing();
std::unique_ptr<Check> make_version_negotiation();
std::unique_ptr<Check> make_middlebox_compat();
std::unique_ptr<Check> make_hello_retry_request();

}  // namespace wireproof::checks
