"""Shared subscriptions ($share/<group>/<filter>, MQTT 5 §4.8.2; also accepted from 3.1.1
clients): each message goes to exactly one member of each group, spread round robin, across
worker loops; plain subscribers still get everything; a member that leaves stops receiving."""

import struct
import time

import paho.mqtt.client as mqtt

import mqtt_raw
from mqgw_harness import Gateway, base_config, scaled
from paho_client import PahoClient

COUNT = 200


def publish(gw, topic_prefix, count=COUNT, qos=1):
    with PahoClient(gw.address(), "shared-pub") as pub:
        for i in range(count):
            pub.publish("%s/%d" % (topic_prefix, i % 7), b"%d" % i, qos, wait=False)
        time.sleep(scaled(0.2))


def payloads(client, expected, timeout=10):
    return [p for _, p, _ in client.receive(expected, timeout=timeout)]


def settle():
    time.sleep(scaled(0.3))  # membership reaches every worker by message passing


def test_each_message_goes_to_exactly_one_member(tmp_path):
    with Gateway(tmp_path, base_config(workers=2)) as gw:
        members = [PahoClient(gw.address(), "member-%d" % i, proto)
                   for i, proto in enumerate([mqtt.MQTTv5, mqtt.MQTTv311, mqtt.MQTTv5])]
        try:
            for m in members:
                m.subscribe("$share/workers/jobs/#", 1)
            settle()
            publish(gw, "jobs")
            got = [payloads(m, COUNT, timeout=3) for m in members]
            everything = sorted(p for g in got for p in g)
            assert everything == sorted(b"%d" % i for i in range(COUNT)), \
                "each message exactly once across the group"
            assert all(len(g) > COUNT // 6 for g in got), \
                "round robin: %s" % [len(g) for g in got]
        finally:
            for m in members:
                m.close()


def test_plain_subscribers_and_other_groups_each_get_every_message(tmp_path):
    with Gateway(tmp_path, base_config(workers=2)) as gw:
        a1, a2 = PahoClient(gw.address(), "a1"), PahoClient(gw.address(), "a2")
        b1 = PahoClient(gw.address(), "b1")
        plain = PahoClient(gw.address(), "plain")
        try:
            a1.subscribe("$share/a/feed/#", 1)
            a2.subscribe("$share/a/feed/#", 1)
            b1.subscribe("$share/b/feed/+", 1)
            plain.subscribe("feed/#", 1)
            settle()
            publish(gw, "feed", 100)
            group_a = payloads(a1, 100, timeout=3) + payloads(a2, 100, timeout=1)
            assert len(group_a) == 100 and len(set(group_a)) == 100
            assert len(payloads(b1, 100)) == 100
            assert len(payloads(plain, 100)) == 100
        finally:
            for c in (a1, a2, b1, plain):
                c.close()


def test_a_member_that_leaves_stops_receiving(tmp_path):
    with Gateway(tmp_path, base_config(workers=2)) as gw:
        stay, leave = PahoClient(gw.address(), "stay"), PahoClient(gw.address(), "leave")
        try:
            stay.subscribe("$share/g/t/#", 1)
            leave.subscribe("$share/g/t/#", 1)
            settle()
            leave.unsubscribe("$share/g/t/#")
            settle()
            publish(gw, "t", 50)
            assert len(payloads(stay, 50)) == 50
            assert payloads(leave, 1, timeout=1) == []
        finally:
            stay.close()
            leave.close()


def test_malformed_shared_filters_are_refused_in_suback(tmp_path):
    with Gateway(tmp_path, base_config(workers=1)) as gw:
        sock = mqtt_raw.connect(gw.address(), "picky", level=5)
        try:
            for packet_id, bad in enumerate(["$share/g", "$share//t", "$share/g+/t"], start=1):
                body = struct.pack("!H", packet_id) + b"\x00" + mqtt_raw._utf8(bad) + b"\x01"
                sock.sendall(mqtt_raw.packet(0x82, body))
                ptype, _, suback = mqtt_raw.read_packet(sock)
                assert ptype == 9, "expected SUBACK for %s" % bad
                props_len = suback[2]  # < 128 here: a one-byte varint
                codes = suback[3 + props_len:]
                assert codes == b"\x8f", "%s: %r" % (bad, codes)
        finally:
            sock.close()


def test_a_leaving_member_hands_unacknowledged_messages_to_the_group(tmp_path):
    with Gateway(tmp_path, base_config(workers=2)) as gw:
        keeper = PahoClient(gw.address(), "keeper")
        quitter = mqtt_raw.connect(gw.address(), "quitter")  # takes messages, never acknowledges
        try:
            keeper.subscribe("$share/g/work/#", 1)
            body = struct.pack("!H", 1) + mqtt_raw._utf8("$share/g/work/#") + b"\x01"
            quitter.sendall(mqtt_raw.packet(0x82, body))
            assert mqtt_raw.read_packet(quitter)[0] == 9
            settle()
            publish(gw, "work", 20)
            unacked = 0
            quitter.settimeout(scaled(1))
            try:
                while True:
                    ptype, _, _ = mqtt_raw.read_packet(quitter)
                    unacked += ptype == 3
            except (OSError, EOFError):
                pass
            assert unacked > 0, "the quitter should have been picked for some messages"
            quitter.close()  # its session ends: what it never acknowledged goes to the keeper
            got = payloads(keeper, COUNT, timeout=3)
            assert sorted(set(got)) == sorted(b"%d" % i for i in range(20)), \
                "keeper got %d unique of 20 (quitter held %d)" % (len(set(got)), unacked)
        finally:
            keeper.close()
            quitter.close()
