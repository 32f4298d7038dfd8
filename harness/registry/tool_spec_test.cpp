#include "harness/registry/tool_spec.hpp"

#include <gtest/gtest.h>

namespace wireproof::registry {
namespace {

TEST(Expand, ReplacesWholeAndEmbeddedPlaceholders) {
  auto out = expand({"-connect", "{host}:{port}", "--mtu={mtu_payload}", "plain"},
                    {{"host", "127.0.0.1"}, {"port", "4433"}, {"mtu_payload", "1172"}}, "t");
  std::vector<std::string> want{"-connect", "127.0.0.1:4433", "--mtu=1172", "plain"};
  EXPECT_EQ(out, want);
}

TEST(Expand, ValuesAreNotReexpanded) {
  auto out = expand({"{cert}"}, {{"cert", "/tmp/{key}.pem"}}, "t");
  EXPECT_EQ(out.at(0), "/tmp/{key}.pem");
}

TEST(Expand, UnknownPlaceholderAndUnclosedBraceAreErrors) {
  EXPECT_THROW(expand({"{nope}"}, {{"host", "h"}}, "t"), RegistryError);
  EXPECT_THROW(expand({"{host"}, {{"host", "h"}}, "t"), RegistryError);
  try {
    expand({"-x", "{timer_ms}"}, {}, "peer 'p' client argv");
    FAIL() << "expected RegistryError";
  } catch (const RegistryError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("peer 'p' client argv"), std::string::npos) << m;
    EXPECT_NE(m.find("{timer_ms}"), std::string::npos) << m;
  }
}

TEST(ToolSpec, ParsesRolesPatternsAndDefaults) {
  nlohmann::json tool = {
      {"version", {{"argv", {"t", "-v"}}, {"regex", "^t ([0-9.]+)"}}},
      {"version_names", {{"DTLS1.2", "DTLSv1.2"}}},
      {"client", {{"argv", {"t", "{connect}"}}, {"handshake_done", "^ok"}, {"version", "^V: (\\S+)"}}},
      {"server",
       {{"argv", {"t", "-p", "{port}"}},
        {"handshake_done", "^ok"},
        {"ready", "^listening"},
        {"echo", "wrapper"},
        {"data_streams", {"stderr"}},
        {"options", {{"mtu", {"--mtu", "{mtu_payload}"}}}},
        {"ignored", {{"server-name", "n/a"}}},
        {"alerts", {{{"regex", "A\\[(\\d)\\|(\\d+)\\]"}, {"direction", "sent"}, {"level_group", 1}, {"description_group", 2}}}},
        {"closed", {{{"regex", "^bye"}, {"reason", "close_notify"}}}}}}};
  ToolSpec s = parse_tool_spec(tool, "peer 't'");
  EXPECT_EQ(s.version_argv.at(1), "-v");
  EXPECT_EQ(s.version_names.at("DTLS1.2"), "DTLSv1.2");
  EXPECT_FALSE(s.client.wrapper_echoes);
  EXPECT_EQ(s.client.data_streams, std::vector<std::string>{"stdout"});
  EXPECT_FALSE(s.client.ready.has_value());
  EXPECT_TRUE(s.server.wrapper_echoes);
  EXPECT_EQ(s.server.data_streams, std::vector<std::string>{"stderr"});
  EXPECT_EQ(s.server.options.at("mtu").argv.at(1), "{mtu_payload}");
  EXPECT_EQ(s.server.ignored.at("server-name"), "n/a");
  ASSERT_EQ(s.server.alerts.size(), 1u);
  EXPECT_EQ(s.server.alerts[0].level_group, 1);
  EXPECT_EQ(s.server.alerts[0].description_group, 2);
  std::smatch m;
  std::string line = "V: DTLS1.2";
  ASSERT_TRUE(std::regex_search(line, m, s.client.version->re));
  EXPECT_EQ(m[1], "DTLS1.2");
}

TEST(ToolSpec, OptionBothMappedAndIgnoredIsRejected) {
  nlohmann::json role = {{"argv", {"t"}},
                         {"handshake_done", "x"},
                         {"options", {{"mtu", {"-m", "{mtu_ip}"}}}},
                         {"ignored", {{"mtu", "why"}}}};
  nlohmann::json tool = {{"version", {{"argv", {"t"}}, {"regex", "(x)"}}}, {"client", role}, {"server", role}};
  EXPECT_THROW(parse_tool_spec(tool, "p"), RegistryError);
}

// A tool section for dtls1.2 and both TLS versions; tests break one piece.
nlohmann::json tls_tool() {
  nlohmann::json dtls = {{"argv", {"t", "--udp"}}, {"handshake_done", "^ok"}};
  nlohmann::json tls = {{"argv", {"t"}},
                        {"protocol_args", {{"tls1.2", {"-2"}}, {"tls1.3", {"-3"}}}},
                        {"handshake_done", "^ok"}};
  return {{"version", {{"argv", {"t"}}, {"regex", "(x)"}}},
          {"client", dtls},
          {"server", dtls},
          {"tls", {{"client", tls}, {"server", tls}}}};
}
const std::vector<std::string> kAll{"dtls1.2", "tls1.2", "tls1.3"};

std::string error_of(const nlohmann::json& tool, const std::vector<std::string>& protocols) {
  try {
    parse_tool_spec(tool, "peer 't'", protocols);
  } catch (const RegistryError& e) {
    return e.what();
  }
  return "";
}

TEST(ToolSpec, EachProtocolHasItsRole) {
  ToolSpec s = parse_tool_spec(tls_tool(), "peer 't'", kAll);
  ASSERT_NE(s.role_for("dtls1.2", false), nullptr);
  EXPECT_FALSE(s.role_for("dtls1.2", false)->tcp);
  EXPECT_EQ(s.role_for("dtls1.2", true)->argv.at(1), "--udp");
  const RoleSpec* tls13 = s.role_for("tls1.3", true);
  ASSERT_NE(tls13, nullptr);
  EXPECT_TRUE(tls13->tcp);
  EXPECT_EQ(tls13->protocol_args.at("tls1.3"), std::vector<std::string>{"-3"});
  EXPECT_EQ(s.role_for("tls1.2", false), &*s.tls_client);
  EXPECT_EQ(s.role_for("tcp", false), nullptr);
}

TEST(ToolSpec, ATlsOnlyToolNeedsNoDtlsRoles) {
  auto tool = tls_tool();
  tool.erase("client");
  tool.erase("server");
  tool["tls"]["client"]["protocol_args"].erase("tls1.2");
  tool["tls"]["server"]["protocol_args"].erase("tls1.2");
  ToolSpec s = parse_tool_spec(tool, "peer 't'", {"tls1.3"});
  EXPECT_NE(s.role_for("tls1.3", false), nullptr);
  EXPECT_EQ(s.role_for("tls1.2", false), nullptr);  // not registered for it
}

TEST(ToolSpec, ProtocolSectionsMustMatchTheListedProtocols) {
  auto no_12 = tls_tool();
  no_12["tls"]["server"]["protocol_args"].erase("tls1.2");
  auto m = error_of(no_12, kAll);
  EXPECT_NE(m.find("field 'tool.tls.server.protocol_args'"), std::string::npos) << m;
  EXPECT_NE(m.find("tls1.2"), std::string::npos) << m;
  // Arguments for a protocol the entry does not list are stale.
  m = error_of(tls_tool(), {"dtls1.2", "tls1.3"});
  EXPECT_NE(m.find("tool.tls.client.protocol_args.tls1.2"), std::string::npos) << m;
  // A tls section without a TLS protocol, or a TLS protocol without one.
  EXPECT_NE(error_of(tls_tool(), {"dtls1.2"}).find("field 'tool.tls'"), std::string::npos);
  auto no_tls = tls_tool();
  no_tls.erase("tls");
  EXPECT_NE(error_of(no_tls, kAll).find("tls"), std::string::npos);
  EXPECT_NE(error_of(tls_tool(), {"tls1.2", "tls1.3"}).find("tool.client"), std::string::npos);
  EXPECT_NE(error_of(tls_tool(), {"dtls1.2", "tcp"}).find("'tcp'"), std::string::npos);
  // DTLS has no per-protocol arguments.
  auto dtls_args = tls_tool();
  dtls_args["client"]["protocol_args"] = {{"tls1.2", {"-2"}}};
  EXPECT_NE(error_of(dtls_args, kAll).find("tool.client.protocol_args"), std::string::npos);
}

TEST(ToolSpec, ValuedOptionsAreMappedPerValue) {
  auto tool = tls_tool();
  tool["tls"]["server"]["options"] = {{"client-cert=none", nlohmann::json::array()},
                                      {"client-cert=required", {"-Verify", "1"}}};
  ToolSpec s = parse_tool_spec(tool, "peer 't'", kAll);
  EXPECT_TRUE(s.tls_server->options.at("client-cert=none").argv.empty());
  EXPECT_EQ(s.tls_server->options.at("client-cert=required").argv.at(0), "-Verify");
  for (const char* bad : {"client-cert", "client-cert=maybe", "mtu=1500", "retries"}) {
    auto t = tls_tool();
    t["tls"]["server"]["options"] = {{bad, {"-x"}}};
    EXPECT_NE(error_of(t, kAll).find(std::string("tool.tls.server.options.") + bad), std::string::npos) << bad;
  }
}

TEST(ToolSpec, AnOptionMaySetTheToolsEnvironment) {
  auto tool = tls_tool();
  tool["tls"]["client"]["options"] = {{"key-log", {{"env", {{"SSLKEYLOGFILE", "{key_log}"}}}}},
                                      {"alpn", {{"argv", {"--alpn", "{alpn}"}}}}};
  ToolSpec s = parse_tool_spec(tool, "peer 't'", kAll);
  EXPECT_EQ(s.tls_client->options.at("key-log").env.at("SSLKEYLOGFILE"), "{key_log}");
  EXPECT_TRUE(s.tls_client->options.at("key-log").argv.empty());
  EXPECT_EQ(s.tls_client->options.at("alpn").argv.at(1), "{alpn}");
  auto typo = tls_tool();
  typo["tls"]["client"]["options"] = {{"key-log", {{"env", {{"SSLKEYLOGFILE", "{keylog}"}}}}}};
  EXPECT_NE(error_of(typo, kAll).find("{keylog}"), std::string::npos);
  auto empty = tls_tool();
  empty["tls"]["client"]["options"] = {{"key-log", nlohmann::json::object()}};
  EXPECT_NE(error_of(empty, kAll).find("maps to nothing"), std::string::npos);
}

TEST(ToolSpec, AnOptionMayRepeatPerListItem) {
  auto tool = tls_tool();
  tool["tls"]["client"]["options"] = {{"alpn", {{"each", "alpn"}, {"argv", {"--alpn", "{alpn}"}}}}};
  ToolSpec s = parse_tool_spec(tool, "peer 't'", kAll);
  EXPECT_EQ(s.tls_client->options.at("alpn").each, "alpn");
  tool["tls"]["client"]["options"] = {{"alpn", {{"each", "alpn"}, {"argv", {"--alpn", "h2"}}}}};
  EXPECT_NE(error_of(tool, kAll).find("argv does not use {alpn}"), std::string::npos);
  tool["tls"]["client"]["options"] = {{"alpn", {{"each", "protocols"}, {"argv", {"--alpn", "{alpn}"}}}}};
  EXPECT_NE(error_of(tool, kAll).find("options.alpn.each"), std::string::npos);
}

TEST(ToolSpec, KeyUpdatesAreReadAndOnlyAClientWritesMidway) {
  auto tool = tls_tool();
  tool["tls"]["client"]["options"] = {{"key-update", {{"stdin_midway", "K"}}}};
  tool["tls"]["client"]["key_updates"] = {{{"regex", "^KEYUPDATE$"}, {"direction", "sent"}, {"update_requested", true}},
                                          {{"regex", "key update \\(([01])\\)"}, {"direction", "received"}, {"requested_group", 1}}};
  ToolSpec s = parse_tool_spec(tool, "peer 't'", kAll);
  EXPECT_EQ(s.tls_client->options.at("key-update").stdin_midway, "K");
  ASSERT_EQ(s.tls_client->key_updates.size(), 2u);
  EXPECT_TRUE(s.tls_client->key_updates[0].requested);
  EXPECT_EQ(s.tls_client->key_updates[1].requested_group, 1);
  auto server = tls_tool();
  server["tls"]["server"]["options"] = {{"key-update", {{"stdin_midway", "K"}}}};
  EXPECT_NE(error_of(server, kAll).find("stdin_midway"), std::string::npos);
  auto unsaid = tls_tool();
  unsaid["tls"]["client"]["key_updates"] = {{{"regex", "^KEYUPDATE$"}, {"direction", "sent"}}};
  EXPECT_NE(error_of(unsaid, kAll).find("requested_group or update_requested"), std::string::npos);
}

TEST(ToolSpec, HandshakeDoneMayNeedSeveralLines) {
  auto tool = tls_tool();
  tool["tls"]["server"]["handshake_done"] = {"^a", "^b"};
  ToolSpec s = parse_tool_spec(tool, "peer 't'", kAll);
  ASSERT_EQ(s.tls_server->handshake_done.size(), 2u);
  EXPECT_EQ(s.tls_server->handshake_done[1].source, "^b");
  EXPECT_EQ(s.tls_client->handshake_done.size(), 1u);
  tool["tls"]["server"]["handshake_done"] = {"^a", "("};
  EXPECT_NE(error_of(tool, kAll).find("handshake_done[1]"), std::string::npos);
}

}  // namespace
}  // namespace wireproof::registry
