"""Publish/subscribe through mqgw with Eclipse Mosquitto's command-line clients, an
implementation independent of ours, over MQTT 3.1, 3.1.1 and 5."""

import queue
import subprocess
import threading
import time

import pytest

from mqgw_harness import scaled

VERSIONS = ["mqttv31", "mqttv311", "mqttv5"]


class Subscriber:
    """mosquitto_sub -d -v: waits for the SUBACK (a debug line), then collects `topic payload`
    lines until it has `count` messages or times out."""

    def __init__(self, port, topics, count, version="mqttv311", qos=0):
        # stdbuf: mosquitto_sub block-buffers stdout into a pipe; we need each line as it comes.
        cmd = ["stdbuf", "-oL", "mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-V", version, "-d", "-v",
               "-q", str(qos), "-C", str(count), "-W", str(int(scaled(10)))]
        for t in topics:
            cmd += ["-t", t]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, text=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self.debug = []
        self._wait_for("received SUBACK")

    def _pump(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def _wait_for(self, text):
        end = time.monotonic() + scaled(5)
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            if line is None:
                break
            self.debug.append(line)
            if text in line:
                return
        self.proc.kill()
        raise AssertionError("mosquitto_sub never saw %r:\n%s" % (text, "\n".join(self.debug)))

    def messages(self):
        """Waits for mosquitto_sub to exit (-C count reached, or -W timeout)."""
        try:
            self.proc.wait(timeout=scaled(15))
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
        out = []
        while True:
            line = self.lines.get(timeout=5)
            if line is None:
                return out
            if not line.startswith("Client ") and not line.startswith("Subscribed"):
                out.append(line)


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
