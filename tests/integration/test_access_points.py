"""config/mqgw.yaml — what tools/run starts — serves the seed's five access points from one
process: MQTT over TCP, TLS, WebSocket, WebSocket over TLS, and the Flash policy. The file is
used as it is, except for what must differ in a test: ports (free ones), the data directories,
and the development certificates (made by tools/dev-certs in the test's directory)."""

import os
import socket
import ssl
import subprocess
import time

import paho.mqtt.client as mqtt
import yaml

from mqgw_harness import Gateway, scaled
from paho_client import PahoClient

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
CONFIG = os.path.join(ROOT, "config", "mqgw.yaml")


def dev_config(tmp_path):
    with open(CONFIG) as f:
        cfg = yaml.safe_load(f)
    certs = tmp_path / "certs"
    subprocess.run([os.path.join(ROOT, "tools", "dev-certs"), str(certs)], check=True,
                   capture_output=True, timeout=60)
    cfg["admin"]["port"] = 0
    cfg["workers"] = 2
    cfg["storage"]["native"]["data_dir"] = str(tmp_path / "data")
    cfg["tenancy"]["metadata_dir"] = str(tmp_path / "data" / "metadata")
    for listener in cfg["listeners"]:
        listener["port"] = 0
        if "tls" in listener:
            listener["tls"] = {"cert": str(certs / "server.pem"), "key": str(certs / "server.key")}
        if "flash-policy" in listener:
            policy = listener["flash-policy"]["policy_file"]
            listener["flash-policy"]["policy_file"] = os.path.join(ROOT, "config", policy)
    return cfg, certs


def ws_client(client_id, certs=None):
    client = mqtt.Client(client_id=client_id, transport="websockets")
    client.ws_set_options(path="/mqtt")
    if certs:
        client.tls_set(ca_certs=str(certs / "ca.pem"))
    return client


def receive_one(client, addr, topic):
    got = []
    client.on_message = lambda c, u, m: got.append((m.topic, m.payload))
    client.connect(addr[0], addr[1], keepalive=30)
    client.loop_start()
    result, _ = client.subscribe(topic, 1)
    assert result == mqtt.MQTT_ERR_SUCCESS
    return got


def test_the_development_config_serves_all_five_access_points(tmp_path):
    cfg, certs = dev_config(tmp_path)
    names = [listener["name"] for listener in cfg["listeners"]]
    assert names == ["mqtt", "mqtt-tls", "mqtt-ws", "mqtt-wss", "flash-policy"]
    with Gateway(tmp_path, cfg) as gw:
        # A subscriber on each MQTT access point; one publish over plain TCP reaches them all.
        subscribers = []
        tls_sub = mqtt.Client(client_id="sub-tls")
        tls_sub.tls_set(ca_certs=str(certs / "ca.pem"))
        for client, listener in ((tls_sub, "mqtt-tls"),
                                 (ws_client("sub-ws"), "mqtt-ws"),
                                 (ws_client("sub-wss", certs), "mqtt-wss")):
            subscribers.append((listener, client, receive_one(client, gw.address(listener), "ap/#")))
        try:
            with PahoClient(gw.address("mqtt"), "sub-tcp") as tcp_sub:
                tcp_sub.subscribe("ap/#", 1)
                time.sleep(scaled(0.5))  # the other subscriptions are in place
                with PahoClient(gw.address("mqtt"), "pub") as pub:
                    pub.publish("ap/hello", b"five", 1)
                assert tcp_sub.receive(1) == [("ap/hello", b"five", 1)]
                deadline = time.monotonic() + scaled(10)
                while time.monotonic() < deadline and not all(got for _, _, got in subscribers):
                    time.sleep(0.05)
                for listener, _, got in subscribers:
                    assert got == [("ap/hello", b"five")], "nothing arrived over " + listener
        finally:
            for _, client, _ in subscribers:
                client.disconnect()
                client.loop_stop()

        # TLS is really TLS: the certificate chain verifies against the development CA.
        context = ssl.create_default_context(cafile=str(certs / "ca.pem"))
        with socket.create_connection(gw.address("mqtt-tls"), timeout=scaled(5)) as raw:
            with context.wrap_socket(raw, server_hostname="localhost") as tls:
                assert tls.version() == "TLSv1.2"

        # The Flash policy answers its request with the configured policy and closes.
        with socket.create_connection(gw.address("flash-policy"), timeout=scaled(5)) as s:
            s.sendall(b"<policy-file-request/>\0")
            reply = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
        with open(os.path.join(ROOT, "config", "flash-policy.xml"), "rb") as f:
            assert reply == f.read() + b"\0"
