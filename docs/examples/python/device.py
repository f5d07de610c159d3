#!/usr/bin/env python3
"""mqgw device demo in Python (Eclipse Paho, 1.6 or 2.x).

Logs in with the Signature mode, subscribes to <parent>/#, publishes one message to
<parent>/<DeviceID> and waits for it to come back. Prints `received <topic> <payload>` and exits
0; exits 1 with a message on stderr when the login, subscription or delivery fails or nothing
arrives within 10 seconds. Settings come from the environment (see README.md):

  MQGW_HOST MQGW_PORT MQGW_INSTANCE_ID MQGW_ACCESS_KEY_ID MQGW_ACCESS_KEY_SECRET
  MQGW_GROUP_ID MQGW_DEVICE_ID MQGW_TOPIC
"""

import base64
import hashlib
import hmac
import os
import sys
import time

import paho.mqtt.client as mqtt

TIMEOUT_SECONDS = 10
REQUIRED = ("MQGW_INSTANCE_ID", "MQGW_ACCESS_KEY_ID", "MQGW_ACCESS_KEY_SECRET",
            "MQGW_GROUP_ID", "MQGW_DEVICE_ID", "MQGW_TOPIC")

# Why a login was refused: MQTT 3.1.1 CONNACK codes (section 3.2.2.3), and the MQTT 5 reason
# codes Paho 2.x reports in their place.
CONNACK_REASONS = {
    1: "unacceptable protocol version",
    2: "client identifier rejected (is it <GroupID>@@@<DeviceID> with a Group ID of the instance?)",
    3: "server unavailable (is the instance bound to a storage instance?)",
    4: "bad user name or password (check the AccessKey ID, its secret and the instance ID)",
    5: "not authorized (check the AccessKey, the instance ID and the Group ID)",
}
CONNACK_REASONS.update({0x84: CONNACK_REASONS[1], 0x85: CONNACK_REASONS[2],
                        0x88: CONNACK_REASONS[3], 0x86: CONNACK_REASONS[4],
                        0x87: CONNACK_REASONS[5]})


def fail(message):
    print("device: " + message, file=sys.stderr)
    sys.exit(1)


def settings():
    missing = [name for name in REQUIRED if not os.environ.get(name)]
    if missing:
        fail("missing environment variable(s): " + ", ".join(missing))
    s = {name: os.environ[name] for name in REQUIRED}
    s["MQGW_HOST"] = os.environ.get("MQGW_HOST", "127.0.0.1")
    s["MQGW_PORT"] = int(os.environ.get("MQGW_PORT", "1883"))
    return s


def signature_password(secret, client_id):
    """Base64(HMAC-SHA1(AccessKeySecret, Client ID)): the Signature mode's password."""
    digest = hmac.new(secret.encode(), client_id.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def code_of(rc):
    """An int from Paho 1.x's int codes or Paho 2.x's ReasonCode objects."""
    return rc if isinstance(rc, int) else getattr(rc, "value", rc)


def new_client(client_id):
    if hasattr(mqtt, "CallbackAPIVersion"):  # Paho 2.x asks which callback signatures we use
        return mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                           protocol=mqtt.MQTTv311)
    return mqtt.Client(client_id=client_id, clean_session=True, protocol=mqtt.MQTTv311)


class Device:
    def __init__(self, s):
        self.client_id = "%s@@@%s" % (s["MQGW_GROUP_ID"], s["MQGW_DEVICE_ID"])
        self.filter = s["MQGW_TOPIC"] + "/#"
        self.topic = "%s/%s" % (s["MQGW_TOPIC"], s["MQGW_DEVICE_ID"])
        self.payload = "hello from " + self.client_id
        self.error = None
        self.received = None
        self.closed = False
        self.client = new_client(self.client_id)
        self.client.username_pw_set(
            "Signature|%s|%s" % (s["MQGW_ACCESS_KEY_ID"], s["MQGW_INSTANCE_ID"]),
            signature_password(s["MQGW_ACCESS_KEY_SECRET"], self.client_id))
        self.client.on_connect = self.on_connect
        self.client.on_subscribe = self.on_subscribe
        self.client.on_message = self.on_message
        self.client.on_disconnect = self.on_disconnect

    # Paho 1.x passes (client, userdata, flags, rc); 2.x adds properties.
    def on_connect(self, client, userdata, flags, rc, properties=None):
        code = code_of(rc)
        if code != 0:
            self.error = "connection refused: %s (code %d)" % (
                CONNACK_REASONS.get(code, "unknown reason"), code)
            return
        client.subscribe(self.filter, qos=1)

    # Paho 1.x passes the granted QoS list; 2.x a list of ReasonCodes (0x80+ is a refusal).
    def on_subscribe(self, client, userdata, mid, granted, properties=None):
        if any(code_of(g) >= 0x80 for g in granted):
            self.error = "subscription to %s refused (is %s a parent topic of the instance?)" % (
                self.filter, self.filter.split("/", 1)[0])
            return
        client.publish(self.topic, self.payload, qos=1)

    def on_message(self, client, userdata, message):
        if message.topic == self.topic and message.payload == self.payload.encode():
            self.received = message

    def on_disconnect(self, client, userdata, *args):
        self.closed = True

    def run(self, host, port):
        try:
            self.client.connect(host, port, keepalive=30)
        except OSError as e:
            fail("cannot connect to %s:%d: %s" % (host, port, e))
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while self.received is None and self.error is None and time.monotonic() < deadline:
            self.client.loop(timeout=0.2)
            if self.closed and self.received is None and self.error is None:
                self.error = "the gateway closed the connection (login refused?)"
        if self.error is None and self.received is None:
            self.error = "no message back on %s within %d s" % (self.topic, TIMEOUT_SECONDS)
        self.client.disconnect()
        if self.error:
            fail(self.error)
        print("received %s %s" % (self.received.topic, self.received.payload.decode()))


if __name__ == "__main__":
    s = settings()
    Device(s).run(s["MQGW_HOST"], s["MQGW_PORT"])
