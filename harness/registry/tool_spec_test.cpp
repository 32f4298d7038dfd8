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
  EXPECT_EQ(s.server.options.at("mtu").at(1), "{mtu_payload}");
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

}  // namespace
}  // namespace wireproof::registry
