"""Durable storage across a crash: publishers publish QoS 1 continuously while persistent
subscribers consume, the gateway gets SIGKILL at a random moment, and a new gateway on the same
state must deliver to every subscriber each acknowledged message its filters match, in order
per publisher within each connection, duplicating only what was delivered around the kill.

MQGW_SIGKILL_ROUNDS (default 3) sets how many rounds run; MQGW_SIGKILL_SEED fixes the kill
delays. Each round prints one summary line (run pytest with -s to see them).
"""

import os
import random
import re
import time

import pytest

import durable_backends
from durable_clients import PacedPublisher, SessionClient
from mqgw_harness import Gateway, mqtt_listener, same_ports, scaled, wait_until

ROUNDS = int(os.environ.get("MQGW_SIGKILL_ROUNDS", "3"))
SEED = int(os.environ.get("MQGW_SIGKILL_SEED", str(random.randrange(1 << 30))))
PUBLISHERS = ["p0", "p1", "p2", "p3"]
SUBSCRIBERS = {  # client id -> filters; overlapping across sessions and within one
    "sub-all": ["sk/#"],
    "sub-overlap": ["sk/+/data", "sk/p0/#"],
    "sub-some": ["sk/p1/data", "sk/p2/+"],
}
MAX_INFLIGHT = 32
# A session settled in the last cursor flush (250 ms) before the kill may get those messages
# again; the PUBACKs the gateway had not read yet add to it. Anything older must not repeat.
DUPLICATE_WINDOW = scaled(1.0)
PAYLOAD = re.compile(rb"^(p\d):(\d+)$")


def topic_of(publisher):
    return "sk/%s/data" % publisher


def matches(topic_filter, topic):
    f, t = topic_filter.split("/"), topic.split("/")
    for i, level in enumerate(f):
        if level == "#":
            return True
        if i >= len(t) or (level != "+" and level != t[i]):
            return False
    return len(f) == len(t)


def crash_config(backend, state_dir):
    # The subscribers (Python) fall behind the publishers, so the queues of the connection (the
    # mqtt frontend's max_queued_messages) and of the session must hold a whole round: beyond
    # them the oldest QoS 1 message is dropped for good by design, which is not under test here.
    listener = mqtt_listener(mqtt={"max_inflight": MAX_INFLIGHT,
                                   "max_queued_messages": 1000000})
    return backend.config(state_dir, listeners=[listener],
                          limits={"shutdown_timeout": "2s", "session_queue_messages": 1000000})


def connect_subscribers(gw, first):
    subs = {}
    for client_id, filters in SUBSCRIBERS.items():
        sub = SessionClient(gw.address(), client_id, clean=False)
        subs[client_id] = sub
        if first:
            assert not sub.session_present
            for f in filters:
                sub.subscribe(f, 1)
        else:
            assert sub.session_present, "%s: the session did not survive the kill" % client_id
    return subs


def parse(messages):
    """[(time, publisher, seq)] of a connection's messages; asserts each names its topic."""
    out = []
    for t, topic, payload, qos, _ in messages:
        m = PAYLOAD.match(payload)
        assert m and topic == topic_of(m.group(1).decode()), "stray %r on %s" % (payload, topic)
        assert qos == 1
        out.append((t, m.group(1).decode(), int(m.group(2))))
    return out


def check_order(client_id, connection, received):
    # Strictly increasing: also no message twice in one connection, so at most twice in all.
    last = {}
    for _, pub, seq in received:
        assert seq > last.get(pub, -1), "%s connection %d: %s:%d after %s:%d" % (
            client_id, connection, pub, seq, pub, last[pub])
        last[pub] = seq


def check_subscriber(client_id, before, after, acked, sent, kill_at):
    """Returns (deliveries expected, received, duplicates, oldest duplicate's age at the kill)
    for one subscriber."""
    filters = SUBSCRIBERS[client_id]
    before, after = parse(before), parse(after)
    check_order(client_id, 1, before)
    check_order(client_id, 2, after)
    first = {(p, s): t for t, p, s in before}
    second = {(p, s) for _, p, s in after}
    for pub, seq in set(first) | second:
        assert seq < sent[pub], "%s got %s:%d, which was never sent" % (client_id, pub, seq)
    expected = {(p, s) for p in PUBLISHERS if any(matches(f, topic_of(p)) for f in filters)
                for s in acked[p]}
    missing = sorted(expected - set(first) - second)
    assert not missing, "%s lost %d acknowledged messages, first %s" % (
        client_id, len(missing), missing[:10])
    duplicates = set(first) & second
    recent = sum(1 for t in first.values() if t >= kill_at - DUPLICATE_WINDOW)
    old = sorted((kill_at - first[d], d) for d in duplicates
                 if first[d] < kill_at - DUPLICATE_WINDOW)
    assert not old, "%s got %d messages again that it had taken long before the kill: %s" % (
        client_id, len(old), old[-5:])
    assert len(duplicates) <= recent + MAX_INFLIGHT, \
        "%s: %d duplicates, more than the %d delivered in the last %.1fs + %d in flight" % (
            client_id, len(duplicates), recent, DUPLICATE_WINDOW, MAX_INFLIGHT)
    oldest = max((kill_at - first[d] for d in duplicates), default=0.0)
    return len(expected), len(first) + len(second), len(duplicates), oldest


def all_expected_arrived(subs, before, acked):
    for client_id, sub in subs.items():
        have = {(p, s) for _, p, s in parse(before[client_id] + sub.messages())}
        for p in PUBLISHERS:
            if any(matches(f, topic_of(p)) for f in SUBSCRIBERS[client_id]):
                if not all((p, s) in have for s in acked[p]):
                    return False
    return True


def run_round(tmp_path, backend, kill_delay):
    state_dir = tmp_path / "state"
    cfg = crash_config(backend, state_dir)
    (tmp_path / "run1").mkdir()
    gw = Gateway(tmp_path / "run1", cfg).start()
    subs, pubs = {}, []
    try:
        subs = connect_subscribers(gw, first=True)
        pubs = [PacedPublisher(gw.address(), p, topic_of(p)).start() for p in PUBLISHERS]
        started = time.monotonic()
        assert wait_until(lambda: time.monotonic() - started >= kill_delay
                          and all(p.acked_seqs() for p in pubs), scaled(kill_delay + 5)), \
            "publishing did not get going"
        dropped = gw.metric("mqgw_mqtt_dropped_total")
        kill_at = time.monotonic()
        gw.crash()
        assert dropped == 0, "the gateway dropped %d deliveries to slow subscribers" % dropped
    finally:
        gw.kill()
        for p in pubs:
            p.stop()
        for sub in subs.values():
            assert sub.lost.wait(scaled(5)), "%s did not notice the kill" % sub.client_id
            sub.abandon()
    acked = {p.publisher_id: p.acked_seqs() for p in pubs}
    sent = {p.publisher_id: p.sent for p in pubs}
    before = {client_id: sub.messages() for client_id, sub in subs.items()}

    (tmp_path / "run2").mkdir()
    gw = Gateway(tmp_path / "run2", same_ports(cfg, gw)).start()
    try:
        subs = connect_subscribers(gw, first=False)
        wait_until(lambda: all_expected_arrived(subs, before, acked), scaled(20))
        after = {client_id: sub.wait_quiet(0.5, scaled(10)) for client_id, sub in subs.items()}
        for sub in subs.values():
            sub.close()
        gw.stop()
    finally:
        gw.kill()
    stats = {client_id: check_subscriber(client_id, before[client_id], after[client_id],
                                         acked, sent, kill_at)
             for client_id in SUBSCRIBERS}
    return acked, sent, stats


@pytest.mark.parametrize("round_no", range(ROUNDS))
@pytest.mark.parametrize("backend", durable_backends.crash_params())
def test_sigkill_loses_no_acknowledged_message(tmp_path, backend, round_no):
    kill_delay = random.Random(SEED + round_no).uniform(0.5, 2.0)
    context = "seed %d round %d kill after %.2fs" % (SEED, round_no, kill_delay)
    started = time.monotonic()
    try:
        acked, sent, stats = run_round(tmp_path, backend, kill_delay)
    except AssertionError as e:
        raise AssertionError("%s (%s)" % (e, context)) from e
    print("\nsigkill %s %s: acked %d of %d sent; %s; %.1fs" % (
        backend, context, sum(len(a) for a in acked.values()), sum(sent.values()),
        ", ".join("%s expected %d received %d duplicates %d (oldest %.2fs)" % ((c,) + s)
                  for c, s in stats.items()),
        time.monotonic() - started))
