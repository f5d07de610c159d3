"""SIGTERM with clients connected: every client is disconnected and mqgw exits 0 promptly."""

import mqtt_raw
from mqgw_harness import Gateway, base_config, scaled
from paho_client import PahoClient


def test_sigterm_with_connected_clients_exits_zero_quickly(tmp_path):
    gw = Gateway(tmp_path, base_config(workers=2)).start()
    clients, raw = [], []
    try:
        clients = [PahoClient(gw.address(), "c%d" % i) for i in range(4)]
        clients[0].subscribe("x/#", 1)
        clients[1].publish("x/y", b"in flight", qos=1)
        raw.append(mqtt_raw.connect(gw.address(), "raw"))
        raw.append(mqtt_raw.open_socket(gw.address()))  # connected, CONNECT half sent
        raw[-1].sendall(mqtt_raw.connect_packet("half")[:5])
        gw.wait_metric("mqgw_connections_active", lambda v: v >= 5)
        elapsed = gw.stop()  # asserts exit 0 within shutdown_timeout + 1 s
        assert elapsed < scaled(3.0)
        for sock in raw:
            assert mqtt_raw.wait_closed(sock, timeout=2) is not None
        for c in clients:
            assert c.disconnected.wait(scaled(3)), "a client was never disconnected"
    finally:
        gw.kill()
        for c in clients:
            c.client.loop_stop()
        for sock in raw:
            sock.close()


def test_sigterm_when_idle_exits_zero(tmp_path):
    gw = Gateway(tmp_path).start()
    try:
        assert gw.stop() < scaled(1.5)
    finally:
        gw.kill()


def test_healthz_and_metrics_served(gw):
    status, body = gw.http_get("/healthz")
    assert status == 200
    m = gw.metrics()
    for name in ("mqgw_connections_active", "mqgw_connections_total",
                 "mqgw_mqtt_protocol_errors_total", "mqgw_messages_published_total",
                 "mqgw_messages_delivered_total", "mqgw_mqtt_keepalive_timeouts_total"):
        assert name in m, "metric %s missing from /metrics" % name
