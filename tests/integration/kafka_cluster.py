"""The Kafka helpers of cluster_backends.py under their old module name (the console tests and
test_kafka_backend.py import them from here): the instance of a test directory and a Kafka
node's `storage:` section. Clusters of gateways: cluster_backends.Cluster."""

from cluster_backends import instance_for, kafka_storage  # noqa: F401
