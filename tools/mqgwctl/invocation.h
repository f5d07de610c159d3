// What one parsed mqgwctl command line asks for: an API action, its JSON body, and how the answer
// is shown to a person. The command tables (commands_*.cc) fill it; nothing here does I/O, so the
// argument → request mapping is testable without a server.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mqgw::ctl {

// Ordered, so that listings and --json keep the server's field order.
using Json = nlohmann::ordered_json;

// One table column: its header and where its value sits in a listed object ("Spec.MaxConnections").
struct Column {
  std::string header;
  std::string path;
};

// How a successful response is rendered when --json is not given.
struct OutputSpec {
  enum class Shape {
    Object,  // vertical "key: value" listing of response[key] (the whole response when key is "")
    List,    // a table of response[key], one row per element
    Done,    // one line such as "deleted mqtt-abc"
    Raw      // pretty JSON (the `call` command)
  };
  Shape shape = Shape::Raw;
  std::string key;
  std::vector<Column> columns;
  std::string quietPath;  // what -q prints for Object: a dotted path into the response
  std::string doneText;   // the line printed for Done
};

struct Invocation {
  std::string action;  // empty until a command's callback ran
  Json body = Json::object();
  OutputSpec output;
};

// Wall clock in Unix milliseconds; --expire-in reads it, tests pin it.
using NowMs = std::function<int64_t()>;

}  // namespace mqgw::ctl
