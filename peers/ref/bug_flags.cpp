#include "peers/ref/bug_flags.hpp"

namespace wireproof::peers::ref {

namespace {
std::string known_names() {
  std::string s;
  for (auto n : dtls::protocol_bug_names()) s += (s.empty() ? "" : ", ") + std::string(n);
  return s;
}
}  // namespace

BugFlags take_bug_flags(const std::vector<std::string>& args) {
  BugFlags out;
  const std::string eq = "--bug=";
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string name;
    if (args[i] == "--bug") {
      if (i + 1 == args.size()) {
        out.error = "--bug needs a switch name (one of: " + known_names() + ")";
        return out;
      }
      name = args[++i];
    } else if (args[i].rfind(eq, 0) == 0) {
      name = args[i].substr(eq.size());
    } else {
      out.rest.push_back(args[i]);
      continue;
    }
    if (!dtls::set_protocol_bug(out.bugs, name)) {
      out.error = "--bug: unknown switch '" + name + "' (known: " + known_names() + ")";
      return out;
    }
  }
  return out;
}

}  // namespace wireproof::peers::ref
