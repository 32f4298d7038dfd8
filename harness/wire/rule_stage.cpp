#include "harness/wire/rule_stage.hpp"

namespace wireproof::wire {

RuleStage::RuleStage(const scenario::Rule& rule) : rule_(rule), impairment_(make_impairment(rule.action)) {}

bool RuleStage::admit(Rng& rng) {
  const std::uint64_t nth = ++matches_;  // 1-based
  if (nth <= rule_.skip) return false;
  const std::uint64_t every = rule_.every == 0 ? 1 : rule_.every;
  if ((nth - rule_.skip) % every != 0) return false;  // the every-th, 2*every-th, ... after skip
  if (rule_.count && acted_ >= *rule_.count) return false;
  // Draw only for real probabilities, so probability 1 rules leave the stream alone.
  if (rule_.probability < 1.0 && !(rng.uniform01() < rule_.probability)) return false;
  ++acted_;
  return true;
}

void RuleStage::apply(Transit& t, const ArrivalIndex& arrival, Rng& rng) {
  if (!enabled_ || !applies_to(t.dir) || t.dropped()) return;
  if (!matches(rule_.match, t.event, arrival.in(rule_.dir), arrival.tcp)) return;
  if (!admit(rng)) return;
  impairment_->apply(rule_.name, t, rng);
}

}  // namespace wireproof::wire
