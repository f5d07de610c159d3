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
