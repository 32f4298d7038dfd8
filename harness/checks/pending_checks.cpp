// Checks declared but not implemented yet: they say so (not_applicable with
// a detail) rather than pass. Removed as each check lands in its own file.
#include "harness/checks/registry.hpp"

namespace wireproof::checks {
namespace {

class Pending final : public Check {
 public:
  Pending(std::string name, std::string rfc) : name_(std::move(name)), rfc_(std::move(rfc)) {}
  std::string name() const override { return name_; }
  std::string rfc() const override { return rfc_; }
  std::string sentence() const override { return ""; }
  CheckResult run(const Inputs&) const override {
    CheckResult r;
    r.verdict = Verdict::not_applicable;
    r.detail = "not implemented yet";
    return r;
  }

 private:
  std::string name_, rfc_;
};

}  // namespace

std::unique_ptr<Check> make_cookie_exchange() { return std::make_unique<Pending>("cookie_exchange", "RFC 6347 4.2.1"); }

}  // namespace wireproof::checks
