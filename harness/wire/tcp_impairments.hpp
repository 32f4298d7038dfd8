// The TCP-only actions (protocol tcp on the L3 wire, whose copies are whole
// IP packets): `rst` and `window` (docs/SCENARIO.md "TCP"). A datagram
// without a TCP layer is left unchanged, and the action says so.
#pragma once

#include "harness/wire/impairments.hpp"

namespace wireproof::wire {

// Replaces the segment with a RST carrying its seq (RST|ACK with its ack if it had ACK).
class ResetImpairment final : public Impairment {
 public:
  void apply(const std::string& rule, Transit& t, Rng& rng) override;
};

// Rewrites the advertised window field (as sent, before the window scale).
class RewriteWindowImpairment final : public Impairment {
 public:
  explicit RewriteWindowImpairment(scenario::RewriteWindow p) : p_(p) {}
  void apply(const std::string& rule, Transit& t, Rng& rng) override;
 private:
  scenario::RewriteWindow p_;
};

}  // namespace wireproof::wire
