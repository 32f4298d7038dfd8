// libFuzzer target: any bytes as a TLS 1.3 direction through the record walk
// and the decrypting path, with a fixed secret per suite: records too short
// for a tag, wild lengths and failed authentication must end in a fault, never
// a crash; what decrypts (the first byte picks the suite) must lie in the input's records.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "harness/dissect/tls_decrypt.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wireproof::dissect;
  if (size == 0) return 0;
  const std::uint16_t suites[] = {0x1301, 0x1302, 0x1303};
  auto suite = tls13_suite(suites[data[0] % 3]);
  const std::vector<std::uint8_t> secret(suite->hash == wireproof::crypto::Hash::sha384 ? 48 : 32, 0x5a);
  auto walk = walk_tls_records(std::span<const std::uint8_t>(data + 1, size - 1));
  auto d = decrypt_tls13(walk, *suite, secret, &secret);
  for (const auto& r : d.records)
    if (r.record >= walk.records.size() || r.content.size() + 1 + r.padding + 16 != walk.records[r.record].length)
      std::abort();
  return 0;
}
