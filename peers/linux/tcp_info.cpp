#include "peers/linux/tcp_info.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>

#include "peers/common/errno_names.hpp"

namespace wireproof::peers::linux_tcp {

const char* ca_state_name(unsigned value) {
  // include/uapi/linux/tcp.h enum tcp_ca_state.
  switch (value) {
    case 0: return "open";
    case 1: return "disorder";
    case 2: return "cwr";
    case 3: return "recovery";
    case 4: return "loss";
    default: return "unknown";
  }
}

const char* tcp_state_name(unsigned value) {
  // include/net/tcp_states.h.
  switch (value) {
    case 1: return "established";
    case 2: return "syn_sent";
    case 3: return "syn_recv";
    case 4: return "fin_wait1";
    case 5: return "fin_wait2";
    case 6: return "time_wait";
    case 7: return "close";
    case 8: return "close_wait";
    case 9: return "last_ack";
    case 10: return "listen";
    case 11: return "closing";
    case 12: return "new_syn_recv";
    default: return "unknown";
  }
}

nlohmann::json tcp_info_fields(int fd) {
  tcp_info ti{};
  socklen_t len = sizeof ti;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0) return {{"error", errno_name(errno)}};
  return {{"rto_us", ti.tcpi_rto},
          {"rtt_us", ti.tcpi_rtt},
          {"rttvar_us", ti.tcpi_rttvar},
          {"retransmits", ti.tcpi_retransmits},
          {"total_retrans", ti.tcpi_total_retrans},
          {"snd_mss", ti.tcpi_snd_mss},
          {"rcv_mss", ti.tcpi_rcv_mss},
          {"pmtu", ti.tcpi_pmtu},
          {"snd_cwnd", ti.tcpi_snd_cwnd},
          {"unacked", ti.tcpi_unacked},
          {"lost", ti.tcpi_lost},
          // Loss detection: the reordering degree Linux holds (the duplicate
          // ACKs or SACKed segments it needs before it calls a segment lost;
          // 3 at start, raised on reordering evidence) and, without SACK, the
          // duplicate ACKs counted since snd_una last moved.
          {"reordering", ti.tcpi_reordering},
          {"sacked", ti.tcpi_sacked},
          {"ca_state", ca_state_name(ti.tcpi_ca_state)},
          {"state", tcp_state_name(ti.tcpi_state)}};
}

}  // namespace wireproof::peers::linux_tcp
