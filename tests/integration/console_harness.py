"""A gateway with the console enabled (a `tenancy:` section), driven through the real mqgwctl.

    with console_gateway(tmp_path) as gw:
        ctl = Ctl(gw)                                  # root credentials from the gateway
        inst = ready_instance(ctl, topic="demo_topic", group="GID_demo")
        user, password = signature_login(ctl, inst, "GID_demo@@@dev1")

Environment: MQGW_CTL (the mqgwctl binary) or MQGW_BIN's directory + /mqgwctl.
"""

import base64
import hashlib
import hmac
import json
import os
import socket as _socket
import struct as _struct
import subprocess
import time as _time
import urllib.error as _urlerror
import urllib.request as _urlrequest
import uuid as _uuid

import paho.mqtt.client as _mqtt
import pytest

import mqtt_raw
from mqgw_harness import BIN, Gateway, base_config, scaled
from paho_client import PahoClient

CTL = os.environ.get("MQGW_CTL") or os.path.join(os.path.dirname(BIN), "mqgwctl")


def console_config(directory, development_instance=False, storage=None, **tenancy):
    """A config with a console whose metadata lives under directory/metadata."""
    t = {"development_instance": development_instance,
         "metadata_dir": os.path.join(str(directory), "metadata")}
    t.update(tenancy)
    cfg = base_config(tenancy=t)
    if storage is not None:
        cfg["storage"] = storage
    return cfg


def console_gateway(directory, **kwargs):
    return Gateway(directory, console_config(directory, **kwargs))


# Fixtures for a module's tests that share one console gateway: import them by name.
@pytest.fixture(scope="module")
def console(tmp_path_factory):
    with console_gateway(tmp_path_factory.mktemp("console")) as gateway:
        yield gateway


@pytest.fixture
def ctl(console):
    return Ctl(console)


def root_credentials_file(gw):
    return os.path.join(gw.cfg["tenancy"]["metadata_dir"], "root-credentials")


def device_password(secret, client_id):
    """Base64(HMAC-SHA1(secret, Client ID)): the Signature and DeviceCredential password."""
    digest = hmac.new(secret.encode(), client_id.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class CtlError(Exception):
    def __init__(self, code, stderr, stdout):
        super().__init__("mqgwctl exit %d: %s%s" % (code, stderr, stdout))
        self.code, self.stderr, self.stdout = code, stderr, stdout


class Ctl:
    """Runs mqgwctl with the gateway's root credentials (or another key pair)."""

    def __init__(self, gw, access_key_id=None, access_key_secret=None):
        self.gw = gw
        self.env = dict(os.environ)
        self.env.pop("MQGW_PROFILE", None)
        if access_key_id:
            self.env.update(MQGW_ENDPOINT=gw.admin_url, MQGW_ACCESS_KEY_ID=access_key_id,
                            MQGW_ACCESS_KEY_SECRET=access_key_secret)
            self.env.pop("MQGW_CREDENTIALS_FILE", None)
        else:
            self.env["MQGW_CREDENTIALS_FILE"] = root_credentials_file(gw)
            for k in ("MQGW_ENDPOINT", "MQGW_ACCESS_KEY_ID", "MQGW_ACCESS_KEY_SECRET"):
                self.env.pop(k, None)
        self.env["HOME"] = os.path.dirname(root_credentials_file(gw))

    def run(self, *args, check=True):
        p = subprocess.run([CTL, *args], env=self.env, capture_output=True, text=True,
                           timeout=scaled(20))
        if check and p.returncode != 0:
            raise CtlError(p.returncode, p.stderr, p.stdout)
        return p

    def json(self, *args):
        """The response JSON of a command (run with --json)."""
        return json.loads(self.run("--json", *args).stdout)

    def id(self, *args):
        """The new resource's ID of a create command (run with -q)."""
        return self.run("-q", *args).stdout.strip()

    def credentials(self):
        """(AccessKeyId, AccessKeySecret) this Ctl signs with."""
        if self.env.get("MQGW_ACCESS_KEY_ID"):
            return self.env["MQGW_ACCESS_KEY_ID"], self.env["MQGW_ACCESS_KEY_SECRET"]
        values = {}
        with open(root_credentials_file(self.gw)) as f:
            for line in f:
                if "=" in line:
                    k, v = line.split("=", 1)
                    values[k.strip()] = v.strip()
        return values["access_key_id"], values["access_key_secret"]


def ready_instance(ctl, topic="demo_topic", group="GID_demo", kind=None, **spec):
    """Creates an instance, a storage instance of the gateway's backend, binds them, and adds
    one parent topic and one Group ID. `spec`: flags like max_connections=2. Returns its ID."""
    args = ["instance", "create", "--name", "test"]
    for k, v in spec.items():
        args += ["--" + k.replace("_", "-"), str(v)]
    inst = ctl.id(*args)
    backend = kind or ctl.gw.cfg["storage"]["backend"]
    store = ctl.id("storage", "create", "--name", "store-" + inst, "--kind", backend)
    ctl.run("instance", "bind", "--instance-id", inst, "--storage-id", store)
    if topic:
        ctl.run("topic", "create", "--instance-id", inst, "--topic", topic)
    if group:
        ctl.run("group", "create", "--instance-id", inst, "--group-id", group)
    return inst


def signature_login(ctl, instance_id, client_id):
    """(username, password) of the Signature mode for client_id with ctl's AccessKey."""
    ak, secret = ctl.credentials()
    return "Signature|%s|%s" % (ak, instance_id), device_password(secret, client_id)


# ---- devices with console credentials ----


def _mqtt_string(data):
    data = data.encode() if isinstance(data, str) else data
    return _struct.pack("!H", len(data)) + data


def auth_connect_packet(client_id, username=None, password=None, level=5, keepalive=60):
    """A clean-start CONNECT (level 5, 4 or 3) with an optional username and password."""
    name = "MQIsdp" if level == 3 else "MQTT"
    flags = 0x02 | (0x80 if username is not None else 0) | (0x40 if password is not None else 0)
    body = _mqtt_string(name) + bytes([level, flags]) + _struct.pack("!H", keepalive)
    if level == 5:
        body += b"\x00"
    body += _mqtt_string(client_id)
    if username is not None:
        body += _mqtt_string(username)
    if password is not None:
        body += _mqtt_string(password)
    return mqtt_raw.packet(0x10, body)


def _varint(data, at):
    """(value, next offset) of an MQTT variable byte integer at data[at]."""
    value, shift = 0, 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, at


class RawDevice:
    """One raw MQTT connection, for reading exact CONNACK / PUBACK / SUBACK / DISCONNECT codes.
    `connack` is the CONNACK reason (v5) or return code (v3, v3.1)."""

    def __init__(self, addr, client_id, username=None, password=None, level=5):
        self.level = level
        self.next_id = 1
        self.received = []  # (type, flags, body) of packets read while waiting for another
        self.sock = mqtt_raw.open_socket(addr, timeout=scaled(5))
        self.sock.sendall(auth_connect_packet(client_id, username, password, level))
        ptype, _, body = mqtt_raw.read_packet(self.sock)
        assert ptype == mqtt_raw.CONNACK_TYPE, "expected CONNACK, got type %d" % ptype
        self.connack = body[1]

    def _packet_id(self):
        pid = self.next_id
        self.next_id += 1
        return pid

    def read(self, timeout=5):
        """The next packet (type, flags, body); EOFError when the gateway closed."""
        self.sock.settimeout(scaled(timeout))
        return mqtt_raw.read_packet(self.sock)

    def read_until(self, wanted_type, timeout=5):
        """Reads until a packet of wanted_type; keeps the others in self.received."""
        while True:
            packet = self.read(timeout)
            if packet[0] == wanted_type:
                return packet
            self.received.append(packet)

    def send_publish(self, topic, payload, qos=1):
        """Sends a PUBLISH; returns its packet id (0 for QoS 0)."""
        payload = payload.encode() if isinstance(payload, str) else payload
        pid = self._packet_id() if qos else 0
        body = _mqtt_string(topic) + (_struct.pack("!H", pid) if qos else b"")
        if self.level == 5:
            body += b"\x00"
        self.sock.sendall(mqtt_raw.packet(0x30 | (qos << 1), body + payload))
        return pid

    def publish(self, topic, payload, qos=1):
        """QoS 1: the PUBACK reason code (0 for a v3 PUBACK or a v5 PUBACK without one)."""
        pid = self.send_publish(topic, payload, qos)
        _, _, body = self.read_until(4)
        assert _struct.unpack("!H", body[:2])[0] == pid, "PUBACK for another packet id"
        return body[2] if len(body) > 2 else 0

    def subscribe(self, *filters, qos=1):
        """The SUBACK's reason codes, one per filter."""
        pid = self._packet_id()
        body = _struct.pack("!H", pid) + (b"\x00" if self.level == 5 else b"")
        for f in filters:
            body += _mqtt_string(f) + bytes([qos])
        self.sock.sendall(mqtt_raw.packet(0x82, body))
        _, _, body = self.read_until(9)
        assert _struct.unpack("!H", body[:2])[0] == pid, "SUBACK for another packet id"
        at = 2
        if self.level == 5:
            length, at = _varint(body, at)
            at += length
        return list(body[at:])

    def publishes(self, timeout=1):
        """(topic, payload) of PUBLISH packets that arrive within timeout (and kept ones);
        acknowledges QoS 1."""
        kept = [p for p in self.received if p[0] == 3]
        self.received = [p for p in self.received if p[0] != 3]
        out = [self._decode_publish(p) for p in kept]
        try:
            while True:
                packet = self.read(timeout)
                if packet[0] == 3:
                    out.append(self._decode_publish(packet))
        except (_socket.timeout, EOFError):
            return out

    def _decode_publish(self, packet):
        _, flags, body = packet
        length = _struct.unpack("!H", body[:2])[0]
        topic, at = body[2:2 + length].decode(), 2 + length
        if (flags >> 1) & 3:
            pid = body[at:at + 2]
            at += 2
            self.sock.sendall(mqtt_raw.packet(0x40, pid))
        if self.level == 5:
            length, at = _varint(body, at)
            at += length
        return topic, bytes(body[at:])

    def disconnect_reason(self, timeout=5):
        """The reason code of a v5 DISCONNECT from the gateway (0 when it has none); EOFError
        when the connection closed without one."""
        _, _, body = self.read_until(14, timeout)
        return body[0] if body else 0

    def closed(self, timeout=5):
        """Whether the gateway closes the connection within timeout (packets are discarded)."""
        return mqtt_raw.wait_closed(self.sock, scaled(timeout)) is not None

    def close(self):
        try:
            self.sock.sendall(mqtt_raw.packet(0xE0, b"\x00" if self.level == 5 else b""))
        except OSError:
            pass
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def connack_code(addr, client_id, username=None, password=None, level=5):
    """The CONNACK code a CONNECT gets (the connection is closed afterwards)."""
    device = RawDevice(addr, client_id, username, password, level)
    device.close()
    return device.connack


class PahoDevice(PahoClient):
    """PahoClient (paho_client.py) that logs in with a username and password."""

    def __init__(self, addr, client_id, username, password, protocol=_mqtt.MQTTv311,
                 keepalive=30):
        super().__init__(addr, client_id, protocol, keepalive, username, password)


def signature_device(gw, ctl, instance_id, client_id, protocol=_mqtt.MQTTv311):
    """A connected PahoDevice in the Signature mode with ctl's AccessKey."""
    user, password = signature_login(ctl, instance_id, client_id)
    return PahoDevice(gw.address(), client_id, user, password, protocol)


# ---- the management API, signed by hand (docs/api/signing.md) ----

def sign_request(secret, path, timestamp, nonce, body, method="POST"):
    to_sign = "\n".join([method, path, str(timestamp), nonce, hashlib.sha256(body).hexdigest()])
    digest = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def api_request(gw, action, body=None, key_id=None, secret=None, timestamp=None, nonce=None,
                method="POST", raw_body=None, signature=None):
    """Sends one request to /api/v1/<action>; returns (HTTP status, parsed JSON or None).
    Credentials default to the gateway's root key; every part can be overridden to test the
    server's checks."""
    if key_id is None:
        key_id, secret = Ctl(gw).credentials()
    data = raw_body if raw_body is not None else json.dumps(body or {}).encode()
    path = "/api/v1/" + action
    timestamp = int(_time.time()) if timestamp is None else timestamp
    nonce = nonce or _uuid.uuid4().hex
    if signature is None:
        signature = sign_request(secret, path, timestamp, nonce, data, method)
    headers = {"Content-Type": "application/json", "X-Mqgw-Access-Key-Id": key_id,
               "X-Mqgw-Timestamp": str(timestamp), "X-Mqgw-Nonce": nonce,
               "X-Mqgw-Signature": signature}
    req = _urlrequest.Request(gw.admin_url + path, data=None if method == "GET" else data,
                              headers=headers, method=method)
    try:
        with _urlrequest.urlopen(req, timeout=scaled(10)) as resp:
            status, text = resp.status, resp.read()
    except _urlerror.HTTPError as e:
        status, text = e.code, e.read()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, None
