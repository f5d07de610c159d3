"""A blocking wrapper around paho-mqtt's threaded client, written to work with paho 1.6
(Debian 12) and 2.x: callbacks take *args so both callback signatures fit."""

import queue
import threading
import time

import paho.mqtt.client as mqtt

from mqgw_harness import scaled


def _new_client(client_id, protocol):
    kwargs = {"client_id": client_id, "protocol": protocol}
    if protocol != mqtt.MQTTv5:
        kwargs["clean_session"] = True
    if hasattr(mqtt, "CallbackAPIVersion"):  # paho 2.x; our callbacks fit both signatures
        return mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, **kwargs)
    return mqtt.Client(**kwargs)


class PahoClient:
    def __init__(self, addr, client_id, protocol=mqtt.MQTTv311, keepalive=30, username=None,
                 password=None):
        self.messages = queue.Queue()
        self._acks = {}  # mid -> threading.Event, for SUBACK / UNSUBACK
        self._lock = threading.Lock()
        self._connected = threading.Event()
        self.connect_rc = None
        self.disconnected = threading.Event()
        self.client = _new_client(client_id, protocol)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_ack
        self.client.on_unsubscribe = self._on_ack
        self.client.on_disconnect = lambda *args: self.disconnected.set()
        self.client.max_queued_messages_set(0)  # unbounded: the tests bound themselves
        if username is not None:
            self.client.username_pw_set(username, password)
        self.client.connect(addr[0], addr[1], keepalive=keepalive)
        self.client.loop_start()
        if not self._connected.wait(scaled(5)):
            self.close()
            raise AssertionError("%s: no CONNACK" % client_id)
        assert self.connect_rc == 0, "%s: CONNACK rc %s" % (client_id, self.connect_rc)

    # paho 1.6 passes (client, userdata, flags, rc[, properties]) with an int rc; paho 2.x
    # (API VERSION2) passes a ReasonCode, which compares equal to its integer value.
    def _on_connect(self, client, userdata, flags, rc, *rest):
        self.connect_rc = rc
        self._connected.set()

    def _on_message(self, client, userdata, msg):
        self.messages.put((msg.topic, bytes(msg.payload), msg.qos))

    def _ack_event(self, mid):
        with self._lock:
            return self._acks.setdefault(mid, threading.Event())

    def _on_ack(self, client, userdata, mid, *rest):
        self._ack_event(mid).set()

    def _wait_ack(self, rc, mid, what):
        assert rc == mqtt.MQTT_ERR_SUCCESS, "%s not sent: rc %s" % (what, rc)
        assert self._ack_event(mid).wait(scaled(5)), "no ack for %s" % what

    def subscribe(self, topic, qos=0):
        rc, mid = self.client.subscribe(topic, qos)
        self._wait_ack(rc, mid, "SUBSCRIBE " + topic)

    def unsubscribe(self, topic):
        rc, mid = self.client.unsubscribe(topic)
        self._wait_ack(rc, mid, "UNSUBSCRIBE " + topic)

    def publish(self, topic, payload, qos=0, wait=True, retain=False):
        info = self.client.publish(topic, payload, qos, retain)
        assert info.rc == mqtt.MQTT_ERR_SUCCESS, "publish failed: rc %s" % info.rc
        if wait and qos > 0:
            info.wait_for_publish(scaled(10))
            assert info.is_published(), "no PUBACK for %s" % topic
        return info

    def receive(self, count, timeout=5):
        """Returns up to count messages, waiting at most timeout seconds in total."""
        got = []
        end = time.monotonic() + scaled(timeout)
        while len(got) < count:
            remaining = end - time.monotonic()
            if remaining <= 0:
                break
            try:
                got.append(self.messages.get(timeout=remaining))
            except queue.Empty:
                break
        return got

    def close(self):
        try:
            self.client.disconnect()
        finally:
            self.client.loop_stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
