// The hello parsers on crafted bodies: TLS and DTLS ClientHellos (the cookie
// is DTLS's only), a TLS 1.3 ServerHello and a HelloRetryRequest.
#include "harness/dissect/hello_parsers.hpp"

#include <gtest/gtest.h>

namespace wireproof::dissect {
namespace {

using Bytes = std::vector<std::uint8_t>;

void put16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}

Bytes extensions_block(const HelloExtensions& exts) {
  Bytes inner;
  for (const auto& [type, data] : exts) {
    put16(inner, type);
    put16(inner, static_cast<std::uint16_t>(data.size()));
    inner.insert(inner.end(), data.begin(), data.end());
  }
  Bytes out;
  put16(out, static_cast<std::uint16_t>(inner.size()));
  out.insert(out.end(), inner.begin(), inner.end());
  return out;
}

Bytes client_hello(bool with_cookie) {
  Bytes b;
  put16(b, with_cookie ? 0xfefd : 0x0303);
  b.insert(b.end(), 32, 0xaa);               // random
  b.push_back(32);                           // session_id (middlebox compatibility)
  b.insert(b.end(), 32, 0x55);
  if (with_cookie) b.insert(b.end(), {4, 1, 2, 3, 4});
  b.insert(b.end(), {0, 4, 0x13, 0x01, 0xc0, 0x2b});  // two suites
  b.insert(b.end(), {1, 0});                           // null compression
  auto e = extensions_block({{0, {0, 5, 0, 0, 2, 'h', 'i'}}, {43, {2, 3, 4}}});
  b.insert(b.end(), e.begin(), e.end());
  return b;
}

Bytes server_hello(const Bytes& random, std::uint16_t supported_version) {
  Bytes b;
  put16(b, 0x0303);
  b.insert(b.end(), random.begin(), random.end());
  b.push_back(0);
  put16(b, 0x1301);
  b.push_back(0);
  HelloExtensions exts;
  if (supported_version) exts.push_back({43, {static_cast<std::uint8_t>(supported_version >> 8), static_cast<std::uint8_t>(supported_version)}});
  auto e = extensions_block(exts);
  b.insert(b.end(), e.begin(), e.end());
  return b;
}

TEST(HelloParsers, TlsClientHelloHasNoCookieAndDtlsOneDoes) {
  std::string error;
  auto tls = parse_client_hello(client_hello(false), HelloFlavour::tls, error);
  ASSERT_TRUE(tls) << error;
  EXPECT_EQ(tls->client_version, 0x0303);
  EXPECT_EQ(tls->session_id.size(), 32u);
  EXPECT_TRUE(tls->cookie.empty());
  EXPECT_EQ(tls->cipher_suites, (Bytes{0x13, 0x01, 0xc0, 0x2b}));
  ASSERT_EQ(tls->extensions.size(), 2u);
  ASSERT_NE(find_extension(tls->extensions, 43), nullptr);
  EXPECT_EQ(*find_extension(tls->extensions, 43), (Bytes{2, 3, 4}));
  EXPECT_EQ(find_extension(tls->extensions, 41), nullptr);
  auto dtls = parse_client_hello(client_hello(true), HelloFlavour::dtls, error);
  ASSERT_TRUE(dtls) << error;
  EXPECT_EQ(dtls->cookie, (Bytes{1, 2, 3, 4}));
  EXPECT_FALSE(parse_client_hello(client_hello(true), HelloFlavour::tls, error))
      << "a DTLS body read as TLS does not parse exactly";
}

TEST(HelloParsers, ServerHelloVersionComesFromSupportedVersions) {
  std::string error;
  auto sh13 = parse_server_hello(server_hello(Bytes(32, 7), 0x0304), error);
  ASSERT_TRUE(sh13) << error;
  EXPECT_EQ(sh13->cipher_suite, 0x1301);
  EXPECT_EQ(selected_version(*sh13), 0x0304);
  EXPECT_FALSE(is_hello_retry_request(*sh13));
  auto sh12 = parse_server_hello(server_hello(Bytes(32, 7), 0), error);
  ASSERT_TRUE(sh12) << error;
  EXPECT_EQ(selected_version(*sh12), 0x0303);
}

TEST(HelloParsers, AHelloRetryRequestIsRecognisedByItsRandom) {
  // SHA-256("HelloRetryRequest"), as `printf HelloRetryRequest | sha256sum` prints it.
  const char* hex = "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c";
  Bytes random;
  for (int i = 0; i < 64; i += 2) random.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex + i, 2), nullptr, 16)));
  std::string error;
  auto hrr = parse_server_hello(server_hello(random, 0x0304), error);
  ASSERT_TRUE(hrr) << error;
  EXPECT_TRUE(is_hello_retry_request(*hrr));
  random.back() ^= 1;
  EXPECT_FALSE(is_hello_retry_request(*parse_server_hello(server_hello(random, 0x0304), error)));
}

TEST(HelloParsers, TruncatedBodiesSayWhereTheyStopped) {
  std::string error;
  Bytes sh = server_hello(Bytes(32, 7), 0x0304);
  EXPECT_FALSE(parse_server_hello(Bytes(sh.begin(), sh.begin() + 36), error));
  EXPECT_EQ(error, "ServerHello: truncated cipher_suite / compression_method");
  EXPECT_FALSE(parse_server_hello(Bytes(sh.begin(), sh.end() - 1), error));
  EXPECT_EQ(error, "ServerHello: bad extensions block");
  EXPECT_FALSE(parse_client_hello(Bytes{3, 3, 1}, HelloFlavour::tls, error));
  EXPECT_EQ(error, "ClientHello: truncated random");
}

TEST(HelloParsers, EncryptedExtensionsAreAListThatMustBeThere) {
  std::string error;
  auto empty = parse_encrypted_extensions(Bytes{0, 0}, error);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  auto two = parse_encrypted_extensions(Bytes{0, 9, 0, 16, 0, 1, 7, 0, 28, 0, 0}, error);
  ASSERT_TRUE(two) << error;
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0], (std::pair<std::uint16_t, std::vector<std::uint8_t>>{16, {7}}));
  EXPECT_EQ((*two)[1].first, 28);
  EXPECT_FALSE(parse_encrypted_extensions(Bytes{}, error));
  EXPECT_EQ(error, "EncryptedExtensions: no extensions block");
  EXPECT_FALSE(parse_encrypted_extensions(Bytes{0, 5, 0, 16, 0, 1}, error));
  EXPECT_EQ(error, "EncryptedExtensions: bad extensions block");
}

}  // namespace
}  // namespace wireproof::dissect
