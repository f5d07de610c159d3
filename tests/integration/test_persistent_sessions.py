"""Persistent sessions (MQTT 3.1.1 §3.1.2.4, MQTT 5 §3.1.2.4 and §4.4): subscriptions and QoS 1/2
messages outlive a connection; unacknowledged deliveries are sent again with DUP and their
packet ids on resume; a clean start discards the old state; MQTT 5 sessions expire; a session
moves with its Client ID to whichever worker loop the new connection lands on."""

import queue
import struct
import threading
import time

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

import mqtt_raw
from mqgw_harness import Gateway, base_config, scaled
from paho_client import PahoClient


def connect_persistent(addr, client_id, protocol=mqtt.MQTTv311, expiry=300, clean=False):
    """Returns (client, session_present, messages-queue) for a raw Paho persistent client."""
    got = queue.Queue()
    connected = threading.Event()
    result = {}
    kwargs = {"client_id": client_id, "protocol": protocol}
    if protocol != mqtt.MQTTv5:
        kwargs["clean_session"] = clean
    if hasattr(mqtt, "CallbackAPIVersion"):
        c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, **kwargs)
    else:
        c = mqtt.Client(**kwargs)

    def on_connect(client, userdata, flags, rc, *rest):
        present = flags.get("session present") if isinstance(flags, dict) else \
            getattr(flags, "session_present", None)
        result["present"] = bool(present)
        result["rc"] = rc
        connected.set()

    c.on_connect = on_connect
    c.on_message = lambda client, userdata, msg: got.put((msg.topic, bytes(msg.payload), msg.qos))
    c.reconnect_delay_set(60, 120)
    if protocol == mqtt.MQTTv5:
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = expiry
        c.connect(addr[0], addr[1], clean_start=clean, properties=props)
    else:
        c.connect(addr[0], addr[1])
    c.loop_start()
    assert connected.wait(scaled(5)), "%s: no CONNACK" % client_id
    assert result["rc"] == 0, "%s: CONNACK rc %s" % (client_id, result["rc"])
    return c, result["present"], got


def drain(q, count, timeout=5):
    out = []
    end = time.monotonic() + scaled(timeout)
    while len(out) < count and time.monotonic() < end:
        try:
            out.append(q.get(timeout=max(0.01, end - time.monotonic())))
        except queue.Empty:
            break
    return out


def stop(c):
    c.disconnect()
    c.loop_stop()


def publish_all(addr, topic, payloads, qos=1):
    with PahoClient(addr, "publisher-%d" % int(time.monotonic() * 1000)) as pub:
        for p in payloads:
            pub.publish(topic, p, qos)


def test_v311_session_keeps_subscriptions_and_queues_while_away(tmp_path):
    with Gateway(tmp_path, base_config(workers=2)) as gw:
        c, present, _ = connect_persistent(gw.address(), "keeper")
        assert not present
        rc, mid = c.subscribe("away/#", 1)
        time.sleep(scaled(0.3))
        stop(c)
        sent = [b"m%d" % i for i in range(20)]
        publish_all(gw.address(), "away/x", sent)
        c, present, got = connect_persistent(gw.address(), "keeper")
        try:
            assert present, "CONNACK session present must be 1"
            msgs = drain(got, len(sent))
            assert [p for _, p, _ in msgs] == sent
            assert all(q == 1 for _, _, q in msgs)
        finally:
            stop(c)


def test_clean_session_discards_the_old_state(tmp_path):
    with Gateway(tmp_path, base_config(workers=2)) as gw:
        c, _, _ = connect_persistent(gw.address(), "forgetful")
        c.subscribe("gone/#", 1)
        time.sleep(scaled(0.3))
        stop(c)
        publish_all(gw.address(), "gone/x", [b"lost"])
        c, present, got = connect_persistent(gw.address(), "forgetful", clean=True)
        try:
            assert not present
            assert drain(got, 1, timeout=1) == []
        finally:
            stop(c)


def test_v5_session_expires(tmp_path):
    with Gateway(tmp_path, base_config(workers=2)) as gw:
        c, _, _ = connect_persistent(gw.address(), "brief", mqtt.MQTTv5, expiry=1)
        c.subscribe("brief/#", 1)
        time.sleep(scaled(0.3))
        stop(c)
        time.sleep(2.5)
        c, present, _ = connect_persistent(gw.address(), "brief", mqtt.MQTTv5, expiry=1)
        try:
            assert not present, "an expired session must not be resumed"
            assert gw.metric("mqgw_sessions_expired_total") >= 1
        finally:
            stop(c)


def test_takeover_moves_the_session_between_workers(tmp_path):
    with Gateway(tmp_path, base_config(workers=2)) as gw:
        for round_ in range(4):  # round-robin accept: both same-worker and cross-worker cases
            cid = "mover-%d" % round_
            first, _, _ = connect_persistent(gw.address(), cid)
            first.subscribe("move/%d" % round_, 1)
            time.sleep(scaled(0.3))
            second, present, got = connect_persistent(gw.address(), cid)
            try:
                assert present
                publish_all(gw.address(), "move/%d" % round_, [b"after"])
                assert [p for _, p, _ in drain(got, 1)] == [b"after"]
            finally:
                first.loop_stop()
                stop(second)


def _subscribe_raw(sock, topic, qos, packet_id=1):
    body = struct.pack("!H", packet_id) + struct.pack("!H", len(topic)) + topic.encode() + \
        bytes([qos])
    sock.sendall(mqtt_raw.packet(0x82, body))
    ptype, _, _ = mqtt_raw.read_packet(sock)
    assert ptype == 9, "expected SUBACK"


def test_unacknowledged_delivery_is_resent_with_dup_and_same_id(tmp_path):
    with Gateway(tmp_path, base_config(workers=2)) as gw:
        sock = mqtt_raw.open_socket(gw.address())
        sock.sendall(mqtt_raw.connect_packet("no-acker", clean=False))
        assert mqtt_raw.read_packet(sock)[0] == mqtt_raw.CONNACK_TYPE
        _subscribe_raw(sock, "dup/t", 1)
        publish_all(gw.address(), "dup/t", [b"once"])
        ptype, flags, body = mqtt_raw.read_packet(sock)
        assert ptype == 3 and flags & 0x06 == 0x02 and not flags & 0x08  # QoS 1, no DUP
        packet_id = body[2 + body[1]:4 + body[1]]
        sock.close()  # no PUBACK
        time.sleep(scaled(0.3))
        sock = mqtt_raw.open_socket(gw.address())
        try:
            sock.sendall(mqtt_raw.connect_packet("no-acker", clean=False))
            ptype, _, connack = mqtt_raw.read_packet(sock)
            assert ptype == mqtt_raw.CONNACK_TYPE and connack[0] & 1, "session present"
            ptype, flags, again = mqtt_raw.read_packet(sock)
            assert ptype == 3 and flags & 0x08, "resent PUBLISH must carry DUP"
            assert again[2 + again[1]:4 + again[1]] == packet_id
            assert again.endswith(b"once")
        finally:
            sock.close()


def _v5_connect_with_delayed_will(client_id, delay_s, expiry_s=60):
    """CONNECT v5, Clean Start 0, Session Expiry, and a will on will/<id> with a delay."""
    def u32(prop, value):
        return bytes([prop]) + struct.pack("!I", value)
    props = u32(0x11, expiry_s)                     # Session Expiry Interval
    will_props = u32(0x18, delay_s)                 # Will Delay Interval
    body = mqtt_raw._utf8("MQTT") + bytes([5, 0x04]) + struct.pack("!H", 60)
    body += bytes([len(props)]) + props + mqtt_raw._utf8(client_id)
    body += bytes([len(will_props)]) + will_props + mqtt_raw._utf8("will/" + client_id)
    body += struct.pack("!H", 4) + b"gone"
    return mqtt_raw.packet(0x10, body)


def _connect_raw(addr, packet):
    sock = mqtt_raw.open_socket(addr)
    sock.sendall(packet)
    ptype, _, body = mqtt_raw.read_packet(sock)
    assert ptype == mqtt_raw.CONNACK_TYPE and body[1] == 0, "CONNACK refused: %r" % body
    return sock


def test_delayed_will_waits_for_its_delay(tmp_path):
    with Gateway(tmp_path, base_config(workers=2)) as gw, \
            PahoClient(gw.address(), "watcher") as watcher:
        watcher.subscribe("will/#", 0)
        delay = int(scaled(2))  # the windows below scale too (sanitizer builds are slower)
        sock = _connect_raw(gw.address(), _v5_connect_with_delayed_will("late", delay))
        sock.close()  # abnormal: no DISCONNECT
        assert watcher.receive(1, timeout=1) == [], "the will came before its delay"
        got = watcher.receive(1, timeout=4)
        assert [p for _, p, _ in got] == [b"gone"]


def test_delayed_will_is_dropped_when_the_session_resumes_in_time(tmp_path):
    with Gateway(tmp_path, base_config(workers=2)) as gw, \
            PahoClient(gw.address(), "watcher") as watcher:
        watcher.subscribe("will/#", 0)
        delay = int(scaled(2))
        sock = _connect_raw(gw.address(), _v5_connect_with_delayed_will("back", delay))
        sock.close()
        time.sleep(scaled(0.3))
        again = _connect_raw(gw.address(), _v5_connect_with_delayed_will("back", delay))
        try:
            assert watcher.receive(1, timeout=3.5) == [], "a resumed session must not send its will"
        finally:
            again.sendall(mqtt_raw.packet(0xE0, b"\x00\x00"))  # DISCONNECT: no will
            again.close()
