// The `tenancy:` section (the console): defaults, values, and every error with its exact text.
#include <gtest/gtest.h>

#include "config/config.h"

namespace mqgw::config {
namespace {

const std::string kRest = R"(listeners:
  - name: mqtt
    bind: 127.0.0.1
    port: 1883
    stack: [tcp, mqtt]
storage:
  backend: memory
)";

LoadResult load(const std::string& yaml) { return loadString(yaml + kRest, "t.yaml", "/base"); }

std::string errorOf(const std::string& yaml) {
  LoadResult r = load(yaml);
  return r.ok() ? "OK" : r.error->str();
}

TEST(ConfigTenancy, AbsentMeansOnlyTheDevelopmentInstance) {
  LoadResult r = load("");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.config->tenancy.has_value());
  EXPECT_TRUE(r.config->developmentInstance());
}

TEST(ConfigTenancy, DefaultsAndResolvedDirectory) {
  LoadResult r = load("tenancy:\n  metadata_dir: meta\n");
  ASSERT_TRUE(r.ok()) << r.error->str();
  const Tenancy& t = *r.config->tenancy;
  EXPECT_EQ(t.metadataDir, "/base/meta");
  EXPECT_FALSE(t.developmentInstance);
  EXPECT_FALSE(r.config->developmentInstance());
  EXPECT_EQ(t.region, "local");
  EXPECT_EQ(t.publicHost, "localhost");
  EXPECT_EQ(t.maxTopicLength, 64u);
}

TEST(ConfigTenancy, Values) {
  LoadResult r = load(R"(tenancy:
  development_instance: true
  metadata_dir: /var/lib/mqgw/meta
  region: cn-east
  public_host: "{instance}.mqtt.example.com"
  private_host: internal.example.com
  max_topic_length: 128
)");
  ASSERT_TRUE(r.ok()) << r.error->str();
  const Tenancy& t = *r.config->tenancy;
  EXPECT_TRUE(r.config->developmentInstance());
  EXPECT_EQ(t.metadataDir, "/var/lib/mqgw/meta");
  EXPECT_EQ(t.region, "cn-east");
  EXPECT_EQ(t.publicHost, "{instance}.mqtt.example.com");
  EXPECT_EQ(t.privateHost, "internal.example.com");
  EXPECT_EQ(t.maxTopicLength, 128u);
}

TEST(ConfigTenancy, Errors) {
  EXPECT_EQ(errorOf("tenancy:\n  region: x\n"),
            "t.yaml:2:3: tenancy.metadata_dir: is required (where the console's SQLite database "
            "lives)");
  EXPECT_EQ(errorOf("tenancy:\n  metadata_dir: m\n  development_instance: maybe\n"),
            "t.yaml:3:25: tenancy.development_instance: 'maybe' is not true or false");
  EXPECT_EQ(errorOf("tenancy:\n  metadata_dir: m\n  public_host: \"a b\"\n"),
            "t.yaml:3:16: tenancy.public_host: 'a b' is not a host name (letters, digits, '.', "
            "'-', {instance})");
  EXPECT_EQ(errorOf("tenancy:\n  metadata_dir: m\n  max_topic_length: 2\n"),
            "t.yaml:3:21: tenancy.max_topic_length: 2 is out of range 3..65535");
  EXPECT_EQ(errorOf("tenancy:\n  metadata_dir: m\n  colour: red\n"),
            "t.yaml:3:3: tenancy.colour: unknown key (expected one of: development_instance, "
            "metadata_dir, region, public_host, private_host, max_topic_length)");
}

}  // namespace
}  // namespace mqgw::config
