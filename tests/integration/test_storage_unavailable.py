"""The acknowledgement rule under a real disk-full outage of the `native` backend: its data_dir is
a small tmpfs, filled up with a filler file while the gateway runs.

While the disk is full, QoS 1 publishes stay unacknowledged and are not routed; /healthz and
/metrics say the backend is unavailable and the gateway logs that once; a client that keeps
publishing without waiting for acks is no longer read once `limits.max_inflight` of its
publishes wait (the waiting gauge stays bounded, its bytes pile up in the kernel, not in the
gateway's memory). Deleting the filler brings the backend back by itself: every withheld publish
is acknowledged, the subscriber gets each message once and in order, and a persistent session
finds all of them after a restart.

Needs root to mount the tmpfs; without it the test fails, it never skips.
"""

import errno
import os
import select
import socket
import struct
import subprocess
import threading
import time
import urllib.error

import paho.mqtt.client as mqtt
import pytest

import mqtt_raw
from durable_clients import SessionClient
from mqgw_harness import Gateway, base_config, mqtt_listener, same_ports, scaled, wait_until

DISK_SIZE = "32m"          # the tmpfs; room enough for the flood's backlog once freed
ROOM = 24 * 1024           # left free at first: some publishes succeed before the disk is full
MAX_INFLIGHT = 8           # limits.max_inflight: publishes one connection may have waiting
PAHO_TOPIC = "unavail/paho"
FLOOD_TOPIC = "unavail/flood"
FLOOD_BUDGET = 20 << 20    # what the flooder tries to push while the disk is full
WITHHELD_EXTRA = 3         # Paho publishes sent after the first unacknowledged one
UNAVAILABLE_LINE = "storage 'native' is unavailable: QoS 1/2 publishes wait for it"
AVAILABLE_LINE = "storage 'native' is available again"
NATIVE_FAILED_LINE = "native: log write failed"
WAITING = "mqgw_publishes_waiting_for_storage"
READ_BUFFER = 64 * 1024    # what the gateway reads from a socket at once (Worker::kReadBufferSize)


# ---- the disk ----

@pytest.fixture
def small_disk(tmp_path):
    if os.geteuid() != 0:
        pytest.fail("this test mounts a tmpfs to fill it up: run it as root (uid is %d)"
                    % os.geteuid())
    mnt = tmp_path / "disk"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=" + DISK_SIZE, "tmpfs", str(mnt)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.fail("cannot mount a tmpfs at %s (root with CAP_SYS_ADMIN is needed): %s"
                    % (mnt, (r.stderr or r.stdout).strip()))
    try:
        yield str(mnt)
    finally:
        if subprocess.run(["umount", str(mnt)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def free_bytes(path):
    s = os.statvfs(path)
    return s.f_bavail * s.f_frsize


def fill(path, leave):
    """Grows path/filler until at most `leave` bytes of the file system are free."""
    fd = os.open(os.path.join(path, "filler"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        while free_bytes(path) > leave:
            try:
                os.write(fd, b"\xa5" * min(1 << 20, free_bytes(path) - leave))
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
                break
    finally:
        os.close(fd)


# ---- clients ----

class AckedPublisher:
    """A Paho QoS 1 publisher of b"<seq>:<padding>" that records which sequence numbers got
    their PUBACK (on_publish fires on PUBACK for QoS 1)."""

    def __init__(self, addr):
        self._lock = threading.Lock()
        self._acked_mids = set()
        self.mids = []  # seq -> mid
        self.client = SessionClient(addr, "paho-publisher", clean=True).client
        self.client.on_publish = self._on_publish

    def _on_publish(self, client, userdata, mid, *rest):
        with self._lock:
            self._acked_mids.add(mid)

    def send(self):
        seq = len(self.mids)
        info = self.client.publish(PAHO_TOPIC, payload_of(seq), 1)
        assert info.rc == mqtt.MQTT_ERR_SUCCESS, "publish %d: rc %s" % (seq, info.rc)
        self.mids.append(info.mid)
        return seq

    def acked(self, seq):
        with self._lock:
            return self.mids[seq] in self._acked_mids

    def unacked(self):
        return [seq for seq in range(len(self.mids)) if not self.acked(seq)]

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


def payload_of(seq):
    return b"%06d:" % seq + b"p" * 200


def seq_of(payload):
    return int(payload.split(b":", 1)[0])


class Flooder:
    """A raw 3.1.1 client that sends QoS 1 publishes as fast as its socket takes them and reads
    nothing until told to. Non-blocking with deadlines: it can never hang the test."""

    PADDING = b"f" * 400  # keeps 20 MB under 65535 packet ids
    SIZE = 2 + 2 + len(FLOOD_TOPIC) + 2 + 7 + 400  # one PUBLISH on the wire

    def __init__(self, addr):
        self.sock = mqtt_raw.connect(addr, "flooder")
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
        self.sock.setblocking(False)
        self.packets = 0      # publishes started (the last may be partly sent)
        self.bytes_sent = 0
        self._rest = b""      # the unsent tail of the last packet

    def _next_packet(self):
        self.packets += 1
        assert self.packets < 65535, "flooder: out of packet ids"
        body = (struct.pack("!H", len(FLOOD_TOPIC)) + FLOOD_TOPIC.encode() +
                struct.pack("!H", self.packets) + b"%06d:" % (self.packets - 1) + self.PADDING)
        return mqtt_raw.packet(0x32, body)

    def flood(self, budget, deadline, stall, on_tick=None):
        """Sends until budget bytes went out, deadline seconds passed, or the socket took
        nothing for `stall` seconds. Returns True when it stalled."""
        start = last_progress = time.monotonic()
        while self.bytes_sent < budget:
            now = time.monotonic()
            if now - start > deadline:
                return False
            if now - last_progress > stall:
                return True
            if on_tick:
                on_tick()
            if not self._rest:
                self._rest = self._next_packet()
            try:
                n = self.sock.send(self._rest)
            except BlockingIOError:
                select.select([], [self.sock], [], 0.05)
                continue
            self._rest = self._rest[n:]
            self.bytes_sent += n
            last_progress = time.monotonic()
        return False

    def nothing_received(self):
        """True while the gateway has sent nothing (and not closed): no PUBACK yet."""
        try:
            self.sock.recv(1, socket.MSG_PEEK)
        except BlockingIOError:
            return True
        return False

    def finish_and_collect_acks(self, timeout):
        """Sends the rest of a partly sent packet, then reads PUBACKs until every packet has one
        (or timeout). Returns {packet id: how many PUBACKs}; other packets fail the test."""
        self.sock.setblocking(True)
        self.sock.settimeout(timeout)
        if self._rest:
            self.sock.sendall(self._rest)
            self._rest = b""
        acks = {}
        deadline = time.monotonic() + timeout
        while len(acks) < self.packets and time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                ptype, _, body = mqtt_raw.read_packet(self.sock)
            except socket.timeout:
                break
            assert ptype == 4 and len(body) == 2, "flooder: expected PUBACK, got type %d" % ptype
            pid = struct.unpack("!H", body)[0]
            acks[pid] = acks.get(pid, 0) + 1
        return acks

    def close(self):
        self.sock.close()


# ---- the gateway ----

def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for pid %d" % pid)


def unread_bytes(gw_port, client_port):
    """The gateway's receive queue on its side of one connection (/proc/net/tcp rx_queue):
    bytes the kernel holds because the gateway did not read them."""
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            fields = line.split()
            local, remote = fields[1], fields[2]
            if (int(local.split(":")[1], 16) == gw_port and
                    int(remote.split(":")[1], 16) == client_port):
                return int(fields[4].split(":")[1], 16)
    raise AssertionError("no socket for 127.0.0.1:%d <- :%d" % (gw_port, client_port))


def healthz(gw):
    try:
        return gw.http_get("/healthz")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def count_lines(gw, text):
    return sum(1 for line in gw.stderr().splitlines() if text in line)


def config(data_dir):
    # The persistent session gets every message (Paho's and the flood) after the restart: its
    # queue and its connection's must hold them all, or the oldest are dropped by design.
    return base_config(storage={"backend": "native",
                                "native": {"data_dir": data_dir, "fsync": "always",
                                           "segment_size": "64KiB"}},
                       listeners=[mqtt_listener(mqtt={"max_queued_messages": 100000})],
                       limits={"shutdown_timeout": "2s", "max_inflight": MAX_INFLIGHT,
                               "session_queue_messages": 100000})


# ---- the phases ----

def publish_until_the_disk_is_full(pub, sub):
    """Publishes one at a time until a PUBACK does not come; returns that sequence number.
    Everything before it was acknowledged and delivered."""
    for _ in range(5000):
        seq = pub.send()
        if not wait_until(lambda: pub.acked(seq), scaled(1.0), 0.005):
            return seq
    raise AssertionError("the disk never filled up: %d publishes acknowledged" % len(pub.mids))


def assert_in_order_once(payloads, expected_count, who):
    seqs = [seq_of(p) for p in payloads]
    dupes = sorted({s for s in seqs if seqs.count(s) > 1})
    missing = sorted(set(range(expected_count)) - set(seqs))
    assert not dupes, "%s: duplicated %s" % (who, dupes[:20])
    assert not missing, "%s: lost %s" % (who, missing[:20])
    bad = next((i for i, s in enumerate(seqs) if s != i), None)
    assert bad is None, "%s: out of order from index %d: %s" % (who, bad, seqs[bad:bad + 10])


def test_disk_full_withholds_acks_bounds_memory_and_recovers_without_loss(tmp_path, small_disk):
    data_dir = os.path.join(small_disk, "native")
    cfg = config(data_dir)
    (tmp_path / "run1").mkdir()
    gw = Gateway(tmp_path / "run1", cfg).start()
    try:
        # A persistent subscriber that goes away: its queue must survive everything below.
        away = SessionClient(gw.address(), "away", clean=False)
        away.subscribe(PAHO_TOPIC, 1)
        away.subscribe(FLOOD_TOPIC, 1)
        away.close()
        sub = SessionClient(gw.address(), "live", clean=True)
        sub.subscribe(PAHO_TOPIC, 1)
        watch = SessionClient(gw.address(), "flood-watch", clean=True)
        watch.subscribe(FLOOD_TOPIC, 1)
        pub = AckedPublisher(gw.address())

        # ---- 1. the disk fills up ----
        fill(small_disk, ROOM)
        first_withheld = publish_until_the_disk_is_full(pub, sub)
        fill(small_disk, 0)  # nothing the log gives back may let a later append through
        for _ in range(WITHHELD_EXTRA):
            pub.send()
        withheld = list(range(first_withheld, len(pub.mids)))
        assert [m[2] for m in sub.wait_count(first_withheld, 5)] == \
            [payload_of(s) for s in range(first_withheld)]

        status, body = healthz(gw)
        assert status == 503, "/healthz answered %d %r while the disk is full" % (status, body)
        assert gw.metric("mqgw_storage_unavailable") == 1
        time.sleep(1.2)  # a few retry sweeps (250 ms) with the disk still full
        assert pub.unacked() == withheld, "acknowledged while the disk was full: %s" % sorted(
            set(withheld) - set(pub.unacked()))
        assert len(sub.messages()) == first_withheld, "routed while the disk was full"
        assert gw.metric(WAITING) == len(withheld)

        # A client that does not wait for acks: read until MAX_INFLIGHT of its publishes wait,
        # then left in the kernel's buffers.
        flooder = Flooder(gw.address())
        rss_before = rss_kib(gw.proc.pid)
        waiting_seen = []
        ticks = [0]

        def sample():
            ticks[0] += 1
            if ticks[0] % 200 == 0:
                waiting_seen.append(gw.metric(WAITING))

        stalled = flooder.flood(FLOOD_BUDGET, scaled(6), 1.0, sample)
        waiting_seen.append(gw.metric(WAITING))
        unread = unread_bytes(gw.port(), flooder.sock.getsockname()[1])
        rss_growth = rss_kib(gw.proc.pid) - rss_before
        print("flood: %d bytes / %d packets sent, %d unread in the gateway's socket, "
              "RSS +%d KiB, waiting %s" % (flooder.bytes_sent, flooder.packets, unread,
                                           rss_growth, waiting_seen))
        assert stalled and flooder.bytes_sent < FLOOD_BUDGET, \
            "the gateway kept reading a client whose publishes wait: %d bytes taken" % \
            flooder.bytes_sent
        assert unread > 0, "nothing waits unread in the gateway's socket"
        # The gateway stops reading at MAX_INFLIGHT waiting, but what it already read (the rest
        # of one 64 KiB read, publishes already on their way to the backend) waits too.
        flood_waiting = waiting_seen[-1] - len(withheld)
        assert MAX_INFLIGHT <= flood_waiting <= MAX_INFLIGHT + 2 * READ_BUFFER // Flooder.SIZE, \
            "the flooder has %d publishes waiting (max_inflight %d)" % (flood_waiting,
                                                                      MAX_INFLIGHT)
        time.sleep(0.5)
        assert gw.metric(WAITING) == waiting_seen[-1], "still reading a stalled client"
        assert rss_growth < 4096, "the gateway grew by %d KiB while it should not read" % \
            rss_growth
        assert flooder.nothing_received(), "the flooder got an answer while the disk is full"
        assert pub.unacked() == withheld
        assert gw.alive()
        assert count_lines(gw, UNAVAILABLE_LINE) == 1, gw.stderr()
        assert count_lines(gw, NATIVE_FAILED_LINE) == 1, gw.stderr()
        assert count_lines(gw, AVAILABLE_LINE) == 0, gw.stderr()

        # ---- 2. room again: the writer comes back by itself ----
        os.unlink(os.path.join(small_disk, "filler"))
        freed = time.monotonic()
        assert wait_until(lambda: not pub.unacked(), scaled(10)), \
            "still unacknowledged %.1fs after the disk had room: %s" % (
                time.monotonic() - freed, pub.unacked())
        print("recovered after %.2fs" % (time.monotonic() - freed))
        acks = flooder.finish_and_collect_acks(scaled(10))
        assert sorted(acks) == list(range(1, flooder.packets + 1)), \
            "flooder: %d of %d publishes acknowledged" % (len(acks), flooder.packets)
        assert set(acks.values()) == {1}, "flooder: acknowledged twice"
        watch.wait_count(flooder.packets, 10)
        assert_in_order_once(watch.wait_quiet(0.3, 2) and watch.payloads(), flooder.packets,
                             "flood subscriber")
        assert wait_until(lambda: healthz(gw)[0] == 200, scaled(5)), healthz(gw)
        assert gw.metric("mqgw_storage_unavailable") == 0
        assert gw.wait_metric(WAITING, lambda v: v == 0) == 0
        assert count_lines(gw, AVAILABLE_LINE) == 1, gw.stderr()
        assert count_lines(gw, UNAVAILABLE_LINE) == 1, gw.stderr()

        for _ in range(3):  # and it keeps working
            seq = pub.send()
            assert wait_until(lambda: pub.acked(seq), scaled(5)), "no PUBACK after recovery"
        total = len(pub.mids)
        sub.wait_count(total, 5)
        assert_in_order_once([m[2] for m in sub.wait_quiet(0.3, 2)], total, "live subscriber")
        assert gw.metric("mqgw_storage_native_appends_total") == total + flooder.packets, \
            "the log holds a different number of messages than were acknowledged"
        assert gw.metric("mqgw_session_queue_dropped_total") == 0
        flooder.close()
        pub.close()
        sub.close()
        watch.close()
        gw.stop()

        # ---- 3. and all of it was really on disk ----
        (tmp_path / "run2").mkdir()
        gw = Gateway(tmp_path / "run2", same_ports(cfg, gw)).start()
        away = SessionClient(gw.address(), "away", clean=False)
        assert away.session_present, "the persistent session did not survive the restart"
        away.wait_count(total + flooder.packets, 10)
        got = away.wait_quiet(0.5, 3)
        assert_in_order_once([m[2] for m in got if m[1] == PAHO_TOPIC], total,
                             "persistent session, Paho publisher")
        assert_in_order_once([m[2] for m in got if m[1] == FLOOD_TOPIC], flooder.packets,
                             "persistent session, flooder")
        assert gw.metric("mqgw_mqtt_dropped_total") == 0
        away.close()
        gw.stop()
    finally:
        gw.kill()
