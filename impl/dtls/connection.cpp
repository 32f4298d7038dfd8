#include "impl/dtls/connection.hpp"

#include <algorithm>
#include <stdexcept>

#include "impl/crypto/random.hpp"
#include "impl/dtls/cookie.hpp"
#include "impl/dtls/fragmenter.hpp"

namespace wireproof::dtls {

const char* state_name(State s) {
  switch (s) {
    case State::idle: return "idle";
    case State::handshaking: return "handshaking";
    case State::established: return "established";
    case State::closed: return "closed";
    case State::failed: return "failed";
  }
  return "?";
}

namespace {
// no-cookie-echo is a handshake row's behaviour: hand it to the handshake core.
ConnectionConfig with_handshake_bugs(ConnectionConfig c) {
  c.handshake.alter_cookie_echo = c.handshake.alter_cookie_echo || c.bugs.no_cookie_echo;
  if (c.random) c.handshake.random = c.random;
  return c;
}
// record-spans-datagrams: the datagram holding one record becomes two, cut halfway through
// its fragment. Returns false (and leaves d alone) when d does not start with a record.
bool split_record(crypto::Bytes& d, crypto::Bytes& tail) {
  bytes::Reader r(d);
  RecordHeader h;
  std::span<const std::uint8_t> fragment;
  if (!read_record(r, h, fragment) || fragment.size() < 2) return false;
  const auto cut = static_cast<std::ptrdiff_t>(kRecordHeaderLen + fragment.size() / 2);
  tail.assign(d.begin() + cut, d.end());
  d.resize(static_cast<std::size_t>(cut));
  return true;
}
// ignore-mtu: act on a 1500-byte MTU (or the one given, if larger) until the fallback.
std::size_t starting_mtu(const ConnectionConfig& c) {
  return c.bugs.ignore_mtu ? std::max<std::size_t>(c.mtu, 1500) : c.mtu;
}
// wrong-initial-timer: 1 s (RFC 6347's default), whatever was configured.
Time timer_initial(const ConnectionConfig& c) { return c.bugs.wrong_initial_timer ? Time{1s} : c.initial_timer; }
// no-backoff: the timer stays; backoff-1.5x: grows by half; otherwise it doubles (4.2.4.1).
int timer_growth_percent(const ProtocolBugs& b) { return b.no_backoff ? 100 : b.backoff_1_5x ? 150 : 200; }
}  // namespace

Connection::Connection(ConnectionConfig cfg)
    : cfg_(with_handshake_bugs(std::move(cfg))),
      hs_(cfg_.handshake, *this),
      ra_(cfg_.max_handshake_memory),
      timer_(timer_initial(cfg_), cfg_.max_timer, timer_growth_percent(cfg_.bugs), cfg_.bugs.early_retransmit),
      mtu_(starting_mtu(cfg_)),
      app_mtu_(mtu_) {
  // The smallest budget must hold a protected record with a handshake header and one byte.
  constexpr std::size_t kMinBudget = kRecordHeaderLen + 8 + crypto::kAeadTagLen + kHandshakeHeaderLen + 64;
  if (cfg_.mtu < cfg_.ip_udp_overhead + kMinBudget || cfg_.fallback_mtu < cfg_.ip_udp_overhead + kMinBudget)
    throw std::invalid_argument("MTU too small for DTLS records");
  if (cfg_.cookie_secret.empty()) cfg_.cookie_secret = crypto::random_bytes(32, cfg_.random);
  stats_.current_mtu = mtu_;
}

void Connection::start(Time now) {
  if (state_ != State::idle) return;
  now_ = now;
  intended_send_at_ = now;
  state_ = State::handshaking;
  if (cfg_.handshake_timeout.count() > 0) handshake_deadline_ = now + cfg_.handshake_timeout;
  if (auto f = hs_.start()) fail(*f);
}

// ---- HandshakeSink: the core hands us messages; we frame them into the current flight.

crypto::Bytes Connection::send_message(HsType type, crypto::Bytes body) {
  std::uint16_t seq = next_send_seq_++;
  crypto::Bytes tf = whole_message(static_cast<std::uint8_t>(type), seq, body);
  building_.push_back({false, rl_.write_epoch(), static_cast<std::uint8_t>(type), seq, std::move(body)});
  return tf;
}

void Connection::send_ccs(const CipherSuite& suite, const DirectionKeys& keys) {
  building_.push_back({true, rl_.write_epoch(), 0, 0, {}});
  rl_.next_write_epoch(std::make_unique<RecordProtection>(suite.aead, keys.key, keys.iv));
}

void Connection::install_read_keys(const CipherSuite& suite, const DirectionKeys& keys) {
  rl_.next_read_epoch(std::make_unique<RecordProtection>(suite.aead, keys.key, keys.iv));
}

void Connection::end_flight(bool expect_reply) {
  last_flight_ = std::exchange(building_, {});
  // The peer flight we are answering: its retransmission means our flight was lost.
  if (auto first = std::exchange(peer_flight_first_seq_, std::nullopt))
    peer_last_flight_seqs_ = std::make_pair(*first, ra_.next_seq());
  else
    peer_last_flight_seqs_.reset();
  ++stats_.flights_sent;
  send_flight_datagrams(true);
  timeouts_this_flight_ = 0;
  unanswered_this_flight_ = 0;
  timer_.reset();
  if (expect_reply) {
    timer_.arm(now_);
  } else {
    timer_.stop();  // RFC 6347 4.2.4: the last flight's sender waits for a peer retransmission instead
    state_ = State::established;
  }
}

void Connection::send_flight_datagrams(bool first) {
  RenderBugs bugs;  // only a first transmission misbehaves, so the retransmission repairs it
  if (first) bugs.conflicting_overlap = cfg_.bugs.inconsistent_fragments;
  last_flight_largest_datagram_ = 0;
  for (auto& d : render_flight(rl_, last_flight_, budget(), bugs)) {
    last_flight_largest_datagram_ = std::max(last_flight_largest_datagram_, d.size());
    out_.push_back(std::move(d));
  }
  last_flight_sent_at_ = now_;
}

// Every retransmission of a flight, timer-driven or answering the peer's
// retransmission, is one unanswered attempt. The timer doubles and restarts
// (RFC 6347 4.2.4.1; OpenSSL and GnuTLS, as measured, do the same), so a
// response does not leave the next timer expiry at the initial value. After
// mtu_fallback_after of them the path may not carry our datagram size: fall
// back to a smaller MTU and re-fragment (RFC 6347 4.1.1.1; OpenSSL 3.0's
// dtls1_check_timeout_num after 2). Unlike OpenSSL, only when the flight had a
// datagram the fallback would cut: three lost 200-byte ClientHellos say nothing
// about 576 bytes. The fallback cuts the handshake's flights, not app records.
void Connection::retransmit_flight() {
  ++unanswered_this_flight_;
  const std::size_t fallback = std::min(cfg_.fallback_mtu, cfg_.mtu);
  const bool size_may_explain_loss = last_flight_largest_datagram_ + cfg_.ip_udp_overhead > fallback;
  if (cfg_.mtu_fallback_after > 0 && unanswered_this_flight_ > cfg_.mtu_fallback_after && mtu_ > fallback &&
      size_may_explain_loss) {
    mtu_ = fallback;
    stats_.current_mtu = mtu_;
  }
  send_flight_datagrams(false);
  if (timer_.armed()) {  // the final flight has no timer: it is only ever resent on request
    timer_.back_off();
    timer_.arm(now_);
  }
}

// ---- input

void Connection::feed(crypto::ByteView datagram, Time now) {
  now_ = now;
  intended_send_at_ = now;
  if (state_ == State::idle || state_ == State::closed || state_ == State::failed) {
    if (!(state_ == State::idle && cfg_.handshake.role == Role::server)) return;
    start(now);
  }
  rl_.unprotect(datagram, records_);
  for (auto& rec : records_) {
    if (state_ == State::failed || state_ == State::closed) return;
    process(rec);
    // A ChangeCipherSpec may have installed an epoch whose records arrived early.
    for (auto& held : rl_.take_held()) {
      if (state_ == State::failed || state_ == State::closed) return;
      process(held);
    }
  }
}

void Connection::process(ReceivedRecord& rec) {
  // Once the peer switched epochs, only handshake records (retransmissions we must
  // answer) are taken from older epochs: a plaintext alert or data there is forgeable.
  if (rec.epoch < rl_.read_epoch() && rec.type != ContentType::handshake) return;
  switch (rec.type) {
    case ContentType::handshake: on_handshake_record(rec); return;
    case ContentType::change_cipher_spec:
      // Early, reordered or retransmitted CCS: ignore it; the flight is resent if needed.
      if (rec.data.size() == 1 && rec.data[0] == 1 && hs_.awaiting_ccs()) {
        if (auto f = hs_.on_ccs()) fail(*f);
      }
      return;
    case ContentType::alert: on_alert(rec); return;
    case ContentType::application_data:
      // Only protected records count, and only once our side of the handshake is complete.
      if (rec.epoch > 0 && state_ == State::established) app_in_.push_back(std::move(rec.data));
      return;
  }
}

bool Connection::stateless_hello_check(const ReceivedRecord& rec, const HandshakeHeader& h, crypto::ByteView body) {
  // RFC 6347 4.2.1: until a ClientHello carries a valid cookie the server keeps no
  // state; it answers from this record alone. It therefore needs the hello unfragmented.
  if (h.type != static_cast<std::uint8_t>(HsType::client_hello) || rec.epoch != 0 || h.frag_offset != 0 ||
      h.frag_length != h.length)
    return false;
  std::string err;
  auto ch = decode_client_hello(body, true, err);
  if (!ch) return false;
  if (cfg_.cookie_exchange && !cookie_valid(cfg_.cookie_secret, cfg_.peer_address, *ch)) {
    HelloVerifyRequest hvr{kDtls12, make_cookie(cfg_.cookie_secret, cfg_.peer_address, *ch)};
    crypto::Bytes msg = whole_message(static_cast<std::uint8_t>(HsType::hello_verify_request), h.message_seq, encode(hvr));
    // "MUST use the record sequence number in the ClientHello as the record sequence number
    // in the HelloVerifyRequest" (RFC 6347 4.2.1).
    rl_.set_next_write_seq(0, rec.seq);
    out_.push_back(rl_.protect(ContentType::handshake, 0, msg));
    return false;
  }
  hello_accepted_ = true;
  ra_.set_next_seq(h.message_seq);
  next_send_seq_ = h.message_seq;  // the server's first message_seq follows the accepted hello
  return true;
}

// RFC 6347 4.1.2.7: an invalid record SHOULD be discarded silently. Epoch-0 fragments
// are unauthenticated, so anyone can forge them: a bad one is dropped (and counted),
// never a reason to abort. A bad fragment in an authenticated epoch came from the peer.
bool Connection::discard_or_fail(const ReceivedRecord& rec, const Failure& f) {
  if (rec.epoch == 0) {
    ++stats_.discarded_fragments;
    return true;
  }
  fail(f);
  return false;
}

void Connection::on_handshake_record(const ReceivedRecord& rec) {
  bytes::Reader r(rec.data);
  while (!r.empty()) {
    HandshakeHeader h;
    std::span<const std::uint8_t> body;
    if (!read_handshake_fragment(r, h, body)) {
      discard_or_fail(rec, {kDecodeError, "malformed handshake fragment"});
      return;  // the rest of the record cannot be framed
    }
    if (cfg_.handshake.role == Role::server && !hello_accepted_) {
      if (!stateless_hello_check(rec, h, body)) continue;
    }
    // Finished is always protected by the new epoch (RFC 5246 7.4.9): a plaintext one is forged.
    if (h.type == static_cast<std::uint8_t>(HsType::finished) && rec.epoch == 0) continue;
    auto outcome = ra_.add(h, body);
    if (outcome == Reassembler::Outcome::error) {
      if (discard_or_fail(rec, {kIllegalParameter, ra_.error()})) continue;
      return;
    }
    if (outcome == Reassembler::Outcome::old) {
      on_old_fragment(rec, h);
      continue;
    }
    while (auto m = ra_.next()) {
      if (hs_.done()) {
        // RFC 5746: we never renegotiate; refuse politely and keep the connection.
        send_alert(1, kNoRenegotiation);
        continue;
      }
      // RFC 5246 7.4.1.1: a HelloRequest during a handshake is ignored.
      if (m->type == static_cast<std::uint8_t>(HsType::hello_request) && cfg_.handshake.role == Role::client) continue;
      if (!peer_flight_first_seq_) peer_flight_first_seq_ = m->message_seq;
      auto tf = whole_message(m->type, m->message_seq, m->body);
      if (auto f = hs_.on_message(static_cast<HsType>(m->type), m->body, tf)) return fail(*f);
      if (hs_.done() && cfg_.handshake.role == Role::client) {
        timer_.stop();  // the server's final flight arrived
        state_ = State::established;
      }
    }
  }
}

// A fragment of an already delivered message. RFC 6347 4.2.4: if it belongs to the peer
// flight our last flight answers, the peer resent that flight, so ours was lost: resend it.
// Any fragment of it counts (the datagram holding the first one may be the lost one).
void Connection::on_old_fragment(const ReceivedRecord& rec, const HandshakeHeader& h) {
  if (!peer_last_flight_seqs_ || last_flight_.empty()) return;
  const auto [first, end] = *peer_last_flight_seqs_;
  if (static_cast<std::uint16_t>(h.message_seq - first) >= static_cast<std::uint16_t>(end - first)) return;
  if (hs_.done()) {
    // Our last flight has no timer; it is resent only when the peer repeats its Finished,
    // which is authenticated (epoch > 0), as in OpenSSL (dtls1_read_bytes); GnuTLS
    // (record_check_type) takes any protected handshake record. A forged plaintext
    // fragment cannot make us resend.
    if (h.type == static_cast<std::uint8_t>(HsType::finished) && rec.epoch > 0) answer_repeated_finished();
    return;
  }
  // A copy arriving within half the initial timer of our own (re)transmission was sent
  // before ours could reach the peer (our timer and theirs fired together), or is another
  // datagram of the copy we already answered: answering it would put two copies of the
  // flight on the wire for one loss. This also bounds what forged epoch-0 fragments can
  // trigger to one resend per half timer.
  if (now_ - last_flight_sent_at_ < timer_.initial() / 2) {
    ++stats_.crossed_on_peer;
    return;
  }
  ++stats_.retransmits_on_peer;
  retransmit_flight();
}

// Every repeated Finished gets its answer (RFC 6347 4.2.4 MUST), even one that arrives
// right after our flight: the peer's timer decides when it asks. Rate-limited to one
// answer per half initial timer (the other fragments of one Finished, duplicates a link
// made), and capped at max_retransmissions answers (OpenSSL's dtls1_check_timeout_num count).
// ignore-final-retransmit: the server breaks this rule.
void Connection::answer_repeated_finished() {
  if (cfg_.bugs.ignore_final_retransmit && cfg_.handshake.role == Role::server) return;
  const bool too_soon = last_final_answer_at_ && now_ - *last_final_answer_at_ < timer_.initial() / 2;
  if (too_soon || final_answers_ >= cfg_.max_retransmissions) {
    ++stats_.final_requests_ignored;
    return;
  }
  ++final_answers_;
  last_final_answer_at_ = now_;
  ++stats_.retransmits_on_peer;
  retransmit_flight();
}

void Connection::on_alert(const ReceivedRecord& rec) {
  if (rec.data.size() != 2) return;  // malformed alert: ignore rather than trust it
  alerts_.push_back({false, rec.data[0], rec.data[1], now_});
  if (rec.data[1] == kCloseNotify) {
    if (state_ == State::established) send_alert(1, kCloseNotify);
    state_ = State::closed;
    timer_.stop();
  } else if (rec.data[0] == 2) {
    error_ = std::string("received fatal alert ") + alert_name(rec.data[1]);
    state_ = State::failed;
    timer_.stop();
  }
}

// ---- time

std::optional<Time> Connection::next_deadline() const {
  std::optional<Time> d;
  if (timer_.armed() && (state_ == State::handshaking || state_ == State::established)) d = timer_.deadline();
  if (handshake_deadline_ && state_ == State::handshaking && (!d || *handshake_deadline_ < *d)) d = handshake_deadline_;
  return d;
}

void Connection::on_timeout(Time now) {
  now_ = now;
  intended_send_at_ = now;
  if (state_ != State::handshaking && state_ != State::established) return;
  if (handshake_deadline_ && state_ == State::handshaking && now >= *handshake_deadline_)
    return fail({kHandshakeFailure, "handshake timeout"});
  if (!timer_.expired(now)) return;
  if (timeouts_this_flight_ >= cfg_.max_retransmissions)
    return fail({kHandshakeFailure, "no answer after " + std::to_string(timeouts_this_flight_) + " retransmissions"});
  ++timeouts_this_flight_;
  ++stats_.retransmissions;
  intended_send_at_ = timer_.deadline();  // when the resend was due, however late we woke
  retransmit_flight();
}

// ---- output and application data

std::vector<crypto::Bytes> Connection::pull_datagrams() {
  std::vector<crypto::Bytes> out(std::make_move_iterator(out_.begin()), std::make_move_iterator(out_.end()));
  out_.clear();
  return out;
}

std::size_t Connection::max_application_datagram_size() const {
  // Before the handshake picks a suite, assume GCM's expansion (the larger one).
  std::size_t overhead = rl_.write_epoch() > 0 ? rl_.overhead(rl_.write_epoch()) : kRecordHeaderLen + 8 + 16;
  std::size_t b = app_budget();
  return b > overhead ? std::min(b - overhead, kMaxPlaintextLen) : 0;
}

std::string Connection::send_refusal(std::size_t size) const {
  if (state_ != State::established) return error_.empty() ? "the connection is not established" : error_;
  return "record of " + std::to_string(size) + " bytes exceeds max_application_datagram_size " +
         std::to_string(max_application_datagram_size());
}

bool Connection::send_app(crypto::ByteView data) {
  if (state_ != State::established || data.size() > max_application_datagram_size()) return false;
  const std::uint16_t epoch = rl_.write_epoch();
  // reuse-sequence-number: the first application record takes the number of the record before it.
  if (cfg_.bugs.reuse_sequence_number && app_records_sent_ == 0 && rl_.next_write_seq(epoch) > 0)
    rl_.set_next_write_seq(epoch, rl_.next_write_seq(epoch) - 1);
  out_.push_back(rl_.protect(ContentType::application_data, epoch, data));
  // record-spans-datagrams, on the first application record only: the peer discards both
  // halves and the application's own recovery resends the data (the handshake is untouched).
  if (crypto::Bytes tail; cfg_.bugs.record_spans_datagrams && app_records_sent_ == 0 && split_record(out_.back(), tail))
    out_.push_back(std::move(tail));
  // duplicate-app-data: a second record with a number of its own, so replay detection cannot drop it.
  if (cfg_.bugs.duplicate_app_data) out_.push_back(rl_.protect(ContentType::application_data, epoch, data));
  ++app_records_sent_;
  return true;
}

std::optional<crypto::Bytes> Connection::recv_app() {
  if (app_in_.empty()) return std::nullopt;
  crypto::Bytes d = std::move(app_in_.front());
  app_in_.pop_front();
  return d;
}

void Connection::close() {
  if (state_ == State::established || state_ == State::handshaking) send_alert(1, kCloseNotify);
  state_ = State::closed;
  timer_.stop();
}

void Connection::send_alert(std::uint8_t level, std::uint8_t description) {
  const std::uint8_t body[2] = {level, description};
  out_.push_back(rl_.protect(ContentType::alert, rl_.write_epoch(), body));
  alerts_.push_back({true, level, description, now_});
}

void Connection::fail(const Failure& f) {
  if (state_ == State::failed) return;
  error_ = f.reason;
  send_alert(2, f.alert);
  state_ = State::failed;
  timer_.stop();
}

}  // namespace wireproof::dtls
