// ref_bench: the reference DTLS stack against OpenSSL, in one run, over the
// same kind of in-memory transport (a perfect link: every datagram delivered
// once, in order, no clock). Same suite and group on both sides:
// ECDHE-ECDSA-AES128-GCM-SHA256 over P-256, EMS, the server certificate
// verified by the client, no client certificate.
//  (a) full handshakes per second, cookie exchange (HelloVerifyRequest) included;
//  (b) bulk application records one way (encrypt + decrypt), 1 KB and 16 KB, MB/s.
// Ratios ref/OpenSSL against a baseline measured in the same run (shared,
// noisy machines). Each phase stops after a time budget. Prints a table and
// one JSON line.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bench/ref/openssl_pair.hpp"
#include "bench/ref/ref_pair.hpp"
#include "harness/pki/pki.hpp"

using namespace wireproof;
using Clock = std::chrono::steady_clock;

namespace {

// Each metric alternates ref and OpenSSL in short rounds and keeps each side's
// best round: on a shared machine a neighbour's burst then hits one round,
// not one whole side.
constexpr int kRounds = 5;
constexpr auto kHandshakeBudget = std::chrono::milliseconds(400);
constexpr auto kBulkBudget = std::chrono::milliseconds(300);

struct Rate {
  double per_second = 0;
  std::uint64_t count = 0;
};

// Calls one() until the budget is spent; one() returns the units it did.
template <typename F>
Rate measure(std::chrono::milliseconds budget, F&& one) {
  std::uint64_t n = 0;
  auto t0 = Clock::now();
  auto end = t0 + budget;
  Clock::time_point now;
  do {
    n += one();
    now = Clock::now();
  } while (now < end);
  return {static_cast<double>(n) / std::chrono::duration<double>(now - t0).count(), n};
}

// Setup: what a Pair is built from (bench::Pki for ref, OpensslContexts for OpenSSL).
template <typename Pair, typename Setup>
Rate handshakes(const Setup& setup) {
  return measure(kHandshakeBudget, [&] {
    Pair p(setup);
    p.handshake();
    return 1;
  });
}

template <typename Pair, typename Setup>
Rate bulk_mb_per_s(const Setup& setup, std::size_t record) {
  Pair p(setup);
  p.handshake();
  std::vector<std::uint8_t> data(record, 0x5a);
  constexpr int kBatch = 64;  // records per timing check
  Rate r = measure(kBulkBudget, [&] {
    for (int i = 0; i < kBatch; ++i) p.send_one_record(data);
    return kBatch * record;
  });
  r.per_second /= 1e6;
  return r;
}

struct Pairwise {
  Rate ref, openssl;
};

template <typename RefRound, typename OsslRound>
Pairwise best_of_rounds(RefRound ref_round, OsslRound ossl_round) {
  Pairwise best;
  for (int i = 0; i < kRounds; ++i) {
    Rate r = ref_round(), o = ossl_round();
    if (r.per_second > best.ref.per_second) best.ref = r;
    if (o.per_second > best.openssl.per_second) best.openssl = o;
  }
  return best;
}

}  // namespace

int main() {
  auto dir = std::filesystem::temp_directory_path() / fmt::format("ref_bench_pki_{}", ::getpid());
  try {
    const bench::Pki pki(pki::generate_pki(dir));
    const bench::OpensslContexts ctx(pki);
    // Warm-up: first use of each code path (tables, lazy init) stays out of the numbers.
    bench::RefPair(pki).handshake();
    bench::OpensslPair(ctx).handshake();

    auto hs = best_of_rounds([&] { return handshakes<bench::RefPair>(pki); },
                             [&] { return handshakes<bench::OpensslPair>(ctx); });
    auto b1 = best_of_rounds([&] { return bulk_mb_per_s<bench::RefPair>(pki, 1024); },
                             [&] { return bulk_mb_per_s<bench::OpensslPair>(ctx, 1024); });
    auto b16 = best_of_rounds([&] { return bulk_mb_per_s<bench::RefPair>(pki, 16384); },
                              [&] { return bulk_mb_per_s<bench::OpensslPair>(ctx, 16384); });
    const Rate &hs_ref = hs.ref, &hs_ossl = hs.openssl, &b1_ref = b1.ref, &b1_ossl = b1.openssl,
               &b16_ref = b16.ref, &b16_ossl = b16.openssl;
    std::filesystem::remove_all(dir);

    auto row = [](const char* what, const Rate& r, const Rate& o, const char* target) {
      fmt::print("{:<34}{:>12.1f}{:>12.1f}{:>10.2f}{:>10}\n", what, r.per_second, o.per_second,
                 r.per_second / o.per_second, target);
    };
    fmt::print("ref_bench: ref vs OpenSSL {}, in-memory link, ECDHE-ECDSA-AES128-GCM-SHA256, P-256\n",
               bench::openssl_version());
    fmt::print("{:<34}{:>12}{:>12}{:>10}{:>10}\n", "", "ref", "OpenSSL", "ref/ossl", "target");
    row("handshakes/s (cookie exchange)", hs_ref, hs_ossl, ">= 0.80");
    row("bulk 1 KB records, MB/s", b1_ref, b1_ossl, ">= 1.00");
    row("bulk 16 KB records, MB/s", b16_ref, b16_ossl, ">= 1.00");
    nlohmann::json j{{"bench", "ref_bench"},
                     {"openssl", bench::openssl_version()},
                     {"handshakes_per_s", {{"ref", hs_ref.per_second}, {"openssl", hs_ossl.per_second},
                                           {"ratio", hs_ref.per_second / hs_ossl.per_second}}},
                     {"bulk_1k_mb_per_s", {{"ref", b1_ref.per_second}, {"openssl", b1_ossl.per_second},
                                           {"ratio", b1_ref.per_second / b1_ossl.per_second}}},
                     {"bulk_16k_mb_per_s", {{"ref", b16_ref.per_second}, {"openssl", b16_ossl.per_second},
                                            {"ratio", b16_ref.per_second / b16_ossl.per_second}}}};
    fmt::print("{}\n", j.dump());
  } catch (const std::exception& e) {
    std::filesystem::remove_all(dir);
    std::fprintf(stderr, "ref_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
