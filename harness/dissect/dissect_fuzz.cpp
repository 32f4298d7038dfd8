// libFuzzer target: any bytes through the dissector and the flight tracker.
// The dissector must never read out of bounds, and what it reports must be
// consistent with the input (records inside the datagram, in order).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "harness/dissect/dtls_dissector.hpp"
#include "harness/dissect/flight_tracker.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wireproof::dissect;
  auto result = dissect_dtls(std::span<const std::uint8_t>(data, size));
  std::size_t end = 0;
  for (const auto& r : result.records) {
    if (r.offset != end || r.offset + 13 + r.length > size) std::abort();
    end = r.offset + 13 + r.length;
  }
  if (!result.malformed && end != size) std::abort();
  // Feed the same records as both senders: exercises retransmission bookkeeping.
  FlightTracker flights;
  flights.classify(Sender::client, result.records);
  flights.classify(Sender::server, result.records);
  flights.classify(Sender::client, result.records);
  return 0;
}
