"""Hand-built MQTT packets over a plain socket, for what real clients will not do: stay silent
past the keepalive, send garbage, a reserved packet type or a second CONNECT."""

import socket
import struct
import time


def _remaining_length(n):
    out = bytearray()
    while True:
        byte, n = n % 128, n // 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _utf8(s):
    data = s.encode()
    return struct.pack("!H", len(data)) + data


def packet(first_byte, body=b""):
    return bytes([first_byte]) + _remaining_length(len(body)) + body


def connect_packet(client_id="raw", keepalive=60, level=4, clean=True):
    """CONNECT for MQTT 3.1.1 (level 4), 3.1 (level 3) or 5 (level 5, empty properties)."""
    name = "MQIsdp" if level == 3 else "MQTT"
    flags = 0x02 if clean else 0x00
    body = _utf8(name) + bytes([level, flags]) + struct.pack("!H", keepalive)
    if level == 5:
        body += b"\x00"  # no properties
    body += _utf8(client_id)
    return packet(0x10, body)


PINGREQ = packet(0xC0)
PINGRESP_TYPE = 0x0D
CONNACK_TYPE = 0x02


def open_socket(addr, timeout=5.0):
    sock = socket.create_connection(addr, timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def read_packet(sock):
    """Reads one packet; returns (type, flags, body). Raises EOFError when the peer closed."""
    header = _read_exact(sock, 1)[0]
    length, shift = 0, 0
    while True:
        byte = _read_exact(sock, 1)[0]
        length |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    return header >> 4, header & 0x0F, _read_exact(sock, length)


def _read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("connection closed")
        data += chunk
    return data


def connect(addr, client_id="raw", keepalive=60, level=4):
    """Opens a socket, sends CONNECT, checks CONNACK accepted; returns the socket."""
    sock = open_socket(addr)
    sock.sendall(connect_packet(client_id, keepalive, level))
    ptype, _, body = read_packet(sock)
    assert ptype == CONNACK_TYPE, "expected CONNACK, got type %d" % ptype
    assert len(body) >= 2 and body[1] == 0, "CONNACK refused: %r" % body
    return sock


def wait_closed(sock, timeout):
    """Reads and discards until the peer closes. Returns seconds until EOF, or None if the
    connection was still open after timeout."""
    started = time.monotonic()
    deadline = started + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        sock.settimeout(remaining)
        try:
            if not sock.recv(4096):
                return time.monotonic() - started
        except socket.timeout:
            return None
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - started


def ping_ok(addr, client_id="pinger"):
    """A fresh client can connect and get a PINGRESP: the gateway still serves."""
    sock = connect(addr, client_id)
    try:
        sock.sendall(PINGREQ)
        ptype, _, _ = read_packet(sock)
        return ptype == PINGRESP_TYPE
    finally:
        sock.close()
