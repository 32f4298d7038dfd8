#include "harness/wire/l3/tool_command.hpp"

#include <stdexcept>
#include <system_error>

#include <boost/asio/io_context.hpp>
#include <boost/process.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace bp = boost::process;

namespace wireproof::wire::l3 {

namespace {

boost::filesystem::path find_tool(const std::string& tool) {
  auto path = ::boost::this_process::path();
  // Root's PATH has the sbin directories; a plain user's often does not.
  path.emplace_back("/usr/sbin");
  path.emplace_back("/sbin");
  auto exe = bp::search_path(tool, path);
  if (exe.empty()) throw std::runtime_error(fmt::format("l3: `{}` not found on PATH, /usr/sbin or /sbin", tool));
  return exe;
}

}  // namespace

std::string run_tool(const std::string& tool, const std::vector<std::string>& args) {
  const auto exe = find_tool(tool);
  boost::asio::io_context io;
  // Both streams through futures: reading one pipe while the other fills cannot deadlock.
  std::future<std::string> out, err;
  std::error_code ec;
  bp::child c(exe, bp::args = args, bp::std_in < bp::null, bp::std_out > out, bp::std_err > err, io, ec);
  if (ec) throw std::runtime_error(fmt::format("l3: cannot run {}: {}", exe.string(), ec.message()));
  io.run();
  c.wait(ec);
  const int code = ec ? -1 : c.exit_code();
  if (code != 0) {
    std::string msg = err.get();
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    throw std::runtime_error(fmt::format("l3: `{} {}` failed (exit {}): {}", tool, fmt::join(args, " "), code, msg));
  }
  return out.get();
}

}  // namespace wireproof::wire::l3
