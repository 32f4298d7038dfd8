// The impairment actions, one small type each with one decision, applied to a
// matched datagram in transit. A RuleStage (rule_stage.hpp) decides whether a
// datagram is acted on; these decide what happens to it.
//
//   auto act = make_impairment(rule.action);
//   act->apply(rule.name, transit, rng);
#pragma once

#include <memory>
#include <string>

#include "harness/scenario/model.hpp"
#include "harness/wire/rng.hpp"
#include "harness/wire/transit.hpp"

namespace wireproof::wire {

class Impairment {
 public:
  virtual ~Impairment() = default;
  virtual void apply(const std::string& rule, Transit& t, Rng& rng) = 0;
};

// Drops every copy.
class DropImpairment final : public Impairment {
 public:
  void apply(const std::string& rule, Transit& t, Rng& rng) override;
};

// Adds `copies` extra copies of the datagram, the k-th `k * gap_ms` later.
class DuplicateImpairment final : public Impairment {
 public:
  explicit DuplicateImpairment(scenario::Duplicate p) : p_(p) {}
  void apply(const std::string& rule, Transit& t, Rng& rng) override;
 private:
  scenario::Duplicate p_;
};

// Delays every copy by ms + uniform[0, jitter_ms).
class DelayImpairment final : public Impairment {
 public:
  explicit DelayImpairment(scenario::Delay p) : p_(p) {}
  void apply(const std::string& rule, Transit& t, Rng& rng) override;
 private:
  scenario::Delay p_;
};

// Asks the link to hold the datagram until `hold` later datagrams in the same
// direction have passed, or max_hold_ms has elapsed.
class ReorderImpairment final : public Impairment {
 public:
  explicit ReorderImpairment(scenario::Reorder p) : p_(p) {}
  void apply(const std::string& rule, Transit& t, Rng& rng) override;
 private:
  scenario::Reorder p_;
};

// XORs one byte (at `offset`, or a seeded random offset) of the payload in every
// copy; on the L3 wire, of the transport payload inside the packet.
class CorruptImpairment final : public Impairment {
 public:
  explicit CorruptImpairment(scenario::Corrupt p) : p_(p) {}
  void apply(const std::string& rule, Transit& t, Rng& rng) override;
 private:
  scenario::Corrupt p_;
};

// Gilbert-Elliott loss: a two-state (good/bad) chain stepped once per matched
// datagram. Each datagram is lost with the current state's loss probability,
// then the state moves (good->bad with p, bad->good with r). Two draws per datagram.
class BurstLossImpairment final : public Impairment {
 public:
  explicit BurstLossImpairment(scenario::BurstLoss p) : p_(p) {}
  void apply(const std::string& rule, Transit& t, Rng& rng) override;
 private:
  scenario::BurstLoss p_;
  bool bad_[2] = {false, false};  // per direction: c2s, s2c
};

std::unique_ptr<Impairment> make_impairment(const scenario::Action& action);

}  // namespace wireproof::wire
