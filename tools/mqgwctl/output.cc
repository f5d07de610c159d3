#include "output.h"

#include "table.h"

namespace mqgw::ctl {
namespace {

// The object a listing shows: response[key] when present, else the response without RequestId
// (actions whose fields sit at the top level, such as ApplyToken or SendMessage).
Json shownObject(const OutputSpec& spec, const Json& response) {
  if (!spec.key.empty()) {
    const Json* inner = lookupPath(response, spec.key);
    if (inner != nullptr && inner->is_object()) return *inner;
  }
  Json copy = response;
  copy.erase("RequestId");
  return copy;
}

std::string quietObject(const OutputSpec& spec, const Json& response) {
  const Json* id = lookupPath(response, spec.quietPath);
  if (id == nullptr && !spec.key.empty()) {
    // Tolerate a server that puts the object's fields at the top level.
    std::string leaf = spec.quietPath.substr(spec.quietPath.rfind('.') + 1);
    id = lookupPath(response, leaf);
  }
  return id != nullptr ? cellText(*id, "") + "\n" : "";
}

std::string quietList(const OutputSpec& spec, const Json& rows) {
  std::string out;
  if (!rows.is_array() || spec.columns.empty()) return out;
  for (const auto& row : rows) {
    const Json* id = lookupPath(row, spec.columns.front().path);
    if (id != nullptr) out += cellText(*id, "") + "\n";
  }
  return out;
}

}  // namespace

std::string renderResponse(const OutputSpec& spec, const Json& response, OutputFlags flags) {
  if (flags.json || spec.shape == OutputSpec::Shape::Raw) return response.dump(2) + "\n";
  switch (spec.shape) {
    case OutputSpec::Shape::Done:
      return flags.quiet ? "" : spec.doneText + "\n";
    case OutputSpec::Shape::List: {
      const Json* rows = lookupPath(response, spec.key);
      static const Json kNone = Json::array();
      if (rows == nullptr) rows = &kNone;
      return flags.quiet ? quietList(spec, *rows) : renderTable(spec.columns, *rows);
    }
    case OutputSpec::Shape::Object:
      if (flags.quiet && !spec.quietPath.empty()) return quietObject(spec, response);
      return renderKeyValues(shownObject(spec, response));
    case OutputSpec::Shape::Raw:
      break;
  }
  return response.dump(2) + "\n";
}

}  // namespace mqgw::ctl
