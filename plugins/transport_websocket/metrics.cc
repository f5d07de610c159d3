#include "metrics.h"

#include "host.h"

namespace mqgw::wsplugin {

MetricIds gMetrics;

void registerMetrics() {
  auto reg = [](const char* name, const char* help) {
    return host().metric_register(name, help, 0);
  };
  gMetrics.handshakes = reg("mqgw_ws_handshakes_total", "WebSocket upgrades accepted (101)");
  gMetrics.handshakeFailures = reg("mqgw_ws_handshake_failures_total",
                                   "WebSocket connections that never completed the upgrade");
  gMetrics.framesIn = reg("mqgw_ws_frames_in_total", "WebSocket frames received");
  gMetrics.framesOut = reg("mqgw_ws_frames_out_total", "WebSocket frames sent");
  gMetrics.bytesIn = reg("mqgw_ws_bytes_in_total", "Binary payload bytes received over WebSocket");
  gMetrics.bytesOut = reg("mqgw_ws_bytes_out_total", "Binary payload bytes sent over WebSocket");
  gMetrics.closesSent = reg("mqgw_ws_closes_sent_total", "WebSocket close frames sent");
}

void count(uint32_t id, int64_t delta) {
  if (delta) host().metric_add(id, delta);
}

}  // namespace mqgw::wsplugin
