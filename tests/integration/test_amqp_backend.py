"""What only the `amqp` storage backend has (issue 8), against a real RabbitMQ node: a plain AMQP
consumer bound to an instance's topic exchange reads what devices publish, named as RabbitMQ's
own MQTT plugin names it (routing key = the topic with '/' and '.' swapped, body = payload,
headers and properties per plugins/storage_amqp/amqp_record.h); a plain AMQP publish into the
exchange reaches MQTT subscribers; a topic whose routing key would pass 255 bytes is refused;
the exchange and streams are durable; a $share group has a queue of its own while it has
members; a console instance's messages go to the exchange of that instance only.

The durable suite (test_durable_restart.py, test_durable_sigkill.py: switching storage among
native, kafka and amqp is a config change) and the cluster suite (test_cluster_backends.py)
run on amqp too. Each test has an instance of its own (from tmp_path) on the session's node."""

import json
import re
import time

import paho.mqtt.client as mqtt
import pika.exceptions
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

import mqtt_raw
from cluster_backends import RecordingClient, amqp_storage, instance_for
from console_harness import Ctl, console_gateway, ready_instance, signature_device
from durable_clients import SessionClient
from mqgw_harness import Gateway, base_config, scaled, wait_until
from paho_client import PahoClient
from rabbitmq_harness import rabbitmq  # noqa: F401  (session fixture)

PUBLISH_QOS1 = 0x32
PUBACK_TYPE = 0x04
UNSPECIFIED_ERROR = 0x80


def amqp_config(rabbitmq, tmp_path, **settings):
    return base_config(storage=amqp_storage(rabbitmq, instance_for(tmp_path), "solo",
                                            **settings))


def exchange_of(tmp_path):
    return "mqgw." + instance_for(tmp_path)


def publish_v5(client, topic, payload, **props):
    properties = Properties(PacketTypes.PUBLISH)
    for name, value in props.items():
        setattr(properties, name, value)
    info = client.client.publish(topic, payload, 1, properties=properties)
    info.wait_for_publish(scaled(10))
    assert info.is_published(), "no PUBACK for " + topic


def drain(rabbitmq, queue, quiet=1.0):
    """Everything in a queue: deliveries until none came for `quiet` seconds."""
    return rabbitmq.get_messages(queue, 1000, timeout=scaled(10), idle=scaled(quiet))


def test_a_plain_amqp_consumer_reads_what_a_device_published(rabbitmq, tmp_path):
    exchange = exchange_of(tmp_path)
    started = time.time()
    with Gateway(tmp_path, amqp_config(rabbitmq, tmp_path)) as gw:
        # The gateway declared its instance's exchange when it connected.
        queue = rabbitmq.declare_queue_bound(exchange, "sensors.#")
        with PahoClient(gw.address(), "dev7", protocol=mqtt.MQTTv5) as dev:
            publish_v5(dev, "sensors/7/temp", b"21.5", ContentType="text/plain",
                       UserProperty=[("site", "north"), ("site", "south"), ("unit", "C")])
            publish_v5(dev, "sensors/7/order", b"o",
                       UserProperty=[("a", "1"), ("b", "2"), ("a", "3")])
            publish_v5(dev, "sensors/7/one", b"1", UserProperty=[("k", "v")])
            dev.publish("sensors/7/state", b"on", qos=1, retain=True)
            dev.publish("sensors/7/fast", b"q0", qos=0)
            dev.publish("elsewhere/7", b"not bound", qos=1)
        got = drain(rabbitmq, queue)
    finished = time.time()

    by_key = {m.routing_key: m for m in got}
    assert sorted(m.routing_key for m in got) == [
        "sensors.7.fast", "sensors.7.one", "sensors.7.order", "sensors.7.state",
        "sensors.7.temp"], \
        "one message per publish on sensors/#, nothing else: %r" % [
            (m.routing_key, m.body) for m in got]
    temp = by_key["sensors.7.temp"]
    assert (temp.exchange, temp.body) == (exchange, b"21.5")
    props = temp.properties
    assert props.delivery_mode == 2, "not persistent"
    assert re.fullmatch(r"[0-9a-f]{32}", props.message_id or ""), props.message_id
    assert props.content_type == "text/plain"
    assert started - 1 <= props.timestamp <= finished + 1, props.timestamp
    headers = dict(temp.headers)
    created = headers.pop("mqtt.created_ms")
    assert started * 1000 - 1000 <= created <= finished * 1000, created
    # mqtt.user.<key>: the key's first value; with more than one user property the exact
    # list (order and repeats, MQTT 5 3.3.2.3.7) in mqtt.user_properties as JSON.
    user_list = json.loads(headers.pop("mqtt.user_properties"))
    assert headers == {"mqtt.topic": "sensors/7/temp", "x-mqtt-publish-qos": 1,
                       "mqtt.retain": False, "mqtt.client_id": "dev7",
                       "mqtt.user.site": "north", "mqtt.user.unit": "C"}
    assert user_list == [["site", "north"], ["site", "south"], ["unit", "C"]]

    order = by_key["sensors.7.order"].headers
    assert (order["mqtt.user.a"], order["mqtt.user.b"]) == ("1", "2")
    assert json.loads(order["mqtt.user_properties"]) == [["a", "1"], ["b", "2"], ["a", "3"]]
    one = by_key["sensors.7.one"].headers
    assert one["mqtt.user.k"] == "v" and "mqtt.user_properties" not in one, one
    state = by_key["sensors.7.state"]
    assert (state.body, state.headers["mqtt.retain"], state.headers["x-mqtt-publish-qos"]) == (
        b"on", True, 1)
    fast = by_key["sensors.7.fast"]
    assert (fast.body, fast.headers["x-mqtt-publish-qos"]) == (b"q0", 0)
    ids = {m.properties.message_id for m in got}
    assert len(ids) == len(got), "message IDs repeat: %s" % ids


def test_a_dot_in_a_topic_level_is_a_slash_in_the_routing_key(rabbitmq, tmp_path):
    exchange = exchange_of(tmp_path)
    with Gateway(tmp_path, amqp_config(rabbitmq, tmp_path)) as gw:
        queue = rabbitmq.declare_queue_bound(exchange, "fw.v1/2.*")
        with PahoClient(gw.address(), "fw-sub") as sub, PahoClient(gw.address(), "fw") as dev:
            sub.subscribe("fw/v1.2/+", 1)
            dev.publish("fw/v1.2/status", b"ok", qos=1)
            assert sub.receive(1) == [("fw/v1.2/status", b"ok", 1)]
            # and the other way: a plain AMQP publish with a '/' in a word
            rabbitmq.publish(exchange, "fw.v1/2.cmd", b"update",
                             headers={"x-mqtt-publish-qos": 1})
            assert sub.receive(1) == [("fw/v1.2/cmd", b"update", 1)]
        got = drain(rabbitmq, queue)
    assert [(m.routing_key, m.body) for m in got] == [
        ("fw.v1/2.status", b"ok"), ("fw.v1/2.cmd", b"update")]
    assert got[0].headers["mqtt.topic"] == "fw/v1.2/status"
    assert "mqtt.topic" not in got[1].headers  # the AMQP client's own message, as it sent it


def test_a_plain_amqp_publish_reaches_mqtt_subscribers(rabbitmq, tmp_path):
    exchange = exchange_of(tmp_path)
    with Gateway(tmp_path, amqp_config(rabbitmq, tmp_path)) as gw:
        sub = RecordingClient(gw.address(), "dev1", mqtt.MQTTv5, clean=True)
        other = SessionClient(gw.address(), "dev2", clean=True)
        try:
            sub.subscribe("cmd/dev1", 1)
            other.subscribe("cmd/dev2", 1)
            rabbitmq.publish(exchange, "cmd.dev1", b"reboot", content_type="text/plain",
                             headers={"x-mqtt-publish-qos": 1, "mqtt.user.origin": "ops"},
                             delivery_mode=2)
            rabbitmq.publish(exchange, "cmd.dev1", b"ping")  # no QoS header: QoS 0
            got = sub.wait_count(2, timeout=10)
            assert [(t, p, q, r) for _, t, p, q, r in got] == [
                ("cmd/dev1", b"reboot", 1, False), ("cmd/dev1", b"ping", 0, False)]
            first = sub.properties[0]
            assert getattr(first, "UserProperty", None) == [("origin", "ops")]
            assert getattr(first, "ContentType", None) == "text/plain"
            assert other.wait_quiet(0.5, 2) == [], "cmd.dev1 reached the subscriber of cmd/dev2"
        finally:
            sub.close()
            other.close()
        assert gw.metric("mqgw_storage_amqp_foreign_total") == 0


def raw_publish_qos1(sock, topic, packet_id, payload=b"x"):
    """An MQTT 5 PUBLISH QoS 1 (no properties); returns the PUBACK's reason code."""
    body = mqtt_raw._utf8(topic) + packet_id.to_bytes(2, "big") + b"\x00" + payload
    sock.sendall(mqtt_raw.packet(PUBLISH_QOS1, body))
    ptype, _, ack = mqtt_raw.read_packet(sock)
    assert ptype == PUBACK_TYPE and ack[:2] == packet_id.to_bytes(2, "big"), (ptype, ack)
    return ack[2] if len(ack) > 2 else 0  # no reason code: 0x00 Success


def test_a_topic_whose_routing_key_passes_255_bytes_is_refused(rabbitmq, tmp_path):
    exchange = exchange_of(tmp_path)
    longest = "long/" + "x" * 250   # a routing key of 255 bytes: the most AMQP carries
    too_long = longest + "y"
    with Gateway(tmp_path, amqp_config(rabbitmq, tmp_path)) as gw:
        queue = rabbitmq.declare_queue_bound(exchange, "long.#")
        sock = mqtt_raw.connect(gw.address(), "long-v5", level=5)
        try:
            sock.settimeout(scaled(10))
            assert raw_publish_qos1(sock, longest, 1) == 0
            # MQTT 5: PUBACK 0x80 (Unspecified error), and the connection goes on.
            assert raw_publish_qos1(sock, too_long, 2) == UNSPECIFIED_ERROR
            assert raw_publish_qos1(sock, "long/after", 3) == 0
        finally:
            sock.close()
        # MQTT 3.1.1 has no negative PUBACK: the gateway closes the connection instead.
        v3 = mqtt_raw.connect(gw.address(), "long-v3", level=4)
        try:
            body = mqtt_raw._utf8(too_long) + (7).to_bytes(2, "big") + b"v3"
            v3.sendall(mqtt_raw.packet(PUBLISH_QOS1, body))
            assert mqtt_raw.wait_closed(v3, scaled(5)) is not None, "the v3 connection stayed"
        finally:
            v3.close()
        assert mqtt_raw.ping_ok(gw.address()), "the gateway stopped serving"
        got = drain(rabbitmq, queue)
    assert "publish not stored" in gw.stderr()
    assert [(m.routing_key, m.headers["mqtt.topic"]) for m in got] == [
        ("long." + "x" * 250, longest), ("long.after", "long/after")]


def fnv1a_hex(text):
    h = 0xcbf29ce484222325
    for byte in text.encode():
        h = ((h ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def share_queue_of(instance, group, topic_filter):
    return "mqgw.%s.share.%s.%s" % (instance, group, fnv1a_hex(topic_filter))


def declared_alike(rabbitmq, declare):
    """Whether RabbitMQ accepts `declare(channel)` for an entity that exists: it refuses (406
    PRECONDITION_FAILED) a declaration whose type or flags differ from the existing one's."""
    conn = rabbitmq.connect()
    try:
        declare(conn.channel())
        return True
    except pika.exceptions.ChannelClosedByBroker as e:
        if e.reply_code != 406:
            raise
        return False
    finally:
        if conn.is_open:
            conn.close()


def test_the_exchange_streams_and_share_queue_are_declared_as_documented(rabbitmq, tmp_path):
    instance = instance_for(tmp_path)
    exchange = "mqgw." + instance
    share_queue = share_queue_of(instance, "g1", "shr/+/x")
    with Gateway(tmp_path, amqp_config(rabbitmq, tmp_path)) as gw:
        member = SessionClient(gw.address(), "m1", clean=True)
        try:
            member.subscribe("$share/g1/shr/+/x", 1)
            assert wait_until(lambda: rabbitmq.queue_info(share_queue) is not None, scaled(5)), \
                "no queue %s for $share/g1/shr/+/x" % share_queue
            # (one rabbitmqctl call: it boots an Erlang VM, seconds on a busy machine)
            queues = {q.pop("name"): q for q in rabbitmq.list_queues(
                "name", "type", "durable", "auto_delete") if q["name"].startswith(exchange + ".")}
        finally:
            member.close()
        assert queues == {
            exchange + ".log": {"type": "stream", "durable": True, "auto_delete": False},
            exchange + ".state": {"type": "stream", "durable": True, "auto_delete": False},
            exchange + ".control": {"type": "stream", "durable": True, "auto_delete": False},
            share_queue: {"type": "classic", "durable": True, "auto_delete": True}}, queues
    assert rabbitmq.exchange_exists(exchange)
    assert declared_alike(rabbitmq, lambda ch: ch.exchange_declare(
        exchange, exchange_type="topic", durable=True)), "not a durable topic exchange"
    assert not declared_alike(rabbitmq, lambda ch: ch.exchange_declare(
        exchange, exchange_type="topic", durable=False))  # the check can tell
    # The streams stay when the gateway leaves: they are RabbitMQ's to keep.
    for name in ("log", "state", "control"):
        assert rabbitmq.queue_info("%s.%s" % (exchange, name)) is not None, name


def test_a_share_group_has_a_queue_while_it_has_members(rabbitmq, tmp_path):
    queue = share_queue_of(instance_for(tmp_path), "g1", "shr/+/x")
    with Gateway(tmp_path, amqp_config(rabbitmq, tmp_path)) as gw:
        members = [SessionClient(gw.address(), "m%d" % i, clean=True) for i in (1, 2)]
        try:
            for m in members:
                m.subscribe("$share/g1/shr/+/x", 1)
            assert wait_until(lambda: (rabbitmq.queue_info(queue) or {}).get("consumers") == 1,
                              scaled(5)), "no queue %s with one consumer: %s" % (
                queue, rabbitmq.queue_info(queue))

            with PahoClient(gw.address(), "shr-pub") as pub:
                for i in range(6):
                    pub.publish("shr/%d/x" % i, b"%d" % i, qos=1)
                pub.publish("shr/1/y", b"not the filter", qos=1)
            for m in members:
                m.wait_quiet(0.7, 5)
            got = [m.payloads() for m in members]
            everything = sorted(got[0] + got[1])
            assert everything == [b"%d" % i for i in range(6)], got
            assert wait_until(lambda: rabbitmq.queue_info(queue)["messages"] == 0, scaled(5))

            members[0].client.unsubscribe("$share/g1/shr/+/x")
            time.sleep(scaled(0.5))
            assert rabbitmq.queue_info(queue) is not None, "gone while m2 is still a member"
        finally:
            for m in members:
                m.close()
        assert wait_until(lambda: rabbitmq.queue_info(queue) is None, scaled(5)), \
            "the group's queue outlived its members: %s" % rabbitmq.queue_info(queue)


def test_a_console_instance_publishes_into_its_own_exchange(rabbitmq, tmp_path):
    storage = amqp_storage(rabbitmq, instance_for(tmp_path), "console")
    with console_gateway(tmp_path, storage=storage) as gw:
        ctl = Ctl(gw)
        inst = ready_instance(ctl, topic="demo_topic", group="GID_demo")
        other = ready_instance(ctl, topic="demo_topic", group="GID_demo")
        dev1 = signature_device(gw, ctl, inst, "GID_demo@@@dev1", protocol=mqtt.MQTTv5)
        dev2 = signature_device(gw, ctl, inst, "GID_demo@@@dev2")
        devo = signature_device(gw, ctl, other, "GID_demo@@@devo")
        try:
            # Each instance's exchange is made on its first message.
            dev1.publish("demo_topic/warm", b"w", qos=1)
            devo.publish("demo_topic/warm", b"w", qos=1)
            queues = {name: rabbitmq.declare_queue_bound("mqgw." + name, "demo_topic.#")
                      for name in (inst, other)}
            queues["dev"] = rabbitmq.declare_queue_bound("mqgw." + instance_for(tmp_path), "#")
            # The devices' online/offline events go beside them, as `$status/<GroupId>`.
            queues["status"] = rabbitmq.declare_queue_bound("mqgw." + inst, "$status.*")
            dev2.subscribe("demo_topic/cmd/#", 1)
            devo.subscribe("demo_topic/#", 1)

            dev1.publish("demo_topic/dev1", b"21.5", qos=1)
            # A plain AMQP client reaches the devices of that instance, by its routing keys.
            rabbitmq.publish("mqgw." + inst, "demo_topic.cmd.dev2", b"go",
                             headers={"x-mqtt-publish-qos": 1})
            assert dev2.receive(1, timeout=10) == [("demo_topic/cmd/dev2", b"go", 1)]
            assert devo.receive(1, timeout=1) == [], "another instance's device got it"
        finally:
            for d in (dev1, dev2, devo):
                d.close()
        got = {name: drain(rabbitmq, q) for name, q in queues.items()}
    mine = [(m.exchange, m.routing_key, m.body, m.headers.get("mqtt.topic"),
             m.headers.get("mqtt.client_id")) for m in got[inst]]
    assert mine == [
        ("mqgw." + inst, "demo_topic.dev1", b"21.5", "$i/%s/demo_topic/dev1" % inst,
         "GID_demo@@@dev1"),
        ("mqgw." + inst, "demo_topic.cmd.dev2", b"go", None, None)]
    assert got[other] == [], "the other instance's exchange got %r" % got[other]
    assert got["dev"] == [], "the development exchange got a console message"
    events = [(m.routing_key, m.headers.get("mqtt.topic"), json.loads(m.body))
              for m in got["status"]]
    assert sorted((key, topic, e["clientId"], e["eventType"]) for key, topic, e in events) == [
        ("$status.GID_demo", "$i/%s/$status/GID_demo" % inst, "GID_demo@@@%s" % d, "disconnect")
        for d in ("dev1", "dev2")], events
