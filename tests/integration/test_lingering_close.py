"""Lingering close: the last packet the gateway sends before closing (here an MQTT 5 DISCONNECT
0x93 "Receive Maximum exceeded") reaches a client that still has data in flight towards it.

Closing a socket with unread input makes the kernel answer with RST, which can destroy what we
just sent. The gateway instead sends FIN after its last packet, reads and drops whatever still
arrives until the client's EOF, a 2 s deadline or 1 MiB, and only then closes."""

import select
import socket
import struct
import time

import mqtt_raw
from mqgw_harness import Gateway, base_config, mqtt_listener, scaled

RECEIVE_MAXIMUM = 4
LINGER_S = 2.0           # kLingerMs in core/net/connection.cc
GAUGE = "mqgw_connections_active"
PUBREC_TYPE = 0x05
DISCONNECT_TYPE = 0x0E
RECEIVE_MAXIMUM_EXCEEDED = 0x93
# More than one 64 KiB read of the gateway: input is still unread when it decides to close.
TRAILING_BYTES = 192 * 1024


def gateway(tmp_path):
    cfg = base_config(listeners=[mqtt_listener(mqtt={"max_inflight": RECEIVE_MAXIMUM})])
    return Gateway(tmp_path, cfg)


def qos2_publish(packet_id, topic="linger/t", payload=b"x" * 16):
    body = mqtt_raw._utf8(topic) + struct.pack("!H", packet_id) + b"\x00" + payload
    return mqtt_raw.packet(0x34, body)  # PUBLISH, QoS 2, MQTT 5 (empty properties)


def connect_v5(gw, client_id):
    sock = mqtt_raw.open_socket(gw.address())
    sock.sendall(mqtt_raw.connect_packet(client_id, level=5))
    ptype, _, body = mqtt_raw.read_packet(sock)
    assert ptype == mqtt_raw.CONNACK_TYPE and body[1] == 0, "CONNACK refused: %r" % body
    # Receive Maximum (property 0x21, two bytes): the window the flood below exceeds.
    assert b"\x21" + struct.pack("!H", RECEIVE_MAXIMUM) in body[2:], "CONNACK %r" % body
    return sock


def overflow_receive_maximum(sock):
    """One send: one QoS 2 PUBLISH more than allowed, then bytes the gateway will not parse."""
    flood = b"".join(qos2_publish(i) for i in range(1, RECEIVE_MAXIMUM + 2))
    sock.sendall(flood + b"\xAB" * TRAILING_BYTES)


def read_until_disconnect(sock):
    """Reads the PUBRECs and the DISCONNECT; returns (PUBREC count, DISCONNECT reason)."""
    pubrecs = 0
    while True:
        try:
            ptype, _, body = mqtt_raw.read_packet(sock)
        except ConnectionResetError:
            raise AssertionError("connection reset after %d PUBRECs: the DISCONNECT was lost"
                                 % pubrecs)
        if ptype == PUBREC_TYPE:
            pubrecs += 1
            continue
        assert ptype == DISCONNECT_TYPE, "expected PUBREC or DISCONNECT, got type %d" % ptype
        return pubrecs, body[0]


def expect_half_close(sock):
    """The gateway sent FIN after the DISCONNECT (not RST): recv sees an orderly EOF."""
    sock.settimeout(scaled(3))
    try:
        assert sock.recv(1) == b"", "data after the DISCONNECT"
    except ConnectionResetError:
        raise AssertionError("connection reset instead of an orderly EOF after the DISCONNECT")


def provoke_disconnect(gw, client_id):
    """Floods, then writes once more before reading anything, as a client library with a send
    queue would. Returns the socket once the DISCONNECT and the EOF after it were read."""
    sock = connect_v5(gw, client_id)
    try:
        overflow_receive_maximum(sock)
        select.select([sock], [], [], scaled(3))  # the gateway answered (and decided to close)
        time.sleep(0.1)
        sock.sendall(mqtt_raw.PINGREQ)
    except (BrokenPipeError, ConnectionResetError) as e:
        sock.close()
        raise AssertionError("the gateway reset the connection while we were sending: %r" % e)
    pubrecs, reason = read_until_disconnect(sock)
    assert pubrecs == RECEIVE_MAXIMUM
    assert reason == RECEIVE_MAXIMUM_EXCEEDED, "DISCONNECT reason 0x%02x" % reason
    expect_half_close(sock)
    return sock


def test_disconnect_reaches_client_with_input_in_flight(tmp_path):
    with gateway(tmp_path) as gw:
        for attempt in range(5):  # the race it guards against need not show every time
            sock = provoke_disconnect(gw, "flood%d" % attempt)
            sock.close()  # our EOF ends the gateway's linger at once
            assert gw.wait_metric(GAUGE, lambda v: v == 0, timeout=1) == 0, \
                "the connection outlived the client's EOF"
        assert mqtt_raw.ping_ok(gw.address())


def test_linger_ends_at_deadline_when_client_stays(tmp_path):
    with gateway(tmp_path) as gw:
        sock = provoke_disconnect(gw, "stays")
        started = time.monotonic()
        try:
            time.sleep(LINGER_S / 4)
            assert gw.metric(GAUGE) == 1, "no linger: the socket closed before the client's EOF"
            assert gw.wait_metric(GAUGE, lambda v: v == 0, timeout=LINGER_S + 2) == 0, \
                "the lingering connection was never closed"
            assert time.monotonic() - started >= LINGER_S * 0.5
        finally:
            sock.close()


def test_linger_discards_at_most_a_bound(tmp_path):
    with gateway(tmp_path) as gw:
        sock = provoke_disconnect(gw, "talker")
        started = time.monotonic()
        sent, error = 0, None
        chunk = b"\xCD" * 65536
        try:
            # Keep talking after the DISCONNECT: past 1 MiB the gateway stops reading and closes.
            while error is None and sent < 64 * 1024 * 1024 and time.monotonic() - started < 1.5:
                try:
                    sent += sock.send(chunk)
                except (BrokenPipeError, ConnectionResetError) as e:
                    error = e
                except socket.timeout:
                    break
        finally:
            sock.close()
        assert error is not None, "gateway still reading after %d bytes" % sent
        # The bound counts the flood's unread tail too; socket buffers absorb some more.
        assert sent + TRAILING_BYTES >= 1024 * 1024, "closed after only %d bytes" % sent
        assert gw.wait_metric(GAUGE, lambda v: v == 0, timeout=1) == 0


def test_shutdown_cuts_a_lingering_connection(tmp_path):
    gw = gateway(tmp_path).start()
    try:
        sock = provoke_disconnect(gw, "lingerer")
        assert gw.metric(GAUGE) == 1
        # A stopping worker does not wait for this client's EOF (the linger would take 2 s).
        assert gw.stop(max_seconds=scaled(1.0)) < scaled(1.0)
        sock.close()
    finally:
        gw.kill()
