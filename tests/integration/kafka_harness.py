"""A real Apache Kafka (one KRaft node on loopback) for the tests of the Kafka storage backend.

tools/kafka fetches the jars with Maven once (cached in tools/.kafka/), formats a node in a temp
directory and starts it; nothing is skipped when Kafka is missing. Records go in and out through
kcat, which links Debian's librdkafka: the library the backend uses, so what works here works
against the same broker from the backend.

Use the session fixture by importing it into a test module:  from kafka_harness import kafka
"""

import json
import os
import re
import shutil
import subprocess

import pytest

TOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "kafka")
KEY_END = "\x1f"  # kcat -K: ASCII unit separator, never in test keys
RECORD_END = "\x1e"  # kcat -D: ASCII record separator, so values may hold newlines


class KafkaError(RuntimeError):
    pass


def _run(cmd, timeout, stdin=None):
    result = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise KafkaError(f"{' '.join(cmd)} exited {result.returncode}:\n{result.stderr}")
    return result.stdout


def _header_args(headers):
    args = []
    for name, value in headers:
        args += ["-H", f"{name}={value}"]
    return args


def _property_args(properties):
    args = []
    for key, value in properties.items():
        args += ["-X", f"{key}={value}"]
    return args


def _record(line):
    """kcat -J output: headers come as a flat [name, value, name, value] list."""
    data = json.loads(line)
    flat = data.get("headers") or []
    data["headers"] = list(zip(flat[0::2], flat[1::2]))
    return data


class Kafka:
    """One node whose data lives in `directory`; stop() and start() keep data and ports."""

    def __init__(self, directory):
        self.directory = str(directory)
        self.bootstrap = None
        self.pid = None

    def start(self, timeout=90):
        # --owner-pid: a pytest killed by ctest's timeout must not leave a JVM behind.
        out = _run([TOOL, "start", "--dir", self.directory, "--owner-pid", str(os.getpid())],
                   timeout)
        self.bootstrap = re.search(r"^kafka: bootstrap (\S+)$", out, re.M).group(1)
        self.pid = int(re.search(r"^kafka: pid (\d+)$", out, re.M).group(1))

    def stop(self, timeout=30):
        _run([TOOL, "stop", "--dir", self.directory], timeout)
        self.pid = None

    def rss_kib(self):
        with open(f"/proc/{self.pid}/status") as f:
            return int(re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M).group(1))

    def create_topic(self, name, partitions=1, **config):
        """Through Kafka's own TopicCommand: auto-creation is off in tools/kafka."""
        cmd = [TOOL, "topic", "--dir", self.directory, name, "--partitions", str(partitions)]
        for key, value in config.items():
            cmd += ["--config", f"{key}={value}"]
        _run(cmd, 60)

    def produce(self, topic, key, value, headers=(), props=None):
        """One record; props are librdkafka settings, e.g. {"enable.idempotence": "true"}."""
        self.produce_batch(topic, [(key, value)], headers, props=props)

    def produce_batch(self, topic, records, headers=(), partition=None, props=None):
        """(key, value) pairs in one kcat run, all with the same headers; waits for the acks."""
        cmd = ["kcat", "-b", self.bootstrap, "-P", "-t", topic, "-K", r"\x1f", "-D", r"\x1e"]
        if partition is not None:
            cmd += ["-p", str(partition)]
        cmd += _header_args(headers) + _property_args(props or {})
        data = "".join(f"{key}{KEY_END}{value}{RECORD_END}" for key, value in records)
        result = subprocess.run(cmd, input=data, capture_output=True, text=True, timeout=60)
        if result.returncode != 0 or "% ERROR" in result.stderr:
            raise KafkaError(f"kcat -P exited {result.returncode}:\n{result.stderr}")
        return result.stderr  # librdkafka's log, e.g. with props={"debug": "eos"}

    def consume(self, topic, count, timeout=20, group=None, to_end=False, props=None):
        """Up to `count` records from the beginning (or from the group's committed offsets) as
        dicts with key, payload, headers [(name, value)], partition, offset; fewer when
        `timeout` runs out first, or, with to_end, when the end of every partition is reached."""
        cmd = ["kcat", "-b", self.bootstrap, "-J", "-q", "-c", str(count)]
        if to_end:
            cmd.append("-e")
        cmd += _property_args(props or {})
        if group:
            cmd += ["-X", "auto.offset.reset=earliest", "-G", group, topic]
        else:
            cmd += ["-C", "-o", "beginning", "-t", topic]
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout).stdout
        except subprocess.TimeoutExpired as expired:
            out = expired.stdout or b""
            out = out.decode() if isinstance(out, bytes) else out
        return [_record(line) for line in out.splitlines() if line.startswith("{")]


@pytest.fixture(scope="session")
def kafka(tmp_path_factory):
    """A running Kafka node for the whole session, stopped (and its files removed) at the end."""
    if not shutil.which("kcat"):
        raise KafkaError("kcat is missing: run tools/deps")
    node = Kafka(tmp_path_factory.mktemp("kafka"))
    _run([TOOL, "fetch"], 600)
    node.start()
    try:
        yield node
    finally:
        node.stop()
