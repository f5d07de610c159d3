"""A second connection with the same Client ID closes the first and takes over the session —
also when the two connections land on different worker loops — and the Client ID registry
stays correct after many connects and disconnects."""

import time

from mqgw_harness import Gateway, base_config, scaled
from paho_client import PahoClient


def test_second_connection_with_same_client_id_closes_the_first(tmp_path):
    with Gateway(tmp_path, base_config(workers=2)) as gw:
        # Several rounds so the two connections sit on the same and on different workers.
        for round_ in range(4):
            first = PahoClient(gw.address(), "dup-id")
            first.client.reconnect_delay_set(60, 120)  # no auto-reconnect fight in this test
            first.subscribe("takeover/%d" % round_, 1)
            second = PahoClient(gw.address(), "dup-id")
            try:
                assert first.disconnected.wait(scaled(5)), "round %d: first not closed" % round_
                second.subscribe("takeover/%d" % round_, 1)
                with PahoClient(gw.address(), "pub-%d" % round_) as pub:
                    pub.publish("takeover/%d" % round_, b"to-second", 1)
                got = second.receive(1)
                assert [p for _, p, _ in got] == [b"to-second"]
            finally:
                first.close()
                second.close()


def test_distinct_client_ids_never_kick_each_other(tmp_path):
    with Gateway(tmp_path, base_config(workers=2)) as gw:
        clients = [PahoClient(gw.address(), "device-%03d" % i) for i in range(40)]
        try:
            time.sleep(scaled(0.5))
            kicked = [c for c in clients if c.disconnected.is_set()]
            assert not kicked, "%d clients were closed" % len(kicked)
            assert gw.metric("mqgw_connections_active") == 40
        finally:
            for c in clients:
                c.close()
