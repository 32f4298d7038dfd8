// Known failures (like BoGo's DisabledTests), scoped so they cannot hide a
// bug (docs/RESULT.md "Expectations"): a YAML list of
//   - scenario: mtu-shrinks-mid-handshake   # name, or "*"
//     client: "*"                           # peer name, or "*" (default)
//     server: gnutls
//     check: mtu_fit                        # required: a check name
//     dir: s2c                              # optional: the direction that failed (c2s | s2c)
//     detail: "oversize"                    # optional: a substring of the check's detail
//     version: ">=3.7.9 <3.8"               # optional: the reported version of the one peer named
//                                           # (client_version / server_version when both are named)
//     reason: GnuTLS keeps sending 1001-byte datagrams after the MTU drops ...
// A failing check that matches an entry is reported as xfail with the reason.
// An entry whose cell ran but matched no failure is an XPASS (tlsfuzzer's
// rule): `run` and `matrix` report it and exit 1, so stale findings cannot linger.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace wireproof::runner {

// One comparator of a version range: ">=3.7.9".
struct VersionBound {
  std::string op;                  // >= > <= < =
  std::vector<unsigned> version;   // 3.7.9 -> {3, 7, 9}
};

struct KnownFailure {
  std::string scenario = "*", client = "*", server = "*", check, reason;
  std::optional<std::string> dir, detail;
  // Reported versions (result.json client/server "version") the entry is
  // about; empty: any version. All bounds must hold.
  std::vector<VersionBound> client_version, server_version;
  std::string where;  // "file:line:col" of the entry, for messages
};

// A cell that ran: what an entry's scenario/client/server/version is matched on.
struct CellIdentity {
  std::string scenario, client, server, client_version, server_version;
  // The checks that judged the run (pass or fail), when known: an entry whose
  // check did not (a DTLS check in a TLS run, a check not applicable there)
  // says nothing of this cell, so it is no XPASS here. nullopt: not known.
  std::optional<std::set<std::string>> judged_checks = std::nullopt;
};

// A failing check of that cell.
struct FailedCheck {
  std::string name, detail;
  std::set<std::string> dirs;  // the directions it failed in (checks::support::failed_dirs)
};

// Whether `reported` ("3.7.9", "3.0.19-1~deb12u1") satisfies every bound.
// A version with no leading number satisfies none.
bool version_in_range(const std::string& reported, const std::vector<VersionBound>& bounds);

struct Expectations {
  std::vector<KnownFailure> entries;
  // The first entry that covers this failure, or nullptr.
  const KnownFailure* known_failure(const CellIdentity& cell, const FailedCheck& failed) const;
  // Whether `e` applies to the cell at all (scenario, peers, version).
  static bool covers_cell(const KnownFailure& e, const CellIdentity& cell);
  // XPASS: entries that cover at least one cell in `ran` but whose `where`
  // is not in `matched` (the entries some failure was xfailed with).
  std::vector<const KnownFailure*> unmatched(const std::vector<CellIdentity>& ran,
                                             const std::set<std::string>& matched) const;
};

// What a file may name: the checks (name -> judges each direction on its own)
// and the registered peers. Unknown names are bad input.
struct ExpectationNames {
  std::vector<std::pair<std::string, bool>> checks;
  std::vector<std::string> peers;
};
// The checks of harness/checks, and `peers` as given.
ExpectationNames expectation_names(std::vector<std::string> peers);

// Throws std::runtime_error "file:line:col: message" on bad input.
Expectations load_expectations(const std::string& path, const ExpectationNames& names);
Expectations parse_expectations(const std::string& text, const std::string& name, const ExpectationNames& names);

}  // namespace wireproof::runner
