// mqgwctl: the gateway's command-line client (docs/mqgwctl.md).
#include "cli.h"

#include <iostream>

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return mqgw::ctl::runCli(args, std::cout, std::cerr, mqgw::ctl::processEnvironment());
}
