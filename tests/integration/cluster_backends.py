"""Several mqgw processes sharing one broker as the nodes of one cluster, for every clustered
storage backend (Kafka, AMQP): each node has its own node_id and run directory (config,
stderr), all serve the same instance. The instance comes from the test's tmp_path, so the
topics, streams and exchanges of one test never meet another test's on the session's broker.

A ClusterBackend is what the engine-neutral tests need to know of one engine: the per-node
`storage:` section, its broker, how to stop and start that broker, and the name the gateway
logs it by ("storage '<name>' is unavailable"). Import the fixtures into a test module:

    from cluster_backends import cluster_backend, outage_backend  # noqa: F401
    from kafka_harness import kafka  # noqa: F401
    from rabbitmq_harness import rabbitmq, rabbitmq_private  # noqa: F401

    def test_x(cluster_backend, tmp_path):            # runs once per engine
        with Cluster(cluster_backend, tmp_path, ["a", "b"]) as cluster:
            cluster["a"].address() ...

A failing test prints the tail of every node's stderr (pytest shows it with the failure).
"""

import hashlib

import pytest

from durable_clients import SessionClient
from mqgw_harness import Gateway, base_config, same_ports

LOG_TAIL = 6000  # characters of each node's stderr shown with a failure


def instance_for(path):
    """An instance name unique to a test directory, safe in Kafka topic and AMQP names."""
    return "t" + hashlib.sha1(str(path).encode()).hexdigest()[:12]


def kafka_storage(kafka, instance, node_id, **settings):
    """A Kafka node's `storage:` section: small topics, quick discovery and claim timeout."""
    section = {"bootstrap_servers": kafka.bootstrap, "node_id": node_id, "instance": instance,
               "topic_template": "mqtt.{instance}.{parent}", "topic_partitions": 3,
               "replication_factor": 1, "discovery_interval": "200ms", "claim_timeout": "2s"}
    section.update(settings)
    return {"backend": "kafka", "kafka": section}


def amqp_storage(rabbitmq, instance, node_id, **settings):
    """An AMQP node's `storage:` section: exchange mqgw.<instance>, streams mqgw.<instance>.*,
    a quick claim timeout, and a reconnect backoff short enough for a restart test."""
    section = {"url": rabbitmq.url, "node_id": node_id, "instance": instance,
               "claim_timeout": "2s", "reconnect_max": "1s"}
    section.update(settings)
    return {"backend": "amqp", "amqp": section}


class ClusterBackend:
    """One engine on one running broker."""

    name = ""             # the storage backend, its name in the gateway's log, the test id
    fed_metric = ""       # what a node's feed handed to its router
    shared_fixture = ""   # the pytest fixture of the test process's broker (never stopped)
    outage_fixture = ""   # the fixture of a broker the test may stop and start

    def __init__(self, broker):
        self.broker = broker

    def storage(self, instance, node_id, **settings):
        raise NotImplementedError

    def stop_broker(self):
        """A clean broker shutdown; the nodes lose it."""
        self.broker.stop()

    def start_broker(self):
        """The broker back on the same address with its data."""
        self.broker.start()

    @property
    def unavailable_log(self):
        return "storage '%s' is unavailable" % self.name

    @property
    def available_log(self):
        return "storage '%s' is available again" % self.name

    def __repr__(self):
        return self.name


class KafkaBackend(ClusterBackend):
    name = "kafka"
    fed_metric = "mqgw_storage_kafka_fed_total"
    shared_fixture = "kafka"
    # Kafka takes ~20 s to start: the outage tests stop the session's node and stay last.
    outage_fixture = "kafka"

    def storage(self, instance, node_id, **settings):
        return kafka_storage(self.broker, instance, node_id, **settings)


class AmqpBackend(ClusterBackend):
    name = "amqp"
    fed_metric = "mqgw_storage_amqp_fed_total"
    shared_fixture = "rabbitmq"
    # A node of the test alone: its restart recovers only that test's streams (not every
    # stream the earlier tests left on the shared node), and a node that fails to come back
    # cannot break the tests after it.
    outage_fixture = "rabbitmq_private"

    def storage(self, instance, node_id, **settings):
        return amqp_storage(self.broker, instance, node_id, **settings)


BACKENDS = {b.name: b for b in (KafkaBackend, AmqpBackend)}


@pytest.fixture(params=list(BACKENDS))
def cluster_backend(request):
    """Each clustered backend on the test process's broker (do not stop it)."""
    cls = BACKENDS[request.param]
    return cls(request.getfixturevalue(cls.shared_fixture))


@pytest.fixture(params=list(BACKENDS))
def outage_backend(request):
    """Each clustered backend on a broker the test may stop and start (Kafka: the session's
    node, so such a test stays last in its file; RabbitMQ: a private node)."""
    cls = BACKENDS[request.param]
    return cls(request.getfixturevalue(cls.outage_fixture))


class Cluster:
    """Gateways named by node_id on one ClusterBackend; start() starts them one by one."""

    def __init__(self, backend, tmp_path, nodes=("a", "b"), config_overrides=None, **settings):
        self.backend = backend
        self.tmp_path = tmp_path
        self.instance = instance_for(tmp_path)
        self.settings = settings
        self.config_overrides = config_overrides or {}
        self.names = list(nodes)
        self.gateways = {}   # node id -> the running (or last) Gateway
        self._runs = {}      # node id -> how many times it was started

    def config(self, node_id):
        return base_config(storage=self.backend.storage(self.instance, node_id, **self.settings),
                           **self.config_overrides)

    def start_node(self, node_id):
        """Starts (or restarts, on the same ports) one node in a new run directory."""
        runs = self._runs.get(node_id, 0) + 1
        self._runs[node_id] = runs
        run_dir = self.tmp_path / ("node-%s-run%d" % (node_id, runs))
        run_dir.mkdir()
        cfg = self.config(node_id)
        previous = self.gateways.get(node_id)
        if previous is not None:
            cfg = same_ports(cfg, previous)
        gw = Gateway(run_dir, cfg)
        self.gateways[node_id] = gw
        return gw.start()

    def start(self):
        for name in self.names:
            self.start_node(name)
        return self

    def __getitem__(self, node_id):
        return self.gateways[node_id]

    def stop(self):
        """SIGTERM to every node still running; each must exit cleanly and in time."""
        for gw in self.gateways.values():
            if gw.proc is not None and gw.alive():
                gw.stop()

    def kill(self):
        for gw in self.gateways.values():
            gw.kill()

    def logs(self):
        parts = []
        for node_id, gw in self.gateways.items():
            text = gw.stderr()
            if len(text) > LOG_TAIL:
                text = "...\n" + text[-LOG_TAIL:]
            parts.append("---- node %s stderr (%s) ----\n%s" % (node_id, gw.stderr_path, text))
        return "\n".join(parts)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            print(self.logs())
            self.kill()
            raise

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            print(self.logs())
            self.kill()
            return False
        try:
            self.stop()
        except BaseException:
            print(self.logs())
            self.kill()
            raise
        return False


class RecordingClient(SessionClient):
    """A SessionClient that also keeps each message's MQTT 5 properties and the reason of a
    DISCONNECT the gateway sent (paho 1.6 reports it only when the packet has properties, so the
    takeover test reads the reason code through mqtt_raw instead)."""

    def __init__(self, *args, **kwargs):
        self.properties = []  # one per message, in the order of self.received
        self.disconnect_args = None
        super().__init__(*args, **kwargs)
        self.client.on_disconnect = self._on_lost

    def _on_message(self, client, userdata, msg):
        with self._lock:
            self.properties.append(getattr(msg, "properties", None))
        super()._on_message(client, userdata, msg)

    def _on_lost(self, client, userdata, *rest):
        self.disconnect_args = rest
        self.lost.set()
