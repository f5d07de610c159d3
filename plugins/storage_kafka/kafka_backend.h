// The `kafka` storage backend as the core sees it: the publish path (Producer), what reaches
// this node's subscribers (Feed), the state every node shares (StateStore) and $share groups
// split across nodes (Shares), behind the storage ops of host_api.h.
#pragma once

#include <memory>
#include <string>

#include "kafka_feed.h"
#include "kafka_meta.h"
#include "kafka_producer.h"
#include "kafka_settings.h"
#include "kafka_shares.h"
#include "kafka_state.h"
#include "mqgw/plugin_abi.h"
#include "partition_table.h"

namespace mqgw::kafka {

class Backend {
 public:
  Backend(const mqgw_host_api* host, Settings settings);
  ~Backend();
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  bool configure(std::string* why);
  int start();
  void stop();
  int health() const { return producer_.health(); }

  // A retained message also goes to the retained topic; the append completes once both
  // records are in Kafka.
  int append(mqgw_message* msg, mqgw_append_cb cb, void* arg);

  Producer& producer() { return producer_; }
  Feed& feed() { return feed_; }
  StateStore& state() { return state_; }
  Shares& shares() { return shares_; }
  MetaStore& meta() { return meta_; }

  // storage op load: the console's metadata first (host->storage_meta), then the state.
  int load(const mqgw_load_visitor* v);

 private:
  const mqgw_host_api* host_;
  Settings settings_;
  PartitionTable table_;
  Producer producer_;
  Feed feed_;
  StateStore state_;
  Shares shares_;
  MetaStore meta_;
  bool started_ = false;
};

}  // namespace mqgw::kafka
