"""The `kafka` storage backend's publish path against a real Kafka node: a QoS 1 publish is
acknowledged once Kafka has the record, reaches a subscriber on the same gateway, and lands in
the topic named by topic_template with the key and mqtt.* headers the backend promises; while
no broker is reachable the backend reports itself unavailable and the PUBACK waits.
The gateway does not create Kafka topics yet (tools/kafka turns auto-creation off), so each test
creates its topic first."""

import re
import time

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from kafka_harness import kafka  # noqa: F401  (session fixture)
from mqgw_harness import Gateway, base_config, scaled
from paho_client import PahoClient


def kafka_config(kafka, **settings):
    return base_config(storage={"backend": "kafka",
                                "kafka": {"bootstrap_servers": kafka.bootstrap, **settings}})


def publish_v5(client, topic, payload, **props):
    properties = Properties(PacketTypes.PUBLISH)
    for name, value in props.items():
        setattr(properties, name, value)
    info = client.client.publish(topic, payload, 1, properties=properties)
    info.wait_for_publish(scaled(10))
    assert info.is_published(), "no PUBACK for " + topic


def test_publish_lands_in_kafka_and_reaches_local_subscriber(kafka, tmp_path):
    kafka.create_topic("mqtt.sensors")
    with Gateway(tmp_path, kafka_config(kafka)) as gw:
        with PahoClient(gw.address(), "sub", protocol=mqtt.MQTTv5) as sub, \
                PahoClient(gw.address(), "dev1", protocol=mqtt.MQTTv5) as pub:
            sub.subscribe("sensors/#", 1)
            publish_v5(pub, "sensors/dev1/temp", b"21.5", ContentType="text/plain",
                       UserProperty=[("site", "north"), ("unit", "C")])
            assert sub.receive(1) == [("sensors/dev1/temp", b"21.5", 1)]
        assert gw.metric("mqgw_storage_kafka_delivered_total") == 1

    records = kafka.consume("mqtt.sensors", 10, to_end=True)
    assert [(r["key"], r["payload"]) for r in records] == [("sensors/dev1/temp", "21.5")]
    headers = dict(records[0]["headers"])
    assert re.fullmatch(r"[0-9a-f]{32}", headers.pop("mqtt.message_id"))
    assert headers == {
        "mqtt.topic": "sensors/dev1/temp", "mqtt.qos": "1", "mqtt.retain": "0",
        "mqtt.client_id": "dev1", "mqtt.content_type": "text/plain",
        "mqtt.user.site": "north", "mqtt.user.unit": "C"}


def test_template_key_level_and_rdkafka_passthrough(kafka, tmp_path):
    # A space is fine in MQTT topics and in the instance name but not in Kafka topic names.
    kafka.create_topic("gw-eu_1.room_7")
    cfg = kafka_config(kafka, topic_template="gw-{instance}.{parent}", instance="eu 1",
                       key="level", key_level=1, rdkafka={"linger.ms": 1, "client.id": "mqgw-t"})
    with Gateway(tmp_path, cfg) as gw:
        with PahoClient(gw.address(), "dev2") as pub:
            pub.publish("room 7/lamp/state", b"on", qos=1)
            pub.publish("room 7", b"whole", qos=1)  # no level 1: keyed by the whole topic

    records = kafka.consume("gw-eu_1.room_7", 10, to_end=True)
    assert [(r["key"], r["payload"]) for r in records] == [("lamp", "on"), ("room 7", "whole")]
    assert dict(records[1]["headers"])["mqtt.client_id"] == "dev2"


def test_broker_outage_withholds_the_puback_until_kafka_is_back(kafka, tmp_path):
    # Last in this file: it stops the session's Kafka node (and starts it again).
    kafka.create_topic("mqtt.outage")
    with Gateway(tmp_path, kafka_config(kafka)) as gw:
        with PahoClient(gw.address(), "sub") as sub, PahoClient(gw.address(), "dev3") as pub:
            sub.subscribe("outage/#", 1)
            kafka.stop()
            assert gw.wait_metric("mqgw_storage_unavailable", lambda v: v == 1, timeout=10) == 1
            assert "storage 'kafka' is unavailable" in gw.stderr()

            info = pub.publish("outage/x", b"held", qos=1, wait=False)
            time.sleep(scaled(1.5))
            assert not info.is_published(), "PUBACK while no broker was reachable"
            assert sub.receive(1, timeout=0.2) == []

            kafka.start()
            info.wait_for_publish(scaled(30))
            assert info.is_published(), "no PUBACK after Kafka came back"
            assert sub.receive(1, timeout=5) == [("outage/x", b"held", 1)]
            assert gw.wait_metric("mqgw_storage_unavailable", lambda v: v == 0, timeout=10) == 0
        assert "storage 'kafka' is available again" in gw.stderr()

    records = kafka.consume("mqtt.outage", 10, to_end=True)
    assert [(r["key"], r["payload"]) for r in records] == [("outage/x", "held")]
