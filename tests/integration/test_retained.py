"""Retained messages (MQTT 3.1.1 / 5.0 §3.3.1.3): stored per topic, sent with the RETAIN flag
to new subscriptions after the SUBACK, replaced, cleared by an empty payload, matched by
wildcards, kept on every worker; MQTT 5 Retain Handling and Retain As Published (§3.8.3.1)."""

import struct
import subprocess

import paho.mqtt.client as mqtt
from paho.mqtt.subscribeoptions import SubscribeOptions

import mqtt_raw
from mqgw_harness import Gateway, base_config, scaled
from paho_client import PahoClient


class RetainPaho(PahoClient):
    """PahoClient that also records the RETAIN flag and subscribes with MQTT 5 options."""

    def _on_message(self, client, userdata, msg):
        self.messages.put((msg.topic, bytes(msg.payload), msg.qos, bool(msg.retain)))

    def subscribe_with(self, topic, qos=0, retain_handling=0, retain_as_published=False):
        opts = SubscribeOptions(qos=qos, retainAsPublished=retain_as_published,
                                retainHandling=retain_handling)
        rc, mid = self.client.subscribe(topic, options=opts)
        self._wait_ack(rc, mid, "SUBSCRIBE " + topic)

    def publish_retained(self, topic, payload, qos=1):
        info = self.client.publish(topic, payload, qos, retain=True)
        info.wait_for_publish(scaled(10))
        assert info.is_published(), "no PUBACK for retained %s" % topic


def mosquitto_pub_retained(port, topic, payload, version="mqttv311"):
    cmd = ["mosquitto_pub", "-h", "127.0.0.1", "-p", str(port), "-V", version, "-q", "1", "-r",
           "-t", topic]
    cmd += ["-n"] if payload is None else ["-m", payload]
    subprocess.run(cmd, check=True, timeout=scaled(10), stdin=subprocess.DEVNULL)


def mosquitto_sub_collect(port, topic, count, version="mqttv311", wait_s=3):
    """Subscribes, returns [(retain flag, topic, payload)] of up to count messages received
    within wait_s seconds."""
    cmd = ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-V", version, "-t", topic,
           "-C", str(count), "-W", str(int(scaled(wait_s))), "-F", "%r|%t|%p"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=scaled(wait_s + 10),
                         stdin=subprocess.DEVNULL).stdout
    return [tuple(line.split("|", 2)) for line in out.splitlines() if line]


def test_mosquitto_retained_set_replace_clear(gw):
    port = gw.port()
    mosquitto_pub_retained(port, "r/one", "first")
    assert mosquitto_sub_collect(port, "r/one", 1) == [("1", "r/one", "first")]
    mosquitto_pub_retained(port, "r/one", "second")
    for version in ["mqttv31", "mqttv311", "mqttv5"]:
        assert mosquitto_sub_collect(port, "r/one", 1, version) == [("1", "r/one", "second")]
    mosquitto_pub_retained(port, "r/one", None)  # empty payload: clears
    assert mosquitto_sub_collect(port, "r/one", 1, wait_s=2) == []
    assert gw.wait_metric("mqgw_retained_messages", lambda v: v == 0) == 0


def test_mosquitto_wildcard_subscription_gets_every_match(gw):
    port = gw.port()
    for topic in ["w/a", "w/b/c", "w", "other/x", "$SYS/hidden"]:
        mosquitto_pub_retained(port, topic, "v-" + topic)
    got = mosquitto_sub_collect(port, "w/#", 3)
    assert sorted(got) == [("1", "w", "v-w"), ("1", "w/a", "v-w/a"), ("1", "w/b/c", "v-w/b/c")]
    got = mosquitto_sub_collect(port, "#", 4, wait_s=2)  # "$SYS/hidden" must not match
    assert sorted(t for _, t, _ in got) == ["other/x", "w", "w/a", "w/b/c"]
    assert gw.wait_metric("mqgw_retained_messages", lambda v: v == 5) == 5


def test_suback_comes_before_the_retained_publishes(gw):
    port = gw.port()
    mosquitto_pub_retained(port, "order/a", "A")
    mosquitto_pub_retained(port, "order/b", "B")
    sock = mqtt_raw.connect(gw.address(), "raw-sub")
    try:
        body = struct.pack("!H", 7)
        for topic in ["order/a", "order/b"]:
            body += struct.pack("!H", len(topic)) + topic.encode() + b"\x01"
        sock.sendall(mqtt_raw.packet(0x82, body))
        ptype, _, ack = mqtt_raw.read_packet(sock)
        assert ptype == 9, "expected SUBACK first, got packet type %d" % ptype
        assert ack == b"\x00\x07\x01\x01"
        publishes = [mqtt_raw.read_packet(sock) for _ in range(2)]
        for ptype, flags, _ in publishes:
            assert ptype == 3
            assert flags & 0x01, "RETAIN flag set"
            assert (flags >> 1) & 0x03 == 1, "QoS 1 = min(published 1, granted 1)"
    finally:
        sock.close()


def test_retained_reaches_subscribers_on_every_worker(tmp_path):
    with Gateway(tmp_path, base_config(workers=2)) as gw:
        for protocol in [mqtt.MQTTv311, mqtt.MQTTv5]:
            with RetainPaho(gw.address(), "pub-%d" % protocol, protocol) as pub:
                pub.publish_retained("x/worker", b"everywhere-%d" % protocol)
            # Four connections on two round-robin loops: both workers' stores are read.
            subs = [RetainPaho(gw.address(), "s-%d-%d" % (protocol, i), protocol)
                    for i in range(4)]
            try:
                for s in subs:
                    s.subscribe("x/+", 1)
                for s in subs:
                    assert s.receive(1) == [("x/worker", b"everywhere-%d" % protocol, 1, True)]
            finally:
                for s in subs:
                    s.close()
        assert gw.metric("mqgw_retained_messages") == 1, "counted once, not once per worker"


def test_live_delivery_has_retain_0_and_an_empty_retained_still_reaches_subscribers(gw):
    with RetainPaho(gw.address(), "sub") as sub, RetainPaho(gw.address(), "pub") as pub:
        sub.subscribe("live/t", 1)
        pub.publish_retained("live/t", b"kept")
        pub.publish_retained("live/t", b"")
        assert sub.receive(2) == [("live/t", b"kept", 1, False), ("live/t", b"", 1, False)]
    with RetainPaho(gw.address(), "late") as late:
        late.subscribe("live/t", 1)
        assert late.receive(1, timeout=1) == [], "cleared by the empty retained message"


def test_v5_retain_handling(gw):
    with RetainPaho(gw.address(), "pub5", mqtt.MQTTv5) as pub:
        pub.publish_retained("rh/t", b"R")
    with RetainPaho(gw.address(), "rh", mqtt.MQTTv5) as sub:
        sub.subscribe_with("rh/t", 1, retain_handling=2)
        assert sub.receive(1, timeout=1) == [], "2: never"
        sub.unsubscribe("rh/t")
        sub.subscribe_with("rh/t", 1, retain_handling=1)
        assert sub.receive(1) == [("rh/t", b"R", 1, True)], "1: new subscription"
        sub.subscribe_with("rh/t", 1, retain_handling=1)
        assert sub.receive(1, timeout=1) == [], "1: not for an existing subscription"
        sub.subscribe_with("rh/t", 1, retain_handling=0)
        assert sub.receive(1) == [("rh/t", b"R", 1, True)], "0: every SUBSCRIBE"
        sub.subscribe_with("rh/t", 1, retain_handling=0)
        assert sub.receive(1) == [("rh/t", b"R", 1, True)], "0: again"


def test_v5_retain_as_published(gw):
    with RetainPaho(gw.address(), "rap", mqtt.MQTTv5) as rap, \
            RetainPaho(gw.address(), "norap", mqtt.MQTTv5) as norap, \
            RetainPaho(gw.address(), "pub5", mqtt.MQTTv5) as pub:
        rap.subscribe_with("rap/t", 1, retain_as_published=True)
        norap.subscribe_with("rap/t", 1, retain_as_published=False)
        pub.publish_retained("rap/t", b"flagged")
        pub.publish("rap/t", b"plain", qos=1)
        assert rap.receive(2) == [("rap/t", b"flagged", 1, True), ("rap/t", b"plain", 1, False)]
        assert norap.receive(2) == [("rap/t", b"flagged", 1, False), ("rap/t", b"plain", 1, False)]
        pub.publish("rap/t", b"", qos=1, wait=True)  # not retained: the store keeps "flagged"
    with RetainPaho(gw.address(), "late5", mqtt.MQTTv5) as late:
        late.subscribe_with("rap/#", 0)
        assert late.receive(1) == [("rap/t", b"flagged", 0, True)], "QoS min(1, granted 0)"


def _raw_persistent_connect(addr, client_id):
    """3.1.1 CONNECT with clean session 0; returns (socket, session present)."""
    sock = mqtt_raw.open_socket(addr)
    sock.sendall(mqtt_raw.connect_packet(client_id, clean=False))
    ptype, _, body = mqtt_raw.read_packet(sock)
    assert ptype == mqtt_raw.CONNACK_TYPE and body[1] == 0, "CONNACK %d %r" % (ptype, body)
    return sock, bool(body[0] & 0x01)


def test_a_resumed_session_gets_no_retained_messages_again(gw):
    """Retained messages answer a SUBSCRIBE; a subscription restored with a persistent session
    (on the same worker or moved to the other one) is not a new SUBSCRIBE."""
    mosquitto_pub_retained(gw.port(), "resume/t", "R")
    sock, _ = _raw_persistent_connect(gw.address(), "resumer")
    topic = b"resume/t"
    sock.sendall(mqtt_raw.packet(0x82, struct.pack("!HH", 1, len(topic)) + topic + b"\x00"))
    assert mqtt_raw.read_packet(sock)[0] == 9
    ptype, flags, _ = mqtt_raw.read_packet(sock)
    assert ptype == 3 and flags & 0x01, "retained PUBLISH for the SUBSCRIBE"
    sock.close()
    for attempt in range(2):  # two reconnects: round-robin puts one on each worker
        sock, present = _raw_persistent_connect(gw.address(), "resumer")
        try:
            assert present, "session present on resume %d" % attempt
            subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(gw.port()), "-q", "1",
                            "-t", "resume/t", "-m", "live-%d" % attempt], check=True,
                           timeout=scaled(10), stdin=subprocess.DEVNULL)
            ptype, flags, body = mqtt_raw.read_packet(sock)
            assert ptype == 3, "expected PUBLISH, got %d" % ptype
            assert body.endswith(b"live-%d" % attempt), "the live message, not the retained one"
            assert not flags & 0x01
        finally:
            sock.close()
