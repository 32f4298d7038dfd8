// A client and a server dtls::Connection joined by a perfect in-memory link
// (every datagram delivered at once, in order); time stands still, so no
// retransmission timer ever fires.
#pragma once

#include <memory>
#include <span>

#include "bench/ref/pki_files.hpp"
#include "impl/dtls/connection.hpp"

namespace wireproof::bench {

class RefPair {
 public:
  explicit RefPair(const Pki& pki);
  // Full handshake with the cookie exchange; throws if it does not complete.
  void handshake();
  // One application record client -> server: encrypt, move, decrypt.
  void send_one_record(std::span<const std::uint8_t> data);

 private:
  bool shuttle();  // moves every queued datagram both ways; false when none moved
  std::unique_ptr<dtls::Connection> client_, server_;
};

}  // namespace wireproof::bench
