#include <gtest/gtest.h>

#include "harness/pki/pki.hpp"
#include "impl/crypto/aead.hpp"
#include "impl/crypto/ecdh.hpp"
#include "impl/crypto/hkdf.hpp"
#include "impl/crypto/hmac.hpp"
#include "impl/crypto/prf.hpp"
#include "impl/crypto/random.hpp"
#include "impl/crypto/signature.hpp"
#include "impl/crypto/test_util.hpp"
#include "impl/crypto/x509.hpp"

namespace wc = wireproof::crypto;
using wc::testing::hex;

// Published TLS 1.2 PRF vector (IETF TLS list msg03416), P_SHA256.
TEST(Prf, Sha256KnownAnswer) {
  auto out = wc::tls12_prf(wc::Hash::sha256, hex("9bbe436ba940f017b17652849a71db35"), "test label",
                           hex("a0ba9f936cda311827a6f796ffd5198c"), 100);
  EXPECT_EQ(out, hex("e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e"
                     "14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5"
                     "a72e5a5110fff70187347b66"));
}

TEST(Prf, Sha384DiffersFromSha256) {
  auto a = wc::tls12_prf(wc::Hash::sha256, hex("01"), "l", hex("02"), 48);
  auto b = wc::tls12_prf(wc::Hash::sha384, hex("01"), "l", hex("02"), 48);
  EXPECT_EQ(a.size(), 48u);
  EXPECT_NE(a, b);
}

// RFC 4231 test case 2.
TEST(Hmac, Rfc4231Case2) {
  auto mac = wc::hmac(wc::Hash::sha256, wc::as_bytes("Jefe"), wc::as_bytes("what do ya want for nothing?"));
  EXPECT_EQ(mac, hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
}

// GCM spec test case 4 (AES-128, 60-byte plaintext, 20-byte AAD).
TEST(Aead, AesGcmKnownAnswerAndTamper) {
  wc::Aead aead(wc::AeadKind::aes_128_gcm, hex("feffe9928665731c6d6a8f9467308308"));
  auto nonce = hex("cafebabefacedbaddecaf888");
  auto aad = hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  auto pt = hex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525"
                "b16aedf5aa0de657ba637b39");
  auto ct = aead.seal(nonce, aad, pt);
  EXPECT_EQ(ct, hex("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa05"
                    "1ba30b396a0aac973d58e091"
                    "5bc94fbc3221a5db94fae95ae7121a47"));
  EXPECT_EQ(aead.open(nonce, aad, ct), pt);
  auto bad = ct;
  bad[3] ^= 1;
  EXPECT_FALSE(aead.open(nonce, aad, bad));
  auto bad_aad = aad;
  bad_aad[0] ^= 1;
  EXPECT_FALSE(aead.open(nonce, bad_aad, ct));
  EXPECT_FALSE(aead.open(nonce, aad, wc::ByteView(ct).first(10)));
}

// RFC 8439 2.8.2: check the tag of the AEAD example.
TEST(Aead, ChaCha20Poly1305Rfc8439Tag) {
  wc::Bytes key;
  for (int i = 0x80; i <= 0x9f; ++i) key.push_back(static_cast<std::uint8_t>(i));
  wc::Aead aead(wc::AeadKind::chacha20_poly1305, key);
  auto nonce = hex("070000004041424344454647");
  auto aad = hex("50515253c0c1c2c3c4c5c6c7");
  std::string pt =
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would "
      "be it.";
  auto ct = aead.seal(nonce, aad, wc::as_bytes(pt));
  ASSERT_EQ(ct.size(), pt.size() + 16);
  EXPECT_EQ(wc::Bytes(ct.end() - 16, ct.end()), hex("1ae10b594f09e26a7e902ecbd0600691"));
  EXPECT_EQ(wc::Bytes(ct.begin(), ct.begin() + 4), hex("d31a8d34"));
  auto back = aead.open(nonce, aad, ct);
  ASSERT_TRUE(back);
  EXPECT_EQ(std::string(back->begin(), back->end()), pt);
  ct.back() ^= 0x80;
  EXPECT_FALSE(aead.open(nonce, aad, ct));
}

// One Aead reused across messages (cached, keyed contexts) gives what a fresh
// Aead gives for each message, also after a failed open.
TEST(Aead, ReuseMatchesFreshContext) {
  for (auto kind : {wc::AeadKind::aes_128_gcm, wc::AeadKind::aes_256_gcm, wc::AeadKind::chacha20_poly1305}) {
    wc::Bytes key(wc::aead_key_len(kind), 0x42);
    wc::Aead tx(kind, key), rx(kind, key);
    for (int i = 0; i < 5; ++i) {
      wc::Bytes nonce(12, static_cast<std::uint8_t>(i));
      wc::Bytes aad(13, static_cast<std::uint8_t>(0x10 + i));
      wc::Bytes pt(static_cast<std::size_t>(i * 37), static_cast<std::uint8_t>(0xa0 + i));
      auto ct = tx.seal(nonce, aad, pt);
      EXPECT_EQ(ct, wc::Aead(kind, key).seal(nonce, aad, pt));
      auto bad = ct;
      bad.back() ^= 1;
      EXPECT_FALSE(rx.open(nonce, aad, bad));
      EXPECT_EQ(rx.open(nonce, aad, ct), pt);
      wc::Bytes prefix{1, 2, 3};
      tx.seal_append(nonce, aad, pt, prefix);
      EXPECT_EQ(wc::Bytes(prefix.begin() + 3, prefix.end()), ct);
    }
  }
}

TEST(Aead, WrongKeyLengthThrows) {
  EXPECT_THROW(wc::Aead(wc::AeadKind::aes_256_gcm, hex("00112233")), wc::CryptoError);
}

// RFC 7748 6.1.
TEST(Ecdh, X25519Rfc7748) {
  auto alice = wc::EcdhKey::from_x25519_private(hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  EXPECT_EQ(alice.public_value(), hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"));
  auto shared = alice.derive(hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"));
  ASSERT_TRUE(shared);
  EXPECT_EQ(*shared, hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"));
  EXPECT_FALSE(alice.derive(wc::Bytes(32, 0)));  // small-order point -> all-zero secret refused
  EXPECT_FALSE(alice.derive(wc::Bytes(31, 1)));
}

TEST(Ecdh, P256AgreesAndRejectsOffCurve) {
  auto a = wc::EcdhKey::generate(wc::Group::secp256r1);
  auto b = wc::EcdhKey::generate(wc::Group::secp256r1);
  ASSERT_EQ(a.public_value().size(), 65u);
  EXPECT_EQ(a.public_value()[0], 0x04);
  auto s1 = a.derive(b.public_value());
  auto s2 = b.derive(a.public_value());
  ASSERT_TRUE(s1 && s2);
  EXPECT_EQ(*s1, *s2);
  auto off = b.public_value();
  off[64] ^= 1;  // no longer on the curve
  EXPECT_FALSE(a.derive(off));
}

class WithPki : public ::testing::Test {
 protected:
  wc::testing::TempDir dir;
  wireproof::pki::PkiFiles files = wireproof::pki::generate_pki(dir.path, "example.test");
};

TEST_F(WithPki, SignVerifyEcdsa) {
  auto cred = wc::Credential::load(files.server_cert, files.server_key);
  auto msg = wc::as_bytes("signed params");
  auto sig = wc::sign(cred->key.get(), wc::SignatureScheme::ecdsa_secp256r1_sha256, msg);
  EXPECT_TRUE(wc::verify(cred->chain.leaf_key(), wc::SignatureScheme::ecdsa_secp256r1_sha256, msg, sig));
  EXPECT_FALSE(wc::verify(cred->chain.leaf_key(), wc::SignatureScheme::ecdsa_secp256r1_sha256,
                          wc::as_bytes("other"), sig));
  EXPECT_FALSE(wc::verify(cred->chain.leaf_key(), wc::SignatureScheme::rsa_pkcs1_sha256, msg, sig));
  auto chosen = wc::choose_scheme({0x0401, 0x0804, 0x0403}, cred->key.get());
  ASSERT_TRUE(chosen);
  EXPECT_EQ(*chosen, wc::SignatureScheme::ecdsa_secp256r1_sha256);
  EXPECT_FALSE(wc::choose_scheme({0x0401, 0x0503}, cred->key.get()));
}

TEST_F(WithPki, SignVerifyRsaPssAndPkcs1) {
  wc::PkeyPtr rsa(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048)));
  ASSERT_TRUE(rsa);
  auto msg = wc::as_bytes("params");
  for (auto s : {wc::SignatureScheme::rsa_pss_rsae_sha256, wc::SignatureScheme::rsa_pkcs1_sha384}) {
    auto sig = wc::sign(rsa.get(), s, msg);
    EXPECT_TRUE(wc::verify(rsa.get(), s, msg, sig));
    sig[5] ^= 1;
    EXPECT_FALSE(wc::verify(rsa.get(), s, msg, sig));
  }
}

namespace {
wc::PkeyPtr ed25519_private(const wc::Bytes& seed) {
  return wc::PkeyPtr(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
}
wc::Bytes raw_public(EVP_PKEY* key) {
  wc::Bytes out(32);
  std::size_t n = out.size();
  EXPECT_EQ(EVP_PKEY_get_raw_public_key(key, out.data(), &n), 1);
  out.resize(n);
  return out;
}
}  // namespace

// RFC 8032 7.1, TEST 1 (empty message) and TEST 2 (one byte, 0x72).
TEST(Ed25519, Rfc8032KnownAnswers) {
  struct Vector {
    const char *secret, *pub, *msg, *sig;
  } vectors[] = {
      {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
       "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
       "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46b"
       "d25bf5f0595bbe24655141438e7a100b"},
      {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
       "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
       "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c"
       "387b2eaeb4302aeeb00d291612bb0c00"},
  };
  for (const auto& v : vectors) {
    auto key = ed25519_private(hex(v.secret));
    ASSERT_TRUE(key);
    EXPECT_EQ(raw_public(key.get()), hex(v.pub));
    auto sig = wc::sign(key.get(), wc::SignatureScheme::ed25519, hex(v.msg));
    EXPECT_EQ(sig, hex(v.sig));
    EXPECT_TRUE(wc::verify(key.get(), wc::SignatureScheme::ed25519, hex(v.msg), sig));
  }
}

TEST(Ed25519, DeterministicAndRefusesWrongKeyOrScheme) {
  auto key = ed25519_private(wc::Bytes(32, 0x11));
  auto other = ed25519_private(wc::Bytes(32, 0x22));
  ASSERT_TRUE(key && other);
  auto msg = wc::as_bytes("client_random || server_random || params");
  auto sig = wc::sign(key.get(), wc::SignatureScheme::ed25519, msg);
  EXPECT_EQ(sig.size(), 64u);
  EXPECT_EQ(wc::sign(key.get(), wc::SignatureScheme::ed25519, msg), sig) << "Ed25519 signs deterministically";
  EXPECT_TRUE(wc::verify(key.get(), wc::SignatureScheme::ed25519, msg, sig));
  EXPECT_FALSE(wc::verify(other.get(), wc::SignatureScheme::ed25519, msg, sig)) << "wrong key";
  EXPECT_FALSE(wc::verify(key.get(), wc::SignatureScheme::ed25519, wc::as_bytes("other"), sig));
  auto bad = sig;
  bad[10] ^= 1;
  EXPECT_FALSE(wc::verify(key.get(), wc::SignatureScheme::ed25519, msg, bad));
  // Ed25519 keys pair with ed25519 only, and ECDSA keys never with ed25519.
  for (auto s : {wc::SignatureScheme::ecdsa_secp256r1_sha256, wc::SignatureScheme::rsa_pss_rsae_sha256,
                 wc::SignatureScheme::rsa_pkcs1_sha256}) {
    EXPECT_FALSE(wc::scheme_fits_key(s, key.get()));
    EXPECT_FALSE(wc::verify(key.get(), s, msg, sig));
    EXPECT_THROW(wc::sign(key.get(), s, msg), wc::CryptoError);
  }
  wc::PkeyPtr ec(EVP_EC_gen("P-256"));
  ASSERT_TRUE(ec);
  EXPECT_FALSE(wc::scheme_fits_key(wc::SignatureScheme::ed25519, ec.get()));
  EXPECT_FALSE(wc::verify(ec.get(), wc::SignatureScheme::ed25519, msg, sig));
  EXPECT_EQ(wc::choose_scheme({0x0403, 0x0804, 0x0807}, key.get()), wc::SignatureScheme::ed25519);
  EXPECT_FALSE(wc::choose_scheme({0x0403, 0x0804}, key.get()));
  EXPECT_TRUE(wc::is_supported_scheme(0x0807));
  EXPECT_EQ(wc::key_family(key.get()), wc::KeyFamily::ecdsa);
  EXPECT_EQ(wc::key_family(ec.get()), wc::KeyFamily::ecdsa);
  EXPECT_EQ(wc::key_family(nullptr), wc::KeyFamily::other);
}

TEST_F(WithPki, ChainVerifiesWithHostCheck) {
  auto ca = wc::TrustStore::from_ca_file(files.ca_cert);
  auto cred = wc::Credential::load(files.server_cert, files.server_key);
  EXPECT_TRUE(ca->verify(cred->chain, wc::Purpose::server, "example.test").ok);
  EXPECT_TRUE(ca->verify(cred->chain, wc::Purpose::server, "127.0.0.1").ok);
  auto wrong = ca->verify(cred->chain, wc::Purpose::server, "other.test");
  EXPECT_FALSE(wrong.ok);
  EXPECT_NE(wrong.error.find("host name"), std::string::npos);
  EXPECT_TRUE(cred->matches_host("example.test"));
  EXPECT_FALSE(cred->matches_host("nope.test"));
  // DER round trip keeps the chain verifiable.
  auto back = wc::CertChain::from_der(cred->chain.to_der());
  ASSERT_TRUE(back);
  EXPECT_TRUE(ca->verify(*back, wc::Purpose::server, "").ok);
  auto der = cred->chain.to_der();
  der[0].push_back(0);  // trailing garbage
  EXPECT_FALSE(wc::CertChain::from_der(der));
}

TEST_F(WithPki, UntrustedChainFails) {
  wc::testing::TempDir other_dir;
  auto other = wireproof::pki::generate_pki(other_dir.path, "example.test");
  auto ca = wc::TrustStore::from_ca_file(files.ca_cert);
  auto foreign = wc::Credential::load(other.server_cert, other.server_key);
  auto r = ca->verify(foreign->chain, wc::Purpose::server, "example.test");
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.error.empty());
}

TEST_F(WithPki, MismatchedKeyRefused) {
  EXPECT_THROW(wc::Credential::load(files.server_cert, files.client_key), wc::CryptoError);
}

namespace {
// A counter stream: deterministic test source (not a CSPRNG).
wc::RandomSource counter_source(std::uint8_t start) {
  return [n = start](std::span<std::uint8_t> out) mutable {
    for (auto& b : out) b = n++;
  };
}
}  // namespace

TEST(Ecdh, SeededKeysAreReproducibleAndAgree) {
  for (auto g : {wc::Group::x25519, wc::Group::secp256r1}) {
    auto a1 = wc::EcdhKey::generate(g, counter_source(1));
    auto a2 = wc::EcdhKey::generate(g, counter_source(1));
    auto b = wc::EcdhKey::generate(g, counter_source(7));
    EXPECT_EQ(a1.public_value(), a2.public_value());
    EXPECT_NE(a1.public_value(), b.public_value());
    auto r = wc::EcdhKey::generate(g);  // a libcrypto-random peer
    auto s1 = a1.derive(r.public_value());
    auto s2 = r.derive(a1.public_value());
    ASSERT_TRUE(s1 && s2);
    EXPECT_EQ(*s1, *s2);
    EXPECT_NE(wc::EcdhKey::generate(g, {}).public_value(), wc::EcdhKey::generate(g, {}).public_value());
  }
  EXPECT_EQ(wc::random_bytes(4, counter_source(9)), (wc::Bytes{9, 10, 11, 12}));
}

TEST(SeededRandom, OneStreamPerSeedAndName) {
  auto draw = [](wc::RandomSource src, std::size_t n) { return wc::random_bytes(n, src); };
  EXPECT_EQ(draw(wc::seeded_random(1, "client"), 100), draw(wc::seeded_random(1, "client"), 100));
  EXPECT_NE(draw(wc::seeded_random(1, "client"), 32), draw(wc::seeded_random(1, "server"), 32));
  EXPECT_NE(draw(wc::seeded_random(1, "client"), 32), draw(wc::seeded_random(2, "client"), 32));
  // Draws continue the stream, whatever their sizes.
  auto src = wc::seeded_random(9, "server");
  auto first = wc::random_bytes(10, src);
  auto rest = wc::random_bytes(60, src);
  first.insert(first.end(), rest.begin(), rest.end());
  EXPECT_EQ(first, draw(wc::seeded_random(9, "server"), 70));
}

// RFC 5869 A.1 (test case 1, SHA-256).
TEST(Hkdf, Rfc5869Case1) {
  auto prk = wc::hkdf_extract(wc::Hash::sha256, hex("000102030405060708090a0b0c"), wc::Bytes(22, 0x0b));
  EXPECT_EQ(prk, hex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5"));
  EXPECT_EQ(wc::hkdf_expand(wc::Hash::sha256, prk, hex("f0f1f2f3f4f5f6f7f8f9"), 42),
            hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"));
}

// RFC 8448 3 (simple 1-RTT handshake): the early secret without a PSK and
// Derive-Secret(early, "derived", "") = HKDF-Expand-Label(early, "derived", SHA-256(""), 32).
TEST(Hkdf, ExpandLabelMatchesRfc8448) {
  auto early = wc::hkdf_extract(wc::Hash::sha256, {}, wc::Bytes(32, 0));
  EXPECT_EQ(early, hex("33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a"));
  EXPECT_EQ(wc::hkdf_expand_label(wc::Hash::sha256, early, "derived", wc::digest(wc::Hash::sha256, {}), 32),
            hex("6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba"));
}
