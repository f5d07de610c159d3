"""A real RabbitMQ (Debian's rabbitmq-server, one private node on loopback) for the tests of the
AMQP storage backend, and a plain AMQP 0-9-1 client (pika) to look at what the backend wrote.

tools/rabbitmq starts the node with its own name, ports, epmd, cookie and data directory, so
nothing touches a system RabbitMQ; nothing is skipped when RabbitMQ is missing (the tool installs
it, and a node that cannot start fails the test with the tail of its log).

Fixtures (import them into a test module):  from rabbitmq_harness import rabbitmq, rabbitmq_private
  rabbitmq          one node for the whole session: do not stop it, use rabbitmq_private for that
  rabbitmq_private  a fresh node per test, for tests that stop, kill or restart the broker
Without pytest: shared_node() (the session's node, started on first use) or
`with private_node(directory) as node:`.
"""

import atexit
import contextlib
import importlib.machinery
import importlib.util
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass

import pika
import pika.exceptions
import pytest

TOOL = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                     "tools", "rabbitmq"))
_loader = importlib.machinery.SourceFileLoader("rabbitmq_tool", TOOL)
_tool = importlib.util.module_from_spec(importlib.util.spec_from_loader(_loader.name, _loader))
_loader.exec_module(_tool)  # processes_of(): the same process lookup `tools/rabbitmq stop` uses

MAX_WINDOW = 10000  # messages fetched per consumer; prefetch_count is 16 bits
_names = itertools.count()


class RabbitMQError(RuntimeError):
    pass


def _run(cmd, timeout):
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                            stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise RabbitMQError(f"{' '.join(cmd)} exited {result.returncode}:\n{result.stderr}"
                            f"{result.stdout}")
    return result.stdout


@dataclass
class Message:
    body: bytes
    routing_key: str
    exchange: str
    headers: dict
    properties: pika.BasicProperties
    redelivered: bool
    delivery_tag: int
    offset: int = None  # the stream offset (x-stream-offset) of a stream delivery

    @property
    def text(self):
        return self.body.decode()


class RabbitMQ:
    """One node whose config, data and logs live in `directory`. stop()/start() and kill()/start()
    keep its name, ports and data, so durable exchanges, queues and streams survive them."""

    def __init__(self, directory, node=None, port=0, config=None):
        """port: the AMQP port (0: a free one, kept across restarts); config: extra
        rabbitmq.conf entries, e.g. {"max_message_size": "1048576"}."""
        self.directory = os.path.abspath(str(directory))
        self.requested_node = node or f"mqgw-{os.getpid()}-{next(_names)}@localhost"
        self.requested_port = port
        self.config = dict(config or {})
        self.node = None
        self.host = "127.0.0.1"
        self.port = None
        self.url = None
        self.pid = None  # beam.smp
        self._connection = None
        self._channel = None

    # --- the node ---------------------------------------------------------------------------

    def start(self, timeout=90):
        # --owner-pid: a pytest killed by ctest's timeout must not leave a node behind.
        cmd = [TOOL, "start", "--dir", self.directory, "--node", self.requested_node,
               "--port", str(self.requested_port), "--owner-pid", str(os.getpid()),
               "--timeout", str(timeout)]
        for key, value in self.config.items():
            cmd += ["--set", f"{key}={value}"]
        try:
            out = _run(cmd, timeout + 30)
        except subprocess.TimeoutExpired as e:
            raise RabbitMQError(f"{e}\n--- {self.log_path}\n{self.log_tail()}") from e
        self.url = re.search(r"^rabbitmq: url (\S+)$", out, re.M).group(1)
        self.port = int(re.search(r":(\d+)/$", self.url).group(1))
        self.node = re.search(r"^rabbitmq: node (\S+)$", out, re.M).group(1)
        self.pid = int(re.search(r"^rabbitmq: pid (\d+)$", out, re.M).group(1))

    def stop(self, timeout=30):
        """A clean shutdown (SIGTERM); the node's epmd stops too."""
        self._drop_client()
        _run([TOOL, "stop", "--dir", self.directory, "--timeout", str(timeout)], timeout + 30)
        self.pid = None

    def kill(self):
        """SIGKILL: a crash. start() brings the node back on the same ports with its data."""
        self._drop_client()
        _run([TOOL, "kill", "--dir", self.directory], 30)
        self.pid = None

    def restart(self, timeout=90):
        self.stop()
        self.start(timeout)

    def processes(self):
        """{pid: command name} of every live process of this node (beam.smp, epmd, ...)."""
        return _tool.processes_of(self.directory)

    @property
    def log_path(self):
        return os.path.join(self.directory, "log", f"{self.node or self.requested_node}.log")

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError as e:
            return f"(no log: {e})"

    def ctl(self, *args, timeout=60):
        """rabbitmqctl against this node; returns its stdout."""
        return _run([TOOL, "ctl", "--dir", self.directory, "--", *args], timeout)

    def list_queues(self, *fields):
        """rabbitmqctl list_queues as dicts, by default with name, messages and arguments."""
        fields = fields or ("name", "messages", "arguments")
        return json.loads(self.ctl("-q", "list_queues", *fields, "--formatter", "json") or "[]")

    # --- a plain AMQP client ---------------------------------------------------------------

    def connect(self, **params):
        """A new pika BlockingConnection (the caller closes it); no heartbeats, so a test may
        leave it idle for as long as it likes."""
        settings = dict(host=self.host, port=self.port, heartbeat=0, connection_attempts=1,
                        credentials=pika.PlainCredentials("guest", "guest"))
        settings.update(params)
        return pika.BlockingConnection(pika.ConnectionParameters(**settings))

    def channel(self):
        """The harness's own channel; it owns the exclusive queues of declare_queue_bound."""
        if self._connection is None or not self._connection.is_open:
            self._connection = self.connect()
            self._channel = None
        if self._channel is None or not self._channel.is_open:
            self._channel = self._connection.channel()
            self._channel.confirm_delivery()  # publish() waits for the broker's ack
        return self._channel

    def _drop_client(self):
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None and connection.is_open:
            with contextlib.suppress(Exception):
                connection.close()

    def declare_queue_bound(self, exchange, binding_key, durable=False, name="",
                            declare_exchange=False, exchange_type="topic"):
        """A queue bound to `exchange` with `binding_key`; returns its name. By default exclusive
        to the harness's connection (gone when the broker restarts); durable=True makes a durable
        named queue that outlives restarts. The exchange must exist unless declare_exchange
        (then a durable exchange of exchange_type is declared)."""
        ch = self.channel()
        if declare_exchange:
            ch.exchange_declare(exchange, exchange_type=exchange_type, durable=True)
        elif not self.exchange_exists(exchange):
            raise RabbitMQError(f"exchange {exchange!r} does not exist on {self.url}")
        ch = self.channel()
        if durable:
            name = name or f"mqgw-test-{os.getpid()}-{next(_names)}"
            queue = ch.queue_declare(name, durable=True).method.queue
        else:
            queue = ch.queue_declare(name, exclusive=True).method.queue
        ch.queue_bind(queue, exchange, routing_key=binding_key)
        return queue

    def delete_queue(self, name):
        self.channel().queue_delete(name)

    def declare_stream(self, name, **arguments):
        """A durable stream queue; arguments e.g. {"x-max-length-bytes": 10_000_000}."""
        args = {"x-queue-type": "stream"}
        args.update(arguments)
        self.channel().queue_declare(name, durable=True, arguments=args)
        return name

    def publish(self, exchange, routing_key, body, headers=None, mandatory=True, **properties):
        """One message with publisher confirms; raises pika.exceptions.NackError when the broker
        nacks it and, mandatory, UnroutableError when no queue takes it. properties:
        pika.BasicProperties fields (delivery_mode=2, content_type=..., message_id=...)."""
        ch = self.channel()
        props = pika.BasicProperties(headers=headers, **properties)
        body = body.encode() if isinstance(body, str) else body
        ch.basic_publish(exchange, routing_key, body, props, mandatory=mandatory)

    def get_messages(self, queue, n, timeout=10, idle=None):
        """Up to n messages from a queue, acknowledged (so removed), in queue order; fewer when
        `timeout` runs out first or, with idle, when nothing came for `idle` seconds."""
        return self._consume(queue, n, _Deadline(timeout, idle), None)

    def read_stream(self, stream, n, offset="first", timeout=10, idle=None):
        """Up to n messages of a stream from `offset` ("first", "last", "next", a number or a
        datetime), each with .offset; streams keep their messages, so this can be repeated.
        Fewer when `timeout` runs out or, with idle, nothing came for `idle` seconds."""
        return self._consume(stream, n, _Deadline(timeout, idle), offset)

    def _consume(self, queue, n, deadline, stream_offset):
        """Consumers of at most `window` unacked messages. A queue consumer acks them all and
        then cancels, so no message is delivered and handed back (marked redelivered). A stream
        sends whole chunks past the prefetch and refuses the reject pika sends for unread
        deliveries on cancel (closing the connection), so a stream window runs on a channel of
        its own, never acks (which holds further chunks back), reads every delivery that came,
        then closes the channel; the next window starts after the last offset."""
        out = []
        while len(out) < n and not deadline.passed():
            window = min(n - len(out), MAX_WINDOW)
            try:
                if stream_offset is None:
                    got = self._queue_window(queue, window, deadline)
                else:
                    offset = out[-1].offset + 1 if out else stream_offset
                    got = self._stream_window(queue, window, deadline, offset)
            except pika.exceptions.ChannelClosedByBroker as e:
                # After a restart a durable stream or quorum queue answers 404 "home node ...
                # is down or inaccessible" until its replica has started again.
                if e.reply_code != 404 or "inaccessible" not in e.reply_text:
                    raise
                deadline.delivered()  # idle counts the silence of a consumer, not this wait
                time.sleep(0.1)
                continue
            out += got
            if len(got) < window:
                break
        return out

    def _queue_window(self, queue, window, deadline):
        ch = self.channel()
        ch.basic_qos(prefetch_count=window)
        got = _take(ch.consume(queue, inactivity_timeout=0.05), window, deadline)
        if got:
            ch.basic_ack(got[-1].delivery_tag, multiple=True)
        ch.cancel()
        return got

    def _stream_window(self, stream, window, deadline, offset):
        self.channel()
        ch = self._connection.channel()
        try:
            ch.basic_qos(prefetch_count=window)
            deliveries = ch.consume(stream, arguments={"x-stream-offset": offset},
                                    inactivity_timeout=0.05)
            got = _take(deliveries, window, deadline)
            for method, _, _ in deliveries:  # the rest of the last chunk: read, not rejected
                if method is None:
                    break
            ch.cancel()
        finally:
            with contextlib.suppress(Exception):
                ch.close()
        return got

    def exchange_exists(self, name):
        return self._passive(lambda ch: ch.exchange_declare(name, passive=True)) is not None

    def queue_info(self, name):
        """{"name", "messages", "consumers"} of a queue (a passive declare), None if missing.
        Streams report 0 messages here (and list_queues only every few seconds): count a
        stream's messages with read_stream."""
        ok = self._passive(lambda ch: ch.queue_declare(name, passive=True))
        if ok is None:
            return None
        return {"name": ok.method.queue, "messages": ok.method.message_count,
                "consumers": ok.method.consumer_count}

    def _passive(self, declare):
        """A passive declare on a throwaway channel: a 404 closes that channel, not ours."""
        self.channel()
        ch = self._connection.channel()
        try:
            result = declare(ch)
        except pika.exceptions.ChannelClosedByBroker as e:
            if e.reply_code == 404:
                return None
            raise
        with contextlib.suppress(Exception):
            ch.close()
        return result


class _Deadline:
    """The end of a read: `timeout` after it began, or `idle` seconds after the last delivery."""

    def __init__(self, timeout, idle):
        self.end = time.monotonic() + timeout
        self.idle = idle
        self.last = time.monotonic()

    def delivered(self):
        self.last = time.monotonic()

    def passed(self):
        now = time.monotonic()
        return now >= self.end or (self.idle is not None and now - self.last >= self.idle)


def _take(deliveries, count, deadline):
    """Up to `count` Messages from a pika consume() generator, until `deadline`."""
    got = []
    for method, props, body in deliveries:
        if method is not None:
            headers = dict(props.headers or {})
            offset = headers.get("x-stream-offset")
            got.append(Message(body, method.routing_key, method.exchange, headers, props,
                               method.redelivered, method.delivery_tag,
                               None if offset is None else int(offset)))
            deadline.delivered()
        if len(got) == count or deadline.passed():
            break
    return got


class _SharedNode:
    """One node per test process, started on first use, stopped at exit (or by the session
    fixture); a node that failed to start fails every later user at once, with the same error."""

    def __init__(self):
        self.node = None
        self.failure = None

    def get(self):
        if self.failure is not None:
            raise RabbitMQError(f"RabbitMQ did not start earlier: {self.failure}")
        if self.node is None:
            directory = tempfile.mkdtemp(prefix="mqgw-rabbitmq-")
            node = RabbitMQ(directory)
            try:
                node.start()
            except Exception as e:
                self.failure = e
                _stop_quietly(node)
                raise
            self.node = node
            atexit.register(self.stop)
        return self.node

    def stop(self):
        node, self.node = self.node, None
        if node is not None:
            try:
                node.stop()
            finally:
                shutil.rmtree(node.directory, ignore_errors=True)


def _stop_quietly(node):
    with contextlib.suppress(Exception):
        node.stop()


_SHARED = _SharedNode()


def shared_node():
    """The test process's node (started on first call); do not stop it."""
    return _SHARED.get()


@contextlib.contextmanager
def private_node(directory, node=None, port=0, config=None):
    """A fresh node in `directory`, stopped (with its epmd) when the block ends, also on error."""
    broker = RabbitMQ(directory, node, port, config)
    try:
        broker.start()
        yield broker
    finally:
        _stop_quietly(broker)


@pytest.fixture(scope="session")
def rabbitmq():
    """A running node for the whole session, stopped at the end even when tests failed."""
    try:
        yield shared_node()
    finally:
        _SHARED.stop()


@pytest.fixture
def rabbitmq_private(tmp_path):
    """A node of this test alone (data in tmp_path/rabbitmq): free to stop, kill, restart."""
    with private_node(tmp_path / "rabbitmq") as broker:
        yield broker
