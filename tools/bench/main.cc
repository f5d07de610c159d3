// mqgw-bench: an MQTT load generator meant to cost much less per message than the broker it
// measures. See docs/performance.md for how tools/bench-vs-mosquitto drives it.
#include <csignal>
#include <cstdio>

#include "controller.h"
#include "options.h"
#include "report.h"

int main(int argc, char** argv) {
  using namespace mqgw::bench;
  std::signal(SIGPIPE, SIG_IGN);  // a reset socket must come back as an error, not kill us
  Options o;
  int exitCode = 0;
  if (!parseOptions(argc, argv, o, &exitCode)) return exitCode;
  RunResult r;
  int rc = runBenchmark(o, r);
  std::string text = o.json ? jsonLine(o, r, rc) : humanTable(o, r, rc);
  std::fwrite(text.data(), 1, text.size(), stdout);
  if (rc == 2) std::fprintf(stderr, "mqgw-bench: could not connect / set up: %s\n", r.firstError.c_str());
  return rc;
}
