"""Paho clients for the durability tests (paho 1.6 and 2.x): one connection of a persistent
session that records what it received and when, and a paced QoS 1 publisher that records which
of its messages the gateway acknowledged (on_publish fires on PUBACK for QoS 1).

Neither reconnects by itself (reconnect_on_failure=False): after a restart the test opens a new
Client with the same client id, so an old one can never take the session back.
"""

import threading
import time

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from mqgw_harness import scaled, wait_until


def _client(client_id, protocol, clean):
    kwargs = {"client_id": client_id, "protocol": protocol, "reconnect_on_failure": False}
    if protocol != mqtt.MQTTv5:
        kwargs["clean_session"] = clean
    if hasattr(mqtt, "CallbackAPIVersion"):  # paho 2.x; the callbacks below fit both APIs
        return mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, **kwargs)
    return mqtt.Client(**kwargs)


def _session_present(flags):
    if isinstance(flags, dict):
        return bool(flags.get("session present"))
    return bool(getattr(flags, "session_present", False))


class SessionClient:
    """One connection of a session. v5 sessions pass expiry (seconds, the Session Expiry
    Interval); clean=True is a clean session (3.1.1) or Clean Start (5)."""

    def __init__(self, addr, client_id, protocol=mqtt.MQTTv311, clean=False, expiry=None):
        self.client_id = client_id
        self.received = []  # (monotonic time, topic, payload bytes, qos, retain)
        self._lock = threading.Lock()
        self._acks = {}
        self._connected = threading.Event()
        self.lost = threading.Event()
        self.session_present = None
        self.connect_rc = None
        self.client = _client(client_id, protocol, clean)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_ack
        self.client.on_unsubscribe = self._on_ack
        self.client.on_disconnect = lambda *args: self.lost.set()
        self.client.max_queued_messages_set(0)
        if protocol == mqtt.MQTTv5:
            props = Properties(PacketTypes.CONNECT)
            props.SessionExpiryInterval = 0 if expiry is None else expiry
            self.client.connect(addr[0], addr[1], keepalive=30, clean_start=clean,
                                properties=props)
        else:
            self.client.connect(addr[0], addr[1], keepalive=30)
        self.client.loop_start()
        if not self._connected.wait(scaled(5)):
            self.abandon()
            raise AssertionError("%s: no CONNACK" % client_id)
        assert self.connect_rc == 0, "%s: CONNACK rc %s" % (client_id, self.connect_rc)

    def _on_connect(self, client, userdata, flags, rc, *rest):
        self.session_present = _session_present(flags)
        self.connect_rc = rc
        self._connected.set()

    def _on_message(self, client, userdata, msg):
        # Paho sends the PUBACK after this returns: a recorded message may have been settled.
        with self._lock:
            self.received.append((time.monotonic(), msg.topic, bytes(msg.payload), msg.qos,
                                  bool(msg.retain)))

    def _on_ack(self, client, userdata, mid, *rest):
        with self._lock:
            self._acks.setdefault(mid, threading.Event()).set()

    def subscribe(self, topic_filter, qos=1):
        rc, mid = self.client.subscribe(topic_filter, qos)
        assert rc == mqtt.MQTT_ERR_SUCCESS, "SUBSCRIBE %s not sent: rc %s" % (topic_filter, rc)
        with self._lock:
            event = self._acks.setdefault(mid, threading.Event())
        assert event.wait(scaled(5)), "%s: no SUBACK for %s" % (self.client_id, topic_filter)

    def publish(self, topic, payload, qos=1, retain=False):
        info = self.client.publish(topic, payload, qos, retain)
        assert info.rc == mqtt.MQTT_ERR_SUCCESS, "publish %s: rc %s" % (topic, info.rc)
        if qos:
            info.wait_for_publish(scaled(10))
            assert info.is_published(), "%s: no PUBACK/PUBCOMP for %s" % (self.client_id, topic)

    def messages(self):
        with self._lock:
            return list(self.received)

    def payloads(self):
        return [m[2] for m in self.messages()]

    def wait_count(self, count, timeout=5):
        """Waits until count messages arrived; returns them (fewer on timeout)."""
        wait_until(lambda: len(self.received) >= count, scaled(timeout))
        return self.messages()

    def wait_quiet(self, quiet, timeout):
        """Waits until nothing arrived for `quiet` seconds (at most timeout); returns all."""
        since = time.monotonic()

        def settled():
            with self._lock:
                last = max(since, self.received[-1][0]) if self.received else since
            return time.monotonic() - last >= quiet
        wait_until(settled, scaled(timeout))
        return self.messages()

    def close(self):
        """A normal DISCONNECT: a persistent session stays."""
        self.client.disconnect()
        self.client.loop_stop()

    def abandon(self):
        """The gateway died under us: stop the network thread, send nothing."""
        self.client.loop_stop()
        try:
            self.client.socket() and self.client.socket().close()
        except OSError:
            pass


class PacedPublisher:
    """Publishes QoS 1 payloads b"<id>:<seq>" to one topic from its own thread, keeping at most
    `window` unacknowledged, until stopped or the connection is lost. acked_seqs() is exactly
    the set of sequence numbers whose PUBACK arrived."""

    def __init__(self, addr, publisher_id, topic, window=16):
        self.publisher_id = publisher_id
        self.topic = topic
        self._window = threading.Semaphore(window)
        self._lock = threading.Lock()
        self._mid_seq = {}    # mid -> seq, of messages sent and not yet acknowledged
        self._acked = set()
        self._early = set()   # mids acknowledged before publish() returned them to us
        self._stop = threading.Event()
        self.sent = 0
        self.client = SessionClient(addr, "pub-%s" % publisher_id, clean=True).client
        self.client.on_publish = self._on_publish
        self.client.max_inflight_messages_set(window)
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def _on_publish(self, client, userdata, mid, *rest):
        with self._lock:
            seq = self._mid_seq.pop(mid, None)
            if seq is None:
                self._early.add(mid)
            else:
                self._acked.add(seq)
        self._window.release()

    def _run(self):
        seq = 0
        while not self._stop.is_set() and self.client.is_connected():
            if not self._window.acquire(timeout=0.1):
                continue
            info = self.client.publish(self.topic, b"%s:%d" % (self.publisher_id.encode(), seq), 1)
            if info.rc != mqtt.MQTT_ERR_SUCCESS:
                break  # the connection is gone: this one was never acknowledged
            with self._lock:
                if info.mid in self._early:
                    self._early.discard(info.mid)
                    self._acked.add(seq)
                else:
                    self._mid_seq[info.mid] = seq
            seq += 1
            # Mids wrap at 65535; a round stays far below that, or acked_seqs() could be wrong.
            assert seq < 60000, "publisher %s: too many messages for one round" % self.publisher_id
        self.sent = seq

    def stop(self):
        self._stop.set()
        self._thread.join(scaled(10))
        assert not self._thread.is_alive(), "publisher %s did not stop" % self.publisher_id
        self.client.loop_stop()

    def acked_seqs(self):
        with self._lock:
            return set(self._acked)

    def unacked_count(self):
        with self._lock:
            return len(self._mid_seq)
