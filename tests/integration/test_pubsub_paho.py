"""Publish/subscribe with the Eclipse Paho Python client: volume, per-topic order, QoS 1
acknowledgements, unsubscribe, and clients spread over several worker loops."""

import paho.mqtt.client as mqtt
import pytest

from mqgw_harness import Gateway, base_config
from paho_client import PahoClient

COUNT = 500


def payloads(prefix, count=COUNT):
    return [("%s-%d" % (prefix, i)).encode() for i in range(count)]


@pytest.mark.parametrize("qos", [0, 1])
@pytest.mark.parametrize("protocol", [mqtt.MQTTv311, mqtt.MQTTv5], ids=["v311", "v5"])
def test_many_messages_arrive_in_order_per_topic(gw, qos, protocol):
    with PahoClient(gw.address(), "sub-%d" % qos, protocol) as sub, \
            PahoClient(gw.address(), "pub-%d" % qos, protocol) as pub:
        sub.subscribe("order/#", qos)
        sent = {"order/a": payloads("a"), "order/b": payloads("b")}
        infos = []
        for a, b in zip(sent["order/a"], sent["order/b"]):
            infos.append(pub.publish("order/a", a, qos, wait=False))
            infos.append(pub.publish("order/b", b, qos, wait=False))
        for info in infos:
            if qos:
                info.wait_for_publish(10)
                assert info.is_published()
        got = sub.receive(2 * COUNT, timeout=20)
        assert len(got) == 2 * COUNT, "received %d of %d" % (len(got), 2 * COUNT)
        for topic, expected in sent.items():
            assert [p for t, p, _ in got if t == topic] == expected
        assert all(q == qos for _, _, q in got)


def test_delivery_qos_is_min_of_publish_and_subscription(gw):
    with PahoClient(gw.address(), "sub0") as sub0, PahoClient(gw.address(), "sub1") as sub1, \
            PahoClient(gw.address(), "pub") as pub:
        sub0.subscribe("q/x", 0)
        sub1.subscribe("q/x", 1)
        pub.publish("q/x", b"one", qos=1)
        pub.publish("q/x", b"zero", qos=0)
        assert [(p, q) for _, p, q in sub0.receive(2)] == [(b"one", 0), (b"zero", 0)]
        assert [(p, q) for _, p, q in sub1.receive(2)] == [(b"one", 1), (b"zero", 0)]


def test_unsubscribe_stops_delivery(gw):
    with PahoClient(gw.address(), "sub") as sub, PahoClient(gw.address(), "pub") as pub:
        sub.subscribe("u/1")
        sub.subscribe("u/2")
        pub.publish("u/1", b"before", qos=1)
        assert [p for _, p, _ in sub.receive(1)] == [b"before"]
        sub.unsubscribe("u/1")
        pub.publish("u/1", b"after", qos=1)
        pub.publish("u/2", b"marker", qos=1)  # still subscribed: proves delivery still works
        assert [(t, p) for t, p, _ in sub.receive(2, timeout=2)] == [("u/2", b"marker")]


def test_payloads_are_delivered_byte_exact(gw):
    blobs = [b"", b"\x00\xff\x00", bytes(range(256)) * 64, "héllo wörld".encode()]
    with PahoClient(gw.address(), "sub") as sub, PahoClient(gw.address(), "pub") as pub:
        sub.subscribe("bin")
        for blob in blobs:
            pub.publish("bin", blob, qos=1)
        assert [p for _, p, _ in sub.receive(len(blobs))] == blobs


def test_clients_on_different_connections_exchange_messages(tmp_path):
    with Gateway(tmp_path, base_config(workers=2)) as gw:
        clients = [PahoClient(gw.address(), "peer-%d" % i) for i in range(4)]
        try:
            for i, c in enumerate(clients):
                c.subscribe("peer/%d" % i, 1)
            # Every client sends to every other: with 4 connections on 2 loops, some messages
            # must cross loops.
            for i, c in enumerate(clients):
                for j in range(len(clients)):
                    if j != i:
                        c.publish("peer/%d" % j, ("from-%d" % i).encode(), qos=1)
            for j, c in enumerate(clients):
                got = sorted(p for _, p, _ in c.receive(len(clients) - 1))
                want = sorted(("from-%d" % i).encode() for i in range(len(clients)) if i != j)
                assert got == want
            assert gw.metric("mqgw_connections_active") == len(clients)
        finally:
            for c in clients:
                c.close()


def test_metrics_count_connections_and_messages(gw):
    before = gw.metrics()
    with PahoClient(gw.address(), "sub") as sub, PahoClient(gw.address(), "pub") as pub:
        sub.subscribe("m/#", 1)
        for i in range(10):
            pub.publish("m/%d" % i, b"x", qos=1)
        assert len(sub.receive(10)) == 10
        during = gw.metrics()
    assert during["mqgw_connections_active"] - before.get("mqgw_connections_active", 0) == 2
    assert during["mqgw_connections_total"] - before.get("mqgw_connections_total", 0) == 2
    assert during["mqgw_messages_published_total"] - \
        before.get("mqgw_messages_published_total", 0) == 10
    assert during["mqgw_messages_delivered_total"] - \
        before.get("mqgw_messages_delivered_total", 0) == 10
    assert gw.wait_metric("mqgw_connections_active", lambda v: v == 0) == 0


def test_overlapping_subscriptions_deliver_once_at_the_highest_qos(gw):
    """MQTT-3.3.5-1: one message, at the maximum QoS of the matching subscriptions."""
    with PahoClient(gw.address(), "overlap") as sub, PahoClient(gw.address(), "o-pub") as pub:
        sub.subscribe("o/#", 0)
        sub.subscribe("o/x", 1)
        pub.publish("o/x", b"hi", 1)
        got = sub.receive(2, timeout=2)
        assert got == [("o/x", b"hi", 1)], got


def test_resubscribe_replaces_qos_and_unsubscribe_removes_only_the_exact_filter(gw):
    """MQTT-3.8.4-3 (same filter replaces the subscription) and MQTT-3.10.4-1 (exact match)."""
    with PahoClient(gw.address(), "resub") as sub, PahoClient(gw.address(), "r-pub") as pub:
        sub.subscribe("r/x", 0)
        sub.subscribe("r/x", 1)  # replaces: now QoS 1
        sub.subscribe("r/+", 0)
        sub.unsubscribe("r/#")  # not a filter we hold: nothing changes
        pub.publish("r/x", b"one", 1)
        assert sub.receive(2, timeout=2) == [("r/x", b"one", 1)]
        sub.unsubscribe("r/x")  # exact: r/+ stays
        pub.publish("r/x", b"two", 1)
        assert sub.receive(2, timeout=2) == [("r/x", b"two", 0)]
