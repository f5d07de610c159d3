"""Durable storage across a clean restart (SIGTERM, then a new gateway on the same state and the
same port): persistent sessions keep their subscriptions and the QoS 1/2 messages published
while their client was away, retained messages survive (and cleared ones stay cleared), clean
and expired sessions leave nothing behind, and `memory` vs. a durable backend is a config
change only. Every test runs against each backend in durable_backends."""

import time

import paho.mqtt.client as mqtt
import pytest

import durable_backends
from durable_clients import SessionClient
from mqgw_harness import Gateway, same_ports, scaled, wait_until

QUIET = 0.5  # seconds without a message before "nothing more is coming" is believed


class Restarts:
    """Successive gateways over one state directory, each in its own run directory (config and
    stderr kept apart) and on the ports the first one bound."""

    def __init__(self, tmp_path, cfg):
        self.tmp_path = tmp_path
        self.cfg = cfg
        self.first = None
        self.runs = 0

    def start(self, cfg=None):
        self.runs += 1
        run_dir = self.tmp_path / ("run%d" % self.runs)
        run_dir.mkdir()
        cfg = cfg if cfg is not None else self.cfg
        if self.first is not None:
            cfg = same_ports(cfg, self.first)
        gw = Gateway(run_dir, cfg).start()
        if self.first is None:
            self.first = gw
        return gw


def publish(gw, items):
    """items: (topic, payload, qos, retain); waits for each PUBACK / PUBCOMP."""
    pub = SessionClient(gw.address(), "publisher", clean=True)
    try:
        for topic, payload, qos, retain in items:
            pub.publish(topic, payload, qos, retain)
    finally:
        pub.close()


def by_topic(messages):
    out = {}
    for _, topic, payload, qos, _ in messages:
        out.setdefault(topic, []).append((payload, qos))
    return out


def assert_nothing_more(client, expected_count):
    got = client.wait_quiet(QUIET, QUIET + 5)
    assert len(got) == expected_count, "%s: unexpected extra messages %r" % (
        client.client_id, got[expected_count:])


PROTOCOLS = [pytest.param((mqtt.MQTTv311, None), id="v311"),
             pytest.param((mqtt.MQTTv5, 600), id="v5")]


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("backend", durable_backends.restart_params())
def test_persistent_session_keeps_subscriptions_and_messages_across_restart(
        tmp_path, backend, protocol):
    version, expiry = protocol
    base = "keep/%s" % ("v5" if version == mqtt.MQTTv5 else "v311")
    runs = Restarts(tmp_path, backend.config(tmp_path / "state"))

    def connect(gw):
        return SessionClient(gw.address(), "keeper", version, clean=False, expiry=expiry)

    gw = runs.start()
    sub = connect(gw)
    assert not sub.session_present
    sub.subscribe(base + "/q1", 1)
    sub.subscribe(base + "/q2/+", 2)
    # Delivered and acknowledged before the restart: must not come again (a retained one
    # included: a restored subscription is not a new SUBSCRIBE).
    publish(gw, [(base + "/q1", b"live", 1, True)])
    assert [m[2] for m in sub.wait_count(1)] == [b"live"]
    sub.close()
    publish(gw, [(base + "/q1", b"before-1", 1, False), (base + "/q2/x", b"before-2", 2, False),
                 (base + "/other", b"not-subscribed", 1, False)])
    gw.stop()

    gw = runs.start()
    publish(gw, [(base + "/q1", b"after-1", 1, False), (base + "/q2/y", b"after-2", 2, False)])
    sub = connect(gw)
    try:
        assert sub.session_present, "the session did not survive the restart"
        got = sub.wait_count(4)
        assert by_topic(got) == {
            base + "/q1": [(b"before-1", 1), (b"after-1", 1)],
            base + "/q2/x": [(b"before-2", 2)],
            base + "/q2/y": [(b"after-2", 2)],
        }
        assert_nothing_more(sub, 4)
        # The subscriptions themselves came back, not only the queued messages.
        publish(gw, [(base + "/q2/z", b"live-after", 2, False)])
        got = sub.wait_count(5)
        assert [(m[1], m[2], m[3]) for m in got[4:]] == [(base + "/q2/z", b"live-after", 2)]
    finally:
        sub.close()
    gw.stop()


@pytest.mark.parametrize("backend", durable_backends.restart_params())
def test_retained_messages_survive_restart_and_cleared_ones_stay_cleared(tmp_path, backend):
    runs = Restarts(tmp_path, backend.config(tmp_path / "state"))

    def retained_now(gw):
        sub = SessionClient(gw.address(), "retained-reader", clean=True)
        try:
            sub.subscribe("ret/#", 1)
            got = sub.wait_quiet(QUIET, QUIET + 5)
        finally:
            sub.close()
        assert all(m[4] for m in got), "a retained message without the retain flag: %r" % got
        return {m[1]: m[2] for m in got}

    gw = runs.start()
    backend.published(gw, publish, [("ret/a", b"one", 1, True), ("ret/b", b"keep", 1, True),
                                     ("ret/c", b"gone", 1, True), ("ret/d", b"qos2", 2, True),
                                     ("ret/a", b"two", 1, True), ("ret/c", b"", 1, True)])
    expected = {"ret/a": b"two", "ret/b": b"keep", "ret/d": b"qos2"}
    assert retained_now(gw) == expected
    gw.stop()

    gw = runs.start()
    assert retained_now(gw) == expected, "retained messages changed across the restart"
    backend.published(gw, publish, [("ret/a", b"three", 1, True), ("ret/b", b"", 1, True)])
    gw.stop()

    gw = runs.start()
    assert retained_now(gw) == {"ret/a": b"three", "ret/d": b"qos2"}
    gw.stop()


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("backend", durable_backends.restart_params())
def test_a_clean_session_leaves_nothing_behind(tmp_path, backend, protocol):
    version, _ = protocol
    runs = Restarts(tmp_path, backend.config(tmp_path / "state"))
    gw = runs.start()
    # A clean session (v5: Clean Start, expiry 0) with a subscription and an acknowledged message.
    clean = SessionClient(gw.address(), "cleanie", version, clean=True, expiry=0)
    clean.subscribe("clean/#", 1)
    publish(gw, [("clean/t", b"seen", 1, False)])
    assert [m[2] for m in clean.wait_count(1)] == [b"seen"]
    clean.close()
    publish(gw, [("clean/t", b"while-away", 1, False)])
    gw.stop()

    gw = runs.start()
    publish(gw, [("clean/t", b"after-restart", 1, False)])
    back = SessionClient(gw.address(), "cleanie", version, clean=False, expiry=600)
    try:
        assert not back.session_present, "a clean session came back after the restart"
        assert_nothing_more(back, 0)
    finally:
        back.close()
    gw.stop()


@pytest.mark.parametrize("backend", durable_backends.restart_params())
def test_a_session_that_expired_while_the_gateway_was_down_is_gone(tmp_path, backend):
    expiry = 3
    runs = Restarts(tmp_path, backend.config(tmp_path / "state"))
    gw = runs.start()
    short = SessionClient(gw.address(), "short", mqtt.MQTTv5, clean=True, expiry=expiry)
    long_ = SessionClient(gw.address(), "long", mqtt.MQTTv5, clean=True, expiry=600)
    for client in (short, long_):
        client.subscribe("exp/t", 1)
        client.close()
    left_at = time.monotonic()
    publish(gw, [("exp/t", b"queued", 1, False)])
    gw.stop()
    assert time.monotonic() - left_at < expiry, "too slow: the session expired before the stop"
    assert wait_until(lambda: time.monotonic() - left_at > expiry + 0.5, expiry + 1)

    gw = runs.start()
    short = SessionClient(gw.address(), "short", mqtt.MQTTv5, clean=False, expiry=expiry)
    long_ = SessionClient(gw.address(), "long", mqtt.MQTTv5, clean=False, expiry=600)
    try:
        # The control: a session with time left is there, with its message.
        assert long_.session_present
        assert [m[2] for m in long_.wait_count(1)] == [b"queued"]
        assert not short.session_present, "an expired session came back after the restart"
        assert_nothing_more(short, 0)
    finally:
        short.close()
        long_.close()
    gw.stop()


@pytest.mark.parametrize("backend", durable_backends.restart_params())
def test_switching_between_memory_and_durable_storage_is_a_config_change(tmp_path, backend):
    durable_cfg = backend.config(tmp_path / "state")
    memory_cfg = dict(durable_cfg, storage=durable_backends.memory_storage())
    assert {k: v for k, v in durable_cfg.items() if k != "storage"} == \
        {k: v for k, v in memory_cfg.items() if k != "storage"}
    runs = Restarts(tmp_path, durable_cfg)

    def state_seen(gw):
        """(session present, messages the session got, retained messages) after a restart."""
        sub = SessionClient(gw.address(), "switcher", clean=False)
        reader = SessionClient(gw.address(), "switch-reader", clean=True)
        try:
            reader.subscribe("switch/retained", 1)
            got = sub.wait_quiet(QUIET, QUIET + 5)
            retained = reader.wait_quiet(QUIET, QUIET + 5)
            return sub.session_present, [m[2] for m in got], [m[2] for m in retained]
        finally:
            sub.close()
            reader.close()

    gw = runs.start()
    sub = SessionClient(gw.address(), "switcher", clean=False)
    sub.subscribe("switch/queued", 1)
    sub.close()
    publish(gw, [("switch/queued", b"queued", 1, False), ("switch/retained", b"kept", 1, True)])
    gw.stop()

    # The memory gateway knows nothing: that is what the durable runs are told apart from.
    gw = runs.start(memory_cfg)
    assert state_seen(gw) == (False, [], [])
    gw.stop()

    # Back on the durable backend: everything is there, the memory run touched none of it.
    gw = runs.start(durable_cfg)
    assert state_seen(gw) == (True, [b"queued"], [b"kept"])
    gw.stop()
