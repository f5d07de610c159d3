"""MQTT 5 features end to end with Paho (v5): properties forwarded untouched, subscription
identifiers, topic aliases both ways, Response Information, and the refusals that carry a reason
code (payload format, topic alias, subscription identifier from a client)."""

import queue
import struct
import threading

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

import mqtt_raw
from mqgw_harness import scaled


class V5Client:
    """A Paho MQTT 5 client that keeps every received message with its properties."""

    def __init__(self, addr, client_id, connect_props=None):
        self.messages = queue.Queue()
        self.connack_props = None
        self.disconnect_rc = None
        self.disconnected = threading.Event()
        self._connected = threading.Event()
        self._acks = {}
        self._lock = threading.Lock()
        self.client = mqtt.Client(client_id=client_id, protocol=mqtt.MQTTv5)
        self.client.on_connect = self._on_connect
        self.client.on_message = lambda c, u, msg: self.messages.put(msg)
        self.client.on_subscribe = self._on_ack
        self.client.on_disconnect = self._on_disconnect
        self.client.connect(addr[0], addr[1], keepalive=30, clean_start=True,
                            properties=connect_props)
        self.client.loop_start()
        assert self._connected.wait(scaled(5)), "%s: no CONNACK" % client_id

    def _on_connect(self, client, userdata, flags, rc, properties=None):
        self.connack_props = properties
        self._connected.set()

    def _on_disconnect(self, client, userdata, rc, *rest):
        self.disconnect_rc = rc
        self.disconnected.set()

    def _ack_event(self, mid):
        with self._lock:
            return self._acks.setdefault(mid, threading.Event())

    def _on_ack(self, client, userdata, mid, *rest):
        self._ack_event(mid).set()

    def subscribe(self, topic, qos=0, properties=None, options=None):
        opts = options or mqtt.SubscribeOptions(qos=qos)
        rc, mid = self.client.subscribe(topic, options=opts, properties=properties)
        assert rc == mqtt.MQTT_ERR_SUCCESS
        assert self._ack_event(mid).wait(scaled(5)), "no SUBACK for " + topic

    def publish(self, topic, payload, qos=1, properties=None):
        info = self.client.publish(topic, payload, qos, properties=properties)
        if qos:
            info.wait_for_publish(scaled(5))
            assert info.is_published(), "no PUBACK for %s" % topic

    def receive(self, timeout=5):
        return self.messages.get(timeout=scaled(timeout))

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def publish_props(**values):
    props = Properties(PacketTypes.PUBLISH)
    for name, value in values.items():
        setattr(props, name, value)
    return props


def test_properties_are_forwarded_untouched(gw):
    with V5Client(gw.address(), "sub") as sub, V5Client(gw.address(), "pub") as pub:
        sub.subscribe("req/#", 1)
        props = publish_props(UserProperty=[("k", "v1"), ("k", "v2"), ("trace", "42")],
                              ResponseTopic="resp/pub", CorrelationData=b"\x00\x01corr",
                              ContentType="application/json", PayloadFormatIndicator=1,
                              MessageExpiryInterval=60)
        pub.publish("req/1", "{\"a\": \"\u00e9\"}".encode(), 1, props)
        msg = sub.receive()
        got = msg.properties
        assert msg.topic == "req/1"
        assert got.UserProperty == [("k", "v1"), ("k", "v2"), ("trace", "42")]
        assert got.ResponseTopic == "resp/pub"
        assert got.CorrelationData == b"\x00\x01corr"
        assert got.ContentType == "application/json"
        assert got.PayloadFormatIndicator == 1
        assert 58 <= got.MessageExpiryInterval <= 60, "the remaining lifetime"


def test_every_matching_subscription_identifier_is_delivered(gw):
    with V5Client(gw.address(), "sub") as sub, V5Client(gw.address(), "pub") as pub:
        for sub_id, topic in ((11, "ids/#"), (22, "ids/+")):
            props = Properties(PacketTypes.SUBSCRIBE)
            props.SubscriptionIdentifier = sub_id
            sub.subscribe(topic, 1, properties=props)
        sub.subscribe("ids/x", 1)  # no identifier
        pub.publish("ids/x", b"m")
        msg = sub.receive()
        assert sorted(msg.properties.SubscriptionIdentifier) == [11, 22]
        assert sub.messages.empty(), "one delivery for overlapping subscriptions"


def test_no_local_skips_our_own_messages(gw):
    with V5Client(gw.address(), "both") as both:
        both.subscribe("nl/t", options=mqtt.SubscribeOptions(qos=1, noLocal=True))
        both.subscribe("nl/other", 1)
        both.publish("nl/t", b"own")
        both.publish("nl/other", b"marker")
        msg = both.receive()
        assert (msg.topic, msg.payload) == ("nl/other", b"marker")


def test_connack_announces_features_and_response_information(gw):
    props = Properties(PacketTypes.CONNECT)
    props.RequestResponseInformation = 1
    with V5Client(gw.address(), "asker", props) as c:
        ack = c.connack_props
        assert ack.TopicAliasMaximum == 10
        assert ack.SubscriptionIdentifierAvailable == 1
        assert ack.ResponseInformation == "response/asker/"
    with V5Client(gw.address(), "plain") as c:
        assert not hasattr(c.connack_props, "ResponseInformation")


def test_topic_aliases_both_ways(gw):
    props = Properties(PacketTypes.CONNECT)
    props.TopicAliasMaximum = 4
    with V5Client(gw.address(), "sub", props) as sub, V5Client(gw.address(), "pub") as pub:
        sub.subscribe("al/#", 1)
        pub.publish("al/long/topic", b"1", 1, publish_props(TopicAlias=1))  # binds alias 1
        pub.publish("", b"2", 1, publish_props(TopicAlias=1))               # uses it
        first, second = sub.receive(), sub.receive()
        # Paho 1.6 does not resolve aliases itself: what it shows is what we sent.
        assert (first.topic, first.payload, first.properties.TopicAlias) == \
            ("al/long/topic", b"1", 1)
        assert (second.topic, second.payload, second.properties.TopicAlias) == ("", b"2", 1)


def raw_v5_publish(topic, payload, qos, packet_id, props):
    body = mqtt_raw._utf8(topic) + (struct.pack("!H", packet_id) if qos else b"")
    body += mqtt_raw._remaining_length(len(props)) + props + payload
    return mqtt_raw.packet(0x30 | qos << 1, body)


def expect_disconnect(sock, code):
    ptype, _, body = mqtt_raw.read_packet(sock)
    assert ptype == 14, "expected DISCONNECT, got type %d" % ptype
    assert body[0] == code, "DISCONNECT 0x%02x, expected 0x%02x" % (body[0], code)
    assert len(body) > 2, "a Reason String says why"
    sock.close()


def test_refusals_carry_their_reason_codes(gw):
    sock = mqtt_raw.connect(gw.address(), "raw1", level=5)
    sock.sendall(raw_v5_publish("t", b"\xff\xfe", 1, 7, b"\x01\x01"))  # Payload Format 1
    ptype, _, body = mqtt_raw.read_packet(sock)
    assert (ptype, body[:3]) == (4, b"\x00\x07\x99"), "PUBACK 0x99"
    sock.sendall(raw_v5_publish("t", b"\xff", 0, 0, b"\x01\x01"))
    expect_disconnect(sock, 0x99)

    sock = mqtt_raw.connect(gw.address(), "raw2", level=5)
    sock.sendall(raw_v5_publish("", b"x", 0, 0, b"\x23\x00\x05"))  # unknown alias 5
    expect_disconnect(sock, 0x82)

    sock = mqtt_raw.connect(gw.address(), "raw3", level=5)
    sock.sendall(raw_v5_publish("t", b"x", 0, 0, b"\x23\x00\x0b"))  # alias 11 > maximum 10
    expect_disconnect(sock, 0x94)

    sock = mqtt_raw.connect(gw.address(), "raw4", level=5)
    sock.sendall(raw_v5_publish("t", b"x", 0, 0, b"\x0b\x03"))  # Subscription Identifier
    expect_disconnect(sock, 0x82)

    sock = mqtt_raw.connect(gw.address(), "raw5", level=5)
    sock.sendall(mqtt_raw.packet(0xF0, b"\x00\x00"))  # AUTH without an authentication method
    expect_disconnect(sock, 0x82)
