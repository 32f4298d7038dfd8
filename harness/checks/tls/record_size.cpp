// record_size: every record within the sizes RFC 5246 6.2 / RFC 8446 5 allow
// and within what the handshake negotiated, judged per sender:
//  - in clear and decrypted: the plaintext fragment at most 2^14 bytes
//    (RFC 5246 6.2.1, RFC 8446 5.1); 1.3's TLSInnerPlaintext (content, type
//    byte, padding) at most 2^14 + 1 (RFC 8446 5.4);
//  - protected (decrypted or not): TLSCiphertext.length at most 2^14 + 2048
//    (RFC 5246 6.2.3) / 2^14 + 256 (RFC 8446 5.2);
//  - max_fragment_length (RFC 6066 4), when the client offered it and the
//    server echoed it: each side's records after the ServerHello carry at
//    most 2^(8+n) plaintext bytes;
//  - record_size_limit (RFC 8449 4), when both sides sent it: protected
//    records toward a side carry at most its limit (1.3: counting the inner
//    type byte and the padding); unprotected ones are not subject to it;
//  - RFC 8449 5: a server that answered record_size_limit did not also
//    accept max_fragment_length;
//  - what the harness asked for (the scenario's tls.client / tls.server
//    record_size_limit and max_fragment_length, passed as the contract's
//    flags): a client asked for a limit offers exactly it in every
//    ClientHello; a server asked for a record_size_limit answers an offer of
//    one with exactly it. Judged against the scenario, never against what
//    the peer reports of itself.
// The 1.3 server's answer is in EncryptedExtensions: without the key log
// the negotiated limits are not known, and that is said (not judged).
// Parameters: none.
#include <fmt/format.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/failed_dirs.hpp"
#include "harness/checks/support/tls_view.hpp"
#include "harness/checks/tls/tls_support.hpp"
#include "harness/dissect/names.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;
constexpr std::size_t kMaxPlaintext = 1u << 14;

std::optional<std::uint16_t> u16_of(const std::vector<std::uint8_t>* data) {
  if (!data || data->size() != 2) return std::nullopt;
  return static_cast<std::uint16_t>((*data)[0] << 8 | (*data)[1]);
}
std::optional<std::size_t> mfl_of(const std::vector<std::uint8_t>* data) {
  if (!data || data->size() != 1 || (*data)[0] < 1 || (*data)[0] > 4) return std::nullopt;
  return std::size_t{1} << (8 + (*data)[0]);
}

class RecordSize final : public Check {
 public:
  std::string name() const override { return "record_size"; }
  std::string rfc() const override { return "RFC 8446 5.1, 5.2 / RFC 5246 6.2 / RFC 6066 4 / RFC 8449 4-5"; }
  std::string sentence() const override {
    return "The length MUST NOT exceed 2^14 bytes. An endpoint that receives a record that exceeds this length MUST "
           "terminate the connection with a \"record_overflow\" alert.";
  }
  std::vector<std::string> protocols() const override { return tls::tls_both(); }

  CheckResult run(const Inputs& in) const override {
    CheckResult r;
    r.expected = {{"plaintext_max", kMaxPlaintext}, {"ciphertext_max", {{"tls1.2", kMaxPlaintext + 2048}, {"tls1.3", kMaxPlaintext + 256}}}};
    r.measured = json::object();
    std::vector<std::string> problems, not_judged;
    std::size_t judged = 0;
    json limits = json::array();
    const auto& asked_client = in.scenario.tls.client;
    const auto& asked_server = in.scenario.tls.server;
    const auto asked_fail = [&](const char* dir, const std::string& what) {
      support::add_failed_dir(r, dir);
      problems.push_back(fmt::format("{}: {}", dir, what));
    };
    for (const auto& cv : support::tls_view(in).connections) {
      const auto& t = cv.tls;
      // The client's offers, against what it was asked for (every ClientHello, an HRR's second included).
      for (const auto& sent : t.client_hellos) {
        const auto& exts = sent.hello.extensions;
        if (asked_client.record_size_limit) {
          ++judged;
          const auto got = u16_of(dissect::find_extension(exts, tls::kExtRecordSizeLimit));
          if (got != static_cast<std::uint16_t>(*asked_client.record_size_limit))
            asked_fail("c2s", fmt::format("the client was asked for record_size_limit {} and its ClientHello offers {}",
                                          *asked_client.record_size_limit, got ? std::to_string(*got) : "none"));
        }
        if (asked_client.max_fragment_length) {
          ++judged;
          const auto got = mfl_of(dissect::find_extension(exts, tls::kExtMaxFragmentLength));
          if (got != static_cast<std::size_t>(*asked_client.max_fragment_length))
            asked_fail("c2s", fmt::format("the client was asked for max_fragment_length {} and its ClientHello offers {}",
                                          *asked_client.max_fragment_length, got ? std::to_string(*got) : "none"));
        }
      }
      if (!t.server_hello || t.client_hellos.empty()) continue;
      const bool v13 = t.version == dissect::kTls13;
      const auto& ch = t.client_hellos.back().hello;
      // The server's answer: ServerHello (1.2), EncryptedExtensions (1.3).
      std::optional<dissect::HelloExtensions> server_exts;
      if (v13) server_exts = tls::encrypted_extensions(t);
      else server_exts = t.server_hello->extensions;
      std::optional<std::size_t> mfl;
      std::optional<std::uint16_t> rsl_client = u16_of(dissect::find_extension(ch.extensions, tls::kExtRecordSizeLimit));
      std::optional<std::uint16_t> rsl_server;
      const bool offered = rsl_client || dissect::find_extension(ch.extensions, tls::kExtMaxFragmentLength);
      if (server_exts) {
        if (mfl_of(dissect::find_extension(ch.extensions, tls::kExtMaxFragmentLength)))
          mfl = mfl_of(dissect::find_extension(*server_exts, tls::kExtMaxFragmentLength));
        rsl_server = u16_of(dissect::find_extension(*server_exts, tls::kExtRecordSizeLimit));
        if (rsl_client && rsl_server && mfl) {
          support::add_failed_dir(r, "s2c");
          problems.push_back(fmt::format("s2c: the server answered record_size_limit ({}) and also accepted "
                                         "max_fragment_length ({}): RFC 8449 5 says it MUST ignore the latter",
                                         *rsl_server, *mfl));
        }
      } else if (offered) {
        not_judged.push_back("the client offered max_fragment_length/record_size_limit but the server's "
                             "EncryptedExtensions was not decrypted: the negotiated limits are not known");
      }
      // The server's answer to an offered record_size_limit, against what it was asked for.
      if (asked_server.record_size_limit && rsl_client && server_exts) {
        ++judged;
        if (rsl_server != static_cast<std::uint16_t>(*asked_server.record_size_limit))
          asked_fail("s2c", fmt::format("the server was asked for record_size_limit {} and answered the client's "
                                        "offer with {}",
                                        *asked_server.record_size_limit, rsl_server ? std::to_string(*rsl_server) : "none"));
      }
      const bool rsl = rsl_client && rsl_server;
      limits.push_back({{"max_fragment_length", mfl ? json(*mfl) : json(nullptr)},
                        {"record_size_limit_client", rsl_client ? json(*rsl_client) : json(nullptr)},
                        {"record_size_limit_server", rsl_server ? json(*rsl_server) : json(nullptr)}});
      const std::size_t cipher_max = kMaxPlaintext + (v13 ? 256 : 2048);
      for (const char* dir : {"c2s", "s2c"}) {
        const auto& d = t.dir(dir);
        const std::string sender = std::string(dir) == "c2s" ? "client" : "server";
        // The limit the receiver advertised (RFC 8449 4: toward the endpoint that advertised it).
        // 0: none negotiated (a plain size, not an optional: GCC 12 misjudges one here).
        const std::size_t toward = rsl ? (std::string(dir) == "c2s" ? *rsl_server : *rsl_client) : 0;
        // MFL binds from the ServerHello on (RFC 6066 4: "immediately").
        std::size_t mfl_from = 0;
        if (std::string(dir) == "s2c" && t.server_hello_message) mfl_from = t.s2c.handshake[*t.server_hello_message].last_record + 1;
        if (std::string(dir) == "c2s") mfl_from = t.c2s.handshake[t.client_hellos.back().message].last_record + 1;
        const auto fail = [&](const dissect::TranscriptRecord& rec, const std::string& what) {
          support::add_failed_dir(r, dir);
          for (auto i : support::record_packets(rec)) r.evidence.push_back(i);
          problems.push_back(fmt::format("{}: the {}'s record {} ({}): {}", dir, sender, rec.index,
                                         dissect::content_type_name(rec.content_type ? rec.content_type : rec.type), what));
        };
        for (const auto& rec : d.records) {
          ++judged;
          if (rec.is_protected && rec.length > cipher_max)
            fail(rec, fmt::format("TLSCiphertext.length {} > {}", rec.length, cipher_max));
          const bool seen = !rec.is_protected || rec.decrypted;
          if (!seen) continue;
          const std::size_t content = rec.is_protected ? rec.content_length : rec.length;
          if (content > kMaxPlaintext) fail(rec, fmt::format("plaintext {} bytes > 2^14", content));
          if (v13 && rec.is_protected && content + 1 + rec.padding > kMaxPlaintext + 1)
            fail(rec, fmt::format("TLSInnerPlaintext {} bytes (content, type, {} padding) > 2^14 + 1", content + 1 + rec.padding,
                                  rec.padding));
          if (mfl && rec.index >= mfl_from && content > *mfl)
            fail(rec, fmt::format("plaintext {} bytes > the negotiated max_fragment_length {}", content, *mfl));
          if (toward > 0 && rec.is_protected) {
            const std::size_t counted = v13 ? content + 1 + rec.padding : content;
            if (counted > toward)
              fail(rec, fmt::format("{} bytes{} > the {}'s record_size_limit {}", counted,
                                    v13 ? " (content + inner type + padding)" : "", sender == "client" ? "server" : "client",
                                    toward));
          }
        }
      }
      for (const auto& why : t.unseen) not_judged.push_back(why);
    }
    r.measured["limits"] = limits;
    tls::conclude(r, problems, judged, "records", not_judged);
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_record_size() { return std::make_unique<RecordSize>(); }

}  // namespace wireproof::checks
