#include "harness/registry/registry.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace wireproof::registry {
namespace {

using nlohmann::json;

// The message a registry error carries, or "" when from_json accepted the doc.
std::string load_error(const json& doc) {
  try {
    Registry::from_json(doc, "test.json");
  } catch (const RegistryError& e) {
    return e.what();
  }
  return "";
}

json minimal_stock_tool() {
  json role = {{"argv", {"tool", "{connect}"}}, {"handshake_done", "^done$"}};
  return {{"version", {{"argv", {"tool", "--version"}}, {"regex", "^tool ([0-9.]+)"}}},
          {"client", role},
          {"server", role}};
}

json doc_with(json entry) { return {{"schema_version", 1}, {"peers", json::array({entry})}}; }

json shim(const std::string& name) {
  return {{"name", name},           {"kind", "shim"},
          {"protocols", {"dtls1.2"}}, {"implementation", "X"},
          {"executable", "peers/x/" + name}, {"description", "d"}};
}

TEST(Registry, ShippedRegistryLoadsAndListsEveryPeer) {
  Registry reg = Registry::load(default_registry_file());
  auto names = reg.names();
  for (const char* n : {"openssl", "gnutls", "ref", "openssl-cli", "gnutls-cli"})
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
  EXPECT_EQ(reg.find("openssl").kind, "shim");
  EXPECT_EQ(reg.find("gnutls-cli").implementation, "GnuTLS");
  ASSERT_TRUE(reg.find("openssl-cli").tool.has_value());
  EXPECT_FALSE(reg.find("openssl-cli").tool->client.options.contains("timer-initial-ms"));
  // No stock tool sets the timer; both use their library's fixed 1 s.
  for (const char* tool : {"openssl-cli", "gnutls-cli"})
    for (const char* role : {"client", "server"}) {
      EXPECT_EQ(reg.find(tool).fixed_value(role, "timer-initial-ms"), 1000) << tool << " " << role;
      EXPECT_EQ(reg.find(tool).fixed_value(role, "mtu"), std::nullopt) << tool << " " << role;
    }
  EXPECT_EQ(reg.find("openssl").fixed_value("client", "timer-initial-ms"), std::nullopt);  // a shim sets it
}

TEST(Registry, LwipSpeaksTcpOverAPacketSocket) {
  Registry reg = Registry::load(default_registry_file());
  const auto& lwip = reg.find("lwip");
  EXPECT_EQ(lwip.protocols, std::vector<std::string>{"tcp"});
  EXPECT_EQ(lwip.device, "packet_socket");
  EXPECT_EQ(reg.find("openssl").device, "tun");  // the default
}

TEST(Registry, DeviceAndProtocolAreValidated) {
  json e = shim("s1");
  e["device"] = "packet_socket";
  e["protocols"] = {"tcp"};
  EXPECT_EQ(load_error(doc_with(e)), "");
  e["device"] = "tap";
  EXPECT_NE(load_error(doc_with(e)).find("device"), std::string::npos);
  e.erase("device");
  e["protocols"] = {"sctp"};
  EXPECT_NE(load_error(doc_with(e)).find("unknown protocol 'sctp'"), std::string::npos);
}

TEST(Registry, FixedOptionsAreValidated) {
  json e = shim("s1");
  e["kind"] = "stock";
  e["tool"] = minimal_stock_tool();
  e["tool"]["server"]["fixed"] = {{"timer-initial-ms", {{"value", 1000}, {"note", "library default"}}}};
  ASSERT_EQ(load_error(doc_with(e)), "");
  EXPECT_EQ(Registry::from_json(doc_with(e), "r.json").find("s1").fixed_value("server", "timer-initial-ms"), 1000);
  EXPECT_EQ(Registry::from_json(doc_with(e), "r.json").find("s1").fixed_value("client", "timer-initial-ms"),
            std::nullopt);

  auto error_for = [&](json fixed) {
    json bad = e;
    bad["tool"]["server"]["fixed"] = std::move(fixed);
    return load_error(doc_with(bad));
  };
  std::string m = error_for({{"timer-initial-ms", {{"value", "1s"}, {"note", "n"}}}});
  EXPECT_NE(m.find("field 'tool.server.fixed.timer-initial-ms.value'"), std::string::npos) << m;
  m = error_for({{"timer-initial-ms", {{"value", 1000}}}});
  EXPECT_NE(m.find("tool.server.fixed.timer-initial-ms"), std::string::npos) << m;
  EXPECT_NE(m.find("note"), std::string::npos) << m;
  m = error_for({{"retries", {{"value", 3}, {"note", "n"}}}});
  EXPECT_NE(m.find("field 'tool.server.fixed.retries'"), std::string::npos) << m;
  m = error_for({{"timer-initial-ms", {{"value", 0}, {"note", "n"}}}});
  EXPECT_NE(m.find("1..3600000"), std::string::npos) << m;
  m = error_for({{"timer-initial-ms", {{"value", 1000}, {"note", "n"}, {"unit", "ms"}}}});
  EXPECT_NE(m.find("unit"), std::string::npos) << m;
  json both = e;
  both["tool"]["server"]["options"] = {{"timer-initial-ms", {"--timer", "{timer_ms}"}}};
  m = load_error(doc_with(both));
  EXPECT_NE(m.find("also listed in options"), std::string::npos) << m;
}

// peers/CONTRACT.md "Capabilities": what a peer declares, and typos refused.
TEST(Registry, CapabilitiesAreParsedAndDefaultToTheWholeContract) {
  auto plain = Registry::from_json(doc_with(shim("a")), "t.json").find("a").capabilities;
  EXPECT_FALSE(plain.options);
  EXPECT_TRUE(plain.accepts("mtu"));
  EXPECT_EQ(plain.mtu_min, 256);
  EXPECT_EQ(plain.mtu_max, 65535);
  EXPECT_EQ(plain.timer_granularity_ms, 1);

  json e = shim("b");
  e["capabilities"] = {{"options", {"chunk", "echo-bytes"}}, {"mtu", {{"min", 576}, {"max", 1500}}},
                       {"timer_granularity_ms", 1000}};
  auto caps = Registry::from_json(doc_with(e), "t.json").find("b").capabilities;
  EXPECT_TRUE(caps.accepts("chunk"));
  EXPECT_FALSE(caps.accepts("mtu"));
  EXPECT_EQ(caps.mtu_min, 576);
  EXPECT_EQ(caps.mtu_max, 1500);
  EXPECT_EQ(caps.timer_granularity_ms, 1000);

  e["capabilities"] = {{"options", {"--mtu"}}};
  EXPECT_NE(load_error(doc_with(e)).find("unknown contract option '--mtu' (write it without '--')"), std::string::npos);
  e["capabilities"] = {{"mtu", {{"min", 1500}, {"max", 576}}}};
  EXPECT_NE(load_error(doc_with(e)).find("min is above max"), std::string::npos);
  e["capabilities"] = {{"timer_granularity", 1000}};
  EXPECT_NE(load_error(doc_with(e)), "");
  // The stock tools declare their whole-second timers.
  Registry shipped = Registry::load(default_registry_file());
  EXPECT_EQ(shipped.find("gnutls-cli").capabilities.timer_granularity_ms, 1000);
  EXPECT_EQ(shipped.find("openssl").capabilities.timer_granularity_ms, 1);
}

TEST(Registry, ArgvPrefixResolvesAgainstBuildDirAndFillsRegistryPath) {
  Registry reg = Registry::load(default_registry_file());
  auto shim_argv = reg.argv_prefix("gnutls", "/b");
  ASSERT_EQ(shim_argv.size(), 1u);
  EXPECT_EQ(shim_argv[0], "/b/peers/gnutls/wireproof-peer-gnutls");
  auto stock = reg.argv_prefix("openssl-cli", "/b/");
  ASSERT_EQ(stock.size(), 5u);
  EXPECT_EQ(stock[0], "/b/peers/stock/wireproof-stock");
  EXPECT_EQ(stock[1], "--registry");
  EXPECT_EQ(stock[2], std::filesystem::absolute(default_registry_file()).string());
  EXPECT_EQ(stock[4], "openssl-cli");
}

TEST(Registry, UnknownPeerListsTheKnownOnes) {
  Registry reg = Registry::from_json({{"schema_version", 1}, {"peers", {shim("alpha"), shim("beta")}}}, "r.json");
  try {
    reg.find("gamma");
    FAIL() << "expected RegistryError";
  } catch (const RegistryError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("'gamma'"), std::string::npos) << m;
    EXPECT_NE(m.find("alpha, beta"), std::string::npos) << m;
  }
}

TEST(Registry, ErrorsNameTheEntryAndField) {
  json bad_kind = shim("p1");
  bad_kind["kind"] = "plugin";
  std::string m = load_error(doc_with(bad_kind));
  EXPECT_NE(m.find("peer 'p1'"), std::string::npos) << m;
  EXPECT_NE(m.find("field 'kind'"), std::string::npos) << m;

  json no_exe = shim("p2");
  no_exe.erase("executable");
  m = load_error(doc_with(no_exe));
  EXPECT_NE(m.find("peer 'p2': field 'executable': missing"), std::string::npos) << m;

  json typo = shim("p3");
  typo["descripton"] = "x";
  m = load_error(doc_with(typo));
  EXPECT_NE(m.find("field 'descripton': unknown field"), std::string::npos) << m;

  json nameless = shim("x");
  nameless.erase("name");
  m = load_error(doc_with(nameless));
  EXPECT_NE(m.find("peers[0]: field 'name'"), std::string::npos) << m;

  m = load_error({{"schema_version", 1}, {"peers", {shim("twice"), shim("twice")}}});
  EXPECT_NE(m.find("peer 'twice': field 'name': registered twice"), std::string::npos) << m;

  m = load_error({{"schema_version", 2}, {"peers", {shim("a")}}});
  EXPECT_NE(m.find("field 'schema_version'"), std::string::npos) << m;
}

TEST(Registry, StockToolErrorsNameTheToolField) {
  json e = shim("s1");
  e["kind"] = "stock";
  e["tool"] = minimal_stock_tool();
  EXPECT_EQ(load_error(doc_with(e)), "");

  json bad_regex = e;
  bad_regex["tool"]["server"]["version"] = "(unclosed";
  std::string m = load_error(doc_with(bad_regex));
  EXPECT_NE(m.find("peer 's1': field 'tool.server.version'"), std::string::npos) << m;

  json no_group = e;
  no_group["tool"]["client"]["cipher"] = "^Cipher: .*$";
  m = load_error(doc_with(no_group));
  EXPECT_NE(m.find("field 'tool.client.cipher'"), std::string::npos) << m;
  EXPECT_NE(m.find("capture group"), std::string::npos) << m;

  json bad_placeholder = e;
  bad_placeholder["tool"]["client"]["argv"] = {"tool", "{conect}"};
  m = load_error(doc_with(bad_placeholder));
  EXPECT_NE(m.find("field 'tool.client.argv'"), std::string::npos) << m;
  EXPECT_NE(m.find("{conect}"), std::string::npos) << m;

  json bad_option = e;
  bad_option["tool"]["client"]["options"] = {{"retries", {"-r"}}};
  m = load_error(doc_with(bad_option));
  EXPECT_NE(m.find("field 'tool.client.options.retries'"), std::string::npos) << m;

  json no_tool = e;
  no_tool.erase("tool");
  m = load_error(doc_with(no_tool));
  EXPECT_NE(m.find("peer 's1': field 'tool': missing"), std::string::npos) << m;

  json bad_direction = e;
  bad_direction["tool"]["client"]["alerts"] = {{{"regex", "alert ([0-9]+)"}, {"direction", "sideways"}}};
  m = load_error(doc_with(bad_direction));
  EXPECT_NE(m.find("field 'tool.client.alerts[0].direction'"), std::string::npos) << m;
}

TEST(Registry, UnreadableFileIsNamed) {
  try {
    Registry::load("/nonexistent/registry.json");
    FAIL() << "expected RegistryError";
  } catch (const RegistryError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/registry.json"), std::string::npos);
  }
}

}  // namespace
}  // namespace wireproof::registry

namespace wireproof::registry {
namespace {

TEST(RegistryProtocols, AnEntryWithoutProtocolsSpeaksDtls12) {
  json e = shim("old");
  e.erase("protocols");
  ASSERT_EQ(load_error(doc_with(e)), "");
  Registry reg = Registry::from_json(doc_with(e), "r.json");
  const PeerEntry& p = reg.find("old");
  EXPECT_EQ(p.protocols, std::vector<std::string>{"dtls1.2"});
  EXPECT_TRUE(p.speaks("dtls1.2"));
  EXPECT_FALSE(p.speaks("tcp"));
}

TEST(RegistryProtocols, TcpAndTlsAreKnownAndOthersAreNot) {
  json e = shim("t");
  e["protocols"] = {"tcp", "tls1.2", "tls1.3"};
  ASSERT_EQ(load_error(doc_with(e)), "");
  EXPECT_TRUE(Registry::from_json(doc_with(e), "r.json").find("t").speaks("tcp"));
  EXPECT_TRUE(Registry::from_json(doc_with(e), "r.json").find("t").speaks("tls1.3"));
  e["protocols"] = {"quic"};
  std::string m = load_error(doc_with(e));
  EXPECT_NE(m.find("field 'protocols': unknown protocol 'quic' (known: dtls1.2, tcp, tls1.2, tls1.3)"),
            std::string::npos)
      << m;
}

TEST(RegistryProtocols, ShippedStockToolsSpeakTlsOverTcp) {
  Registry reg = Registry::load(default_registry_file());
  for (const char* name : {"openssl-cli", "gnutls-cli"}) {
    const PeerEntry& e = reg.find(name);
    for (const char* p : {"dtls1.2", "tls1.2", "tls1.3"}) EXPECT_TRUE(e.speaks(p)) << name << " " << p;
    for (bool server : {false, true}) {
      const RoleSpec* tls = e.tool->role_for("tls1.3", server);
      ASSERT_NE(tls, nullptr) << name;
      EXPECT_TRUE(tls->tcp);
      EXPECT_TRUE(tls->options.contains("key-log")) << name;  // the wrapper passes --key-log through
      EXPECT_FALSE(e.tool->role_for("dtls1.2", server)->tcp);
    }
    EXPECT_TRUE(e.tool->tls_server->options.contains("client-cert=none")) << name;
  }
  // The protocol is pinned per version: the same argv, different protocol_args.
  const ToolSpec& o = *reg.find("openssl-cli").tool;
  EXPECT_EQ(o.tls_client->protocol_args.at("tls1.2"), std::vector<std::string>{"-tls1_2"});
  EXPECT_EQ(o.tls_client->protocol_args.at("tls1.3"), std::vector<std::string>{"-tls1_3"});
}

// TLS_CONTRACT.md "Registry": the TLS shims speak tls1.2 and tls1.3 and write key logs.
TEST(RegistryProtocols, TheTlsShimsSpeakTlsAndWriteKeyLogs) {
  Registry reg = Registry::load(default_registry_file());
  for (const char* name : {"openssl", "gnutls"}) {
    const PeerEntry& p = reg.find(name);
    EXPECT_TRUE(p.speaks("tls1.2")) << name;
    EXPECT_TRUE(p.speaks("tls1.3")) << name;
    EXPECT_TRUE(p.speaks("dtls1.2")) << name;
    EXPECT_TRUE(p.key_log) << name;
  }
  EXPECT_FALSE(reg.find("linux").key_log);  // the default
}

TEST(RegistryProtocols, KeyLogIsABooleanOfATlsPeer) {
  json e = shim("k");
  e["protocols"] = {"dtls1.2", "tls1.3"};
  e["key_log"] = true;
  ASSERT_EQ(load_error(doc_with(e)), "");
  EXPECT_TRUE(Registry::from_json(doc_with(e), "r.json").find("k").key_log);
  e["key_log"] = "yes";
  EXPECT_NE(load_error(doc_with(e)).find("field 'key_log': expected true or false"), std::string::npos);
  e["key_log"] = true;
  e["protocols"] = {"tcp"};
  EXPECT_NE(load_error(doc_with(e)).find("only a peer that speaks TLS or DTLS writes a key log"), std::string::npos);
}

TEST(RegistryProtocols, ShippedKernelProfilesSpeakTcpWithTheirSysctls) {
  Registry reg = Registry::load(default_registry_file());
  const PeerEntry& plain = reg.find("linux");
  const PeerEntry& rfc = reg.find("linux-rfc");
  EXPECT_TRUE(plain.speaks("tcp"));
  EXPECT_FALSE(plain.speaks("dtls1.2"));
  EXPECT_TRUE(plain.kernel.sysctls.empty());  // kernel defaults
  EXPECT_EQ(plain.executable, rfc.executable);
  auto pairs = rfc.kernel.sysctl_pairs();
  auto has = [&](const std::string& name, const std::string& value) {
    return std::find(pairs.begin(), pairs.end(), std::pair{name, value}) != pairs.end();
  };
  EXPECT_TRUE(has("net.ipv4.tcp_syn_linear_timeouts", "0"));
  EXPECT_TRUE(has("net.ipv4.tcp_rto_min_us", "1000000"));
  for (const auto& s : rfc.kernel.sysctls) EXPECT_FALSE(s.why.empty()) << s.name;
  ASSERT_EQ(rfc.kernel.route.size(), 1u);
  EXPECT_EQ(rfc.kernel.route[0].name, "rto_min");
  EXPECT_EQ(rfc.kernel.route[0].value, "1s");
  // Every DTLS entry keeps speaking DTLS only.
  for (const char* n : {"openssl", "gnutls", "ref", "openssl-cli", "gnutls-cli"}) EXPECT_TRUE(reg.find(n).speaks("dtls1.2")) << n;
}

TEST(RegistryProtocols, SysctlAndRouteErrorsNameTheField) {
  auto error_for = [](json sysctls, json route = nullptr) {
    json e = shim("k");
    e["protocols"] = {"tcp"};
    if (!sysctls.is_null()) e["sysctls"] = std::move(sysctls);
    if (!route.is_null()) e["route"] = std::move(route);
    return load_error(doc_with(e));
  };
  EXPECT_EQ(error_for({{"net.ipv4.tcp_frto", {{"value", "0"}, {"why", "w"}}}}), "");
  std::string m = error_for({{"kernel.panic", {{"value", "1"}, {"why", "w"}}}});
  EXPECT_NE(m.find("peer 'k': field 'sysctls.kernel.panic'"), std::string::npos) << m;
  m = error_for({{"net.ipv4.tcp_frto", {{"value", "0"}}}});
  EXPECT_NE(m.find("sysctls.net.ipv4.tcp_frto"), std::string::npos) << m;
  EXPECT_NE(m.find("why"), std::string::npos) << m;
  m = error_for({{"net.ipv4.tcp_frto", {{"value", "off"}, {"why", "w"}}}});
  EXPECT_NE(m.find("field 'sysctls.net.ipv4.tcp_frto.value'"), std::string::npos) << m;
  m = error_for({{"net.ipv4.tcp_frto", {{"value", "0"}, {"why", "w"}, {"if_present", "yes"}}}});
  EXPECT_NE(m.find("if_present"), std::string::npos) << m;
  m = error_for({{"net.ipv4.tcp_frto", "0"}});
  EXPECT_NE(m.find("field 'sysctls.net.ipv4.tcp_frto'"), std::string::npos) << m;
  m = error_for(nullptr, {{"mtu", {{"value", "1400"}, {"why", "w"}}}});
  EXPECT_NE(m.find("field 'route.mtu': unknown route option"), std::string::npos) << m;
  m = error_for(nullptr, {{"rto_min", {{"value", "1 second"}, {"why", "w"}}}});
  EXPECT_NE(m.find("field 'route.rto_min.value'"), std::string::npos) << m;
}

}  // namespace
}  // namespace wireproof::registry
