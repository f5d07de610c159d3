// Pins the exact bytes of the public plugin headers. Any edit to plugin_abi.h or host_api.h, even
// a comment, fails this test on purpose: whoever changes the ABI must decide whether it is a
// minor (append-only) or major change, bump MQGW_ABI_MINOR/MAJOR accordingly, and then update
// the pinned hash below (the failure message prints the new one).
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "mqgw/plugin_abi.h"

namespace {

// FNV-1a 64: small, stable, and easy to recompute by hand with any scripting language.
uint64_t fnv1a64(const std::string& bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string hex(uint64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

void expectPinned(const char* file, uint64_t pinned) {
  std::string bytes = readFile(std::string(MQGW_PUBLIC_INCLUDE_DIR) + "/mqgw/" + file);
  ASSERT_FALSE(bytes.empty()) << "cannot read " << file;
  uint64_t now = fnv1a64(bytes);
  EXPECT_EQ(now, pinned) << file << " changed (hash now " << hex(now)
                         << "). If this is an intended ABI change, bump MQGW_ABI_MINOR (append "
                            "only) or MQGW_ABI_MAJOR (anything else), see "
                            "docs/plugins/abi-policy.md, then update the pin in "
                         << __FILE__;
}

TEST(AbiHash, PluginAbiHeaderIsPinned) { expectPinned("plugin_abi.h", 0x3d6a33937156db91ull); }

TEST(AbiHash, HostApiHeaderIsPinned) { expectPinned("host_api.h", 0xde6e76cffaec69b3ull); }

TEST(AbiHash, PinnedVersionIsOneDotTwo) {
  // The pins above belong to this version; a bump without a new pin (or vice versa) fails here.
  EXPECT_EQ(MQGW_ABI_VERSION, (1u << 16) | 2u);
}

}  // namespace
