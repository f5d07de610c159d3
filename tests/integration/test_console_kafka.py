"""A console instance bound to Kafka storage, read with kcat as an integrator would: each
instance's messages land in Kafka topics of its own (`mqtt.<InstanceId>.<parent>` with the
default topic_template), and the devices' online/offline events (connect, disconnect, tcpclean)
land beside them in `mqtt.<InstanceId>._status` as JSON."""

import json

import paho.mqtt.client as mqtt

from console_harness import Ctl, RawDevice, console_gateway, ready_instance, signature_device
from console_harness import signature_login
from kafka_cluster import instance_for
from kafka_harness import kafka  # noqa: F401  (session fixture)
from mqgw_harness import wait_until, scaled


def kafka_storage(kafka, tmp_path):
    return {"backend": "kafka",
            "kafka": {"bootstrap_servers": kafka.bootstrap, "instance": instance_for(tmp_path)}}


def test_instance_messages_and_status_events_in_kafka(kafka, tmp_path):
    with console_gateway(tmp_path, storage=kafka_storage(kafka, tmp_path)) as gw:
        ctl = Ctl(gw)
        inst = ready_instance(ctl, topic="demo_topic", group="GID_demo")
        other = ready_instance(ctl, topic="demo_topic", group="GID_demo")
        dev = signature_device(gw, ctl, inst, "GID_demo@@@dev1", protocol=mqtt.MQTTv5)
        dev.publish("demo_topic/dev1", b"21.5", 1)
        dev.close()  # a DISCONNECT: "disconnect"
        user, password = signature_login(ctl, inst, "GID_demo@@@dev2")
        raw = RawDevice(gw.address(), "GID_demo@@@dev2", user, password)
        assert raw.connack == 0
        raw.sock.close()  # no DISCONNECT: "tcpclean"
        wait_until(lambda: gw.metric("mqgw_console_status_events_total") >= 4, scaled(10))

    records = kafka.consume("mqtt.%s.demo_topic" % inst, 10, to_end=True)
    assert [(r["key"], r["payload"]) for r in records] == [
        ("$i/%s/demo_topic/dev1" % inst, "21.5")]
    headers = dict(records[0]["headers"])
    assert headers["mqtt.client_id"] == "GID_demo@@@dev1"
    # The other instance with the same parent topic has a topic of its own, and nothing in it.
    assert kafka.consume("mqtt.%s.demo_topic" % other, 10, timeout=5, to_end=True) == []

    events = [json.loads(r["payload"]) for r in
              kafka.consume("mqtt.%s._status" % inst, 10, to_end=True)]
    # Events of one client keep their order; two clients' events may interleave (dev1's
    # disconnect is written by its worker while dev2 may already be connecting on another).
    by_client = {}
    for e in events:
        by_client.setdefault(e["clientId"], []).append(e)
    assert {c: [e["eventType"] for e in es] for c, es in by_client.items()} == {
        "GID_demo@@@dev1": ["connect", "disconnect"],
        "GID_demo@@@dev2": ["connect", "tcpclean"]}, events
    for e in events:
        assert e["clientIp"] == "127.0.0.1"
        assert int(e["channelId"]) > 0 and e["time"] > 1.7e12
    dev1, dev2 = by_client["GID_demo@@@dev1"], by_client["GID_demo@@@dev2"]
    assert dev1[0]["channelId"] == dev1[1]["channelId"] != dev2[0]["channelId"]
    assert dev2[0]["channelId"] == dev2[1]["channelId"]
