"""The RabbitMQ test harness against a real private node (Debian's rabbitmq-server 3.10), through
pika as a plain AMQP 0-9-1 client: the node is private and on loopback, streams keep messages and
offsets across restarts, topic bindings route by key, a kill is a crash, stopping the node leaves no
process and no listening port behind, and a node that cannot start fails with its log."""

import json
import os
import socket

import pika.exceptions
import pytest

from rabbitmq_harness import RabbitMQ, RabbitMQError, rabbitmq, rabbitmq_private  # noqa: F401


def listening_sockets(pid):
    """(address, port) of every listening TCP socket of pid, from /proc (no ss needed)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for row in f.readlines()[1:]:
                cols = row.split()
                if cols[3] == "0A" and cols[9] in inodes:  # 0A: LISTEN
                    address, port = cols[1].split(":")
                    found.add((decode_address(address), int(port, 16)))
    return found


def decode_address(hexed):
    raw = bytes.fromhex(hexed)
    # /proc/net prints each 32-bit word in host (little-endian) order
    raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    return socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, raw)


def node_settings(broker):
    """The name and ports tools/rabbitmq chose for the node, kept across restarts."""
    with open(os.path.join(broker.directory, "node.json")) as f:
        return json.load(f)


def node_ports(broker):
    settings = node_settings(broker)
    return {settings["amqp_port"], settings["dist_port"], settings["epmd_port"]}


def anything_of(broker, ports):
    """Processes naming this node or its epmd port, and listeners on its ports, machine-wide:
    what a node that was not stopped would leave behind."""
    epmd_port = node_settings(broker)["epmd_port"]
    left = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if broker.node in cmdline or f"epmd -port {epmd_port}" in cmdline:
            left.append(cmdline)
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for row in f.readlines()[1:]:
                cols = row.split()
                if cols[3] == "0A" and int(cols[1].split(":")[1], 16) in ports:
                    left.append(f"listener {cols[1]}")
    return left


def publish_numbered(broker, stream, first, count):
    for i in range(first, first + count):
        broker.publish("", stream, f"event {i}", headers={"seq": i, "source": "harness"})


def test_node_is_private_and_on_loopback_only(rabbitmq):
    assert rabbitmq.url == f"amqp://guest:guest@127.0.0.1:{rabbitmq.port}/"
    assert (rabbitmq.host, rabbitmq.node.endswith("@localhost")) == ("127.0.0.1", True)
    beam = listening_sockets(rabbitmq.pid)
    assert ("127.0.0.1", rabbitmq.port) in beam
    assert {address for address, _ in beam} == {"127.0.0.1"}  # AMQP and distribution
    assert 5672 not in {port for _, port in beam}
    epmd = [pid for pid, name in rabbitmq.processes().items() if name == "epmd"]
    assert len(epmd) == 1
    epmd_sockets = listening_sockets(epmd[0])
    assert {address for address, _ in epmd_sockets} <= {"127.0.0.1", "::1"}
    assert 4369 not in {port for _, port in epmd_sockets}  # not the machine's shared epmd
    assert os.path.exists(os.path.join(rabbitmq.directory, ".erlang.cookie"))


def test_stream_with_confirms_read_from_an_offset(rabbitmq):
    stream = rabbitmq.declare_stream("harness.stream.offsets")
    publish_numbered(rabbitmq, stream, 0, 20)

    tail = rabbitmq.read_stream(stream, 100, offset=12, idle=0.5)
    assert [(m.offset, m.text, m.headers["seq"]) for m in tail] == [
        (i, f"event {i}", i) for i in range(12, 20)]
    assert tail[0].headers["source"] == "harness" and tail[0].routing_key == stream
    head = rabbitmq.read_stream(stream, 5, offset="first")
    assert [m.offset for m in head] == [0, 1, 2, 3, 4]  # a stream keeps what was read
    listed = {q["name"]: q for q in rabbitmq.list_queues("name", "type", "durable")}
    assert (listed[stream]["type"], listed[stream]["durable"]) == ("stream", True)


def test_topic_queue_receives_by_routing_key(rabbitmq):
    queue = rabbitmq.declare_queue_bound("harness.topic", "devices.*.temp",
                                         declare_exchange=True)
    assert rabbitmq.exchange_exists("harness.topic")
    assert not rabbitmq.exchange_exists("harness.no-such-exchange")
    rabbitmq.publish("harness.topic", "devices.a.temp", "21.5", headers={"unit": "C"})
    with pytest.raises(pika.exceptions.UnroutableError):  # mandatory: no binding matches
        rabbitmq.publish("harness.topic", "devices.a.humidity", "40")
    rabbitmq.publish("harness.topic", "devices.b.temp", b"\x00\xff", content_type="bin")
    assert rabbitmq.queue_info(queue)["messages"] == 2

    got = rabbitmq.get_messages(queue, 10, idle=0.5)

    assert [(m.routing_key, m.body, m.exchange) for m in got] == [
        ("devices.a.temp", b"21.5", "harness.topic"), ("devices.b.temp", b"\x00\xff",
                                                        "harness.topic")]
    assert got[0].headers == {"unit": "C"} and got[1].properties.content_type == "bin"
    assert not any(m.redelivered for m in got)
    assert rabbitmq.queue_info(queue)["messages"] == 0  # acknowledged
    assert rabbitmq.queue_info("harness.no-such-queue") is None
    with pytest.raises(RabbitMQError, match="does not exist"):
        rabbitmq.declare_queue_bound("harness.no-such-exchange", "#")


def test_restart_keeps_streams_and_queues_kill_and_stop_leave_nothing(rabbitmq_private):
    broker = rabbitmq_private
    stream = broker.declare_stream("harness.stream.durable")
    publish_numbered(broker, stream, 0, 10)
    queue = broker.declare_queue_bound("amq.topic", "jobs.#", durable=True)
    for i in range(3):
        broker.publish("amq.topic", f"jobs.{i}", f"job {i}", delivery_mode=2)
    url, node, old_pid, ports = broker.url, broker.node, broker.pid, node_ports(broker)
    assert {"beam.smp", "epmd"} <= set(broker.processes().values())
    assert anything_of(broker, set()) != []  # the check below does see a running node

    broker.stop()
    assert broker.processes() == {}
    assert anything_of(broker, ports) == []  # no beam.smp, no epmd, no listener
    broker.stop()  # stopping a stopped node is harmless
    broker.start()

    assert (broker.url, broker.node) == (url, node) and broker.pid != old_pid
    assert [(m.offset, m.text) for m in broker.read_stream(stream, 4, offset=6)] == [
        (i, f"event {i}") for i in range(6, 10)]
    publish_numbered(broker, stream, 10, 1)
    assert [m.offset for m in broker.read_stream(stream, 11, idle=0.5)] == list(range(11))
    assert [m.text for m in broker.get_messages(queue, 10, idle=0.5)] == [
        "job 0", "job 1", "job 2"]

    # A kill is a crash: the VM is gone at once; epmd stays for the next start until stop().
    broker.kill()
    assert set(broker.processes().values()) == {"epmd"}
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((broker.host, broker.port), timeout=2).close()
    broker.stop()
    assert broker.processes() == {} and anything_of(broker, ports) == []


def test_a_node_that_cannot_start_fails_with_its_log(tmp_path):
    broker = RabbitMQ(tmp_path / "broken", config={"no_such_setting": "1"})
    with pytest.raises(RabbitMQError) as failure:
        broker.start(timeout=30)
    # the node's own complaint, from its console output: not the command line
    assert "unknown variable: no_such_setting" in str(failure.value)
    assert broker.processes() == {}
