"""The durable storage backends the durability tests run against, as gateway config snippets.

Each backend is one `storage:` section plus an `available()` check; a test takes the list as a
pytest parameter and builds its gateway with `backend.config(state_dir)`. Adding a backend (Kafka,
AMQP) means adding one entry here: its snippet derives whatever must be unique per test (a
topic, an exchange) from state_dir, and available() says why it is skipped where its broker is
not reachable. The tests themselves do not change. Kafka and RabbitMQ are started by the tests
themselves (tools/kafka, tools/rabbitmq), so they are always available: a broker that cannot
start fails the test.
"""

import atexit
import os
import shutil
import tempfile

import pytest

import kafka_harness
import rabbitmq_harness
from cluster_backends import amqp_storage, instance_for, kafka_storage
from mqgw_harness import base_config


class DurableBackend:
    def __init__(self, name, storage, restart_only=False, fed_metric=None):
        self.name = name
        self._storage = storage          # state_dir -> the `storage:` section
        self.restart_only = restart_only  # not part of the crash (SIGKILL) matrix
        # A backend that routes a message when it comes back from the log (Kafka), after the
        # PUBACK: the metric that counts what came back, so a test can wait until it has.
        self.fed_metric = fed_metric

    def published(self, gw, publish, items):
        """publish(gw, items), then waits until the gateway has routed them all: a client that
        subscribes afterwards must not receive them live."""
        before = gw.metric(self.fed_metric) if self.fed_metric else 0
        publish(gw, items)
        if self.fed_metric:
            gw.wait_metric(self.fed_metric, lambda v: v >= before + len(items), timeout=10)

    def storage(self, state_dir):
        return self._storage(str(state_dir))

    def available(self):
        """None when the backend can run here, else why it cannot (the test is skipped)."""
        return None

    def config(self, state_dir, **overrides):
        """A gateway config like base_config(), storing in this backend under state_dir."""
        return base_config(storage=self.storage(state_dir), **overrides)

    def __repr__(self):
        return self.name


def _native(fsync):
    def storage(state_dir):
        return {"backend": "native",
                "native": {"data_dir": os.path.join(state_dir, "native"), "fsync": fsync}}
    return storage


class _SharedKafka:
    """One Kafka node for the whole test process, started when a test first needs it. The
    durable tests take their backend as a parameter, not as a fixture, so this stands in for
    kafka_harness's session fixture; a Kafka that cannot start fails the test, never skips it."""

    def __init__(self):
        self.node = None
        self.failure = None

    def get(self):
        if self.failure is not None:
            raise kafka_harness.KafkaError("Kafka did not start earlier: %s" % self.failure)
        if self.node is None:
            directory = tempfile.mkdtemp(prefix="mqgw-durable-kafka-")
            try:
                kafka_harness._run([kafka_harness.TOOL, "fetch"], 600)
                node = kafka_harness.Kafka(directory)
                node.start()
            except Exception as e:
                self.failure = e
                shutil.rmtree(directory, ignore_errors=True)
                raise
            self.node = node
            atexit.register(self._stop, directory)
        return self.node

    def _stop(self, directory):
        try:
            self.node.stop()
        finally:
            shutil.rmtree(directory, ignore_errors=True)


_KAFKA = _SharedKafka()


def _kafka(state_dir):
    # Topics of their own per test (the instance comes from state_dir); one fixed node_id, so a
    # restarted gateway is the same node and takes back the sessions it served.
    return kafka_storage(_KAFKA.get(), instance_for(state_dir), "durable")


def _amqp(state_dir):
    # The test process's RabbitMQ node (rabbitmq_harness.shared_node, started on first use,
    # stopped at exit); an exchange and streams of their own per test, one fixed node_id.
    return amqp_storage(rabbitmq_harness.shared_node(), instance_for(state_dir), "durable")


# fsync: interval keeps everything across a process crash too (the page cache survives it); only
# the restart tests run it, to keep the crash matrix short.
ALL = [
    DurableBackend("native-fsync-always", _native("always")),
    DurableBackend("native-fsync-interval", _native("interval"), restart_only=True),
    DurableBackend("kafka", _kafka, fed_metric="mqgw_storage_kafka_fed_total"),
    DurableBackend("amqp", _amqp, fed_metric="mqgw_storage_amqp_fed_total"),
]


def _params(backends):
    return [pytest.param(b, id=b.name,
                         marks=[pytest.mark.skipif(b.available() is not None,
                                                   reason=str(b.available()))])
            for b in backends]


def restart_params():
    """Every durable backend: the clean-restart tests."""
    return _params(ALL)


def crash_params():
    """The backends the SIGKILL tests run against."""
    return _params([b for b in ALL if not b.restart_only])


def memory_storage():
    """The non-durable backend: what a durable test must be able to tell apart."""
    return {"backend": "memory"}
