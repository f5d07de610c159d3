"""The `kafka` storage backend on one gateway against a real Kafka node: a QoS 1 publish is
acknowledged once Kafka has the record and lands in the topic named by topic_template (which
the gateway creates itself, with topic_partitions partitions) with the key and mqtt.* headers
the backend promises; subscribers get messages at QoS 0, 1 and 2 and retained ones, all through
the feed (the backend reads every record back from Kafka); while no broker is reachable the
backend reports itself unavailable and the PUBACK waits. Each test has an instance of its own
(from tmp_path), so the state topics of one never meet another's."""

import json
import re
import subprocess
import time

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from durable_clients import SessionClient
from kafka_cluster import instance_for
from kafka_harness import kafka  # noqa: F401  (session fixture)
from mqgw_harness import Gateway, base_config, scaled
from paho_client import PahoClient


def kafka_config(kafka, tmp_path, **settings):
    settings.setdefault("instance", instance_for(tmp_path))
    return base_config(storage={"backend": "kafka",
                                "kafka": {"bootstrap_servers": kafka.bootstrap, **settings}})


def partitions_of(kafka, topic):
    out = subprocess.run(["kcat", "-b", kafka.bootstrap, "-L", "-J", "-t", topic],
                         capture_output=True, text=True, timeout=30).stdout
    topics = [t for t in json.loads(out)["topics"] if t["topic"] == topic]
    assert topics and not topics[0].get("error"), "no topic %s: %s" % (topic, out)
    return len(topics[0]["partitions"])


def publish_v5(client, topic, payload, **props):
    properties = Properties(PacketTypes.PUBLISH)
    for name, value in props.items():
        setattr(properties, name, value)
    info = client.client.publish(topic, payload, 1, properties=properties)
    info.wait_for_publish(scaled(10))
    assert info.is_published(), "no PUBACK for " + topic


def test_publish_lands_in_kafka_and_reaches_local_subscriber(kafka, tmp_path):
    # The default topic_template (mqtt.{parent}); no topic exists before the publish.
    started_ms = time.time() * 1000
    with Gateway(tmp_path, kafka_config(kafka, tmp_path, topic_partitions=4)) as gw:
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
    created = int(headers.pop("mqtt.created_ms"))
    assert started_ms - 1000 <= created <= time.time() * 1000, "created_ms %d" % created
    assert headers == {
        "mqtt.topic": "sensors/dev1/temp", "mqtt.qos": "1", "mqtt.retain": "0",
        "mqtt.client_id": "dev1", "mqtt.content_type": "text/plain",
        "mqtt.user.site": "north", "mqtt.user.unit": "C"}
    assert partitions_of(kafka, "mqtt.sensors") == 4, "the gateway did not create the topic"


def test_template_key_level_and_rdkafka_passthrough(kafka, tmp_path):
    # A space is fine in MQTT topics and in the instance name but not in Kafka topic names.
    # One partition: the two records stay in publish order for the read below.
    cfg = kafka_config(kafka, tmp_path, topic_template="gw-{instance}.{parent}", instance="eu 1",
                       topic_partitions=1, key="level", key_level=1,
                       rdkafka={"linger.ms": 1, "client.id": "mqgw-t"})
    with Gateway(tmp_path, cfg) as gw:
        with PahoClient(gw.address(), "dev2") as pub:
            pub.publish("room 7/lamp/state", b"on", qos=1)
            pub.publish("room 7", b"whole", qos=1)  # no level 1: keyed by the whole topic

    records = kafka.consume("gw-eu_1.room_7", 10, to_end=True)
    assert [(r["key"], r["payload"]) for r in records] == [("lamp", "on"), ("room 7", "whole")]
    assert dict(records[1]["headers"])["mqtt.client_id"] == "dev2"


def test_one_node_delivers_qos_0_1_2_and_retained_through_kafka(kafka, tmp_path):
    cfg = kafka_config(kafka, tmp_path, topic_template="mqtt.{instance}.{parent}",
                       topic_partitions=3, replication_factor=1, discovery_interval="200ms")
    sent = [("one/q%d/t%d" % (qos, t), b"%d:%d" % (qos, i), qos)
            for i in range(5) for t in range(3) for qos in (0, 1, 2)]
    with Gateway(tmp_path, cfg) as gw:
        sub = SessionClient(gw.address(), "one-sub", clean=True)
        pub = SessionClient(gw.address(), "one-pub", mqtt.MQTTv5, clean=True)
        try:
            sub.subscribe("one/#", 2)  # granted 2: each message comes at its own QoS
            for topic, payload, qos in sent:
                pub.publish(topic, payload, qos)
            sub.wait_count(len(sent), timeout=15)
            got = [(t, p, q) for _, t, p, q, _ in sub.wait_quiet(0.5, 5)]
            assert sorted(got) == sorted(sent), "lost %s, extra %s" % (
                sorted(set(sent) - set(got))[:5], sorted(set(got) - set(sent))[:5])
            for topic in {t for t, _, _ in sent}:  # order per topic
                assert [p for t, p, _ in got if t == topic] == [
                    p for t, p, _ in sent if t == topic]

            pub.publish("one/retained", b"kept", 1, retain=True)
            pub.publish("one/cleared", b"gone", 2, retain=True)
            pub.publish("one/cleared", b"", 1, retain=True)
            sub.wait_count(len(sent) + 3, timeout=10)
        finally:
            pub.close()
            sub.close()
        reader = SessionClient(gw.address(), "one-reader", clean=True)
        try:
            reader.subscribe("one/#", 1)
            got = reader.wait_quiet(0.5, 5)
        finally:
            reader.close()
        assert [(t, p, q, r) for _, t, p, q, r in got] == [("one/retained", b"kept", 1, True)]


def test_broker_outage_withholds_the_puback_until_kafka_is_back(kafka, tmp_path):
    # Last in this file: it stops the session's Kafka node (and starts it again).
    with Gateway(tmp_path, kafka_config(kafka, tmp_path)) as gw:
        with PahoClient(gw.address(), "sub") as sub, PahoClient(gw.address(), "dev3") as pub:
            sub.subscribe("outage/#", 1)
            pub.publish("outage/warm", b"before", qos=1)  # the topic exists before the outage
            assert sub.receive(1) == [("outage/warm", b"before", 1)]
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
    assert [(r["key"], r["payload"]) for r in records] == [
        ("outage/warm", "before"), ("outage/x", "held")]
