// Which session owns each Client ID, across all workers. Touched on CONNECT and on session end
// only — never on the publish path — so one mutex is enough.
//
// Memory: the key is a view of the owning Session's own clientId (no second copy per
// connection). That is safe because an entry always points at its current owner, and an owner
// releases its entry before it is destroyed (host_api sessionClose); a takeover re-keys the
// entry to the new owner's string.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace mqgw {

class SessionRegistry {
 public:
  struct Owner {
    uint32_t worker;
    uint64_t sessionId;
    bool persistent;  // its state outlives its connection: a new connection may resume it
    bool connected = true;  // a client is attached (QuerySessionByClientId's online status)
  };
  // Records (worker, id) as the owner of clientId — a string that must outlive the entry —
  // and returns the previous owner, to be kicked.
  std::optional<Owner> claim(const std::string& clientId, Owner owner) {
    std::lock_guard lock(mu_);
    auto it = owners_.find(std::string_view(clientId));
    if (it == owners_.end()) {
      owners_.emplace(std::string_view(clientId), owner);
      return std::nullopt;
    }
    Owner previous = it->second;
    auto node = owners_.extract(it);  // re-key: the old owner's string may die first
    node.key() = std::string_view(clientId);
    node.mapped() = owner;
    owners_.insert(std::move(node));
    return previous;
  }
  // Forgets clientId only if `sessionId` still owns it (a newer session may have taken over).
  void release(const std::string& clientId, uint64_t sessionId) {
    std::lock_guard lock(mu_);
    auto it = owners_.find(std::string_view(clientId));
    if (it != owners_.end() && it->second.sessionId == sessionId) owners_.erase(it);
  }
  std::optional<Owner> find(const std::string& clientId) {
    std::lock_guard lock(mu_);
    auto it = owners_.find(std::string_view(clientId));
    if (it == owners_.end()) return std::nullopt;
    return it->second;
  }
  // Records that `sessionId`'s persistence changed (MQTT 5 DISCONNECT can change its expiry).
  void setPersistent(const std::string& clientId, uint64_t sessionId, bool persistent) {
    std::lock_guard lock(mu_);
    auto it = owners_.find(std::string_view(clientId));
    if (it != owners_.end() && it->second.sessionId == sessionId) it->second.persistent = persistent;
  }
  // Records whether `sessionId`'s client is attached (a persistent session outlives it).
  void setConnected(const std::string& clientId, uint64_t sessionId, bool connected) {
    std::lock_guard lock(mu_);
    auto it = owners_.find(std::string_view(clientId));
    if (it != owners_.end() && it->second.sessionId == sessionId) it->second.connected = connected;
  }
  size_t size() {
    std::lock_guard lock(mu_);
    return owners_.size();
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string_view, Owner> owners_;
};

}  // namespace mqgw
