// Start-up on a durable backend: bring back persistent sessions, retained messages and the node
// floors (storage ops `load`), then replay stored messages from the oldest cursor so every
// restored session gets back what it had not settled. Runs after the workers start and before
// any listener accepts. See docs/decisions/0004-durable-sessions.md.
#pragma once

namespace mqgw {

// kExitOk, or kExitRuntime when the backend cannot load or replay.
int restoreDurableState();

}  // namespace mqgw
