"""Keepalive: a client that says nothing for 1.5 x its keepalive is disconnected."""

import time

import mqtt_raw
from mqgw_harness import scaled


def test_silent_client_is_closed_after_one_and_a_half_keepalives(gw):
    before = gw.metric("mqgw_mqtt_keepalive_timeouts_total")
    sock = mqtt_raw.connect(gw.address(), "sleepy", keepalive=1)
    try:
        closed_after = mqtt_raw.wait_closed(sock, timeout=scaled(5))
    finally:
        sock.close()
    assert closed_after is not None, "still connected 5 s after a 1 s keepalive"
    # 1.5 x 1 s, with slack for timer granularity and a loaded machine.
    assert 1.0 <= closed_after <= scaled(3.0), "closed after %.2fs" % closed_after
    after = gw.wait_metric("mqgw_mqtt_keepalive_timeouts_total", lambda v: v >= before + 1)
    assert after == before + 1


def test_pings_keep_a_client_connected(gw):
    before = gw.metric("mqgw_mqtt_keepalive_timeouts_total")
    sock = mqtt_raw.connect(gw.address(), "pinger", keepalive=1)
    try:
        end = time.monotonic() + 3.5
        while time.monotonic() < end:
            sock.sendall(mqtt_raw.PINGREQ)
            ptype, _, _ = mqtt_raw.read_packet(sock)
            assert ptype == mqtt_raw.PINGRESP_TYPE
            time.sleep(0.5)
    finally:
        sock.close()
    assert gw.metric("mqgw_mqtt_keepalive_timeouts_total") == before


def test_keepalive_zero_means_no_timeout(gw):
    sock = mqtt_raw.connect(gw.address(), "forever", keepalive=0)
    try:
        assert mqtt_raw.wait_closed(sock, timeout=2.5) is None
    finally:
        sock.close()
