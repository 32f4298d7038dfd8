#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include <boost/process.hpp>

#include "harness/cli/commands.hpp"

namespace bp = boost::process;

namespace wireproof::cli {

// The renderer is Python (reports/, run by Debian's /usr/bin/python3, which has
// Jinja2); the harness only writes data. We run it as `python3 -m reports`.
int cmd_report(const std::vector<std::string>& args) {
  const std::string python = "/usr/bin/python3";
  const std::string src = WIREPROOF_SOURCE_DIR;
  if (!std::filesystem::exists(std::filesystem::path(src) / "reports" / "__main__.py")) {
    std::cerr << "wireproof: the report renderer is missing (" << src << "/reports/__main__.py)\n";
    return 2;
  }
  std::vector<std::string> argv{"-m", "reports"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto env = boost::this_process::environment();
  env["PYTHONPATH"] = src;
  std::error_code ec;
  int rc = bp::system(bp::exe = python, bp::args = argv, env, ec);
  if (ec) {
    std::cerr << "wireproof: cannot run " << python << ": " << ec.message() << " (run ci/bootstrap)\n";
    return 2;
  }
  return rc;
}

}  // namespace wireproof::cli
