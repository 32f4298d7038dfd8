#include <gtest/gtest.h>

#include "harness/dissect/names.hpp"

using namespace wireproof::dissect;

TEST(Names, HandshakeTypesRoundTrip) {
  for (int t : {0, 1, 2, 3, 4, 11, 12, 13, 14, 15, 16, 20}) {
    auto name = handshake_type_name(t);
    ASSERT_FALSE(name.starts_with("unknown")) << t;
    EXPECT_EQ(handshake_type_from_name(name), t) << name;
  }
  EXPECT_EQ(handshake_type_name(14), "server_hello_done");
  EXPECT_EQ(handshake_type_from_name("hello_verify_request"), 3);
}

TEST(Names, UnknownHandshakeNamesAndNumbers) {
  EXPECT_EQ(handshake_type_name(42), "unknown(42)");
  EXPECT_EQ(handshake_type_from_name("Server_Hello"), std::nullopt);
  EXPECT_EQ(handshake_type_from_name("alert"), std::nullopt);
  EXPECT_EQ(handshake_type_from_name(""), std::nullopt);
}

TEST(Names, ContentTypes) {
  EXPECT_EQ(content_type_from_name("change_cipher_spec"), 20);
  EXPECT_EQ(content_type_from_name("alert"), 21);
  EXPECT_EQ(content_type_from_name("handshake"), 22);
  EXPECT_EQ(content_type_from_name("application_data"), 23);
  EXPECT_EQ(content_type_from_name("client_hello"), std::nullopt);
  EXPECT_EQ(content_type_name(23), "application_data");
  EXPECT_EQ(content_type_name(99), "unknown(99)");
}
