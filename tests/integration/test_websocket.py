"""MQTT over WebSocket ([tcp, websocket, mqtt]): Paho for Python over websockets, crossing with
plain TCP clients, and raw sockets for what real clients will not do (bad upgrades, unmasked,
oversize or text frames, MQTT split across frames, ping, close, garbage)."""

import base64
import hashlib
import os
import queue
import socket
import struct
import subprocess
import threading
import time

import paho.mqtt.client as mqtt
import pytest

from mqgw_harness import Gateway, base_config, mqtt_listener, scaled
from mqtt_raw import connect_packet

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def ws_config(**ws_settings):
    ws = mqtt_listener("ws", stack=["tcp", "websocket", "mqtt"])
    if ws_settings:
        ws["websocket"] = ws_settings
    return base_config(listeners=[mqtt_listener(), ws])


@pytest.fixture
def wsgw(tmp_path):
    with Gateway(tmp_path, ws_config()) as gateway:
        yield gateway


# ---- Paho over websockets ----

class WsPaho:
    """A connected paho client over ws://host:port/mqtt that queues what it receives."""

    def __init__(self, addr, client_id, protocol=mqtt.MQTTv311, path="/mqtt"):
        kwargs = {"client_id": client_id, "protocol": protocol, "transport": "websockets"}
        if protocol != mqtt.MQTTv5:
            kwargs["clean_session"] = True
        if hasattr(mqtt, "CallbackAPIVersion"):
            self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, **kwargs)
        else:
            self.client = mqtt.Client(**kwargs)
        self.client.ws_set_options(path=path)
        self.messages = queue.Queue()
        self.subscribed = threading.Event()
        connected = threading.Event()
        self.client.on_connect = lambda *args: connected.set()
        self.client.on_subscribe = lambda *args: self.subscribed.set()
        self.client.on_message = lambda c, u, m: self.messages.put((m.topic, bytes(m.payload)))
        self.client.connect(addr[0], addr[1], keepalive=30)
        self.client.loop_start()
        if not connected.wait(scaled(5)):
            self.close()
            raise AssertionError("%s: no CONNACK over websocket" % client_id)

    def subscribe(self, topic, qos=0):
        self.subscribed.clear()
        rc, _ = self.client.subscribe(topic, qos)
        assert rc == mqtt.MQTT_ERR_SUCCESS
        assert self.subscribed.wait(scaled(5)), "no SUBACK for " + topic

    def receive(self, count, timeout=5):
        got = []
        deadline = time.monotonic() + scaled(timeout)
        while len(got) < count:
            try:
                got.append(self.messages.get(timeout=max(deadline - time.monotonic(), 0.01)))
            except queue.Empty:
                break
        return got

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@pytest.mark.parametrize("protocol", [mqtt.MQTTv311, mqtt.MQTTv5], ids=["v311", "v5"])
def test_paho_round_trip_over_websocket(wsgw, protocol):
    with WsPaho(wsgw.address("ws"), "ws-sub", protocol) as sub, \
            WsPaho(wsgw.address("ws"), "ws-pub", protocol) as pub:
        sub.subscribe("ws/#", qos=1)
        payloads = [b"small", os.urandom(200000)]  # the big one spans many frames and reads
        for p in payloads:
            info = pub.client.publish("ws/t", p, qos=1)
            info.wait_for_publish(scaled(10))
            assert info.is_published()
        assert sub.receive(2, timeout=10) == [("ws/t", p) for p in payloads]
    assert wsgw.metric("mqgw_ws_handshakes_total") >= 2
    assert wsgw.metric("mqgw_ws_frames_in_total") > 0
    assert wsgw.metric("mqgw_ws_bytes_out_total") >= 200000


def test_mosquitto_pub_on_tcp_reaches_websocket_subscriber(wsgw):
    with WsPaho(wsgw.address("ws"), "ws-cross") as sub:
        sub.subscribe("cross/t")
        host, port = wsgw.address("mqtt")
        subprocess.run(["mosquitto_pub", "-h", host, "-p", str(port), "-t", "cross/t",
                        "-m", "from tcp", "-q", "1"], check=True, timeout=scaled(10))
        assert sub.receive(1) == [("cross/t", b"from tcp")]


# ---- raw sockets ----

def raw_request(path="/mqtt", version="13", protocol="mqtt", upgrade=True):
    key = base64.b64encode(os.urandom(16)).decode()
    lines = ["GET %s HTTP/1.1" % path, "Host: 127.0.0.1"]
    if upgrade:
        lines.append("Upgrade: websocket")
    lines += ["Connection: Upgrade", "Sec-WebSocket-Key: " + key,
              "Sec-WebSocket-Version: " + version]
    if protocol:
        lines.append("Sec-WebSocket-Protocol: " + protocol)
    return ("\r\n".join(lines) + "\r\n\r\n").encode(), key


def read_http_response(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head.decode(), rest


def read_to_eof(sock, timeout=5):
    sock.settimeout(scaled(timeout))
    data = b""
    while True:
        chunk = sock.recv(65536)  # raises on RST or timeout: the test fails
        if not chunk:
            return data
        data += chunk


def frame(opcode, payload, fin=True, masked=True):
    head = bytes([(0x80 if fin else 0) | opcode])
    mbit = 0x80 if masked else 0
    n = len(payload)
    if n < 126:
        head += bytes([mbit | n])
    elif n < 65536:
        head += bytes([mbit | 126]) + struct.pack("!H", n)
    else:
        head += bytes([mbit | 127]) + struct.pack("!Q", n)
    if not masked:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


class Frames:
    """Reads server frames (unmasked) from a socket."""

    def __init__(self, sock, pending=b""):
        self.sock, self.buf = sock, pending

    def _need(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed mid-frame")
            self.buf += chunk

    def next(self):
        self._need(2)
        b0, b1 = self.buf[0], self.buf[1]
        assert not b1 & 0x80, "server frames must not be masked"
        n, at = b1 & 0x7F, 2
        if n == 126:
            self._need(4)
            n, at = struct.unpack("!H", self.buf[2:4])[0], 4
        elif n == 127:
            self._need(10)
            n, at = struct.unpack("!Q", self.buf[2:10])[0], 10
        self._need(at + n)
        payload, self.buf = self.buf[at:at + n], self.buf[at + n:]
        return b0 & 0x0F, bool(b0 & 0x80), payload


def upgraded(gw):
    sock = socket.create_connection(gw.address("ws"), timeout=scaled(5))
    req, key = raw_request()
    sock.sendall(req)
    head, rest = read_http_response(sock)
    assert head.startswith("HTTP/1.1 101 "), head
    expected = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
    assert "Sec-WebSocket-Accept: " + expected in head
    assert "Sec-WebSocket-Protocol: mqtt" in head
    return sock, Frames(sock, rest)


def expect_close(frames, code):
    op, _, payload = frames.next()
    assert op == 0x8, "expected a close frame, got opcode %d" % op
    assert struct.unpack("!H", payload[:2])[0] == code, payload
    assert read_to_eof(frames.sock) == b""  # nothing after the close, then a clean EOF


@pytest.mark.parametrize("kind,status,needle", [
    ("no-upgrade", 400, "Upgrade: websocket"),
    ("version-8", 426, "Sec-WebSocket-Version"),
    ("wrong-path", 404, "no WebSocket endpoint"),
    ("wrong-protocol", 400, "mqtt, mqttv3.1"),
])
def test_bad_upgrade_requests_get_an_http_error_with_a_reason(wsgw, kind, status, needle):
    req, _ = {
        "no-upgrade": lambda: raw_request(upgrade=False),
        "version-8": lambda: raw_request(version="8"),
        "wrong-path": lambda: raw_request(path="/other"),
        "wrong-protocol": lambda: raw_request(protocol="wamp"),
    }[kind]()
    with socket.create_connection(wsgw.address("ws"), timeout=scaled(5)) as sock:
        sock.sendall(req)
        reply = read_to_eof(sock).decode()
    assert reply.startswith("HTTP/1.1 %d " % status), reply
    assert needle in reply
    if status == 426:
        assert "\r\nSec-WebSocket-Version: 13\r\n" in reply
    assert wsgw.wait_metric("mqgw_ws_handshake_failures_total", lambda v: v >= 1) >= 1


def test_unmasked_frame_closes_with_1002(wsgw):
    sock, frames = upgraded(wsgw)
    with sock:
        sock.sendall(frame(0x2, connect_packet("unmasked"), masked=False))
        expect_close(frames, 1002)


def test_oversize_frame_closes_with_1009(wsgw):
    sock, frames = upgraded(wsgw)
    with sock:
        # Only the header of a 2 MiB frame: the default max_frame_size (1 MiB) refuses it.
        sock.sendall(bytes([0x82, 0x80 | 127]) + struct.pack("!Q", 2 << 20) + os.urandom(4))
        expect_close(frames, 1009)


def test_text_frame_closes_with_1003(wsgw):
    sock, frames = upgraded(wsgw)
    with sock:
        sock.sendall(frame(0x1, b"hello"))
        expect_close(frames, 1003)


def test_connect_split_across_frames_and_fragments(wsgw):
    sock, frames = upgraded(wsgw)
    with sock:
        pkt = connect_packet("split")
        # Two whole binary frames, then MQTT PINGREQ as a fragmented message with a ping inside.
        sock.sendall(frame(0x2, pkt[:5]))
        time.sleep(0.05)
        sock.sendall(frame(0x2, pkt[5:]))
        op, fin, payload = frames.next()
        assert (op, fin) == (0x2, True)
        assert payload[0] >> 4 == 2 and payload[-1] == 0, "CONNACK accepted: %r" % payload
        sock.sendall(frame(0x2, b"\xc0", fin=False) + frame(0x9, b"mid") +
                     frame(0x0, b"\x00"))
        assert frames.next() == (0xA, True, b"mid")
        op, _, payload = frames.next()
        assert (op, payload) == (0x2, b"\xd0\x00")  # PINGRESP


def test_ping_gets_pong_with_the_same_payload(wsgw):
    sock, frames = upgraded(wsgw)
    with sock:
        sock.sendall(frame(0x9, b"are you there"))
        assert frames.next() == (0xA, True, b"are you there")


def test_close_is_echoed_then_connection_ends(wsgw):
    sock, frames = upgraded(wsgw)
    with sock:
        sock.sendall(frame(0x2, connect_packet("closer")))
        assert frames.next()[0] == 0x2  # CONNACK
        sock.sendall(frame(0x8, struct.pack("!H", 1000) + b"bye"))
        expect_close(frames, 1000)


def test_garbage_gets_400_and_a_clean_close(wsgw):
    with socket.create_connection(wsgw.address("ws"), timeout=scaled(5)) as sock:
        sock.sendall(b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + os.urandom(200))
        reply = read_to_eof(sock)
    assert reply.startswith(b"HTTP/1.1 400 "), reply


def test_silent_client_is_closed_after_handshake_timeout(tmp_path):
    with Gateway(tmp_path, ws_config(handshake_timeout="300ms")) as gw:
        with socket.create_connection(gw.address("ws"), timeout=scaled(5)) as sock:
            sock.sendall(b"GET /mqtt HTTP/1.1\r\n")  # and never the rest
            started = time.monotonic()
            assert read_to_eof(sock) == b""
            assert time.monotonic() - started < scaled(3)
        assert gw.wait_metric("mqgw_ws_handshake_failures_total", lambda v: v >= 1) >= 1


def test_oversize_request_gets_431(tmp_path):
    with Gateway(tmp_path, ws_config(max_handshake_bytes="1KiB", path="/ws")) as gw:
        req, _ = raw_request(path="/ws")
        big = req[:-2] + b"X-Filler: " + b"f" * 2000 + b"\r\n\r\n"
        with socket.create_connection(gw.address("ws"), timeout=scaled(5)) as sock:
            sock.sendall(big)
            assert read_to_eof(sock).startswith(b"HTTP/1.1 431 ")
        with WsPaho(gw.address("ws"), "on-ws-path", path="/ws"):
            pass  # the configured path works


def test_gateway_shutdown_sends_going_away(tmp_path):
    gw = Gateway(tmp_path, ws_config()).start()
    try:
        sock, frames = upgraded(gw)
        with sock:
            sock.sendall(frame(0x2, connect_packet("leaver")))
            assert frames.next()[0] == 0x2  # CONNACK
            stopper = threading.Thread(target=gw.stop)
            stopper.start()
            seen = []
            while True:
                try:
                    seen.append(frames.next())
                except (EOFError, OSError):
                    break
            stopper.join()
        closes = [p for op, _, p in seen if op == 0x8]
        assert closes and struct.unpack("!H", closes[0][:2])[0] == 1001, seen
    finally:
        gw.kill()
