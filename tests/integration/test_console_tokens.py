"""Token mode, DeviceCredential mode and P2P messages on a real gateway: tokens and device
credentials made with the real mqgwctl, devices are Paho clients or raw packets where the exact
PUBACK / SUBACK / CONNACK code matters (MQTT 5: 0x87 Not authorized, 0x86 Bad credentials)."""

import paho.mqtt.client as mqtt
import pytest

from console_harness import console, ctl  # noqa: F401  (shared fixtures)
from console_harness import (Ctl, PahoDevice, RawDevice, connack_code, console_gateway,
                             device_password, ready_instance, signature_device)


@pytest.fixture
def inst(ctl):
    return ready_instance(ctl)


def apply_token(ctl, inst, resources, actions, expire_in="1h"):
    return ctl.id("token", "apply", "--instance-id", inst, "--resources", resources,
                  "--actions", actions, "--expire-in", expire_in)


def token_user(ctl, inst):
    return "Token|%s|%s" % (ctl.credentials()[0], inst)


def token_status(ctl, inst, token):
    return ctl.json("token", "query", "--instance-id", inst, "--token", token)


# ---- tokens ----

def test_apply_token_returns_what_was_asked(ctl, inst):
    got = ctl.json("token", "apply", "--instance-id", inst, "--resources",
                   "demo_topic/r/#,demo_topic/x", "--actions", "R,W", "--expire-in", "2h")
    info = got["TokenInfo"]
    assert got["Token"] and info["Token"] == got["Token"]
    assert info["Resources"] == ["demo_topic/r/#", "demo_topic/x"]
    assert info["Actions"] == "R,W" and info["Revoked"] is False
    assert info["InstanceId"] == inst and info["AccessKeyId"] == ctl.credentials()[0]
    assert abs(info["ExpireTime"] - info["CreateTime"] - 2 * 3600 * 1000) < 5000
    assert token_status(ctl, inst, got["Token"])["TokenStatus"] is True
    # Resources must be under the instance's parent topics.
    p = ctl.run("token", "apply", "--instance-id", inst, "--resources", "other_topic/#",
                "--actions", "R", "--expire-in", "1h", check=False)
    assert p.returncode == 1 and "InvalidParameter.Resources" in p.stderr, p.stderr


def test_token_logins_with_r_w_and_both(console, ctl, inst):
    read = apply_token(ctl, inst, "demo_topic/r/#", "R")
    write = apply_token(ctl, inst, "demo_topic/w/#", "W")
    user = token_user(ctl, inst)
    for password in ("R|" + read, "W|" + write, "R|%s|W|%s" % (read, write)):
        assert connack_code(console.address(), "GID_demo@@@tok", user, password, 5) == 0, password
        assert connack_code(console.address(), "GID_demo@@@tok", user, password, 4) == 0, password
    # A token presented as a type it does not grant, or an unknown token, is refused.
    assert connack_code(console.address(), "GID_demo@@@tok", user, "W|" + read, 5) == 0x87
    assert connack_code(console.address(), "GID_demo@@@tok", user, "R|nosuchtoken", 5) == 0x86
    # End to end: a W-token publisher reaches an R-token subscriber (Paho, MQTT 3.1.1).
    with PahoDevice(console.address(), "GID_demo@@@sub", user, "R|" + read) as sub, \
            PahoDevice(console.address(), "GID_demo@@@pub", user, "W|" + write) as pub:
        sub.subscribe("demo_topic/r/#", qos=1)
        write_r = apply_token(ctl, inst, "demo_topic/r/#", "W")
        with PahoDevice(console.address(), "GID_demo@@@pub2", user, "W|" + write_r) as pub2:
            pub2.publish("demo_topic/r/x", b"via-token", qos=1)
            assert [m[:2] for m in sub.receive(1)] == [("demo_topic/r/x", b"via-token")]
        pub.publish("demo_topic/w/x", b"not-for-sub", qos=1)
        assert sub.receive(1, timeout=0.3) == []


def test_token_grants_limit_publish_and_subscribe(console, ctl, inst):
    read = apply_token(ctl, inst, "demo_topic/r/#", "R")
    write = apply_token(ctl, inst, "demo_topic/w/#", "W")
    before = console.metric("mqgw_console_publish_denied_total")
    sub_before = console.metric("mqgw_console_subscribe_denied_total")
    with RawDevice(console.address(), "GID_demo@@@both", token_user(ctl, inst),
                   "R|%s|W|%s" % (read, write)) as dev:
        assert dev.connack == 0
        assert dev.publish("demo_topic/w/ok", b"x") == 0
        assert dev.publish("demo_topic/r/x", b"x") == 0x87  # R does not allow publishing
        assert dev.publish("demo_topic/other", b"x") == 0x87
        assert dev.subscribe("demo_topic/r/#", "demo_topic/r/a/+") == [1, 1]
        assert dev.subscribe("demo_topic/#") == [0x87]   # wider than the R grant
        assert dev.subscribe("demo_topic/w/#") == [0x87]  # W does not allow subscribing
    assert console.metric("mqgw_console_publish_denied_total") >= before + 2
    assert console.metric("mqgw_console_subscribe_denied_total") >= sub_before + 2


def test_revoked_token_refuses_logins_and_live_publishes(console, ctl, inst):
    write = apply_token(ctl, inst, "demo_topic/#", "W")
    user = token_user(ctl, inst)
    with RawDevice(console.address(), "GID_demo@@@live", user, "W|" + write) as dev:
        assert dev.connack == 0
        assert dev.publish("demo_topic/a", b"before") == 0
        ctl.run("token", "revoke", "--instance-id", inst, "--token", write)
        assert dev.publish("demo_topic/a", b"after") == 0x87
    assert connack_code(console.address(), "GID_demo@@@new", user, "W|" + write, 5) == 0x87
    assert connack_code(console.address(), "GID_demo@@@new", user, "W|" + write, 4) == 0x05
    status = token_status(ctl, inst, write)
    assert status["TokenStatus"] is False and status["TokenInfo"]["Revoked"] is True


def test_token_expiry_bounds(ctl, inst):
    shortest = apply_token(ctl, inst, "demo_topic/#", "R", expire_in="60s")
    status = token_status(ctl, inst, shortest)
    assert status["TokenStatus"] is True
    life = status["TokenInfo"]["ExpireTime"] - status["TokenInfo"]["CreateTime"]
    assert 55000 <= life <= 60000
    for too_short_or_long in ("59s", "31d"):
        p = ctl.run("token", "apply", "--instance-id", inst, "--resources", "demo_topic/#",
                    "--actions", "R", "--expire-in", too_short_or_long, check=False)
        assert p.returncode == 1 and "InvalidParameter.ExpireTime" in p.stderr, (
            too_short_or_long, p.stdout, p.stderr)


# ---- device credentials ----

def test_device_credential_register_refresh_unregister(console, ctl, inst):
    client = "GID_demo@@@cred"
    cred = ctl.json("credential", "register", "--instance-id", inst,
                    "--client-id", client)["DeviceCredential"]
    user = "DeviceCredential|%s|%s" % (cred["DeviceAccessKeyId"], inst)
    old = device_password(cred["DeviceAccessKeySecret"], client)
    with PahoDevice(console.address(), client, user, old, mqtt.MQTTv5) as dev:
        dev.subscribe("demo_topic/cred", qos=1)
        dev.publish("demo_topic/cred", b"mine", qos=1)
        assert [m[1] for m in dev.receive(1)] == [b"mine"]
    # The credential is for this Client ID only.
    assert connack_code(console.address(), "GID_demo@@@else", user,
                        device_password(cred["DeviceAccessKeySecret"], "GID_demo@@@else")) != 0

    fresh = ctl.json("credential", "refresh", "--instance-id", inst,
                     "--client-id", client)["DeviceCredential"]
    assert fresh["DeviceAccessKeySecret"] != cred["DeviceAccessKeySecret"]
    user = "DeviceCredential|%s|%s" % (fresh["DeviceAccessKeyId"], inst)
    new = device_password(fresh["DeviceAccessKeySecret"], client)
    assert connack_code(console.address(), client, user, old, 5) == 0x86
    assert connack_code(console.address(), client, user, old, 4) == 0x05
    assert connack_code(console.address(), client, user, new, 5) == 0

    ctl.run("credential", "unregister", "--instance-id", inst, "--client-id", client)
    assert connack_code(console.address(), client, user, new, 5) == 0x86
    assert connack_code(console.address(), client, user, new, 4) == 0x05
    p = ctl.run("credential", "get", "--instance-id", inst, "--client-id", client, check=False)
    assert p.returncode == 1 and "DeviceCredentialNotFound" in p.stderr, p.stderr


# ---- P2P ----

def test_p2p_reaches_the_target_alone(console, ctl, inst):
    target = signature_device(console, ctl, inst, "GID_demo@@@target")
    bystander = signature_device(console, ctl, inst, "GID_demo@@@bystander")
    sender = signature_device(console, ctl, inst, "GID_demo@@@sender", mqtt.MQTTv5)
    try:
        bystander.subscribe("demo_topic/#", qos=1)
        sender.publish("demo_topic/p2p/GID_demo@@@target", b"just-you", qos=1)
        got = target.receive(1)
        assert [(m[0], m[1]) for m in got] == [("demo_topic/p2p/GID_demo@@@target", b"just-you")]
        assert got[0][2] == 1
        # A normal message does reach the bystander: its silence above is P2P's doing.
        sender.publish("demo_topic/plain", b"everyone", qos=1)
        assert [m[1] for m in bystander.receive(2, timeout=1)] == [b"everyone"]
        assert target.receive(1, timeout=0.2) == []
    finally:
        for c in (target, bystander, sender):
            c.close()
