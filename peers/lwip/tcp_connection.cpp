#include "peers/lwip/tcp_connection.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <lwip/ip.h>
#include <lwip/pbuf.h>

#include <algorithm>
#include <stdexcept>

namespace wireproof::peers::lwip {

Wakeup::Wakeup() {
  fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd_ < 0) throw std::runtime_error("eventfd failed");
}
Wakeup::~Wakeup() { ::close(fd_); }
void Wakeup::notify() {
  std::uint64_t one = 1;
  if (::write(fd_, &one, sizeof one) < 0) {
  }  // EAGAIN: the counter is already non-zero, the main thread will wake
}
void Wakeup::drain() {
  std::uint64_t n = 0;
  if (::read(fd_, &n, sizeof n) < 0) {
  }  // EAGAIN: nothing was pending
}

Connection::~Connection() { detach(); }

void Connection::attach(struct tcp_pcb* pcb) {
  pcb_ = pcb;
  tcp_arg(pcb, this);
  tcp_recv(pcb, &Connection::on_recv);
  tcp_sent(pcb, &Connection::on_sent);
  tcp_err(pcb, &Connection::on_err);
}

void Connection::detach() {
  if (pcb_ == nullptr) return;
  tcp_arg(pcb_, nullptr);
  tcp_recv(pcb_, nullptr);
  tcp_sent(pcb_, nullptr);
  tcp_err(pcb_, nullptr);
  pcb_ = nullptr;
}

err_t Connection::bind_local(const ip_addr_t& local) {
  struct tcp_pcb* pcb = tcp_new_ip_type(IP_GET_TYPE(&local));
  if (pcb == nullptr) return ERR_MEM;
  attach(pcb);
  return tcp_bind(pcb, &local, 0);
}

err_t Connection::connect(const ip_addr_t& remote, std::uint16_t port) {
  return tcp_connect(pcb_, &remote, port, &Connection::on_connected);
}

void Connection::adopt(struct tcp_pcb* pcb) {
  attach(pcb);
  established_ = true;
}

void Connection::queue(const std::vector<std::uint8_t>& bytes) {
  outbox_.insert(outbox_.end(), bytes.begin(), bytes.end());
}

void Connection::pump_out() {
  if (pcb_ == nullptr || fin_sent_) return;
  bool wrote = false;
  while (out_pos_ < outbox_.size()) {
    const std::size_t room = tcp_sndbuf(pcb_);
    if (room == 0 || tcp_sndqueuelen(pcb_) >= TCP_SND_QUEUELEN) break;
    const auto n = static_cast<u16_t>(std::min<std::size_t>({room, outbox_.size() - out_pos_, 0xffff}));
    if (tcp_write(pcb_, outbox_.data() + out_pos_, n, TCP_WRITE_FLAG_COPY) != ERR_OK) break;  // ERR_MEM: retry on the next ACK
    out_pos_ += n;
    wrote = true;
  }
  if (wrote) tcp_output(pcb_);
}

std::vector<std::uint8_t> Connection::consume() {
  std::vector<std::uint8_t> out;
  out.swap(inbox_);
  if (pcb_ != nullptr)
    for (std::size_t left = out.size(); left > 0;) {
      const auto n = static_cast<u16_t>(std::min<std::size_t>(left, 0xffff));
      tcp_recved(pcb_, n);
      left -= n;
    }
  return out;
}

void Connection::shutdown_send() {
  if (pcb_ == nullptr || fin_sent_) return;
  if (tcp_shutdown(pcb_, 0, 1) == ERR_OK) fin_sent_ = true;
}

void Connection::close() {
  struct tcp_pcb* pcb = pcb_;
  if (pcb == nullptr) return;
  detach();
  if (tcp_close(pcb) != ERR_OK) tcp_abort(pcb);  // ERR_MEM: no room for the FIN segment
}

void Connection::abort() {
  struct tcp_pcb* pcb = pcb_;
  if (pcb == nullptr) return;
  detach();
  tcp_abort(pcb);
}

void Connection::keepalive(int idle_s, int intvl_s, int count) {
  if (pcb_ == nullptr) return;
  ip_set_option(pcb_, SOF_KEEPALIVE);
  pcb_->keep_idle = static_cast<u32_t>(idle_s) * 1000;
  pcb_->keep_intvl = static_cast<u32_t>(intvl_s) * 1000;
  pcb_->keep_cnt = static_cast<u32_t>(count);
}

err_t Connection::on_connected(void* arg, struct tcp_pcb*, err_t) {
  auto* self = static_cast<Connection*>(arg);
  if (self == nullptr) return ERR_OK;
  self->established_ = true;
  self->wakeup_.notify();
  return ERR_OK;
}

err_t Connection::on_recv(void* arg, struct tcp_pcb*, struct pbuf* p, err_t) {
  auto* self = static_cast<Connection*>(arg);
  if (p == nullptr) {
    if (self != nullptr) self->peer_fin_ = true;
  } else {
    if (self != nullptr) {
      const std::size_t at = self->inbox_.size();
      self->inbox_.resize(at + p->tot_len);
      pbuf_copy_partial(p, self->inbox_.data() + at, p->tot_len, 0);
      self->received_total_ += p->tot_len;
    }
    pbuf_free(p);
  }
  if (self != nullptr) self->wakeup_.notify();
  return ERR_OK;
}

err_t Connection::on_sent(void* arg, struct tcp_pcb*, u16_t len) {
  auto* self = static_cast<Connection*>(arg);
  if (self == nullptr) return ERR_OK;
  self->acked_ += len;
  self->wakeup_.notify();
  return ERR_OK;
}

void Connection::on_err(void* arg, err_t err) {
  auto* self = static_cast<Connection*>(arg);
  if (self == nullptr) return;
  self->pcb_ = nullptr;  // lwIP has freed it
  if (err == ERR_CLSD)
    self->closed_cleanly_ = true;
  else
    self->error_ = err;
  self->wakeup_.notify();
}

err_t Listener::listen(const ip_addr_t& local, std::uint16_t port) {
  struct tcp_pcb* pcb = tcp_new_ip_type(IP_GET_TYPE(&local));
  if (pcb == nullptr) return ERR_MEM;
  if (err_t e = tcp_bind(pcb, &local, port); e != ERR_OK) {
    tcp_close(pcb);
    return e;
  }
  port_ = pcb->local_port;
  err_t e = ERR_OK;
  listen_pcb_ = tcp_listen_with_backlog_and_err(pcb, 1, &e);
  if (listen_pcb_ == nullptr) {
    tcp_close(pcb);
    return e;
  }
  tcp_arg(listen_pcb_, this);
  tcp_accept(listen_pcb_, &Listener::on_accept);
  return ERR_OK;
}

void Listener::close() {
  if (listen_pcb_ == nullptr) return;
  tcp_arg(listen_pcb_, nullptr);
  tcp_accept(listen_pcb_, nullptr);
  tcp_close(listen_pcb_);
  listen_pcb_ = nullptr;
}

err_t Listener::on_accept(void* arg, struct tcp_pcb* pcb, err_t err) {
  auto* self = static_cast<Listener*>(arg);
  if (err != ERR_OK || pcb == nullptr) return ERR_VAL;
  if (self == nullptr || self->accepted_) {
    tcp_abort(pcb);  // one connection per run: a second SYN is refused
    return ERR_ABRT;
  }
  self->accepted_ = true;
  self->into_.adopt(pcb);
  self->wakeup_.notify();
  return ERR_OK;
}

}  // namespace wireproof::peers::lwip
