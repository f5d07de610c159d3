#include "report.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <sstream>

namespace mqgw::bench {

namespace {

double us(uint64_t ns) { return static_cast<double>(ns) / 1000.0; }
double perSecond(uint64_t n, double seconds) { return seconds > 0 ? static_cast<double>(n) / seconds : 0; }

nlohmann::json toJson(const Options& o, const RunResult& r, int exitCode) {
  nlohmann::json j;
  j["scenario"] = scenarioName(o.scenario);
  j["transport"] = transportName(o.transport);
  j["qos"] = o.qos;
  j["payload"] = o.payload;
  j["clients"] = o.clients;
  j["mqtt_version"] = o.mqttVersion;
  j["threads"] = o.threads;
  j["rate"] = o.rate;
  j["inflight"] = o.inflight;
  j["publishers"] = r.publishers;
  j["subscribers"] = r.subscribers;
  j["connections"] = r.connections;
  j["duration_s"] = r.measuredSeconds;
  j["sent"] = r.sent;
  j["sent_total"] = r.sentTotal;
  j["acked"] = r.acked;
  j["window"] = o.window;
  j["window_resets"] = r.windowResets;
  j["expected"] = r.expected;
  j["received"] = r.received;
  j["received_total"] = r.receivedTotal;
  j["msgs_per_s"] = perSecond(r.received, r.measuredSeconds);
  j["sent_per_s"] = perSecond(r.sent, r.measuredSeconds);
  j["loss"] = r.loss;
  j["loss_pct"] = r.expected ? 100.0 * static_cast<double>(r.loss) / static_cast<double>(r.expected) : 0.0;
  j["dup"] = r.dup;
  j["reorder"] = r.reorder;
  j["malformed"] = r.malformed;
  j["lat_p50_us"] = us(r.latency.quantile(0.50));
  j["lat_p99_us"] = us(r.latency.quantile(0.99));
  j["lat_p999_us"] = us(r.latency.quantile(0.999));
  j["lat_max_us"] = us(r.latency.max());
  j["connect_ok"] = r.connectOk;
  j["connect_failed"] = r.connectFailed;
  j["connect_s"] = r.connectSeconds;
  j["connects_per_s"] = perSecond(r.connectOk, r.connectSeconds);
  j["connect_p50_us"] = us(r.connectLatency.quantile(0.50));
  j["connect_p99_us"] = us(r.connectLatency.quantile(0.99));
  j["connect_p999_us"] = us(r.connectLatency.quantile(0.999));
  j["held_s"] = r.heldSeconds;
  j["lost_connections"] = r.lostDuringRun;
  j["timed_out"] = r.timedOut;
  j["exit_code"] = exitCode;
  j["error"] = r.firstError;
  if (!o.instanceId.empty()) j["instance_id"] = o.instanceId;  // absent: development instance
  return j;
}

}  // namespace

std::string jsonLine(const Options& o, const RunResult& r, int exitCode) {
  return toJson(o, r, exitCode).dump() + "\n";
}

std::string humanTable(const Options& o, const RunResult& r, int exitCode) {
  nlohmann::json j = toJson(o, r, exitCode);
  std::ostringstream out;
  char line[160];
  auto row = [&](const char* name, const std::string& value) {
    std::snprintf(line, sizeof line, "  %-22s %s\n", name, value.c_str());
    out << line;
  };
  auto num = [](double v, int decimals) {
    char b[64];
    std::snprintf(b, sizeof b, "%.*f", decimals, v);
    return std::string(b);
  };
  out << "mqgw-bench " << scenarioName(o.scenario) << ": qos " << int(o.qos) << ", payload "
      << o.payload << " B, clients " << o.clients << ", mqtt v" << int(o.mqttVersion)
      << ", threads " << o.threads << "\n";
  if (!o.instanceId.empty()) row("console instance", o.instanceId + " (group " + o.groupId + ")");
  row("connections", std::to_string(r.connectOk) + " ok, " + std::to_string(r.connectFailed) +
      " failed, " + std::to_string(r.lostDuringRun) + " lost during run");
  row("connect rate", num(j["connects_per_s"], 0) + " /s over " + num(r.connectSeconds, 3) + " s");
  row("connect latency us", "p50 " + num(j["connect_p50_us"], 0) + "  p99 " +
      num(j["connect_p99_us"], 0) + "  p999 " + num(j["connect_p999_us"], 0));
  if (o.scenario == Scenario::Storm) {
    if (r.heldSeconds > 0) row("held idle", num(r.heldSeconds, 1) + " s");
  } else {
    row("measured window", num(r.measuredSeconds, 2) + " s (after " + num(o.warmup, 1) + " s warm-up)");
    row("sent", std::to_string(r.sent) + " (" + num(j["sent_per_s"], 0) + " msgs/s)");
    row("received unique", std::to_string(r.received) + " (" + num(j["msgs_per_s"], 0) + " msgs/s)");
    row("expected", std::to_string(r.expected));
    row("loss", std::to_string(r.loss) + " (" + num(j["loss_pct"], 3) + " %)");
    row("duplicates / reorder", std::to_string(r.dup) + " / " + std::to_string(r.reorder));
    row("latency us", "p50 " + num(j["lat_p50_us"], 0) + "  p99 " + num(j["lat_p99_us"], 0) +
        "  p999 " + num(j["lat_p999_us"], 0) + "  max " + num(j["lat_max_us"], 0));
  }
  if (!r.firstError.empty()) row("first error", r.firstError);
  if (r.timedOut) row("note", "hard deadline reached, results are partial");
  return out.str();
}

}  // namespace mqgw::bench
