"""Publish/subscribe through mqgw with Eclipse Mosquitto's command-line clients, an
implementation independent of ours, over MQTT 3.1, 3.1.1 and 5."""

import subprocess
import time

import pytest

from mosquitto_sub import Subscriber
from mqgw_harness import scaled

VERSIONS = ["mqttv31", "mqttv311", "mqttv5"]


def publish(port, topic, message, version="mqttv311", qos=0):
    subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(port), "-V", version,
                    "-q", str(qos), "-t", topic, "-m", message],
                   check=True, timeout=scaled(10), stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("qos", [0, 1])
def test_hash_wildcard_delivers(gw, version, qos):
    sub = Subscriber(gw.port(), ["a/#"], 1, version, qos)
    publish(gw.port(), "a/b", "hi", version, qos)
    assert sub.messages() == ["a/b hi"]


def test_hash_matches_parent_level(gw):
    sub = Subscriber(gw.port(), ["a/#"], 2)
    publish(gw.port(), "a", "parent", qos=1)
    publish(gw.port(), "a/b/c", "deep", qos=1)
    assert sub.messages() == ["a parent", "a/b/c deep"]


def test_plus_matches_exactly_one_level(gw):
    sub = Subscriber(gw.port(), ["s/+/t"], 2)
    for topic in ["s/t", "s/x/y/t", "s/1/t", "s//t"]:
        publish(gw.port(), topic, "m", qos=1)
    # s/t has no level for +; s/x/y/t has two; an empty level is still a level.
    assert sub.messages() == ["s/1/t m", "s//t m"]


def test_non_matching_topic_not_delivered(gw):
    sub = Subscriber(gw.port(), ["a/b"], 1)
    publish(gw.port(), "a/c", "no", qos=1)
    publish(gw.port(), "A/b", "case", qos=1)
    publish(gw.port(), "a/b", "yes", qos=1)
    assert sub.messages() == ["a/b yes"]


def test_dollar_topics_not_matched_by_leading_wildcards(gw):
    sub = Subscriber(gw.port(), ["#", "+/x"], 1)
    # The gateway may refuse client publishes to $-topics; either way '#' must not match them.
    subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(gw.port()), "-q", "1",
                    "-t", "$SYS/x", "-m", "sys"], timeout=scaled(10), stdin=subprocess.DEVNULL)
    time.sleep(0.3)
    publish(gw.port(), "plain/x", "ok", qos=1)
    assert sub.messages() == ["plain/x ok"]


def test_one_publish_reaches_every_matching_subscriber_once(gw):
    subs = [Subscriber(gw.port(), topics, 1) for topics in (["f/#"], ["f/+"], ["f/g"])]
    overlapping = Subscriber(gw.port(), ["f/#", "f/g"], 2)
    publish(gw.port(), "f/g", "x", qos=1)
    publish(gw.port(), "f/end", "y", qos=1)
    for sub in subs:
        assert sub.messages() == ["f/g x"]
    # Overlapping filters in one session: MQTT 3.1.1 allows one copy per match or one in total;
    # what matters is f/g arrives before f/end and nothing else arrives.
    got = overlapping.messages()
    assert got[0] == "f/g x"
    assert set(got) <= {"f/g x", "f/end y"}
