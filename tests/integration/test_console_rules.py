"""The console's resource rules and device admission against a real gateway: resources made
with the real mqgwctl, devices are real clients (Paho) or raw packets where the exact CONNACK,
SUBACK or DISCONNECT code matters.

Codes (MQTT 5 / 3.1.1): bad Client ID or unknown group 0x85 / 0x02; unknown key or wrong
signature 0x86 / 0x05; group of another account 0x87 / 0x05; instance unusable 0x88 / 0x03.
"""

import subprocess

import paho.mqtt.client as mqtt
import pytest

from console_harness import console, ctl  # noqa: F401  (shared fixtures)
from console_harness import (Ctl, RawDevice, api_request, connack_code,
                             console_gateway, device_password, ready_instance, signature_device,
                             signature_login)
from mqgw_harness import scaled
from mosquitto_sub import Subscriber
from paho_client import PahoClient


def storage_of(ctl, instance_id):
    instance = ctl.json("instance", "get", "--instance-id", instance_id)["Instance"]
    return instance["StorageInstanceId"]


def refused(ctl, *args):
    """Runs a command that must fail; returns its stderr (which names the error code)."""
    p = ctl.run(*args, check=False)
    assert p.returncode == 1, "expected an API error, got exit %d: %s%s" % (
        p.returncode, p.stdout, p.stderr)
    return p.stderr


# ---- resource rules ----

def test_rebinding_an_instance_is_refused_with_409(console, ctl):
    inst = ready_instance(ctl)
    other = ctl.id("storage", "create", "--name", "other", "--kind", "memory")
    assert "InstanceAlreadyBound" in refused(ctl, "instance", "bind", "--instance-id", inst,
                                             "--storage-id", other)
    status, body = api_request(console, "BindStorageInstance",
                               {"InstanceId": inst, "StorageInstanceId": other})
    assert (status, body["Code"]) == (409, "InstanceAlreadyBound")
    # The first binding is kept, and the other storage instance stays free.
    assert storage_of(ctl, inst) != other
    free = ctl.json("storage", "get", "--storage-id", other)["StorageInstance"]
    assert free["BoundInstanceId"] == ""


def test_a_storage_instance_serves_one_instance_only(ctl):
    first = ready_instance(ctl)
    store = storage_of(ctl, first)
    second = ctl.id("instance", "create", "--name", "second")
    assert "StorageInstanceAlreadyBound" in refused(ctl, "instance", "bind", "--instance-id",
                                                    second, "--storage-id", store)
    got = ctl.json("instance", "get", "--instance-id", second)["Instance"]
    assert (got["Status"], got["StorageInstanceId"]) == ("unbound", "")


def test_namespace_type_mismatch_is_refused(ctl):
    shared = ctl.id("instance", "create", "--name", "shared", "--namespace-type", "shared")
    dedicated_store = ctl.id("storage", "create", "--name", "ded", "--kind", "memory")
    assert "NamespaceTypeMismatch" in refused(ctl, "instance", "bind", "--instance-id", shared,
                                              "--storage-id", dedicated_store)
    assert ctl.json("instance", "get", "--instance-id", shared)["Instance"]["Status"] == "unbound"


def test_unknown_storage_kind_is_refused(ctl):
    before = len(ctl.json("storage", "list")["StorageInstances"])
    assert "StorageKindNotServed" in refused(ctl, "storage", "create", "--name", "x",
                                             "--kind", "bogus")
    assert len(ctl.json("storage", "list")["StorageInstances"]) == before


def test_deleting_the_bound_storage_makes_the_instance_unusable(console, ctl):
    inst = ready_instance(ctl)
    paho = signature_device(console, ctl, inst, "GID_demo@@@paho", mqtt.MQTTv5)
    user, password = signature_login(ctl, inst, "GID_demo@@@raw")
    raw = RawDevice(console.address(), "GID_demo@@@raw", user, password, level=5)
    try:
        assert raw.connack == 0
        ctl.run("storage", "delete", "--storage-id", storage_of(ctl, inst))
        assert raw.disconnect_reason() == 0x98
        assert paho.disconnected.wait(scaled(5)), "the Paho client stayed connected"
        got = ctl.json("instance", "get", "--instance-id", inst)["Instance"]
        assert got["Status"] == "unusable"
        for level, code in ((5, 0x88), (4, 0x03)):
            user, password = signature_login(ctl, inst, "GID_demo@@@late")
            assert connack_code(console.address(), "GID_demo@@@late", user, password,
                                level) == code
    finally:
        raw.close()
        paho.close()
    assert console.metric("mqgw_console_connections_closed_total") >= 2


# ---- admission ----

def test_unbound_instance_is_refused(console, ctl):
    inst = ctl.id("instance", "create", "--name", "unbound")
    ctl.run("group", "create", "--instance-id", inst, "--group-id", "GID_demo")
    user, password = signature_login(ctl, inst, "GID_demo@@@dev")
    assert connack_code(console.address(), "GID_demo@@@dev", user, password, 5) == 0x88
    assert connack_code(console.address(), "GID_demo@@@dev", user, password, 4) == 0x03
    # Bound, the same login is admitted.
    store = ctl.id("storage", "create", "--name", "late", "--kind", "memory")
    ctl.run("instance", "bind", "--instance-id", inst, "--storage-id", store)
    assert connack_code(console.address(), "GID_demo@@@dev", user, password, 5) == 0


def test_unknown_group_is_refused(console, ctl):
    inst = ready_instance(ctl)
    user, password = signature_login(ctl, inst, "GID_nosuch@@@dev")
    before = console.metric("mqgw_console_connects_refused_total")
    assert connack_code(console.address(), "GID_nosuch@@@dev", user, password, 5) == 0x85
    assert connack_code(console.address(), "GID_nosuch@@@dev", user, password, 4) == 0x02
    assert console.metric("mqgw_console_connects_refused_total") >= before + 2


def test_wrong_signature_is_refused(console, ctl):
    inst = ready_instance(ctl)
    user, _ = signature_login(ctl, inst, "GID_demo@@@dev")
    wrong = device_password("not-the-secret", "GID_demo@@@dev")
    assert connack_code(console.address(), "GID_demo@@@dev", user, wrong, 5) == 0x86
    assert connack_code(console.address(), "GID_demo@@@dev", user, wrong, 4) == 0x05
    # The password of another Client ID does not fit either; the right one does.
    _, other = signature_login(ctl, inst, "GID_demo@@@other")
    assert connack_code(console.address(), "GID_demo@@@dev", user, other, 5) == 0x86
    _, right = signature_login(ctl, inst, "GID_demo@@@dev")
    assert connack_code(console.address(), "GID_demo@@@dev", user, right, 5) == 0


def test_group_of_another_account_is_refused(console, ctl):
    inst = ready_instance(ctl)
    account = ctl.id("account", "create", "--name", "tenant-b")
    key = ctl.json("access-key", "create", "--account-id", account)["AccessKey"]
    sub = Ctl(console, key["AccessKeyId"], key["AccessKeySecret"])
    sub.run("group", "create", "--instance-id", inst, "--group-id", "GID_subonly")
    groups = ctl.json("group", "list", "--instance-id", inst)["GroupIds"]
    assert {"GID_subonly": account} == {g["GroupId"]: g["OwnerAccountId"] for g in groups
                                        if g["GroupId"] == "GID_subonly"}
    client = "GID_subonly@@@dev"
    user, password = signature_login(ctl, inst, client)  # the main account's key
    assert connack_code(console.address(), client, user, password, 5) == 0x87
    assert connack_code(console.address(), client, user, password, 4) == 0x05
    user, password = signature_login(sub, inst, client)  # the owner's key is admitted
    assert connack_code(console.address(), client, user, password, 5) == 0


def test_instances_are_isolated(console, ctl):
    a, b = ready_instance(ctl), ready_instance(ctl)
    same = "GID_demo@@@same"
    in_a = signature_device(console, ctl, a, same)
    in_b = signature_device(console, ctl, b, same)
    pub_a = signature_device(console, ctl, a, "GID_demo@@@pub")
    pub_b = signature_device(console, ctl, b, "GID_demo@@@pub")
    try:
        in_a.subscribe("demo_topic/#", qos=1)
        in_b.subscribe("demo_topic/#", qos=1)
        pub_a.publish("demo_topic/x", b"from-a", qos=1)
        pub_b.publish("demo_topic/x", b"from-b", qos=1)
        assert [m[1] for m in in_a.receive(2, timeout=1)] == [b"from-a"]
        assert [m[1] for m in in_b.receive(2, timeout=0.2)] == [b"from-b"]
        # The same Client ID in two instances is two sessions: no takeover.
        assert not in_a.disconnected.is_set() and not in_b.disconnected.is_set()
        assert ctl.json("session", "query", "--instance-id", a, "--client-id", same)[
            "OnlineStatus"] is True
        assert ctl.json("session", "query", "--instance-id", b, "--client-id", same)[
            "OnlineStatus"] is True
    finally:
        for c in (in_a, in_b, pub_a, pub_b):
            c.close()


@pytest.mark.parametrize("version", ["mqttv311", "mqttv5"])
def test_mosquitto_clients_log_in_with_signatures(console, ctl, version):
    inst = ready_instance(ctl)
    user, password = signature_login(ctl, inst, "GID_demo@@@msub")
    sub = Subscriber(console.port(), ["demo_topic/#"], 1, version=version, qos=1,
                     extra=("-i", "GID_demo@@@msub", "-u", user, "-P", password))

    def pub(client_id, password, message):
        return subprocess.run(
            ["mosquitto_pub", "-h", "127.0.0.1", "-p", str(console.port()), "-V", version,
             "-q", "1", "-i", client_id, "-u", user, "-P", password, "-t", "demo_topic/m",
             "-m", message], capture_output=True, text=True, timeout=scaled(10))

    bad = pub("GID_demo@@@mpub", "wrong-password", "refused")
    assert bad.returncode != 0, bad.stdout + bad.stderr
    good = pub("GID_demo@@@mpub", signature_login(ctl, inst, "GID_demo@@@mpub")[1], "signed")
    assert good.returncode == 0, good.stdout + good.stderr
    assert sub.messages() == ["demo_topic/m signed"]


# ---- the development instance ----

def test_anonymous_clients_are_refused_without_a_development_instance(console):
    assert connack_code(console.address(), "anon-1", level=5) == 0x86
    assert connack_code(console.address(), "anon-1", level=4) == 0x05
    assert connack_code(console.address(), "anon-1", "plain-user", "pw", level=5) == 0x86
    anon = subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(console.port()),
                           "-i", "anon-mosquitto", "-q", "1", "-t", "plain/x", "-m", "x"],
                          capture_output=True, text=True, timeout=scaled(10))
    assert anon.returncode != 0, anon.stdout + anon.stderr


def test_development_instance_is_walled_off_from_console_instances(tmp_path):
    with console_gateway(tmp_path, development_instance=True) as gw:
        ctl = Ctl(gw)
        inst = ready_instance(ctl)
        device = signature_device(gw, ctl, inst, "GID_demo@@@dev")
        anon_sub = PahoClient(gw.address(), "anon-sub")
        anon_pub = PahoClient(gw.address(), "anon-pub")
        raw = RawDevice(gw.address(), "anon-raw", level=5)
        try:
            assert raw.connack == 0
            # The anonymous world works on its own...
            anon_sub.subscribe("#", qos=1)
            anon_pub.publish("plain/topic", b"anon", qos=1)
            assert [m[:2] for m in anon_sub.receive(1)] == [("plain/topic", b"anon")]
            # ... the internal namespace is refused to it ...
            assert raw.subscribe("$i/#", "$i/%s/demo_topic/#" % inst) == [0x87, 0x87]
            assert raw.publish("$i/%s/demo_topic/x" % inst, b"forged") == 0x87
            # ... and a console device's messages never reach it, nor it the device.
            device.subscribe("demo_topic/#", qos=1)
            device.publish("demo_topic/secret", b"console", qos=1)
            assert [m[1] for m in device.receive(1)] == [b"console"]
            anon_pub.publish("demo_topic/secret", b"anon-2", qos=1)
            assert [m[:2] for m in anon_sub.receive(5, timeout=1)] == [
                ("demo_topic/secret", b"anon-2")]
            assert device.receive(1, timeout=0.3) == []
        finally:
            raw.close()
            for c in (device, anon_sub, anon_pub):
                c.close()
