// The shim side of --framing lines: same digests as binary for the same
// chunks, broken lines counted as malformed, duplicates counted, and the
// chunk capped as the stock wrapper caps it.
#include <gtest/gtest.h>

#include <string>

#include "peers/common/framed_echo.hpp"
#include "peers/common/line_frame.hpp"

using namespace wireproof::peers;

namespace {

std::vector<std::uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

struct Reports {
  nlohmann::json client, server;
  bool client_ok = false, server_ok = false;
};

// Every record goes client -> server -> (echoed unchanged) -> client, nothing lost.
Reports run_lossless(Framing framing, ChunkPlan plan) {
  FramedEchoClient client(framing, {plan, 400});
  FramedEchoServer server(framing, plan);
  for (int round = 0; round < 10000 && !client.complete(); ++round)
    for (const auto& record : client.records_to_send(0)) {
      server.on_record(record);
      client.on_record(record);
    }
  return {client.report(), server.report(), client.verified(), server.verified()};
}

PeerOptions opts_with(Framing framing, std::uint32_t chunk, std::optional<int> mtu = std::nullopt) {
  PeerOptions o;
  o.framing = framing;
  o.echo_bytes = 5000;
  o.chunk = chunk;
  o.mtu = mtu;
  return o;
}

}  // namespace

TEST(WorkloadPlan, LinesCapTheChunkLikeTheStockWrapperBinaryDoesNot) {
  EXPECT_EQ(workload_plan(opts_with(Framing::binary, 1000)).chunk, 1000u);
  EXPECT_EQ(workload_plan(opts_with(Framing::lines, 1000)).chunk, 112u);
  EXPECT_EQ(workload_plan(opts_with(Framing::lines, 50)).chunk, 50u);
  EXPECT_EQ(workload_plan(opts_with(Framing::lines, 1000, 256)).chunk, max_pattern_bytes(1000, 256));
  EXPECT_EQ(workload_plan(opts_with(Framing::lines, 1000)).echo_bytes, 5000u);
}

TEST(FramedEcho, LinesGiveTheSameDigestsAsBinaryForTheSameChunks) {
  const ChunkPlan plan{5000, 112};
  Reports lines = run_lossless(Framing::lines, plan);
  Reports binary = run_lossless(Framing::binary, plan);
  ASSERT_TRUE(lines.client_ok) << lines.client.dump();
  ASSERT_TRUE(lines.server_ok) << lines.server.dump();
  ASSERT_TRUE(binary.client_ok && binary.server_ok);
  EXPECT_EQ(lines.client["sent_sha256"], expected_digest(plan));
  EXPECT_EQ(lines.client["sent_sha256"], binary.client["sent_sha256"]);
  EXPECT_EQ(lines.client["echoed_sha256"], binary.client["echoed_sha256"]);
  EXPECT_EQ(lines.server["received_sha256"], binary.server["received_sha256"]);
  EXPECT_EQ(lines.server["received_sha256"], lines.client["sent_sha256"]);
  EXPECT_EQ(lines.server["bytes"], 5000);
  EXPECT_EQ(lines.client["chunks"], 45);
}

TEST(FramedEcho, OnlyLinesReportsFramingAndChunk) {
  const ChunkPlan plan{300, 100};
  Reports lines = run_lossless(Framing::lines, plan);
  EXPECT_EQ(lines.client["framing"], "lines");
  EXPECT_EQ(lines.client["chunk"], 100);
  EXPECT_EQ(lines.server["framing"], "lines");
  EXPECT_EQ(lines.server["chunk"], 100);
  Reports binary = run_lossless(Framing::binary, plan);
  EXPECT_FALSE(binary.client.contains("framing"));
  EXPECT_FALSE(binary.server.contains("framing"));
}

TEST(FramedEcho, ClientSendsEachChunkAsOneCanonicalLine) {
  FramedEchoClient client(Framing::lines, {ChunkPlan{250, 100}, 400});
  auto records = client.records_to_send(0);
  ASSERT_EQ(records.size(), 3u);
  for (std::size_t i = 0; i < records.size(); ++i) {
    const std::string text(records[i].begin(), records[i].end());
    EXPECT_EQ(text, encode_line(make_chunk(i, i < 2 ? 100 : 50)));
    EXPECT_LE(text.size(), kMaxLineBytes);
  }
}

TEST(FramedEcho, ClientCountsBrokenLinesAsMalformedAndIsNotVerified) {
  const ChunkPlan plan{200, 100};
  FramedEchoClient client(Framing::lines, {plan, 400});
  auto records = client.records_to_send(0);
  ASSERT_EQ(records.size(), 2u);
  std::string line(records[1].begin(), records[1].end());
  line[10] = line[10] == '0' ? '1' : '0';                            // crc no longer matches
  client.on_record(bytes_of(line));
  client.on_record(bytes_of("prefix " + encode_line(make_chunk(1, 100))));  // not exactly one line
  client.on_record(make_chunk(1, 100));                             // binary where a line belongs
  std::string two = encode_line(make_chunk(0, 100)) + encode_line(make_chunk(1, 100));
  client.on_record(bytes_of(two));                                  // two lines in one record
  EXPECT_EQ(client.report()["malformed"], 4);
  EXPECT_EQ(client.report()["echoed_chunks"], 0);
  client.on_record(records[0]);
  client.on_record(records[1]);
  EXPECT_TRUE(client.complete());
  EXPECT_FALSE(client.verified()) << "malformed echoes must fail the run";
}

TEST(FramedEcho, ServerCountsMalformedAndDuplicateLines) {
  const ChunkPlan plan{200, 100};
  FramedEchoServer server(Framing::lines, plan);
  const auto l0 = bytes_of(encode_line(make_chunk(0, 100)));
  const auto l1 = bytes_of(encode_line(make_chunk(1, 100)));
  EXPECT_EQ(server.on_record(l0), EchoServer::Seen::new_chunk);
  EXPECT_EQ(server.on_record(l0), EchoServer::Seen::duplicate);
  EXPECT_EQ(server.on_record(bytes_of("WP 00 00000000\n")), EchoServer::Seen::malformed);
  EXPECT_EQ(server.on_record(l1), EchoServer::Seen::new_chunk);
  auto r = server.report();
  EXPECT_EQ(r["records"], 4);
  EXPECT_EQ(r["unique_chunks"], 2);
  EXPECT_EQ(r["duplicates"], 1);
  EXPECT_EQ(r["malformed"], 1);
  EXPECT_EQ(r["received_sha256"], expected_digest(plan));
  EXPECT_FALSE(server.verified()) << "a malformed record fails verification";

  FramedEchoServer clean(Framing::lines, plan);
  clean.on_record(l1);
  clean.on_record(l0);
  EXPECT_TRUE(clean.verified());
}

TEST(FramedEcho, BinaryServerReadsALineAsGarbageWhichIsWhyFramingMustMatch) {
  // The failure --framing exists to prevent: "WP 0000..." read as a binary index.
  FramedEchoServer server(Framing::binary, ChunkPlan{200, 100});
  server.on_record(bytes_of(encode_line(make_chunk(0, 100))));
  EXPECT_NE(server.report()["received_sha256"], FramedEchoServer(Framing::lines, ChunkPlan{200, 100}).report()["received_sha256"]);
  EXPECT_FALSE(server.verified());
}
