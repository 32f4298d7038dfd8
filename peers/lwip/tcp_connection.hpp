// One lwIP TCP connection as the workload sees it, over the raw API. lwIP's
// callbacks (tcpip thread, core lock held) record what happened here and
// wake the main thread; the main thread takes the core lock (CoreLock) to read
// this state and to call lwIP. Every member is touched only under that lock.
//
// Received bytes wait in `inbox` until the workload consumes them, and only
// then are they tcp_recved: the advertised window is the application's real
// reading, so a server that stops reading closes its window (stall), and one
// that closes with unread data makes lwIP send a RST (abort-unread).
#pragma once

#include <lwip/tcp.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wireproof::peers::lwip {

// An eventfd the callbacks signal; the main thread polls it.
class Wakeup {
 public:
  Wakeup();
  ~Wakeup();
  Wakeup(const Wakeup&) = delete;
  Wakeup& operator=(const Wakeup&) = delete;
  int fd() const { return fd_; }
  void notify();
  void drain();

 private:
  int fd_ = -1;
};

class Connection {
 public:
  explicit Connection(Wakeup& wakeup) : wakeup_(wakeup) {}
  ~Connection();  // detaches the callbacks (core lock must be held by the caller, or the pcb gone)
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Client: a new pcb bound to `local` (ephemeral port, so it is known before
  // the SYN leaves). Returns lwIP's error.
  err_t bind_local(const ip_addr_t& local);
  err_t connect(const ip_addr_t& remote, std::uint16_t port);
  // Server: take an accepted pcb.
  void adopt(struct tcp_pcb* pcb);

  struct tcp_pcb* pcb() const { return pcb_; }
  bool established() const { return established_; }
  bool peer_fin() const { return peer_fin_; }
  // lwIP reported the connection gone (tcp_err) without our asking: the pcb is freed.
  std::optional<err_t> error() const { return error_; }
  // Both FINs exchanged and acknowledged (lwIP's ERR_CLSD after our FIN in LAST_ACK).
  bool closed_cleanly() const { return closed_cleanly_; }

  // Bytes queued to send, all written into lwIP, and all acknowledged.
  void queue(const std::vector<std::uint8_t>& bytes);
  bool all_written() const { return out_pos_ == outbox_.size(); }
  std::uint64_t queued() const { return outbox_.size(); }
  std::uint64_t written() const { return out_pos_; }  // handed to tcp_write
  std::uint64_t acked() const { return acked_; }
  // tcp_write as much of the queue as lwIP's send buffer takes, then tcp_output.
  void pump_out();

  // Received bytes not yet consumed.
  std::size_t unread() const { return inbox_.size(); }
  std::uint64_t received_total() const { return received_total_; }
  // Takes everything received and opens the window by that much (tcp_recved).
  std::vector<std::uint8_t> consume();

  // FIN after the queued data (tcp_shutdown tx); the pcb stays ours.
  void shutdown_send();
  // tcp_close: a FIN, or a RST when received data was never consumed (lwIP's
  // RFC 1122 4.2.2.13 rule); the pcb is lwIP's afterwards.
  void close();
  // tcp_abort: a RST at once (SO_LINGER 0's close).
  void abort();
  // Sets SOF_KEEPALIVE with lwIP's per-pcb idle/interval/count (ms, ms, n).
  void keepalive(int idle_s, int intvl_s, int count);

 private:
  void attach(struct tcp_pcb* pcb);
  void detach();
  static err_t on_connected(void* arg, struct tcp_pcb* pcb, err_t err);
  static err_t on_recv(void* arg, struct tcp_pcb* pcb, struct pbuf* p, err_t err);
  static err_t on_sent(void* arg, struct tcp_pcb* pcb, u16_t len);
  static void on_err(void* arg, err_t err);

  Wakeup& wakeup_;
  struct tcp_pcb* pcb_ = nullptr;
  bool established_ = false;
  bool peer_fin_ = false;
  bool fin_sent_ = false;
  bool closed_cleanly_ = false;
  std::optional<err_t> error_;
  std::vector<std::uint8_t> inbox_;
  std::uint64_t received_total_ = 0;
  std::vector<std::uint8_t> outbox_;
  std::size_t out_pos_ = 0;
  std::uint64_t acked_ = 0;
};

// A listening pcb that accepts one connection into `into`, attaching its
// callbacks inside lwIP's accept callback (so no early segment meets lwIP's
// default receiver, which would discard it); later SYNs are refused.
class Listener {
 public:
  Listener(Wakeup& wakeup, Connection& into) : wakeup_(wakeup), into_(into) {}
  // Binds and listens; returns lwIP's error. Core lock held.
  err_t listen(const ip_addr_t& local, std::uint16_t port);
  std::uint16_t port() const { return port_; }
  bool accepted() const { return accepted_; }
  // Stops listening (core lock held).
  void close();

 private:
  static err_t on_accept(void* arg, struct tcp_pcb* pcb, err_t err);
  Wakeup& wakeup_;
  Connection& into_;
  struct tcp_pcb* listen_pcb_ = nullptr;
  std::uint16_t port_ = 0;
  bool accepted_ = false;
};

}  // namespace wireproof::peers::lwip
