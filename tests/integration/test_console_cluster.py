"""Console resources across the nodes of a Kafka deployment (decision 0006): two gateways on one
Kafka, each with its own metadata directory, share their resources through the compacted
`<state_prefix>metadata` topic. Only the first node bootstraps a main account; a change made
through either node's management API reaches the other, and takes effect there (admission,
closing the devices of an instance that became unusable)."""

import os

import paho.mqtt.client as mqtt

from console_harness import (Ctl, RawDevice, connack_code, console_config, ready_instance,
                             root_credentials_file, signature_device, signature_login)
from kafka_cluster import instance_for, kafka_storage
from kafka_harness import kafka  # noqa: F401  (session fixture)
from mqgw_harness import Gateway, scaled, wait_until


def node(kafka, tmp_path, name):
    """A gateway node with the console, its own metadata dir, the test's shared Kafka state."""
    directory = tmp_path / name
    directory.mkdir()
    storage = kafka_storage(kafka, instance_for(tmp_path), name)
    return Gateway(directory, console_config(directory, storage=storage))


def apply_token(ctl, inst, resources, actions):
    return ctl.id("token", "apply", "--instance-id", inst, "--resources", resources,
                  "--actions", actions, "--expire-in", "1h")


def test_a_change_on_one_node_reaches_the_other(kafka, tmp_path):
    with node(kafka, tmp_path, "a") as a:
        ctl_a = Ctl(a)
        key_id, secret = ctl_a.credentials()
        inst = ready_instance(ctl_a, topic="demo_topic", group="GID_demo")
        with node(kafka, tmp_path, "b") as b:
            # B found A's main account in Kafka: it made none of its own.
            assert not os.path.exists(root_credentials_file(b))
            ctl_b = Ctl(b, key_id, secret)
            accounts = ctl_b.json("account", "list")["Accounts"]
            assert [x["Kind"] for x in accounts] == ["main"]
            got = ctl_b.json("instance", "get", "--instance-id", inst)["Instance"]
            assert got["Status"] == "ready" and got["StorageInstanceId"]

            # A parent topic added on A now (B is running) is usable on B a moment later.
            ctl_a.run("topic", "create", "--instance-id", inst, "--topic", "late_topic")
            wait_until(lambda: any(t["Topic"] == "late_topic" for t in
                                   ctl_b.json("topic", "list", "--instance-id", inst)["Topics"]),
                       scaled(10))

            # A device on B (Signature mode) gets what a device on A publishes.
            sub = signature_device(b, ctl_b, inst, "GID_demo@@@on-b", protocol=mqtt.MQTTv5)
            pub = signature_device(a, ctl_a, inst, "GID_demo@@@on-a")
            try:
                sub.subscribe("late_topic/#", 1)
                pub.publish("late_topic/x", b"from-a", 1)
                assert [m[:2] for m in sub.receive(1, timeout=15)] == [("late_topic/x", b"from-a")]
            finally:
                pub.close()
                sub.close()

            # A token applied on A and revoked on B no longer logs in on A.
            token = apply_token(ctl_a, inst, "demo_topic/#", "R")
            user = "Token|%s|%s" % (key_id, inst)
            assert connack_code(a.address(), "GID_demo@@@tok", user, "R|" + token) == 0
            wait_until(lambda: ctl_b.run("token", "query", "--instance-id", inst, "--token",
                                         token, check=False).returncode == 0, scaled(10))
            ctl_b.run("token", "revoke", "--instance-id", inst, "--token", token)
            wait_until(lambda: connack_code(a.address(), "GID_demo@@@tok", user,
                                            "R|" + token) == 0x87, scaled(10))

            # Deleting the storage on A makes the instance unusable on B: B closes its device.
            user_b, password_b = signature_login(ctl_b, inst, "GID_demo@@@raw-b")
            raw = RawDevice(b.address(), "GID_demo@@@raw-b", user_b, password_b, level=5)
            try:
                assert raw.connack == 0
                ctl_a.run("storage", "delete", "--storage-id", got["StorageInstanceId"])
                assert raw.disconnect_reason(timeout=15) == 0x98
            finally:
                raw.close()
            got = ctl_b.json("instance", "get", "--instance-id", inst)["Instance"]
            assert got["Status"] == "unusable"
            user_b, password_b = signature_login(ctl_b, inst, "GID_demo@@@late")
            assert connack_code(b.address(), "GID_demo@@@late", user_b, password_b) == 0x88


def test_a_node_joining_after_the_others_stopped_finds_everything(kafka, tmp_path):
    """Kafka, not a running node, holds the resources: B, started after A stopped, gets them
    all and bootstraps no account of its own."""
    with node(kafka, tmp_path, "a") as a:
        ctl_a = Ctl(a)
        key_id, secret = ctl_a.credentials()
        inst = ready_instance(ctl_a)
    with node(kafka, tmp_path, "b") as b:
        ctl_b = Ctl(b, key_id, secret)
        topics = ctl_b.json("topic", "list", "--instance-id", inst)["Topics"]
        assert [t["Topic"] for t in topics] == ["demo_topic"]
        assert not os.path.exists(root_credentials_file(b))
