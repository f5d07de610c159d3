"""An instance's Spec limits on a real gateway (set with the real mqgwctl): MaxConnections,
MaxSubscriptionsPerClient, MaxMessageSize and MaxPublishTps, their MQTT 5 / 3.1.1 codes and
their /metrics counters."""

import paho.mqtt.client as mqtt
import pytest

from console_harness import console, ctl  # noqa: F401  (shared fixtures)
from console_harness import (Ctl, PahoDevice, RawDevice, connack_code, console_gateway,
                             ready_instance, signature_device, signature_login)
from mqgw_harness import scaled, wait_until


def raw_device(console, ctl, inst, client_id, level=5):
    user, password = signature_login(ctl, inst, client_id)
    return RawDevice(console.address(), client_id, user, password, level)


def spec_of(ctl, inst):
    return ctl.json("instance", "get", "--instance-id", inst)["Instance"]["Spec"]


def test_max_connections(console, ctl):
    inst = ready_instance(ctl, max_connections=2)
    assert spec_of(ctl, inst)["MaxConnections"] == 2
    before = console.metric("mqgw_console_connection_limit_total")
    first = signature_device(console, ctl, inst, "GID_demo@@@c1", mqtt.MQTTv5)
    second = raw_device(console, ctl, inst, "GID_demo@@@c2")
    try:
        assert second.connack == 0
        user, password = signature_login(ctl, inst, "GID_demo@@@c3")
        assert connack_code(console.address(), "GID_demo@@@c3", user, password, 5) == 0x97
        assert connack_code(console.address(), "GID_demo@@@c3", user, password, 4) == 0x03
        assert console.metric("mqgw_console_connection_limit_total") >= before + 2
        # Both admitted clients are still served.
        assert second.publish("demo_topic/x", b"still-here") == 0
        assert not first.disconnected.is_set()
        # A freed slot can be used again (the gateway notices the close asynchronously).
        second.close()
        assert wait_until(lambda: connack_code(console.address(), "GID_demo@@@c3", user,
                                               password, 5) == 0, scaled(5))
    finally:
        first.close()


def test_max_connections_counts_per_instance(console, ctl):
    small = ready_instance(ctl, max_connections=1)
    other = ready_instance(ctl, max_connections=1)
    with raw_device(console, ctl, small, "GID_demo@@@only") as only, \
            raw_device(console, ctl, other, "GID_demo@@@only") as twin:
        assert (only.connack, twin.connack) == (0, 0)


def test_max_subscriptions_per_client(console, ctl):
    inst = ready_instance(ctl, max_subscriptions_per_client=2)
    before = console.metric("mqgw_console_subscription_limit_total")
    with raw_device(console, ctl, inst, "GID_demo@@@subs") as dev:
        assert dev.subscribe("demo_topic/a", "demo_topic/b/#") == [1, 1]
        assert dev.subscribe("demo_topic/c") == [0x97]
        assert dev.subscribe("demo_topic/a", qos=0) == [0]  # replacing one is fine
        assert dev.subscribe("demo_topic/b/#") == [1]
    with raw_device(console, ctl, inst, "GID_demo@@@subs3", level=4) as dev:
        assert dev.subscribe("demo_topic/a", "demo_topic/b", "demo_topic/c") == [1, 1, 0x80]
    assert console.metric("mqgw_console_subscription_limit_total") >= before + 2
    # Paho sees the same: two filters work, messages flow.
    user, password = signature_login(ctl, inst, "GID_demo@@@paho")
    with PahoDevice(console.address(), "GID_demo@@@paho", user, password) as paho:
        paho.subscribe("demo_topic/a", qos=1)
        paho.subscribe("demo_topic/b", qos=1)
        paho.publish("demo_topic/b", b"ok", qos=1)
        assert [m[1] for m in paho.receive(1)] == [b"ok"]


def test_max_message_size(console, ctl):
    inst = ready_instance(ctl, max_message_size=100)
    before = console.metric("mqgw_console_message_too_large_total")
    with raw_device(console, ctl, inst, "GID_demo@@@size5") as dev:
        assert dev.publish("demo_topic/x", b"a" * 100) == 0
        dev.send_publish("demo_topic/x", b"a" * 101)
        assert dev.disconnect_reason() == 0x95
        assert dev.closed()
    with raw_device(console, ctl, inst, "GID_demo@@@size3", level=4) as dev:
        assert dev.publish("demo_topic/x", b"b" * 100) == 0
        dev.send_publish("demo_topic/x", b"b" * 101)
        assert dev.closed()
    assert console.metric("mqgw_console_message_too_large_total") >= before + 2


def test_max_message_size_with_paho(console, ctl):
    inst = ready_instance(ctl, max_message_size=100)
    user, password = signature_login(ctl, inst, "GID_demo@@@paho")
    with PahoDevice(console.address(), "GID_demo@@@paho", user, password) as paho:
        paho.subscribe("demo_topic/#", qos=1)
        paho.publish("demo_topic/fits", b"f" * 100, qos=1)
        assert [len(m[1]) for m in paho.receive(1)] == [100]
        paho.publish("demo_topic/big", b"f" * 101, qos=1, wait=False)
        assert paho.disconnected.wait(scaled(5)), "a 101-byte payload did not close the client"


def test_max_publish_tps(console, ctl):
    inst = ready_instance(ctl, max_publish_tps=5)
    before = console.metric("mqgw_console_publish_throttled_total")
    with raw_device(console, ctl, inst, "GID_demo@@@burst") as dev:
        ids = [dev.send_publish("demo_topic/burst", b"%d" % i) for i in range(30)]
        codes = {}
        while len(codes) < len(ids):
            _, _, body = dev.read_until(4)
            codes[int.from_bytes(body[:2], "big")] = body[2] if len(body) > 2 else 0
    values = list(codes.values())
    assert values.count(0) >= 5, values
    assert values.count(0x97) >= 1, values
    assert set(values) <= {0, 0x97}, values
    assert console.metric("mqgw_console_publish_throttled_total") >= before + values.count(0x97)


def test_max_publish_tps_v3_qos1_closes_the_connection(console, ctl):
    inst = ready_instance(ctl, max_publish_tps=5)
    with raw_device(console, ctl, inst, "GID_demo@@@burst3", level=4) as dev:
        for i in range(30):
            try:
                dev.send_publish("demo_topic/burst", b"%d" % i)
            except OSError:
                break
        assert dev.closed(), "a v3 client over MaxPublishTps with QoS 1 stayed connected"


def test_update_spec_applies_to_new_connections(console, ctl):
    inst = ready_instance(ctl)
    before = spec_of(ctl, inst)
    ctl.run("instance", "update-spec", "--instance-id", inst, "--max-connections", "1")
    after = spec_of(ctl, inst)
    assert after == dict(before, MaxConnections=1)  # absent fields keep their value
    with raw_device(console, ctl, inst, "GID_demo@@@one") as one:
        assert one.connack == 0
        user, password = signature_login(ctl, inst, "GID_demo@@@two")
        assert connack_code(console.address(), "GID_demo@@@two", user, password, 5) == 0x97
