"""Topic authorization (`authorization:` in the config): a SUBSCRIBE whose every topic is denied
is refused in its SUBACK (0x80 in v3, 0x87 Not authorized in v5); one that only overlaps a deny
rule is granted and never receives the denied topics; a denied PUBLISH never reaches a
subscriber (v5 QoS 1/2 get PUBACK/PUBREC 0x87, v3 is acknowledged as if stored)."""

import struct
import subprocess
import threading

import paho.mqtt.client as mqtt
import pytest

import mqtt_raw
from mqgw_harness import (PLUGIN_DIR, Gateway, base_config, run_to_exit, scaled, stderr_lines,
                           write_config)
from paho_client import PahoClient

RULES = {
    "default": "allow",
    "rules": [
        {"action": "subscribe", "filter": "admin/#", "allow": False},
        {"action": "publish", "filter": "readonly/#", "allow": False},
        {"action": "all", "filter": "secret/#", "allow": False},
    ],
}


@pytest.fixture
def agw(tmp_path):
    with Gateway(tmp_path, base_config(authorization=RULES)) as gateway:
        yield gateway


class SubackRecorder(PahoClient):
    """A PahoClient that keeps each SUBACK's return codes as integers."""

    def __init__(self, *args, **kwargs):
        self.codes = {}
        self.codes_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def _on_ack(self, client, userdata, mid, *rest):
        # paho 1.6: v3 (granted_qos tuple); v5 (reasonCodes list, properties); 2.x: codes first
        codes = rest[0] if rest else ()
        with self.codes_lock:
            self.codes[mid] = [c.value if hasattr(c, "value") else int(c) for c in codes]
        super()._on_ack(client, userdata, mid, *rest)

    def subscribe_codes(self, topics):
        rc, mid = self.client.subscribe([(t, 1) for t in topics])
        self._wait_ack(rc, mid, "SUBSCRIBE %s" % topics)
        with self.codes_lock:
            return self.codes[mid]


@pytest.mark.parametrize("protocol,refused", [(mqtt.MQTTv311, 0x80), (mqtt.MQTTv5, 0x87)],
                         ids=["v311", "v5"])
def test_denied_subscribe_is_refused_in_suback(agw, protocol, refused):
    with SubackRecorder(agw.address(), "sub", protocol) as sub:
        codes = sub.subscribe_codes(["data/#", "admin/cfg", "#", "+/cfg", "secret/a", "data/x",
                                     "admin/+"])
        # "#" and "+/cfg" overlap the deny rule without being covered by it: granted, filtered
        assert codes == [1, refused, 1, 1, refused, 1, refused]
    assert agw.metric("mqgw_auth_subscribe_denied_total") == 3


def test_a_wildcard_overlapping_a_deny_rule_never_receives_the_denied_topics(agw):
    with PahoClient(agw.address(), "sub") as sub, PahoClient(agw.address(), "pub") as pub:
        pub.publish("admin/old", b"retained-denied", 1, retain=True)
        pub.publish("data/old", b"retained-allowed", 1, retain=True)
        sub.subscribe("#", 1)
        assert [(t, p) for t, p, _ in sub.receive(1)] == [("data/old", b"retained-allowed")]
        sub.subscribe("+/cfg", 1)
        for topic in ("admin/cfg", "data/cfg", "admin/x/y", "data/z"):
            pub.publish(topic, topic.encode(), 1)
        # one session, two overlapping subscriptions: each allowed message once, no admin/...
        assert sorted(p for _, p, _ in sub.receive(2)) == [b"data/cfg", b"data/z"]
        assert sub.receive(1, timeout=0.5) == []
        pub.publish("admin/old", b"", 1, retain=True)
        pub.publish("data/old", b"", 1, retain=True)


def test_denied_publish_never_reaches_a_subscriber_v311(agw):
    with PahoClient(agw.address(), "sub") as sub, PahoClient(agw.address(), "pub") as pub:
        sub.subscribe("readonly/#", 2)  # subscribing is allowed, publishing is not
        sub.subscribe("data/#", 2)
        for qos in (0, 1, 2):
            pub.publish("readonly/a", b"denied-%d" % qos, qos)  # v3: acknowledged all the same
        pub.publish("data/a", b"allowed", 1)
        got = sub.receive(1)
        assert [(t, p) for t, p, _ in got] == [("data/a", b"allowed")]
        assert sub.receive(1, timeout=0.5) == []
        pub.publish("data/b", b"still connected", 2)  # the publisher was not disconnected
        assert [p for _, p, _ in sub.receive(1)] == [b"still connected"]
    assert agw.metric("mqgw_auth_publish_denied_total") == 3


def publish_packet(topic, qos, packet_id, payload=b"x"):
    body = mqtt_raw._utf8(topic) + struct.pack("!H", packet_id) + b"\x00" + payload  # v5
    return mqtt_raw.packet(0x30 | qos << 1, body)


def ack_head(sock):
    """(packet type, packet id + reason code) of the next packet; properties may follow."""
    ptype, _, body = mqtt_raw.read_packet(sock)
    return ptype, body[:3]


def test_v5_denied_publish_is_acknowledged_not_authorized(agw):
    with PahoClient(agw.address(), "sub", mqtt.MQTTv5) as sub:
        sub.subscribe("readonly/#", 1)
        sock = mqtt_raw.connect(agw.address(), "raw5", level=5)
        try:
            sock.sendall(publish_packet("readonly/a", 1, 7))
            assert ack_head(sock) == (4, b"\x00\x07\x87")  # PUBACK Not authorized
            sock.sendall(publish_packet("secret/a", 2, 8))
            assert ack_head(sock) == (5, b"\x00\x08\x87")  # PUBREC Not authorized
            sock.sendall(publish_packet("data/a", 1, 9))
            ptype, _, body = mqtt_raw.read_packet(sock)
            assert ptype == 4 and body[:2] == b"\x00\x09" and body[2:3] in (b"", b"\x00")
        finally:
            sock.close()
        assert sub.receive(1, timeout=0.5) == []


def test_v311_denied_qos2_publish_completes_its_flow(agw):
    sock = mqtt_raw.connect(agw.address(), "raw3", level=4)
    try:
        body = mqtt_raw._utf8("readonly/a") + struct.pack("!H", 3) + b"x"
        sock.sendall(mqtt_raw.packet(0x34, body))
        assert mqtt_raw.read_packet(sock) == (5, 0, b"\x00\x03")  # PUBREC, as if stored
        sock.sendall(mqtt_raw.packet(0x62, b"\x00\x03"))
        assert mqtt_raw.read_packet(sock) == (7, 0, b"\x00\x03")  # PUBCOMP
    finally:
        sock.close()


def mosquitto(tool, port, *args):
    return subprocess.run([tool, "-h", "127.0.0.1", "-p", str(port), *args],
                          capture_output=True, text=True, timeout=scaled(15),
                          stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("version", ["mqttv311", "mqttv5"])
def test_mosquitto_clients(agw, version):
    port = agw.port()
    sub = subprocess.Popen(["stdbuf", "-oL", "mosquitto_sub", "-h", "127.0.0.1", "-p", str(port),
                            "-V", version, "-v", "-q", "1", "-C", "1", "-W", str(int(scaled(10))),
                            "-t", "readonly/#", "-t", "data/#", "-d"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           stdin=subprocess.DEVNULL)
    try:
        for line in sub.stdout:
            if "received SUBACK" in line:
                break
        denied = mosquitto("mosquitto_pub", port, "-V", version, "-q", "1", "-t", "readonly/x",
                           "-m", "denied")
        assert denied.returncode == 0 or version == "mqttv5", denied.stderr
        allowed = mosquitto("mosquitto_pub", port, "-V", version, "-q", "1", "-t", "data/x",
                            "-m", "allowed")
        assert allowed.returncode == 0, allowed.stderr
        out, _ = sub.communicate(timeout=scaled(10))
        received = [line for line in out.splitlines() if line.startswith(("data/", "readonly/"))]
        assert received == ["data/x allowed"]
    finally:
        if sub.poll() is None:
            sub.kill()
            sub.wait()
    refused = mosquitto("mosquitto_sub", port, "-V", version, "-t", "admin/#", "-C", "1",
                        "-W", str(int(scaled(5))), "-d")
    assert "Subscribed (mid: 1): 128" in refused.stdout or \
        "Subscribed (mid: 1): 135" in refused.stdout, refused.stdout + refused.stderr


BAD_RULE_CONFIG = """\
plugin_dir: {plugin_dir}
listeners:
  - {{name: mqtt, bind: 127.0.0.1, port: 0, stack: [tcp, mqtt]}}
storage: {{backend: memory}}
authorization:
  rules:
    - {{action: all, filter: "#", allow: true}}
    - {{action: all, filter: "a/#/b", allow: false}}
"""


def test_invalid_rule_filter_stops_mqgw_at_its_line(tmp_path):
    path = write_config(tmp_path, BAD_RULE_CONFIG.format(plugin_dir=PLUGIN_DIR), "bad.yaml")
    proc = run_to_exit(path)
    assert proc.returncode == 2, proc.stderr
    assert stderr_lines(proc) == [
        "%s:8:29: authorization.rules[1].filter: 'a/#/b' is not a valid MQTT topic filter "
        "(not empty; '+' and '#' only as a whole level, '#' only last)" % path]


def test_default_deny_allows_only_listed(tmp_path):
    rules = {"default": "deny",
             "rules": [{"action": "all", "filter": "open/#", "allow": True}]}
    with Gateway(tmp_path, base_config(authorization=rules)) as gw:
        with SubackRecorder(gw.address(), "sub", mqtt.MQTTv5) as sub, \
                PahoClient(gw.address(), "pub", mqtt.MQTTv5) as pub:
            assert sub.subscribe_codes(["open/+", "closed/x", "#"]) == [1, 0x87, 0x87]
            pub.publish("closed/x", b"no", 0)
            pub.publish("open/a", b"yes", 0)
            assert [(t, p) for t, p, _ in sub.receive(1)] == [("open/a", b"yes")]
            assert sub.receive(1, timeout=0.3) == []
