// libFuzzer target: any bytes as one direction's TLS stream, through the
// record walk and the plaintext handshake reassembly (all records, and up to
// the first ChangeCipherSpec). Never out of bounds; every record inside the
// input and in order; a message's body never longer than its header says.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "harness/dissect/tls_records.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wireproof::dissect;
  auto walk = walk_tls_records(std::span<const std::uint8_t>(data, size));
  std::size_t next = 0;
  for (const auto& r : walk.records) {
    if (r.offset != next || r.end() > size || r.body.size() != r.length) std::abort();
    next = r.end();
  }
  if (walk.fault ? walk.fault_offset != next : next + walk.partial_bytes != size) std::abort();
  for (auto clear_end : {walk.records.size(), first_of_type(walk, kChangeCipherSpec)})
    for (const auto& m : plaintext_handshake(walk, clear_end).messages) {
      if (m.body.size() > m.length || (m.complete && m.body.size() != m.length)) std::abort();
      if (m.last_record < m.first_record) std::abort();
      if (m.offset >= size || m.last_record >= walk.records.size()) std::abort();
    }
  return 0;
}
