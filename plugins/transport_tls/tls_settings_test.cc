// parseSettings: the rules the schema cannot express (client_auth needs a CA, SNI pairs).
#include "tls_settings.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mqgw::tls {
namespace {

struct Parsed {
  int rc;
  TlsSettings s;
  std::string why;
};

Parsed parse(std::vector<mqgw_kv> kv) {
  Parsed p;
  p.rc = parseSettings(kv.data(), kv.size(), &p.s, &p.why);
  return p;
}

TEST(TlsSettings, CertAndKeyAreEnoughAndDefaultsHold) {
  auto p = parse({{"cert", "/c.pem"}, {"key", "/k.pem"}, {"handshake_timeout", "2500"}});
  ASSERT_EQ(p.rc, MQGW_OK) << p.why;
  EXPECT_EQ(p.s.cert, "/c.pem");
  EXPECT_EQ(p.s.key, "/k.pem");
  EXPECT_EQ(p.s.handshakeTimeoutMs, 2500u);
  EXPECT_EQ(p.s.clientAuth, ClientAuth::None);
  EXPECT_TRUE(p.s.sni.empty());
}

TEST(TlsSettings, ClientCaAloneRequiresCertificates) {
  auto p = parse({{"cert", "c"}, {"key", "k"}, {"client_ca", "ca"}});
  ASSERT_EQ(p.rc, MQGW_OK) << p.why;
  EXPECT_EQ(p.s.clientAuth, ClientAuth::Require);
  p = parse({{"cert", "c"}, {"key", "k"}, {"client_ca", "ca"}, {"client_auth", "optional"}});
  ASSERT_EQ(p.rc, MQGW_OK) << p.why;
  EXPECT_EQ(p.s.clientAuth, ClientAuth::Optional);
}

TEST(TlsSettings, ClientAuthWithoutCaIsRefused) {
  auto p = parse({{"cert", "c"}, {"key", "k"}, {"client_auth", "require"}});
  EXPECT_EQ(p.rc, MQGW_E_INVAL);
  EXPECT_NE(p.why.find("client_ca"), std::string::npos) << p.why;
}

TEST(TlsSettings, SniNamesKeepTheirDotsAndCompareLowerCase) {
  auto p = parse({{"cert", "c"},
                  {"key", "k"},
                  {"sni.Broker.Example.com.cert", "/b.pem"},
                  {"sni.broker.example.com.key", "/b.key"}});
  ASSERT_EQ(p.rc, MQGW_OK) << p.why;
  ASSERT_EQ(p.s.sni.size(), 1u);
  EXPECT_EQ(p.s.sni[0].serverName, "broker.example.com");
  EXPECT_EQ(p.s.sni[0].cert, "/b.pem");
  EXPECT_EQ(p.s.sni[0].key, "/b.key");
}

TEST(TlsSettings, SniEntryNeedsBothFiles) {
  auto p = parse({{"cert", "c"}, {"key", "k"}, {"sni.a.example.cert", "/a.pem"}});
  EXPECT_EQ(p.rc, MQGW_E_INVAL);
  EXPECT_NE(p.why.find("sni.a.example"), std::string::npos) << p.why;
}

TEST(TlsSettings, SniKeyWithoutFieldIsRefused) {
  auto p = parse({{"cert", "c"}, {"key", "k"}, {"sni.example", "/a.pem"}});
  EXPECT_EQ(p.rc, MQGW_E_INVAL);
}

}  // namespace
}  // namespace mqgw::tls
