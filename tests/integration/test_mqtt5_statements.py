"""Single MQTT 5 statements shown end to end (see docs/conformance-5.0.md): topic aliases across a
reconnect, the shared-subscription delivery rules of 4.8.2, and a malformed DISCONNECT. Raw
sockets where Paho would hide what is on the wire."""

import select
import socket
import struct
import time

import paho.mqtt.client as mqtt

import mqtt_raw
from mqgw_harness import scaled
from paho_client import PahoClient

PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, DISCONNECT = 3, 4, 5, 6, 7, 9, 14
SESSION_EXPIRY, TOPIC_ALIAS_MAXIMUM, TOPIC_ALIAS = 0x11, 0x22, 0x23


# ---- raw MQTT 5 packets ----

def prop_u16(prop, value):
    return bytes([prop]) + struct.pack("!H", value)


def prop_u32(prop, value):
    return bytes([prop]) + struct.pack("!I", value)


def with_props(props):
    return mqtt_raw._remaining_length(len(props)) + props


def connect_v5(addr, client_id, clean=True, props=b""):
    """Connects a v5 client; returns (socket, session present)."""
    body = mqtt_raw._utf8("MQTT") + bytes([5, 0x02 if clean else 0x00]) + struct.pack("!H", 60)
    body += with_props(props) + mqtt_raw._utf8(client_id)
    sock = mqtt_raw.open_socket(addr, timeout=scaled(5))
    sock.sendall(mqtt_raw.packet(0x10, body))
    ptype, _, connack = mqtt_raw.read_packet(sock)
    assert ptype == mqtt_raw.CONNACK_TYPE and connack[1] == 0, "CONNACK refused: %r" % connack
    return sock, bool(connack[0] & 1)


def subscribe_v5(sock, topic_filter, qos, packet_id=1):
    body = struct.pack("!H", packet_id) + b"\x00" + mqtt_raw._utf8(topic_filter) + bytes([qos])
    sock.sendall(mqtt_raw.packet(0x82, body))
    ptype, _, suback = mqtt_raw.read_packet(sock)
    assert ptype == SUBACK and suback[-1] == qos, "SUBACK %r" % suback


def publish_v5(topic, payload, qos=0, packet_id=0, props=b""):
    body = mqtt_raw._utf8(topic) + (struct.pack("!H", packet_id) if qos else b"")
    return mqtt_raw.packet(0x30 | qos << 1, body + with_props(props) + payload)


def ack_v5(ptype, packet_id, reason=0):
    flags = 0x02 if ptype == PUBREL else 0x00
    return mqtt_raw.packet(ptype << 4 | flags, struct.pack("!H", packet_id) + bytes([reason]))


def _varint(data, i):
    value, shift = 0, 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, i


def parse_publish(flags, body):
    """A v5 PUBLISH from the gateway: dict of topic, qos, dup, packet_id, alias, payload."""
    tlen = struct.unpack("!H", body[:2])[0]
    topic, i = body[2:2 + tlen].decode(), 2 + tlen
    qos = (flags >> 1) & 3
    packet_id = None
    if qos:
        packet_id, i = struct.unpack("!H", body[i:i + 2])[0], i + 2
    plen, i = _varint(body, i)
    props, payload = body[i:i + plen], body[i + plen:]
    alias, j = None, 0
    sizes = {0x01: 1, 0x02: 4, 0x23: 2}  # what a delivery of ours may carry before a string
    while j < len(props):
        prop = props[j]
        j += 1
        if prop == TOPIC_ALIAS:
            alias = struct.unpack("!H", props[j:j + 2])[0]
        if prop in sizes:
            j += sizes[prop]
        elif prop == 0x0B:
            _, j = _varint(props, j)
        else:  # a string, binary or string pair: skip it
            count = 2 if prop == 0x26 else 1
            for _ in range(count):
                j += 2 + struct.unpack("!H", props[j:j + 2])[0]
    return {"topic": topic, "qos": qos, "dup": bool(flags & 0x08), "packet_id": packet_id,
            "alias": alias, "payload": payload}


def next_publish(sock):
    ptype, flags, body = mqtt_raw.read_packet(sock)
    assert ptype == PUBLISH, "expected PUBLISH, got type %d" % ptype
    return parse_publish(flags, body)


def expect_packet(sock, ptype, packet_id):
    got, _, body = mqtt_raw.read_packet(sock)
    assert (got, body[:2]) == (ptype, struct.pack("!H", packet_id)), (got, body)


def packets_within(sock, seconds):
    """Packet types that arrive on sock within `seconds` (stops at EOF)."""
    types = []
    deadline = time.monotonic() + seconds
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return types
        sock.settimeout(remaining)
        try:
            types.append(mqtt_raw.read_packet(sock)[0])
        except (socket.timeout, EOFError, ConnectionResetError):
            return types


def settle():
    time.sleep(scaled(0.3))  # membership reaches every worker by message passing


# ---- MQTT-3.3.2-7: topic aliases belong to one Network Connection ----

def test_topic_aliases_do_not_survive_a_reconnect(gw):
    keep = prop_u32(SESSION_EXPIRY, 60)
    with PahoClient(gw.address(), "alias-watch") as watch:
        watch.subscribe("al/#", 0)
        sock, _ = connect_v5(gw.address(), "alias-pub", props=keep)
        sock.sendall(publish_v5("al/x", b"1", props=prop_u16(TOPIC_ALIAS, 1)))
        sock.sendall(publish_v5("", b"2", props=prop_u16(TOPIC_ALIAS, 1)))
        assert [(t, p) for t, p, _ in watch.receive(2, timeout=3)] == \
            [("al/x", b"1"), ("al/x", b"2")], "the alias works within its connection"
        sock.close()
        sock, present = connect_v5(gw.address(), "alias-pub", clean=False, props=keep)
        assert present, "the session was resumed, yet its aliases are gone"
        sock.sendall(publish_v5("", b"3", props=prop_u16(TOPIC_ALIAS, 1)))
        ptype, _, body = mqtt_raw.read_packet(sock)
        assert (ptype, body[0]) == (DISCONNECT, 0x82), "alias 1 is unknown on the new connection"
        assert mqtt_raw.wait_closed(sock, scaled(3)) is not None
        sock.close()
        assert watch.receive(1, timeout=0.5) == []


def test_outbound_topic_aliases_start_afresh_after_a_reconnect(gw):
    props = prop_u32(SESSION_EXPIRY, 60) + prop_u16(TOPIC_ALIAS_MAXIMUM, 5)
    sub, _ = connect_v5(gw.address(), "alias-sub", props=props)
    try:
        subscribe_v5(sub, "ob/t", 1)
        with PahoClient(gw.address(), "alias-src") as src:
            for payload in (b"1", b"2"):
                src.publish("ob/t", payload, 1)
            first, second = next_publish(sub), next_publish(sub)
            assert (first["topic"], first["alias"]) == ("ob/t", 1)
            assert (second["topic"], second["alias"]) == ("", 1), "the alias is in use"
            sub.sendall(ack_v5(PUBACK, first["packet_id"]) + ack_v5(PUBACK, second["packet_id"]))
            time.sleep(scaled(0.2))
            sub.close()
            src.publish("ob/t", b"3", 1)  # queued for the absent session
            sub, present = connect_v5(gw.address(), "alias-sub", clean=False, props=props)
            assert present
            got = [next_publish(sub)]
            # "4" only once the resumed session delivers: a message published while a session
            # moves between workers can miss it (a known gap, see docs/decisions/0003)
            src.publish("ob/t", b"4", 1)
            got.append(next_publish(sub))
        assert [g["payload"] for g in got] == [b"3", b"4"]
        assert got[0]["topic"] == "ob/t", "the new connection knows no alias: full topic first"
        assert got[1]["topic"] == "ob/t" or got[1]["alias"] == got[0]["alias"]
    finally:
        sub.close()


# ---- MQTT-3.14.1-1 with a v5 client ----

def test_v5_disconnect_with_reserved_flags_is_malformed(gw):
    sock, _ = connect_v5(gw.address(), "bad-disconnect")
    try:
        sock.sendall(bytes([0xE1, 0x00]))
        ptype, _, body = mqtt_raw.read_packet(sock)
        assert (ptype, body[0]) == (DISCONNECT, 0x81)
        assert mqtt_raw.wait_closed(sock, scaled(3)) is not None
    finally:
        sock.close()


# ---- MQTT-4.8.2-3: a shared delivery respects the member's granted QoS ----

def test_shared_deliveries_use_each_members_granted_qos(gw):
    low = PahoClient(gw.address(), "qos0-member", mqtt.MQTTv5)
    high = PahoClient(gw.address(), "qos1-member", mqtt.MQTTv5)
    try:
        low.subscribe("$share/gq/gq/t", 0)
        high.subscribe("$share/gq/gq/t", 1)
        settle()
        with PahoClient(gw.address(), "gq-pub") as pub:
            for i in range(10):
                pub.publish("gq/t", b"%d" % i, 2)
        got_low = low.receive(10, timeout=1.5)
        got_high = high.receive(10 - len(got_low), timeout=1.5)
    finally:
        low.close()
        high.close()
    assert sorted(p for _, p, _ in got_low + got_high) == sorted(b"%d" % i for i in range(10))
    assert got_low and got_high, "round robin picks both members"
    assert {q for _, _, q in got_low} == {0}
    assert {q for _, _, q in got_high} == {1}


# ---- MQTT-4.8.2-4, 4.8.2-5, 4.8.2-6: a shared delivery stays with the member it began with ----

def _two_members(gw, name, qos, props=b""):
    members = []
    for i in range(2):
        sock, _ = connect_v5(gw.address(), "%s-%d" % (name, i), props=props)
        subscribe_v5(sock, "$share/%s/%s/t" % (name, name), qos)
        members.append(sock)
    settle()
    return members


def _publish(gw, topic, payload, qos):
    with PahoClient(gw.address(), "shared-src-%d" % qos) as src:
        src.publish(topic, payload, qos)


def _holder(members):
    """Which member got the one PUBLISH: (its index, the PUBLISH)."""
    ready, _, _ = select.select(members, [], [], scaled(5))
    assert ready, "no member got the message"
    index = members.index(ready[0])
    return index, next_publish(members[index])


def test_a_qos2_shared_delivery_is_completed_when_its_member_reconnects(gw):
    keep = prop_u32(SESSION_EXPIRY, 60)
    members = _two_members(gw, "s4", 2, keep)
    try:
        _publish(gw, "s4/t", b"q2", 2)
        index, first = _holder(members)
        assert first["qos"] == 2
        members[index].close()  # cut off before PUBREC; its session lives on
        other = members[1 - index]
        assert PUBLISH not in packets_within(other, scaled(0.8)), "not handed to the other"
        members[index], present = connect_v5(gw.address(), "s4-%d" % index, clean=False,
                                             props=keep)
        assert present
        again = next_publish(members[index])
        assert (again["payload"], again["packet_id"], again["qos"], again["dup"]) == \
            (b"q2", first["packet_id"], 2, True)
        members[index].sendall(ack_v5(PUBREC, again["packet_id"]))
        expect_packet(members[index], PUBREL, again["packet_id"])
        members[index].close()  # cut off again, now awaiting PUBCOMP
        members[index], _ = connect_v5(gw.address(), "s4-%d" % index, clean=False, props=keep)
        expect_packet(members[index], PUBREL, again["packet_id"])
        members[index].sendall(ack_v5(PUBCOMP, again["packet_id"]))
        assert PUBLISH not in packets_within(other, scaled(0.3))
    finally:
        for sock in members:
            sock.close()


def test_a_member_whose_session_ends_takes_its_qos2_message_with_it(gw):
    # The control: an unacknowledged QoS 1 message does go to the other member.
    members = _two_members(gw, "s5a", 1)
    try:
        _publish(gw, "s5a/t", b"q1", 1)
        index, _ = _holder(members)
        members[index].close()  # no Session Expiry: the session ends with the connection
        assert next_publish(members[1 - index])["payload"] == b"q1"
    finally:
        for sock in members:
            sock.close()
    # QoS 2: received but not acknowledged, or PUBREC sent: either way it began.
    for name, acknowledge in (("s5b", False), ("s5c", True)):
        members = _two_members(gw, name, 2)
        try:
            _publish(gw, "%s/t" % name, b"q2", 2)
            index, got = _holder(members)
            if acknowledge:
                members[index].sendall(ack_v5(PUBREC, got["packet_id"]))
                expect_packet(members[index], PUBREL, got["packet_id"])
            members[index].close()
            assert PUBLISH not in packets_within(members[1 - index], scaled(0.8)), name
        finally:
            for sock in members:
                sock.close()


def test_a_refused_shared_delivery_goes_to_no_other_member(gw):
    for name, qos, refusal in (("s6a", 1, PUBACK), ("s6b", 2, PUBREC)):
        members = _two_members(gw, name, qos)
        try:
            _publish(gw, "%s/t" % name, b"no", qos)
            index, got = _holder(members)
            members[index].sendall(ack_v5(refusal, got["packet_id"], 0x80))
            time.sleep(scaled(0.1))
            members[index].close()  # its session ends: nothing of it is left to hand on
            assert PUBLISH not in packets_within(members[1 - index], scaled(0.8)), name
        finally:
            for sock in members:
                sock.close()
