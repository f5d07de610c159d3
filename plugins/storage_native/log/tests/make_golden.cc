// Writes the golden fixtures of tests/golden/ (see README.md there):
//   make_golden <dir>  ->  <dir>/v1_clean/ and <dir>/v1_torn_tail/
#include <cstdio>
#include <filesystem>
#include <vector>

#include "test_util.h"

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  using namespace mqgw::nlog::test;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <golden dir>\n", argv[0]);
    return 2;
  }
  const fs::path root = argv[1];
  const fs::path clean = root / "v1_clean";
  const fs::path torn = root / "v1_torn_tail";
  fs::remove_all(clean);
  fs::remove_all(torn);
  if (int rc = writeGoldenLog(clean.string()); rc < 0) {
    std::fprintf(stderr, "writing the golden log failed: %d\n", rc);
    return 1;
  }
  fs::remove(clean / "LOCK");
  // The torn copy: the last segment loses the final 7 bytes of its last record.
  copyDir(clean.string(), torn.string());
  fs::path last;
  for (const auto& e : fs::directory_iterator(torn)) {
    if (e.path().extension() == ".log" && (last.empty() || e.path() > last)) last = e.path();
  }
  std::vector<uint8_t> bytes = readFile(last.string());
  bytes.resize(bytes.size() - 7);
  writeFile(last.string(), bytes);
  std::printf("wrote %s and %s\n", clean.c_str(), torn.c_str());
  return 0;
}
