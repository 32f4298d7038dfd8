// One scenario rule in the pipeline: decides whether a datagram is acted on
// (match, then skip / every / count / probability, as docs/SCENARIO.md says),
// and hands acted-on datagrams to its impairment. A rule with dir `both` is one
// stage shared by both directions, so its counters span both.
//
//   RuleStage stage(rule);
//   if (stage.enabled() && stage.applies_to(dir)) stage.apply(transit, arrival, rng);
#pragma once

#include <memory>
#include <string>

#include "harness/scenario/model.hpp"
#include "harness/wire/impairments.hpp"
#include "harness/wire/match.hpp"
#include "harness/wire/rng.hpp"
#include "harness/wire/transit.hpp"

namespace wireproof::wire {

class RuleStage {
 public:
  explicit RuleStage(const scenario::Rule& rule);

  const std::string& name() const { return rule_.name; }
  bool applies_to(Dir dir) const { return direction_includes(rule_.dir, dir); }
  bool enabled() const { return enabled_; }
  void set_enabled(bool on) { enabled_ = on; }
  bool must_fire() const { return rule_.must_fire; }
  std::uint64_t matched() const { return matches_; }  // matches seen while enabled
  std::uint64_t acted() const { return acted_; }      // matches acted on (its hits)

  // Acts on the datagram if it matches and the bookkeeping says so.
  void apply(Transit& t, const ArrivalIndex& arrival, Rng& rng);

 private:
  // Counts a match; true when this match should be acted on.
  bool admit(Rng& rng);

  scenario::Rule rule_;
  std::unique_ptr<Impairment> impairment_;
  bool enabled_ = true;
  std::uint64_t matches_ = 0;  // matches seen while enabled
  std::uint64_t acted_ = 0;    // matches acted on
};

}  // namespace wireproof::wire
