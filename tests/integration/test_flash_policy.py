"""The flash-policy frontend over raw sockets against a real gateway: `<policy-file-request/>`
plus NUL gets the configured policy plus NUL and then EOF; anything else, or silence past the
listener's timeout, is closed unanswered. It runs beside an MQTT listener in one process."""

import os
import re
import select
import socket
import time

import mqtt_raw
from mqgw_harness import (PLUGIN_DIR, Gateway, base_config, mqtt_listener, run_to_exit, scaled,
                          stderr_lines, write_config)

REQUEST = b"<policy-file-request/>\x00"
REPO_POLICY = os.path.join(os.path.dirname(__file__), "..", "..", "config", "flash-policy.xml")
POLICY = (b'<?xml version="1.0"?>\n<cross-domain-policy>\n'
          b'  <allow-access-from domain="test.example" to-ports="1883"/>\n'
          b'</cross-domain-policy>\n')
FAST_TIMEOUT_S = 0.5
SERVED = "mqgw_flash_policy_served_total"
REFUSED = "mqgw_flash_policy_refused_total"


def flash_listener(name, section, **extra):
    listener = {"name": name, "bind": "127.0.0.1", "port": 0, "stack": ["tcp", "flash-policy"],
                "flash-policy": section}
    listener.update(extra)
    return listener


def gateway(tmp_path):
    """An MQTT listener, a flash listener reading policy.xml (relative to the config file) with
    the default 5 s timeout, and one with an inline policy and a short timeout."""
    (tmp_path / "policy.xml").write_bytes(POLICY)
    cfg = base_config(listeners=[
        mqtt_listener(),
        flash_listener("flash", {"policy_file": "policy.xml"}),
        flash_listener("flash-fast", {"policy": POLICY.decode(),
                                      "timeout": "%dms" % (FAST_TIMEOUT_S * 1000)}),
    ])
    return Gateway(tmp_path, cfg)


def read_to_eof(sock, timeout):
    """Everything the gateway sends until its EOF: (bytes, seconds to EOF). Fails on a reset
    (the reply could have been lost) or when the connection is still open after timeout."""
    data, started = b"", time.monotonic()
    deadline = started + timeout
    while True:
        remaining = deadline - time.monotonic()
        assert remaining > 0, "still open after %.1fs; got %r" % (timeout, data)
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            raise AssertionError("connection reset after %r" % data)
        if not chunk:
            return data, time.monotonic() - started
        data += chunk


def exchange(addr, *chunks, pause=0.0, timeout=5.0):
    sock = mqtt_raw.open_socket(addr)
    try:
        for i, chunk in enumerate(chunks):
            if i and pause:
                time.sleep(pause)
            sock.sendall(chunk)
        return read_to_eof(sock, scaled(timeout))
    finally:
        sock.close()


def test_request_gets_exactly_the_policy_and_nul_then_eof(tmp_path):
    with gateway(tmp_path) as gw:
        for name in ("flash", "flash-fast"):
            data, _ = exchange(gw.address(name), REQUEST)
            assert data == POLICY + b"\x00", name
        assert gw.wait_metric(SERVED, lambda v: v >= 2) == 2
        assert gw.metric(REFUSED) == 0


def test_request_split_across_segments_is_served(tmp_path):
    with gateway(tmp_path) as gw:
        data, _ = exchange(gw.address("flash"), REQUEST[:1], REQUEST[1:13], REQUEST[13:22],
                           REQUEST[22:], pause=0.05)
        assert data == POLICY + b"\x00"


def test_wrong_request_closes_at_once_without_reply(tmp_path):
    wrong = [b"GET /crossdomain.xml HTTP/1.1\r\nHost: x\r\n\r\n",
             b"<policy-file-request/>\n",            # newline instead of NUL
             b"<POLICY-FILE-REQUEST/>\x00",
             mqtt_raw.connect_packet("flash-confused"),
             b"\x00" * 64]
    with gateway(tmp_path) as gw:
        for request in wrong:
            # The "flash" listener's timeout is 5 s: closing well before it is the refusal.
            data, seconds = exchange(gw.address("flash"), request)
            assert data == b"", request
            assert seconds < scaled(1.5), "%r closed after %.2fs" % (request, seconds)
        assert gw.wait_metric(REFUSED, lambda v: v >= len(wrong)) == len(wrong)
        assert gw.metric(SERVED) == 0


def test_partial_request_then_silence_closes_after_the_timeout(tmp_path):
    with gateway(tmp_path) as gw:
        for first in (REQUEST[:10], REQUEST[:22], b""):  # the last one: silence from the start
            sock = mqtt_raw.open_socket(gw.address("flash-fast"))
            try:
                if first:
                    sock.sendall(first)
                data, seconds = read_to_eof(sock, scaled(5.0))
            finally:
                sock.close()
            assert data == b"", first
            # The core sweeps idle connections every 250 ms.
            assert FAST_TIMEOUT_S * 0.9 <= seconds < scaled(FAST_TIMEOUT_S + 1.5), \
                "%r: closed after %.2fs" % (first, seconds)
        assert gw.wait_metric(REFUSED, lambda v: v >= 3) == 3


def test_dribbled_request_cannot_outlast_the_timeout(tmp_path):
    # Each byte restarts the idle timer; the request as a whole must still arrive in time.
    with gateway(tmp_path) as gw:
        sock = mqtt_raw.open_socket(gw.address("flash-fast"))
        started, closed_after = time.monotonic(), None
        try:
            for byte in REQUEST[:-1]:
                sock.sendall(bytes([byte]))
                readable, _, _ = select.select([sock], [], [], FAST_TIMEOUT_S / 3)
                if readable:
                    assert sock.recv(4096) == b"", "a reply to a dribbled request"
                    closed_after = time.monotonic() - started
                    break
        finally:
            sock.close()
        assert closed_after is not None, "22 bytes over %.1fs kept the connection open" % (
            time.monotonic() - started)
        assert closed_after < scaled(FAST_TIMEOUT_S + 1.0), closed_after
        assert gw.wait_metric(REFUSED, lambda v: v >= 1) == 1


def test_served_beside_mqtt_in_one_process(tmp_path):
    # The repository's default policy, by absolute path, next to a working MQTT listener.
    with open(REPO_POLICY, "rb") as f:
        repo_policy = f.read()
    # A short connect_timeout: the MQTT frontend waits for the whole (bogus) packet that
    # "<policy-file-request/>" starts, so it closes on that timeout.
    cfg = base_config(listeners=[
        mqtt_listener(mqtt={"connect_timeout": "1s"}),
        flash_listener("flash", {"policy_file": os.path.abspath(REPO_POLICY)})])
    with Gateway(tmp_path, cfg) as gw:
        assert gw.stacks["flash"] == "tcp+flash-policy", gw.stacks
        data, _ = exchange(gw.address("flash"), REQUEST)
        assert data == repo_policy + b"\x00"
        assert b"<cross-domain-policy>" in data and b"1883" in data
        assert mqtt_raw.ping_ok(gw.address("mqtt"), "beside-flash")
        # MQTT bytes on the flash port are refused; flash bytes on the MQTT port are not served.
        data, _ = exchange(gw.address("flash"), mqtt_raw.connect_packet("wrong-port"))
        assert data == b""
        data, _ = exchange(gw.address("mqtt"), REQUEST)
        assert POLICY not in data and b"cross-domain" not in data
        assert mqtt_raw.ping_ok(gw.address("mqtt"), "still-serving")


CONFIG_TEXT = """\
workers: 1
plugin_dir: {plugin_dir}
listeners:
  - name: flash
    bind: 127.0.0.1
    port: 0
    stack: [tcp, flash-policy]
    flash-policy:
      {setting}
storage:
  backend: memory
"""


def broken(tmp_path, setting):
    path = write_config(tmp_path, CONFIG_TEXT.format(plugin_dir=PLUGIN_DIR, setting=setting))
    proc = run_to_exit(path)
    assert proc.returncode == 2, "exit %s, stderr:\n%s" % (proc.returncode, proc.stderr)
    assert "mqgw: ready" not in proc.stdout
    return path, stderr_lines(proc)


def test_missing_policy_file_is_a_located_config_error(tmp_path):
    path, lines = broken(tmp_path, "policy_file: no-such-policy.xml")
    assert len(lines) == 1, lines
    m = re.match(r"^%s:(\d+):(\d+): (\S+): (.+)$" % re.escape(path), lines[0])
    assert m, lines[0]
    assert int(m.group(1)) == 9, lines[0]
    assert "flash-policy.policy_file" in m.group(3), lines[0]
    assert "no-such-policy.xml" in m.group(4), lines[0]


def test_refused_policies_stop_the_gateway_with_the_reason(tmp_path):
    big = tmp_path / "big.xml"
    big.write_bytes(POLICY + b" " * (64 * 1024))
    not_policy = tmp_path / "not-policy.xml"
    not_policy.write_bytes(b"<html>hello</html>")
    cases = [("policy_file: big.xml", "larger than 65536 bytes"),
             ("policy_file: not-policy.xml", "no <cross-domain-policy> element"),
             ("timeout: 2s", "set policy_file or policy"),
             ("policy_file: big.xml\n      policy: '<cross-domain-policy/>'", "not both")]
    for setting, reason in cases:
        path, lines = broken(tmp_path, setting)
        assert any(reason in line for line in lines), (setting, lines)
        located = [line for line in lines if line.startswith(path + ":")]
        assert len(located) == 1, lines
        assert "refused this configuration" in located[0], located[0]
