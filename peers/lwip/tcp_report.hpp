// What the lwIP peer reports about its stack: the pcb's own view of the
// connection (the contract's tcp_info, lwIP's edition) and lwIP errors by
// the errno name a socket would have given.
#pragma once

#include <lwip/err.h>
#include <lwip/tcp.h>

#include <string>

#include <nlohmann/json.hpp>

namespace wireproof::peers::lwip {

// rto_ms = pcb->rto ticks x TCP_SLOW_INTERVAL (500 ms), cwnd, ssthresh,
// snd_wnd, rcv_wnd (room left) and rcv_ann_wnd (what was advertised), mss, nrtx (retransmissions of the current segment), the
// RTT estimator's sa/sv in slow-timer ticks, and the state name in lower case
// ("established"). Core lock held.
nlohmann::json tcp_state(const struct tcp_pcb& pcb);

// The contract's tcp_info fields lwIP has (peers/CONTRACT.md "TCP"), for the
// checks that read a kernel's tcp_info (rto_matches_stack): rto_us =
// rto_ticks x timer_tick_us, snd_mss, state; plus rto_ticks and
// timer_tick_us (TCP_SLOW_INTERVAL), because lwIP counts its RTO in whole
// slow-timer ticks from the first tick after the send, so the timer expires
// up to one tick (500 ms) before rto_us. Core lock held.
nlohmann::json tcp_info(const struct tcp_pcb& pcb);

// The errno name for an error lwIP's tcp_err callback reported. ERR_ABRT that
// we did not cause is lwIP giving up (SYN or data retransmissions, or
// keepalive): ETIMEDOUT, as a socket says. A RST before the connection was
// established is a refusal.
std::string errno_name(err_t err, bool established);
// "ERR_RST" etc.: lwIP's own name, reported beside the errno.
std::string lwip_err_name(err_t err);

}  // namespace wireproof::peers::lwip
