// Which session owns each Client ID, across all workers. Touched on CONNECT and on session end
// only — never on the publish path — so one mutex is enough.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace mqgw {

class SessionRegistry {
 public:
  struct Owner {
    uint32_t worker;
    uint64_t sessionId;
  };
  // Records (worker, id) as the owner of clientId; returns the previous owner to be kicked.
  std::optional<Owner> claim(const std::string& clientId, Owner owner) {
    std::lock_guard lock(mu_);
    auto [it, inserted] = owners_.try_emplace(clientId, owner);
    if (inserted) return std::nullopt;
    Owner previous = it->second;
    it->second = owner;
    return previous;
  }
  // Forgets clientId only if `sessionId` still owns it (a newer session may have taken over).
  void release(const std::string& clientId, uint64_t sessionId) {
    std::lock_guard lock(mu_);
    auto it = owners_.find(clientId);
    if (it != owners_.end() && it->second.sessionId == sessionId) owners_.erase(it);
  }
  size_t size() {
    std::lock_guard lock(mu_);
    return owners_.size();
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, Owner> owners_;
};

}  // namespace mqgw
