"""A client that breaks the protocol is disconnected and counted; everyone else is unaffected."""

import pytest

import mqtt_raw
from mqgw_harness import scaled
from paho_client import PahoClient

COUNTER = "mqgw_mqtt_protocol_errors_total"

# (name, connect first?, bytes to send)
VIOLATIONS = [
    ("text_instead_of_connect", False, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
    # '<' reads as a PUBLISH claiming 112 more bytes: closed at the first byte, not after the
    # connect timeout (the harness's wait is shorter than that)
    ("flash_policy_request", False, b"<policy-file-request/>\0"),
    ("tls_client_hello", False, bytes([0x16, 0x03, 0x01, 0x02, 0x00, 0x01])),
    ("binary_garbage", False, bytes([0x00, 0xFF, 0xFE, 0x13, 0x37]) * 4),
    ("publish_before_connect", False, mqtt_raw.packet(0x30, b"\x00\x01tx")),
    ("reserved_type_0", True, mqtt_raw.packet(0x00)),
    ("reserved_type_15_in_311", True, mqtt_raw.packet(0xF0)),
    ("second_connect", True, mqtt_raw.connect_packet("again")),
    ("subscribe_bad_flags", True, mqtt_raw.packet(0x80, b"\x00\x01\x00\x01t\x00")),
    ("remaining_length_overflow", True, b"\x30\xff\xff\xff\xff\x7f"),
    ("topic_with_wildcard", True, mqtt_raw.packet(0x30, b"\x00\x03a/#x")),
    ("disconnect_with_flag_bits", True, mqtt_raw.packet(0xE1)),  # MQTT-3.14.1-1
]


def provoke(gw, connect_first, data):
    """Sends data (after a valid CONNECT if asked) and returns seconds until the server closed."""
    if connect_first:
        sock = mqtt_raw.connect(gw.address(), "bad")
    else:
        sock = mqtt_raw.open_socket(gw.address())
    try:
        sock.sendall(data)
        return mqtt_raw.wait_closed(sock, timeout=scaled(3))
    finally:
        sock.close()


@pytest.mark.parametrize("name,connect_first,data", VIOLATIONS, ids=[v[0] for v in VIOLATIONS])
def test_violation_closes_connection_and_counts(gw, name, connect_first, data):
    before = gw.metric(COUNTER)
    assert provoke(gw, connect_first, data) is not None, "%s: connection left open" % name
    after = gw.wait_metric(COUNTER, lambda v: v >= before + 1)
    assert after == before + 1
    assert mqtt_raw.ping_ok(gw.address())


def test_bystanders_keep_working_through_violations(gw):
    with PahoClient(gw.address(), "sub") as sub, PahoClient(gw.address(), "pub") as pub:
        sub.subscribe("calm/#", 1)
        before = gw.metric(COUNTER)
        for i, (_, connect_first, data) in enumerate(VIOLATIONS):
            assert provoke(gw, connect_first, data) is not None
            pub.publish("calm/%d" % i, b"still here", qos=1)
        got = sub.receive(len(VIOLATIONS))
        assert [t for t, _, _ in got] == ["calm/%d" % i for i in range(len(VIOLATIONS))]
        assert gw.wait_metric(COUNTER, lambda v: v >= before + len(VIOLATIONS)) == \
            before + len(VIOLATIONS)
        assert gw.metric("mqgw_connections_active") == 2
