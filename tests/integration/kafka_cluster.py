"""Several mqgw processes sharing one Kafka, as the nodes of one cluster: each has its own node_id
and its own run directory (config, stderr), all the same instance. The instance comes from the
test's tmp_path, so the state topics (mqgw.<instance>.*) and data topics
(mqtt.<instance>.<first level>) of one test never meet another test's on the session's Kafka.

    with KafkaCluster(kafka, tmp_path, ["a", "b"]) as cluster:
        cluster["a"].address() ...

A failing test prints the tail of every node's stderr (pytest shows it with the failure).
"""

import hashlib

from durable_clients import SessionClient
from mqgw_harness import Gateway, base_config, same_ports

LOG_TAIL = 6000  # characters of each node's stderr shown with a failure


def instance_for(path):
    """A Kafka-safe instance name unique to a test directory."""
    return "t" + hashlib.sha1(str(path).encode()).hexdigest()[:12]


def data_topic(instance, parent):
    """The Kafka topic the cluster's topic_template makes for an MQTT topic's first level."""
    return "mqtt.%s.%s" % (instance, parent)


def kafka_storage(kafka, instance, node_id, **settings):
    """The `storage:` section of one node: small topics, quick discovery and claim timeout."""
    section = {"bootstrap_servers": kafka.bootstrap, "node_id": node_id, "instance": instance,
               "topic_template": "mqtt.{instance}.{parent}", "topic_partitions": 3,
               "replication_factor": 1, "discovery_interval": "200ms", "claim_timeout": "2s"}
    section.update(settings)
    return {"backend": "kafka", "kafka": section}


class KafkaCluster:
    """Gateways named by node_id; start() starts them one after the other."""

    def __init__(self, kafka, tmp_path, nodes=("a", "b"), config_overrides=None, **settings):
        self.kafka = kafka
        self.tmp_path = tmp_path
        self.instance = instance_for(tmp_path)
        self.settings = settings
        self.config_overrides = config_overrides or {}
        self.names = list(nodes)
        self.gateways = {}   # node id -> the running (or last) Gateway
        self._runs = {}      # node id -> how many times it was started

    def config(self, node_id):
        return base_config(storage=kafka_storage(self.kafka, self.instance, node_id,
                                                 **self.settings),
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

    def data_topic(self, parent):
        return data_topic(self.instance, parent)

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

