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
