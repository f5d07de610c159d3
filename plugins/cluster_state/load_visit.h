// Storage op load as both clustered backends answer it once their state store is read: this
// node's sessions (adopted from the view) and the retained messages, handed to the core's
// visitor. The floor stays with each backend (it knows its log's partitions and end).
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "mqgw/plugin_abi.h"
#include "named_position.h"
#include "state_view.h"

namespace mqgw::cluster {

// A session cursor in the core's positions (each backend maps names to partitions its way).
using ToCorePositions =
    std::function<std::vector<mqgw_position>(const std::vector<NamedPosition>&)>;

// Adopts this node's stored sessions (StateView::adoptOwnSessions) and hands each to
// v->session with its cursor as toCore gives it.
void visitOwnSessions(StateView& view, const ToCorePositions& toCore, const mqgw_load_visitor* v);

// Hands every retained message (topic → host->message_encode bytes) to v->retained; returns
// how many could not be decoded (dropped; the caller logs them).
size_t visitRetained(const mqgw_host_api* host,
                     const std::map<std::string, std::string>& retained,
                     const mqgw_load_visitor* v);

}  // namespace mqgw::cluster
