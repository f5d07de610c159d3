"""MQTT 5 enhanced authentication (4.12) end to end: a gateway loads the test auth plugin
(tests/plugin_abi/auth_challenge.c, method "mqgw-test-challenge": answer the nonce reversed plus
the configured secret) and a raw MQTT 5 client runs the AUTH exchange, publishes, and
re-authenticates."""

import os
import struct

import mqtt_raw
from mqgw_harness import FIXTURE_DIR, Gateway, base_config, run_to_exit, scaled, write_config

CONNACK, SUBSCRIBE, SUBACK, PUBLISH, DISCONNECT, AUTH = 2, 8, 9, 3, 14, 15
METHOD, DATA, REASON_STRING = 0x15, 0x16, 0x1F
SECRET = "s3cret"
PLUGIN = os.path.join(FIXTURE_DIR, "mqgw-test-challenge.so")


def auth_config(**overrides):
    return base_config(plugins=[PLUGIN], auth={"test-challenge": {"secret": SECRET}}, **overrides)


# ---- raw MQTT 5 packets with the Authentication Method and Data properties ----

def _props(method=None, data=None):
    out = b""
    if method is not None:
        out += bytes([METHOD]) + mqtt_raw._utf8(method)
    if data is not None:
        out += bytes([DATA]) + struct.pack("!H", len(data)) + data
    return mqtt_raw._remaining_length(len(out)) + out


def connect_packet(client_id, method, data=None):
    body = mqtt_raw._utf8("MQTT") + bytes([5, 0x02]) + struct.pack("!H", 60)
    return mqtt_raw.packet(0x10, body + _props(method, data) + mqtt_raw._utf8(client_id))


def auth_packet(reason, method, data=None):
    return mqtt_raw.packet(0xF0, bytes([reason]) + _props(method, data))


def parse_props(body, i):
    """Properties from body[i:]: {id: value} for the ones these tests read."""
    length, shift = 0, 0
    while True:
        byte = body[i]
        i += 1
        length |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    props, end = {}, i + length
    while i < end:
        pid = body[i]
        i += 1
        if pid in (METHOD, DATA, REASON_STRING, 0x12, 0x1A):  # length-prefixed
            n = struct.unpack("!H", body[i:i + 2])[0]
            props[pid], i = body[i + 2:i + 2 + n], i + 2 + n
        elif pid in (0x11, 0x27):  # four-byte integers
            i += 4
        elif pid in (0x13, 0x21, 0x22):  # two-byte integers
            i += 2
        else:  # one-byte properties (0x24, 0x25, 0x28, 0x29, 0x2A)
            i += 1
    return props


def read(sock):
    ptype, _, body = mqtt_raw.read_packet(sock)
    if ptype == CONNACK:
        return ptype, body[1], parse_props(body, 2) if len(body) > 2 else {}
    if ptype in (AUTH, DISCONNECT):
        reason = body[0] if body else 0
        return ptype, reason, parse_props(body, 1) if len(body) > 1 else {}
    return ptype, None, body


def answer(nonce):
    return nonce[::-1] + SECRET.encode()


def open_and_challenge(addr, client_id, data=None):
    """CONNECT with the method; returns (socket, nonce of the server's AUTH 0x18)."""
    sock = mqtt_raw.open_socket(addr, timeout=scaled(5))
    sock.sendall(connect_packet(client_id, "mqgw-test-challenge", data))
    ptype, reason, props = read(sock)
    assert (ptype, reason) == (AUTH, 0x18), (ptype, reason, props)
    assert props[METHOD] == b"mqgw-test-challenge"  # MQTT 5 4.12.0-5
    return sock, props[DATA]


def reauthenticate(sock, right):
    sock.sendall(auth_packet(0x19, "mqgw-test-challenge"))
    ptype, reason, props = read(sock)
    assert (ptype, reason) == (AUTH, 0x18), (ptype, reason)
    response = answer(props[DATA]) if right else b"wrong"
    sock.sendall(auth_packet(0x18, "mqgw-test-challenge", response))
    return read(sock)


# ---- tests ----

def test_challenge_response_connects_publishes_and_reauthenticates(tmp_path):
    with Gateway(tmp_path, auth_config()) as gw:
        sock, nonce = open_and_challenge(gw.address(), "auth-ok")
        assert len(nonce) == 16
        sock.sendall(auth_packet(0x18, "mqgw-test-challenge", answer(nonce)))
        ptype, reason, props = read(sock)
        assert (ptype, reason) == (CONNACK, 0x00)
        assert props[METHOD] == b"mqgw-test-challenge"
        assert props[DATA] == b"welcome"

        # The session works: subscribe and get our own message back.
        sock.sendall(mqtt_raw.packet(0x82, struct.pack("!H", 1) + b"\x00" +
                                     mqtt_raw._utf8("auth/t") + b"\x00"))
        assert read(sock)[0] == SUBACK
        sock.sendall(mqtt_raw.packet(0x30, mqtt_raw._utf8("auth/t") + b"\x00" + b"hi"))
        ptype, _, body = read(sock)
        assert ptype == PUBLISH and body.endswith(b"hi")

        ptype, reason, props = reauthenticate(sock, right=True)
        assert (ptype, reason) == (AUTH, 0x00)  # re-authentication succeeded
        assert props[DATA] == b"welcome"
        sock.sendall(mqtt_raw.PINGREQ)
        assert read(sock)[0] == mqtt_raw.PINGRESP_TYPE

        ptype, reason, props = reauthenticate(sock, right=False)
        assert (ptype, reason) == (DISCONNECT, 0x87)
        assert props[REASON_STRING] == b"wrong response to the challenge"
        assert mqtt_raw.wait_closed(sock, scaled(5)) is not None
        sock.close()
        gw.wait_metric("mqgw_mqtt_auth_failures_total", lambda v: v >= 1)


def test_wrong_response_is_refused_with_87(tmp_path):
    with Gateway(tmp_path, auth_config()) as gw:
        sock, nonce = open_and_challenge(gw.address(), "auth-bad")
        sock.sendall(auth_packet(0x18, "mqgw-test-challenge", nonce))  # not reversed, no secret
        ptype, reason, props = read(sock)
        assert (ptype, reason) == (CONNACK, 0x87)
        assert METHOD not in props
        assert props[REASON_STRING] == b"wrong response to the challenge"
        assert mqtt_raw.wait_closed(sock, scaled(5)) is not None
        sock.close()


def test_plugin_refusal_code_and_unknown_method_get_8c(tmp_path):
    with Gateway(tmp_path, auth_config()) as gw:
        for method, data in (("mqgw-test-challenge", b"bad-method"), ("SCRAM-SHA-1", None)):
            sock = mqtt_raw.open_socket(gw.address(), timeout=scaled(5))
            sock.sendall(connect_packet("auth-8c", method, data))
            ptype, reason, _ = read(sock)
            assert (ptype, reason) == (CONNACK, 0x8C), method
            assert mqtt_raw.wait_closed(sock, scaled(5)) is not None
            sock.close()


def test_wrong_method_or_a_publish_during_the_exchange_is_a_protocol_error(tmp_path):
    with Gateway(tmp_path, auth_config()) as gw:
        sock, nonce = open_and_challenge(gw.address(), "auth-82a")
        sock.sendall(auth_packet(0x18, "other-method", answer(nonce)))
        assert read(sock)[:2] == (CONNACK, 0x82)
        assert mqtt_raw.wait_closed(sock, scaled(5)) is not None
        sock.close()

        sock, _ = open_and_challenge(gw.address(), "auth-82b")
        sock.sendall(mqtt_raw.packet(0x30, mqtt_raw._utf8("auth/t") + b"\x00" + b"early"))
        assert read(sock)[:2] == (CONNACK, 0x82)
        assert mqtt_raw.wait_closed(sock, scaled(5)) is not None
        sock.close()


def test_an_auth_plugin_loaded_but_not_enabled_is_a_config_error(tmp_path):
    path = write_config(tmp_path, base_config(plugins=[PLUGIN]))
    proc = run_to_exit(path, "--check")
    assert proc.returncode == 2, proc.stderr
    assert "auth plugin 'test-challenge' is loaded but not enabled" in proc.stderr

    path = write_config(tmp_path, base_config(plugins=[PLUGIN], auth={"test-challenge": {}}))
    proc = run_to_exit(path, "--check")
    assert proc.returncode == 2, proc.stderr
    assert "auth.test-challenge" in proc.stderr and "secret" in proc.stderr
