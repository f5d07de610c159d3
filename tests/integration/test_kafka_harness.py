"""The Kafka test harness against a real Kafka node, through kcat and so through Debian's
librdkafka 2.0.2, the library of the Kafka storage backend: records with headers round-trip,
the idempotent producer and consumer groups work, and records survive a broker restart."""

import os

from kafka_harness import kafka  # noqa: F401  (session fixture)


def batch_headers(batch):
    # A repeated name: Kafka keeps every header in order, and the backend will rely on it.
    return [("batch", str(batch)), ("trace", f"t-{batch}"), ("dup", "1"), ("dup", "2")]


def process_gone(pid):
    """Gone or a zombie (its parent, tools/kafka, exited long ago: init reaps it)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read() == b""
    except FileNotFoundError:
        return True


def as_tuples(records):
    return {(r["key"], r["payload"], tuple(r["headers"])) for r in records}


def produce_numbered(kafka, topic, count, batches, props=None):
    """`count` records in `batches` kcat runs; returns what was sent as (key, value, headers)."""
    sent = set()
    per_batch = count // batches
    for batch in range(batches):
        records = [(f"key-{i}", f"value {i}\nsecond line = ü")
                   for i in range(batch * per_batch, (batch + 1) * per_batch)]
        kafka.produce_batch(topic, records, batch_headers(batch), props=props)
        sent |= {(k, v, tuple(batch_headers(batch))) for k, v in records}
    return sent


def test_records_with_headers_round_trip(kafka):
    kafka.create_topic("harness.roundtrip", partitions=3)
    sent = produce_numbered(kafka, "harness.roundtrip", 100, 4)

    received = kafka.consume("harness.roundtrip", 1000, to_end=True)

    assert len(received) == 100
    assert as_tuples(received) == sent
    assert {r["partition"] for r in received} == {0, 1, 2}  # keys hashed over all partitions
    for partition in range(3):
        offsets = [r["offset"] for r in received if r["partition"] == partition]
        assert offsets == list(range(len(offsets)))


def test_idempotent_producer_and_consumer_group(kafka):
    kafka.create_topic("harness.idempotent", partitions=2)
    log = kafka.produce_batch("harness.idempotent", [(f"k{i}", f"v{i}") for i in range(50)],
                              props={"enable.idempotence": "true", "debug": "eos"})
    # librdkafka fails the producer when the broker cannot give it a producer id.
    assert "Acquired PID" in log

    first = kafka.consume("harness.idempotent", 50, group="harness-group")
    assert sorted(r["key"] for r in first) == sorted(f"k{i}" for i in range(50))
    # The group committed its offsets on close: the same group sees nothing new.
    assert kafka.consume("harness.idempotent", 50, group="harness-group", to_end=True) == []
    kafka.produce("harness.idempotent", "late", "after commit", [("h", "x")])
    again = kafka.consume("harness.idempotent", 10, group="harness-group", to_end=True)
    assert [(r["key"], r["payload"], r["headers"]) for r in again] == [
        ("late", "after commit", [("h", "x")])]


def test_records_survive_a_restart(kafka):
    kafka.create_topic("harness.durable", partitions=2)
    sent = produce_numbered(kafka, "harness.durable", 40, 2, props={"acks": "all"})
    bootstrap, old_pid = kafka.bootstrap, kafka.pid
    assert kafka.rss_kib() < 1024 * 1024

    kafka.stop()
    assert process_gone(old_pid)
    kafka.start()

    assert kafka.pid != old_pid and kafka.bootstrap == bootstrap
    assert as_tuples(kafka.consume("harness.durable", 1000, to_end=True)) == sent
    kafka.produce("harness.durable", "after-restart", "v")
    assert "after-restart" in {r["key"] for r in kafka.consume("harness.durable", 41)}
