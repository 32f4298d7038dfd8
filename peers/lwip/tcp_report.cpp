#include "peers/lwip/tcp_report.hpp"

#include <lwip/priv/tcp_priv.h>

#include <array>
#include <cctype>
#include <cstdint>

namespace wireproof::peers::lwip {

namespace {

// "established", "syn_sent", ...: lwIP's names in lower case, as Linux's.
std::string state_name(const struct tcp_pcb& pcb) {
  std::string state = tcp_debug_state_str(pcb.state);
  for (auto& c : state) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return state;
}

}  // namespace

nlohmann::json tcp_state(const struct tcp_pcb& pcb) {
  return {{"rto_ms", static_cast<int>(pcb.rto) * TCP_SLOW_INTERVAL},
          {"rto_ticks", pcb.rto},
          {"slow_timer_ms", TCP_SLOW_INTERVAL},
          {"cwnd", pcb.cwnd},
          {"ssthresh", pcb.ssthresh},
          {"snd_wnd", pcb.snd_wnd},
          {"rcv_wnd", pcb.rcv_wnd},
          {"rcv_ann_wnd", pcb.rcv_ann_wnd},
          {"mss", pcb.mss},
          {"nrtx", pcb.nrtx},
          {"sa", pcb.sa},
          {"sv", pcb.sv},
          {"state", state_name(pcb)}};
}

nlohmann::json tcp_info(const struct tcp_pcb& pcb) {
  constexpr std::int64_t kTickUs = std::int64_t{TCP_SLOW_INTERVAL} * 1000;
  return {{"rto_us", std::int64_t{pcb.rto} * kTickUs},
          {"rto_ticks", pcb.rto},
          {"timer_tick_us", kTickUs},
          {"snd_mss", pcb.mss},
          {"state", state_name(pcb)}};
}

std::string errno_name(err_t err, bool established) {
  switch (err) {
    case ERR_RST:
      return established ? "ECONNRESET" : "ECONNREFUSED";
    case ERR_ABRT:
    case ERR_TIMEOUT:
      return "ETIMEDOUT";
    case ERR_RTE:
      return "EHOSTUNREACH";
    case ERR_CLSD:
      return "ENOTCONN";
    case ERR_MEM:
    case ERR_BUF:
      return "ENOBUFS";
    case ERR_USE:
      return "EADDRINUSE";
    default:
      return "EIO";
  }
}

std::string lwip_err_name(err_t err) {
  static constexpr std::array<const char*, 17> kNames{
      "ERR_OK",  "ERR_MEM",  "ERR_BUF",    "ERR_TIMEOUT", "ERR_RTE", "ERR_INPROGRESS", "ERR_VAL", "ERR_WOULDBLOCK", "ERR_USE",
      "ERR_ALREADY", "ERR_ISCONN", "ERR_CONN", "ERR_IF", "ERR_ABRT", "ERR_RST", "ERR_CLSD", "ERR_ARG"};
  const int index = -static_cast<int>(err);
  if (index >= 0 && index < static_cast<int>(kNames.size())) return kNames[static_cast<std::size_t>(index)];
  return "ERR_" + std::to_string(err);
}

}  // namespace wireproof::peers::lwip
