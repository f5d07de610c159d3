"""Single MQTT 3.1.1 statements that need a raw socket to show (see docs/conformance-3.1.1.md)."""

import struct

import mqtt_raw
from mqgw_harness import scaled
from paho_client import PahoClient


def test_bytes_after_a_refused_connect_are_not_processed(gw):
    """MQTT-3.1.4-5: after CONNACK with a non-zero code the server closes and ignores the rest."""
    with PahoClient(gw.address(), "listener") as sub:
        sub.subscribe("after/refused", 0)
        sock = mqtt_raw.open_socket(gw.address())
        try:
            publish = mqtt_raw.packet(0x30, mqtt_raw._utf8("after/refused") + b"sneaky")
            sock.sendall(mqtt_raw.connect_packet("refused", level=9) + publish)
            ptype, _, body = mqtt_raw.read_packet(sock)
            assert ptype == mqtt_raw.CONNACK_TYPE and body[1] == 0x01
            assert mqtt_raw.wait_closed(sock, timeout=scaled(3)) is not None
        finally:
            sock.close()
        assert sub.receive(1, timeout=1) == []


def test_the_publishers_dup_flag_is_not_passed_on(gw):
    """MQTT-3.3.1-3: the DUP flag of an outgoing PUBLISH is set independently of the incoming."""
    receiver = mqtt_raw.connect(gw.address(), "receiver")
    sender = mqtt_raw.connect(gw.address(), "sender")
    try:
        body = struct.pack("!H", 1) + mqtt_raw._utf8("dup/in") + b"\x01"
        receiver.sendall(mqtt_raw.packet(0x82, body))
        assert mqtt_raw.read_packet(receiver)[0] == 9
        # QoS 1 PUBLISH with DUP set, packet id 7
        sender.sendall(mqtt_raw.packet(0x3A, mqtt_raw._utf8("dup/in") + b"\x00\x07x"))
        assert mqtt_raw.read_packet(sender)[0] == 4  # PUBACK
        ptype, flags, _ = mqtt_raw.read_packet(receiver)
        assert ptype == 3 and flags & 0x06 == 0x02, "QoS 1 delivery"
        assert not flags & 0x08, "a first delivery carries DUP 0 whatever the publisher sent"
    finally:
        receiver.close()
        sender.close()


def _retained_seen(gw, client_id, topic):
    """What a new subscriber to `topic` receives at once: [(payload, qos)]."""
    with PahoClient(gw.address(), client_id) as sub:
        sub.subscribe(topic, 1)
        return [(p, q) for _, p, q in sub.receive(2, timeout=1.5)]


def test_a_qos0_retained_message_replaces_and_retain_0_leaves_it_alone(gw):
    """MQTT-3.3.1-7 (a QoS 0 retained message replaces the old one) and MQTT-3.3.1-12 (a
    PUBLISH with RETAIN 0 does not touch the retained message)."""
    with PahoClient(gw.address(), "ret-pub") as pub:
        pub.client.publish("keep/t", b"first", 1, retain=True).wait_for_publish(scaled(5))
        pub.client.publish("keep/t", b"second", 0, retain=True)
        pub.client.publish("keep/t", b"live", 1, retain=False).wait_for_publish(scaled(5))
    assert _retained_seen(gw, "late", "keep/t") == [(b"second", 0)]


def test_a_will_goes_out_with_retain_0_and_only_when_asked_for(gw):
    """MQTT-3.1.2-16 (will RETAIN 0: published as non-retained) and MQTT-3.1.2-12 (no will
    flag: nothing is published when the connection drops)."""
    with PahoClient(gw.address(), "will-watch") as watch:
        watch.subscribe("wills/#", 1)
        plain = mqtt_raw.connect(gw.address(), "no-will")
        plain.close()
        body = mqtt_raw._utf8("MQTT") + bytes([4, 0x06 | 0x08]) + struct.pack("!H", 60)
        body += mqtt_raw._utf8("with-will") + mqtt_raw._utf8("wills/w") + mqtt_raw._utf8("bye")
        sock = mqtt_raw.open_socket(gw.address())
        sock.sendall(mqtt_raw.packet(0x10, body))  # clean, will QoS 1, will retain 0
        assert mqtt_raw.read_packet(sock)[0] == mqtt_raw.CONNACK_TYPE
        sock.close()
        got = watch.receive(2, timeout=2)
        assert [(t, p) for t, p, _ in got] == [("wills/w", b"bye")], got
    assert _retained_seen(gw, "late-will", "wills/#") == [], "a will with RETAIN 0 is not kept"


def test_a_qos1_packet_id_is_reusable_after_its_puback(gw):
    """MQTT-4.3.2-2: after PUBACK the packet id is free; the same id is a new message."""
    with PahoClient(gw.address(), "id-watch") as watch:
        watch.subscribe("ids/#", 1)
        sock = mqtt_raw.connect(gw.address(), "id-reuser")
        try:
            for payload in (b"one", b"two"):
                sock.sendall(mqtt_raw.packet(0x32, mqtt_raw._utf8("ids/x") + b"\x00\x05" + payload))
                ptype, _, body = mqtt_raw.read_packet(sock)
                assert ptype == 4 and body == b"\x00\x05"
        finally:
            sock.close()
        assert [p for _, p, _ in watch.receive(2, timeout=3)] == [b"one", b"two"]


BAD_UTF8 = b"\xc3\x28"  # an invalid two-byte sequence


def _raw_str(data):
    return struct.pack("!H", len(data)) + data


def _connect_with(client_id=b"ok-id", will_topic=None, username=None):
    flags = 0x02
    payload = _raw_str(client_id)
    if will_topic is not None:
        flags |= 0x04
        payload += _raw_str(will_topic) + _raw_str(b"w")
    if username is not None:
        flags |= 0x80
        payload += _raw_str(username)
    body = mqtt_raw._utf8("MQTT") + bytes([4, flags]) + struct.pack("!H", 60) + payload
    return mqtt_raw.packet(0x10, body)


def _closed_without_connack(gw, packet):
    sock = mqtt_raw.open_socket(gw.address())
    try:
        sock.sendall(packet)
        sock.settimeout(scaled(3))
        try:
            ptype, _, body = mqtt_raw.read_packet(sock)
        except (EOFError, OSError):
            return True
        return ptype == mqtt_raw.CONNACK_TYPE and body[1] != 0 and \
            mqtt_raw.wait_closed(sock, scaled(3)) is not None
    finally:
        sock.close()


def test_ill_formed_utf8_in_connect_fields_closes_the_connection(gw):
    """MQTT-1.5.3-1 via MQTT-3.1.3-4 (Client ID), 3.1.3-10 (Will Topic), 3.1.3-11 (User Name)."""
    before = gw.metric("mqgw_mqtt_protocol_errors_total")
    assert _closed_without_connack(gw, _connect_with(client_id=b"id" + BAD_UTF8))
    assert _closed_without_connack(gw, _connect_with(will_topic=b"w/" + BAD_UTF8))
    assert _closed_without_connack(gw, _connect_with(username=b"u" + BAD_UTF8))
    assert gw.wait_metric("mqgw_mqtt_protocol_errors_total", lambda v: v >= before + 3)


def test_ill_formed_utf8_in_subscribe_or_unsubscribe_filters_closes(gw):
    """MQTT-3.8.3-1 (SUBSCRIBE) and MQTT-3.10.3-1 (UNSUBSCRIBE) filters must be UTF-8."""
    for first_byte, tail in ((0x82, b"\x00"), (0xA2, b"")):
        sock = mqtt_raw.connect(gw.address(), "filters-%x" % first_byte)
        try:
            sock.sendall(mqtt_raw.packet(first_byte, b"\x00\x01" + _raw_str(b"f/" + BAD_UTF8) + tail))
            assert mqtt_raw.wait_closed(sock, scaled(3)) is not None
        finally:
            sock.close()


def test_a_byte_order_mark_in_a_topic_is_kept(gw):
    """MQTT-1.5.3-3: U+FEFF is part of the string, never stripped."""
    topic = "\ufeffbom/t"
    with PahoClient(gw.address(), "bom-sub") as sub, PahoClient(gw.address(), "bom-pub") as pub:
        sub.subscribe(topic, 1)
        pub.publish(topic, b"x", 1)
        assert sub.receive(1) == [(topic, b"x", 1)]


def _nothing_then_closed(gw, packet):
    sock = mqtt_raw.open_socket(gw.address())
    try:
        sock.sendall(packet)
        sock.settimeout(scaled(3))
        try:
            data = sock.recv(64)
        except OSError:
            data = b""
        return data == b""
    finally:
        sock.close()


def test_a_connect_that_does_not_conform_is_closed_without_connack(gw):
    """MQTT-3.1.4-1 (close without CONNACK): the reserved flag bit (MQTT-3.1.2-3), and a flag
    whose field is missing — will (MQTT-3.1.2-9), user name (3.1.2-19), password (3.1.2-21)."""
    def connect(flags, payload):
        body = mqtt_raw._utf8("MQTT") + bytes([4, flags]) + struct.pack("!H", 60) + payload
        return mqtt_raw.packet(0x10, body)
    cid = mqtt_raw._utf8("shape")
    assert _nothing_then_closed(gw, connect(0x03, cid)), "reserved bit set"
    assert _nothing_then_closed(gw, connect(0x06, cid)), "will flag, no will topic/message"
    assert _nothing_then_closed(gw, connect(0x82, cid)), "user name flag, no user name"
    assert _nothing_then_closed(gw, connect(0xC2, cid + mqtt_raw._utf8("u"))), \
        "password flag, no password"


def test_unicode_equivalent_topics_do_not_match(gw):
    """MQTT-4.7.3-4: no normalisation: precomposed and decomposed forms are different topics."""
    with PahoClient(gw.address(), "nfc-sub") as sub, PahoClient(gw.address(), "nfd-pub") as pub:
        sub.subscribe("caf\u00e9", 1)
        pub.publish("cafe\u0301", b"decomposed", 1)
        pub.publish("caf\u00e9", b"precomposed", 1)
        assert [p for _, p, _ in sub.receive(2, timeout=2)] == [b"precomposed"]
