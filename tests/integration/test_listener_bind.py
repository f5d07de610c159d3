"""A listener that cannot bind stops mqgw with exit code 4 and one line naming the listener and
its address."""

import socket

import pytest

from mqgw_harness import Gateway, base_config, mqtt_listener, run_to_exit, stderr_lines, \
    write_config
from paho_client import PahoClient


def held_port():
    """A socket listening on a free port; the caller keeps it open so the port stays taken."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    return s, s.getsockname()[1]


def assert_bind_failure(proc, name, port):
    lines = stderr_lines(proc)
    assert proc.returncode == 4, "exit %s, stderr:\n%s" % (proc.returncode, proc.stderr)
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("mqgw: listener %s 127.0.0.1:%d: " % (name, port)), lines[0]
    assert "mqgw: ready" not in proc.stdout


def test_port_taken_by_another_process(tmp_path):
    sock, port = held_port()
    with sock:
        cfg = base_config(listeners=[mqtt_listener("busy", port=port)])
        assert_bind_failure(run_to_exit(write_config(tmp_path, cfg)), "busy", port)


def test_address_not_on_this_host(tmp_path):
    # 192.0.2.0/24 is TEST-NET-1: never assigned to a local interface.
    cfg = base_config(listeners=[mqtt_listener("mqtt"), mqtt_listener("nowhere",
                                                                      bind="192.0.2.1",
                                                                      port=1883)])
    proc = run_to_exit(write_config(tmp_path, cfg))
    lines = stderr_lines(proc)
    assert proc.returncode == 4, "exit %s, stderr:\n%s" % (proc.returncode, proc.stderr)
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("mqgw: listener nowhere 192.0.2.1:1883: "), lines[0]
    assert "mqgw: ready" not in proc.stdout


# Two listeners in one config on the same address and port is a config error (exit 2), caught
# before binding: see test_config_errors.py, case duplicate_listener_port.


def test_several_listeners_are_announced_and_serve(tmp_path):
    cfg = base_config(listeners=[mqtt_listener("one"), mqtt_listener("two")])
    with Gateway(tmp_path, cfg) as gw:
        assert set(gw.listeners) == {"one", "two"}
        assert gw.stacks["one"] == "tcp+mqtt"
        assert gw.port("one") != gw.port("two")
        with PahoClient(gw.address("one"), "s") as sub, PahoClient(gw.address("two"), "p") as pub:
            sub.subscribe("across")
            pub.publish("across", b"listeners", qos=1)
            assert [p for _, p, _ in sub.receive(1)] == [b"listeners"]


def ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback here")
def test_ipv6_listener_is_announced_in_brackets(tmp_path):
    cfg = base_config(listeners=[mqtt_listener("v6", bind="::1")])
    with Gateway(tmp_path, cfg) as gw:
        host, port = gw.address("v6")
        assert host == "::1"
        with PahoClient((host, port), "v6") as c:
            c.subscribe("six")
            c.publish("six", b"ok", qos=1)
            assert [p for _, p, _ in c.receive(1)] == [b"ok"]
