#include "harness/runner/matrix.hpp"
#include "harness/runner/run_result.hpp"
#include "harness/runner/cell_tries.hpp"
#include "harness/runner/child_setup.hpp"
#include "harness/runner/stop_signals.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <deque>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <stdexcept>
#include <thread>

#include <boost/process.hpp>
#include <fmt/format.h>

namespace bp = boost::process;
using nlohmann::json;
namespace fs = std::filesystem;

namespace wireproof::runner {

Shard parse_shard(const std::string& text) {
  auto slash = text.find('/');
  try {
    if (slash == std::string::npos) throw std::invalid_argument("");
    std::size_t used_i = 0, used_n = 0;
    int i = std::stoi(text.substr(0, slash), &used_i);
    int n = std::stoi(text.substr(slash + 1), &used_n);
    if (used_i != slash || used_n != text.size() - slash - 1 || n < 1 || i < 1 || i > n)
      throw std::invalid_argument("");
    return {static_cast<unsigned>(i), static_cast<unsigned>(n)};
  } catch (const std::exception&) {
    throw std::invalid_argument("--shard '" + text + "': expected I/N with 1 <= I <= N, e.g. 2/4");
  }
}

std::vector<MatrixCell> plan_matrix(const std::vector<std::pair<std::string, std::string>>& scenarios,
                                    const std::vector<std::string>& clients,
                                    const std::vector<std::string>& servers, Shard shard) {
  auto sorted = scenarios;  // (name, file)
  std::sort(sorted.begin(), sorted.end());
  std::vector<MatrixCell> all;
  for (const auto& [name, file] : sorted)
    for (const auto& c : clients)
      for (const auto& s : servers) all.push_back({file, name, c, s, name + "/" + c + "__" + s});
  std::vector<MatrixCell> mine;
  for (std::size_t k = 0; k < all.size(); ++k)
    if (k % shard.count == shard.index - 1) mine.push_back(all[k]);
  return mine;
}

namespace {

struct Active {
  std::size_t index;  // into cfg.cells, and so into the summary's runs
  unsigned try_no;    // 1 for the first try
  std::unique_ptr<bp::child> child;
};

// One try's summary entry, from the result.json its `wireproof run` wrote.
json read_try(const fs::path& out_dir, const MatrixCell& cell, unsigned try_no, const std::string& exit_note) {
  const std::string rel = try_dir(cell.dir, try_no);
  const fs::path dir = out_dir / rel;
  std::ifstream in(dir / "result.json");
  json r = in ? json::parse(in, nullptr, false) : json();
  if (r.is_discarded() || !r.is_object()) {
    r = {{"verdict", "error"},
         {"reason", "wireproof run wrote no result.json (" + exit_note + "); see " + (dir / "run.log").string()},
         {"checks", json::array()}};
  }
  json failed = json::array();
  for (const auto& c : r.value("checks", json::array()))
    if (c.value("verdict", "") == "fail") failed.push_back(c.value("name", ""));
  return {{"scenario", cell.scenario_name}, {"file", cell.scenario_file}, {"client", cell.client},
          {"server", cell.server}, {"verdict", r.value("verdict", "error")}, {"reason", r.value("reason", "")},
          {"dir", rel}, {"duration_s", r.value("duration_s", 0.0)}, {"failed_checks", failed}};
}

// Every try of a cell, in order, as summary.json lists them.
json tries_list(const std::vector<json>& tries) {
  json list = json::array();
  for (std::size_t k = 0; k < tries.size(); ++k) {
    const auto& t = tries[k];
    list.push_back({{"try", k + 1}, {"verdict", t["verdict"]}, {"reason", t["reason"]}, {"dir", t["dir"]},
                    {"duration_s", t["duration_s"]}, {"failed_checks", t["failed_checks"]}});
  }
  return list;
}

// The cell's summary entry over its tries (cell_tries.hpp). reason, dir and
// failed_checks are those of the last try that has the cell's verdict (the
// first try for a flaky cell); a retried cell lists every try.
json cell_entry(const std::vector<json>& tries) {
  const std::string verdict = cell_verdict(tries);
  json entry = tries.front();
  for (const auto& t : tries)
    if (t["verdict"] == verdict) entry = t;
  entry["verdict"] = verdict;
  if (tries.size() == 1) return entry;
  double total_s = 0;
  std::string seen;
  for (std::size_t k = 0; k < tries.size(); ++k) {
    total_s += tries[k].value("duration_s", 0.0);
    seen += fmt::format("{}{} (try {})", k ? ", " : "", tries[k]["verdict"].get<std::string>(), k + 1);
  }
  entry["tries"] = tries_list(tries);
  entry["duration_s"] = total_s;
  if (verdict == "flaky") entry["reason"] = "verdicts differ across tries with the same seed: " + seen;
  return entry;
}

// Ends each run (its process group: `wireproof run` is its leader; its peers
// die with it through PR_SET_PDEATHSIG), SIGTERM first, SIGKILL after 2 s.
void stop_runs(std::vector<Active>& active) {
  for (auto& a : active) {
    ::kill(-a.child->id(), SIGTERM);
    ::kill(a.child->id(), SIGTERM);  // in case it had not yet made its own group
  }
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  for (auto& a : active) {
    while (a.child->running() && std::chrono::steady_clock::now() < give_up)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (a.child->running()) {
      ::kill(-a.child->id(), SIGKILL);
      ::kill(a.child->id(), SIGKILL);
    }
    std::error_code ec;
    a.child->wait(ec);
  }
  active.clear();
}

}  // namespace

json run_matrix(const MatrixConfig& cfg) {
  fs::create_directories(cfg.out_dir);
  const auto t0 = std::chrono::steady_clock::now();
  const std::string started_at = iso_now_utc();
  const bool tty = ::isatty(STDERR_FILENO);
  StopSignals stop;

  std::vector<json> runs(cfg.cells.size());
  std::vector<std::vector<json>> tries(cfg.cells.size());
  std::deque<std::pair<std::size_t, unsigned>> queue;  // (cell, try): retries go first, to finish cells
  for (std::size_t k = 0; k < cfg.cells.size(); ++k) queue.emplace_back(k, 1);
  std::vector<Active> active;
  std::size_t done = 0, failures = 0;

  auto progress = [&](const json& run) {
    double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double eta = done ? el / done * (cfg.cells.size() - done) : 0;
    const std::string tries_note = run.contains("tries") ? fmt::format(" [{} tries]", run["tries"].size()) : "";
    if (tty)
      std::cerr << fmt::format("\r\033[K[{}/{}] {} failing, {:.0f}s elapsed, ~{:.0f}s left  ({} {}->{}: {}{})",
                               done, cfg.cells.size(), failures, el, eta, run["scenario"].get<std::string>(),
                               run["client"].get<std::string>(), run["server"].get<std::string>(),
                               run["verdict"].get<std::string>(), tries_note)
                << std::flush;
    else
      std::cerr << fmt::format("[{}/{}] {:<8} {} {} -> {} ({:.1f}s){}{}\n", done, cfg.cells.size(),
                               run["verdict"].get<std::string>(), run["scenario"].get<std::string>(),
                               run["client"].get<std::string>(), run["server"].get<std::string>(),
                               run.value("duration_s", 0.0), tries_note,
                               run["reason"].get<std::string>().empty() ? "" : ": " + run["reason"].get<std::string>());
  };

  while (done < cfg.cells.size() && !stop.received()) {
    while (active.size() < std::max(1u, cfg.jobs) && !queue.empty()) {
      const auto [index, try_no] = queue.front();
      queue.pop_front();
      const auto& cell = cfg.cells[index];
      fs::path dir = cfg.out_dir / try_dir(cell.dir, try_no);
      fs::create_directories(dir);
      std::vector<std::string> args{"run", cell.scenario_file, "--client", cell.client, "--server", cell.server,
                                    "--out", dir.string(), "--quiet"};
      args.insert(args.end(), cfg.run_extra_args.begin(), cfg.run_extra_args.end());
      auto child = std::make_unique<bp::child>(bp::exe = cfg.self_exe, bp::args = args,
                                               bp::std_out > (dir / "run.log").string(),
                                               bp::std_err > (dir / "run.stderr").string(), bp::std_in < bp::null,
                                               ChildSetup{});
      active.push_back({index, try_no, std::move(child)});
    }
    bool reaped = false;
    for (auto it = active.begin(); it != active.end();) {
      if (it->child->running()) {
        ++it;
        continue;
      }
      it->child->wait();
      std::string note = "exit " + std::to_string(it->child->exit_code());
      const std::size_t index = it->index;
      tries[index].push_back(read_try(cfg.out_dir, cfg.cells[index], it->try_no, note));
      if (needs_another_try(tries[index], cfg.retries)) {
        queue.emplace_front(index, it->try_no + 1);  // same arguments, same seed: the same wire fates
      } else {
        runs[index] = cell_entry(tries[index]);
        ++done;
        const auto& v = runs[index]["verdict"];
        if (v == "fail" || v == "error" || v == "flaky") ++failures;
        progress(runs[index]);
      }
      it = active.erase(it);
      reaped = true;
    }
    if (!reaped) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const int signal = stop.received();
  if (signal) stop_runs(active);
  if (tty) std::cerr << "\n";
  if (signal)
    std::cerr << fmt::format("wireproof matrix: interrupted by {} after {} of {} cells; the rest are marked not_run\n",
                             StopSignals::name(signal), done, cfg.cells.size());
  for (std::size_t k = 0; k < runs.size(); ++k) {
    if (!runs[k].is_null()) continue;
    const auto& cell = cfg.cells[k];
    runs[k] = {{"scenario", cell.scenario_name}, {"file", cell.scenario_file}, {"client", cell.client},
               {"server", cell.server}, {"verdict", "not_run"},
               {"reason", "the matrix was interrupted before this cell finished"}, {"dir", cell.dir},
               {"duration_s", 0.0}, {"failed_checks", json::array()}};
    if (!tries[k].empty()) runs[k]["tries"] = tries_list(tries[k]);  // finished tries of a cell cut short
  }

  json counts = json::object();
  for (const char* v : kMatrixVerdicts) counts[v] = 0;
  for (const auto& r : runs) counts[r["verdict"].get<std::string>()] = counts.value(r["verdict"].get<std::string>(), 0) + 1;
  json summary{{"schema_version", 1},
               {"seed", cfg.seed},
               {"shard", cfg.shard_text},
               {"retries", cfg.retries},
               {"started_at", started_at},
               {"duration_s", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()},
               {"clients", cfg.clients},
               {"servers", cfg.servers},
               {"peers", cfg.peers_info},
               {"counts", counts},
               {"runs", runs}};
  if (signal) summary["interrupted"] = StopSignals::name(signal);
  std::ofstream(cfg.out_dir / "summary.json") << summary.dump(2) << '\n';
  std::ofstream(cfg.out_dir / "junit.xml") << junit_xml(summary, cfg.out_dir);
  return summary;
}

bool matrix_failed(const json& summary) {
  const auto& c = summary["counts"];
  return c.value("fail", 0) > 0 || c.value("error", 0) > 0 || c.value("flaky", 0) > 0;
}

int matrix_exit_code(const json& summary) {
  if (summary.contains("interrupted")) return summary["interrupted"] == "SIGINT" ? 130 : 143;
  if (matrix_failed(summary)) return 1;
  const auto& c = summary["counts"];
  const std::size_t n = summary["runs"].size();
  if (n > 0 && static_cast<std::size_t>(c.value("unsupported", 0)) == n) return 4;
  if (c.value("inconclusive", 0) > 0) return 5;
  return 0;
}

std::string summary_table(const json& summary) {
  std::vector<std::string> pairs;
  for (const auto& c : summary["clients"])
    for (const auto& s : summary["servers"]) pairs.push_back(c.get<std::string>() + ">" + s.get<std::string>());
  std::map<std::string, std::map<std::string, std::string>> cells;
  std::size_t width = 8;
  for (const auto& r : summary["runs"]) {
    auto sc = r["scenario"].get<std::string>();
    width = std::max(width, sc.size());
    cells[sc][r["client"].get<std::string>() + ">" + r["server"].get<std::string>()] = r["verdict"];
  }
  std::size_t colw = 8;
  for (const auto& p : pairs) colw = std::max(colw, p.size());
  std::string out = fmt::format("{:<{}}", "scenario", width);
  for (const auto& p : pairs) out += fmt::format("  {:<{}}", p, colw);
  out += "\n";
  for (const auto& [sc, row] : cells) {
    out += fmt::format("{:<{}}", sc, width);
    for (const auto& p : pairs) {
      auto it = row.find(p);
      out += fmt::format("  {:<{}}", it == row.end() ? "-" : it->second, colw);
    }
    out += "\n";
  }
  const auto& c = summary["counts"];
  out += fmt::format("\n{} runs: {} pass, {} fail, {} xfail, {} error, {} unsupported", summary["runs"].size(),
                     c.value("pass", 0), c.value("fail", 0), c.value("xfail", 0), c.value("error", 0),
                     c.value("unsupported", 0));
  for (const char* v : {"flaky", "inconclusive", "not_run"})  // shown only when they occur
    if (c.value(v, 0) > 0) out += fmt::format(", {} {}", c.value(v, 0), v);
  out += "\n";
  for (const auto& r : summary["runs"])
    if (r["verdict"] == "fail" || r["verdict"] == "error" || r["verdict"] == "flaky" || r["verdict"] == "inconclusive")
      out += fmt::format("  {} {} {} -> {}: {}\n", r["verdict"].get<std::string>(), r["scenario"].get<std::string>(),
                         r["client"].get<std::string>(), r["server"].get<std::string>(),
                         r["reason"].get<std::string>());
  return out;
}

static std::string xml_escape(const std::string& s) {
  std::string o;
  for (unsigned char ch : s) {
    switch (ch) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&apos;"; break;
      default:
        if (ch < 0x20 && ch != '\n' && ch != '\t') o += ' ';  // not allowed in XML 1.0
        else o += static_cast<char>(ch);
    }
  }
  return o;
}

std::string junit_xml(const json& summary, const fs::path& out_dir) {
  const auto& c = summary["counts"];
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += fmt::format("<testsuites><testsuite name=\"wireproof\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3f}\">\n",
                   summary["runs"].size(), c.value("fail", 0) + c.value("flaky", 0),
                   c.value("error", 0) + c.value("inconclusive", 0),
                   c.value("xfail", 0) + c.value("unsupported", 0) + c.value("not_run", 0),
                   summary.value("duration_s", 0.0));
  for (const auto& r : summary["runs"]) {
    auto v = r["verdict"].get<std::string>();
    x += fmt::format("  <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\">", xml_escape("dtls." + r["scenario"].get<std::string>()),
                     xml_escape(r["client"].get<std::string>() + " -> " + r["server"].get<std::string>()),
                     r.value("duration_s", 0.0));
    std::string msg = xml_escape(r["reason"].get<std::string>());
    std::string where = xml_escape((out_dir / r["dir"].get<std::string>()).string());
    if (v == "fail") x += fmt::format("<failure message=\"{}\">see {}/result.json</failure>", msg, where);
    else if (v == "flaky") x += fmt::format("<failure message=\"flaky: {}\">see {} and its try-N</failure>", msg, where);
    else if (v == "error") x += fmt::format("<error message=\"{}\">see {}</error>", msg, where);
    else if (v == "inconclusive") x += fmt::format("<error message=\"inconclusive: {}\">see {}</error>", msg, where);
    else if (v == "xfail" || v == "unsupported" || v == "not_run")
      x += fmt::format("<skipped message=\"{}: {}\"/>", v, msg);
    x += "</testcase>\n";
  }
  x += "</testsuite></testsuites>\n";
  return x;
}

}  // namespace wireproof::runner
