"""The `tls` transport ([tcp, tls, mqtt]) against clients we did not write: Eclipse Mosquitto's
mosquitto_pub/mosquitto_sub (OpenSSL underneath) for MQTT over TLS and mTLS, and the openssl
s_client command for what the server accepts and refuses. Certificates come from
tools/dev-certs, made fresh for each test."""

import os
import socket
import ssl
import struct
import subprocess
import time

import pytest

import mqtt_raw
from mosquitto_sub import Subscriber
from mqgw_harness import (FIXTURE_DIR, Gateway, base_config, mqtt_listener, run_to_exit, scaled,
                          write_config)

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEV_CERTS = os.path.join(REPO, "tools", "dev-certs")
SNI_NAME = "broker.test"
HANDSHAKE_TIMEOUT_S = 1.0
FAILURES = "mqgw_tls_handshake_failures_total"
HANDSHAKES = "mqgw_tls_handshakes_total"
# The system openssl.cnf may raise the minimum protocol or security level; the refusals below
# must come from the gateway, not from the client's own policy.
OPENSSL_ENV = dict(os.environ, OPENSSL_CONF="/dev/null")


@pytest.fixture
def certs(tmp_path):
    directory = tmp_path / "certs"
    subprocess.run([DEV_CERTS, "--name", SNI_NAME, str(directory)], check=True,
                   capture_output=True, timeout=60)
    return directory


def tls_section(certs, **extra):
    section = {"cert": str(certs / "server.pem"), "key": str(certs / "server.key"),
               "handshake_timeout": "%dms" % int(HANDSHAKE_TIMEOUT_S * 1000)}
    section.update(extra)
    return section


def tls_gateway(tmp_path, certs, **extra):
    """A gateway with a plain MQTT listener ("mqtt") and an MQTT-over-TLS one ("tls")."""
    tls = mqtt_listener("tls", stack=["tcp", "tls", "mqtt"], tls=tls_section(certs, **extra))
    cfg = base_config(listeners=[mqtt_listener(), tls], log={"level": "debug"})
    return Gateway(tmp_path, cfg)


def tls_args(certs, client_cert=False):
    args = ["--cafile", str(certs / "ca.pem")]
    if client_cert:
        args += ["--cert", str(certs / "client.pem"), "--key", str(certs / "client.key")]
    return args


def publish(port, topic, message, extra=()):
    return subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(port), "-q", "1",
                           "-t", topic, "-m", message, *extra],
                          capture_output=True, text=True, timeout=scaled(15),
                          stdin=subprocess.DEVNULL)


def s_client(port, *args):
    """openssl s_client with no input: handshakes, then closes at stdin's EOF."""
    return subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, *args],
                          capture_output=True, text=True, timeout=scaled(15),
                          stdin=subprocess.DEVNULL, env=OPENSSL_ENV)


def read_until_eof(sock, timeout):
    """Reads until the peer's EOF; returns (bytes read, seconds). A reset fails the test."""
    started = time.monotonic()
    sock.settimeout(timeout)
    data = b""
    while True:
        try:
            chunk = sock.recv(4096)
        except socket.timeout:
            raise AssertionError("no EOF within %.1fs (got %r)" % (timeout, data[:64]))
        except ConnectionResetError:
            raise AssertionError("connection reset instead of a clean close (got %r)" % data[:64])
        if not chunk:
            return data, time.monotonic() - started
        data += chunk


# ---- MQTT over TLS with mosquitto's clients ----

def test_pub_sub_round_trip_over_tls(tmp_path, certs):
    with tls_gateway(tmp_path, certs) as gw:
        port = gw.port("tls")
        sub = Subscriber(port, ["tls/t"], 1, extra=tls_args(certs))
        pub = publish(port, "tls/t", "over-tls", tls_args(certs))
        assert pub.returncode == 0, pub.stderr
        assert sub.messages() == ["tls/t over-tls"]
        metrics = gw.metrics()
        assert metrics.get(HANDSHAKES, 0) >= 2, metrics
        assert metrics.get(FAILURES, 0) == 0, metrics
        assert metrics.get("mqgw_tls_bytes_in_total", 0) > 0, metrics
        assert metrics.get("mqgw_tls_bytes_out_total", 0) > 0, metrics


@pytest.mark.parametrize("sub_on,pub_on", [("tls", "mqtt"), ("mqtt", "tls")])
def test_tls_and_plain_tcp_reach_each_other(tmp_path, certs, sub_on, pub_on):
    with tls_gateway(tmp_path, certs) as gw:
        sub = Subscriber(gw.port(sub_on), ["cross/t"], 1,
                         extra=tls_args(certs) if sub_on == "tls" else ())
        pub = publish(gw.port(pub_on), "cross/t", "from-" + pub_on,
                      tls_args(certs) if pub_on == "tls" else ())
        assert pub.returncode == 0, pub.stderr
        assert sub.messages() == ["cross/t from-" + pub_on]


def test_large_message_crosses_many_records(tmp_path, certs):
    payload = (os.urandom(60000).hex())  # 120 000 bytes: about eight TLS records each way
    with tls_gateway(tmp_path, certs) as gw:
        port = gw.port("tls")
        sub = Subscriber(port, ["big/t"], 1, extra=tls_args(certs))
        pub = publish(port, "big/t", payload, tls_args(certs))
        assert pub.returncode == 0, pub.stderr
        assert sub.messages() == ["big/t " + payload]


def test_client_that_does_not_trust_the_server_fails(tmp_path, certs):
    other = tmp_path / "other"
    subprocess.run([DEV_CERTS, str(other)], check=True, capture_output=True, timeout=60)
    with tls_gateway(tmp_path, certs) as gw:
        pub = publish(gw.port("tls"), "t", "x", ["--cafile", str(other / "ca.pem")])
        assert pub.returncode != 0
        assert gw.wait_metric(FAILURES, lambda v: v >= 1) >= 1


# ---- mTLS ----

def test_mtls_accepts_a_client_certificate_and_refuses_none(tmp_path, certs):
    with tls_gateway(tmp_path, certs, client_ca=str(certs / "ca.pem")) as gw:
        port = gw.port("tls")
        sub = Subscriber(port, ["mtls/t"], 1, extra=tls_args(certs, client_cert=True))
        ok = publish(port, "mtls/t", "with-cert", tls_args(certs, client_cert=True))
        assert ok.returncode == 0, ok.stderr
        assert sub.messages() == ["mtls/t with-cert"]
        before = gw.metric(FAILURES)
        refused = publish(port, "mtls/t", "no-cert", tls_args(certs))
        assert refused.returncode != 0, "a client without a certificate was let in"
        assert gw.wait_metric(FAILURES, lambda v: v > before) > before
        # The verified subject is known to the layer (auth cannot see it yet: no ABI field).
        assert "client O=mqgw, CN=mqgw-dev-client" in gw.stderr()


def test_mtls_refuses_a_certificate_from_another_ca(tmp_path, certs):
    other = tmp_path / "other"
    subprocess.run([DEV_CERTS, str(other)], check=True, capture_output=True, timeout=60)
    with tls_gateway(tmp_path, certs, client_ca=str(certs / "ca.pem")) as gw:
        proc = s_client(gw.port("tls"), "-CAfile", str(certs / "ca.pem"),
                        "-cert", str(other / "client.pem"), "-key", str(other / "client.key"))
        assert "Verify return code: 0" in proc.stdout  # the client trusted us...
        assert gw.wait_metric(FAILURES, lambda v: v >= 1) >= 1  # ...we did not trust it
        assert gw.metric(HANDSHAKES) == 0


def test_optional_client_auth_lets_anonymous_clients_in(tmp_path, certs):
    with tls_gateway(tmp_path, certs, client_ca=str(certs / "ca.pem"),
                     client_auth="optional") as gw:
        pub = publish(gw.port("tls"), "opt/t", "anonymous", tls_args(certs))
        assert pub.returncode == 0, pub.stderr
        assert gw.metric(HANDSHAKES) >= 1


# ---- protocol versions and ciphers, with openssl s_client ----

@pytest.mark.parametrize("version", ["-tls1", "-tls1_1"])
def test_old_protocol_versions_are_refused(tmp_path, certs, version):
    with tls_gateway(tmp_path, certs) as gw:
        # SECLEVEL=0: OpenSSL 3 would otherwise refuse to offer TLS 1.0/1.1 by itself.
        proc = s_client(gw.port("tls"), version, "-cipher", "DEFAULT@SECLEVEL=0")
        assert proc.returncode != 0, proc.stdout
        assert "Cipher is (NONE)" in proc.stdout or "alert" in proc.stderr, proc.stderr
        # The ClientHello reached the gateway and the gateway said no.
        assert gw.wait_metric(FAILURES, lambda v: v >= 1) >= 1
        assert gw.metric(HANDSHAKES) == 0


@pytest.mark.parametrize("cipher", ["AES128-SHA", "AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-SHA",
                                    "ECDHE-ECDSA-AES256-SHA384"])
def test_weak_or_non_aead_ciphers_are_refused(tmp_path, certs, cipher):
    with tls_gateway(tmp_path, certs) as gw:
        proc = s_client(gw.port("tls"), "-tls1_2", "-cipher", cipher)
        assert proc.returncode != 0, proc.stdout
        assert "Cipher is (NONE)" in proc.stdout, proc.stdout
        assert gw.wait_metric(FAILURES, lambda v: v >= 1) >= 1


@pytest.mark.parametrize("cipher", ["ECDHE-ECDSA-AES128-GCM-SHA256",
                                    "ECDHE-ECDSA-AES256-GCM-SHA384",
                                    "ECDHE-ECDSA-CHACHA20-POLY1305"])
def test_ecdhe_aead_ciphers_work(tmp_path, certs, cipher):
    with tls_gateway(tmp_path, certs) as gw:
        proc = s_client(gw.port("tls"), "-tls1_2", "-cipher", cipher,
                        "-CAfile", str(certs / "ca.pem"), "-verify_return_error")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "Cipher is %s" % cipher in proc.stdout, proc.stdout
        assert "Protocol  : TLSv1.2" in proc.stdout, proc.stdout
        assert gw.wait_metric(HANDSHAKES, lambda v: v >= 1) >= 1


def test_tls13_only_client_is_refused(tmp_path, certs):
    with tls_gateway(tmp_path, certs) as gw:
        proc = s_client(gw.port("tls"), "-tls1_3")
        assert proc.returncode != 0, proc.stdout
        assert gw.wait_metric(FAILURES, lambda v: v >= 1) >= 1


def test_rsa_certificate_uses_ecdhe_rsa(tmp_path):
    certs = tmp_path / "rsa"
    subprocess.run([DEV_CERTS, "--rsa", str(certs)], check=True, capture_output=True, timeout=120)
    with tls_gateway(tmp_path, certs) as gw:
        proc = s_client(gw.port("tls"), "-tls1_2", "-CAfile", str(certs / "ca.pem"),
                        "-verify_return_error")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "Cipher is ECDHE-RSA-" in proc.stdout, proc.stdout
        weak = s_client(gw.port("tls"), "-tls1_2", "-cipher", "AES128-GCM-SHA256")
        assert weak.returncode != 0  # RSA key transport: no forward secrecy


# ---- SNI and resumption ----

def test_sni_picks_the_certificate(tmp_path, certs):
    sni = {SNI_NAME: {"cert": str(certs / (SNI_NAME + ".pem")),
                      "key": str(certs / (SNI_NAME + ".key"))}}
    with tls_gateway(tmp_path, certs, sni=sni) as gw:
        port = gw.port("tls")
        named = s_client(port, "-servername", SNI_NAME, "-CAfile", str(certs / "ca.pem"),
                         "-verify_hostname", SNI_NAME, "-verify_return_error")
        assert named.returncode == 0, named.stdout + named.stderr
        assert "CN = " + SNI_NAME in named.stdout, named.stdout
        default = s_client(port, "-servername", "localhost", "-CAfile", str(certs / "ca.pem"),
                           "-verify_hostname", "localhost", "-verify_return_error")
        assert default.returncode == 0, default.stdout + default.stderr
        assert "CN = localhost" in default.stdout, default.stdout


@pytest.mark.parametrize("mode", ["ticket", "session-id"])
def test_sessions_resume(tmp_path, certs, mode):
    session = str(tmp_path / "session.pem")
    extra = ["-no_ticket"] if mode == "session-id" else []
    with tls_gateway(tmp_path, certs) as gw:
        port = gw.port("tls")
        first = s_client(port, "-tls1_2", "-sess_out", session, *extra)
        assert first.returncode == 0, first.stderr
        assert "New, TLSv1.2" in first.stdout, first.stdout
        second = s_client(port, "-tls1_2", "-sess_in", session, *extra)
        assert second.returncode == 0, second.stderr
        assert "Reused, TLSv1.2" in second.stdout, second.stdout
        assert gw.wait_metric("mqgw_tls_sessions_resumed_total", lambda v: v >= 1) >= 1


# ---- closing ----

def tls_client(gw, certs):
    ctx = ssl.create_default_context(cafile=str(certs / "ca.pem"))
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    # Debian's Python sets this by default; without it a missing close_notify is an error.
    ctx.options &= ~ssl.OP_IGNORE_UNEXPECTED_EOF
    raw = socket.create_connection(gw.address("tls"), timeout=scaled(5))
    # suppress_ragged_eofs=False: an EOF without close_notify raises instead of reading b"".
    return ctx.wrap_socket(raw, server_hostname="localhost", suppress_ragged_eofs=False)


def test_gateway_sends_close_notify_when_the_frontend_closes(tmp_path, certs):
    with tls_gateway(tmp_path, certs) as gw:
        with tls_client(gw, certs) as sock:
            sock.sendall(b"\xf0\x00")  # MQTT packet type 15 before CONNECT: a protocol error
            data = b""
            while True:
                chunk = sock.recv(4096)  # SSLEOFError here: closed without close_notify
                if not chunk:
                    break
                data += chunk
            assert data == b"", data
        assert gw.metric(HANDSHAKES) == 1
        assert gw.wait_metric("mqgw_connections_active", lambda v: v == 0) == 0


def test_client_close_notify_ends_the_connection(tmp_path, certs):
    with tls_gateway(tmp_path, certs) as gw:
        sock = tls_client(gw, certs)
        sock.sendall(bytes.fromhex("100c00044d5154540402003c0000"))  # CONNECT, clean, no id
        assert sock.recv(4) == bytes.fromhex("20020000")  # CONNACK accepted
        plain = sock.unwrap()  # our close_notify, then the gateway's
        plain.close()
        assert gw.wait_metric("mqgw_connections_active", lambda v: v == 0) == 0
        assert gw.metric(FAILURES) == 0


def test_gateway_stops_promptly_with_tls_connections_open(tmp_path, certs):
    gw = tls_gateway(tmp_path, certs, handshake_timeout="30s").start()
    try:
        stalled = socket.create_connection(gw.address("tls"), timeout=scaled(5))
        sock = tls_client(gw, certs)
        sock.sendall(bytes.fromhex("100c00044d5154540402003c0000"))
        assert sock.recv(4) == bytes.fromhex("20020000")
        assert gw.wait_metric("mqgw_connections_active", lambda v: v == 2) == 2
    except BaseException:
        gw.kill()
        raise
    gw.stop()  # exit 0 within the shutdown timeout, mid-handshake connection included
    sock.close()
    stalled.close()


# ---- hostile and broken peers ----

@pytest.mark.parametrize("garbage", [
    b"\x00" * 64,
    b"GET /mqtt HTTP/1.1\r\nHost: x\r\n\r\n",
    b"\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00",   # a plain MQTT CONNECT
    b"\x16\x03\x01\xff\xff" + b"\x01" * 300,           # a handshake record that lies about length
])
def test_garbage_closes_cleanly(tmp_path, certs, garbage):
    with tls_gateway(tmp_path, certs) as gw:
        sock = socket.create_connection(gw.address("tls"), timeout=scaled(5))
        try:
            sock.sendall(garbage)
            if garbage.startswith(b"\x16"):  # waits for more: only the handshake timeout ends it
                _, took = read_until_eof(sock, scaled(HANDSHAKE_TIMEOUT_S + 4))
            else:
                _, took = read_until_eof(sock, scaled(4))
                assert took < scaled(HANDSHAKE_TIMEOUT_S), "closed by the timeout, not the error"
        finally:
            sock.close()
        assert gw.wait_metric(FAILURES, lambda v: v >= 1) >= 1
        assert gw.alive()


@pytest.mark.parametrize("sends", [b"", b"\x16\x03\x01\x00\xc8\x01\x00\x00\xc4\x03\x03"])
def test_stalled_handshake_is_closed_after_the_timeout(tmp_path, certs, sends):
    with tls_gateway(tmp_path, certs) as gw:
        sock = socket.create_connection(gw.address("tls"), timeout=scaled(5))
        try:
            sock.sendall(sends)
            _, took = read_until_eof(sock, scaled(HANDSHAKE_TIMEOUT_S + 5))
        finally:
            sock.close()
        assert HANDSHAKE_TIMEOUT_S * 0.8 <= took <= scaled(HANDSHAKE_TIMEOUT_S + 2), took
        assert gw.wait_metric(FAILURES, lambda v: v >= 1) >= 1
        # The failure is logged at debug level with its reason.
        assert "handshake timed out" in gw.stderr()


# ---- configuration ----

def test_client_auth_without_client_ca_is_a_config_error(tmp_path, certs):
    tls = mqtt_listener("tls", stack=["tcp", "tls", "mqtt"],
                        tls=tls_section(certs, client_auth="require"))
    path = write_config(tmp_path, base_config(listeners=[tls]))
    proc = run_to_exit(path)
    assert proc.returncode != 0
    assert "client_ca" in proc.stderr, proc.stderr


def test_key_that_does_not_match_the_cert_is_a_config_error(tmp_path, certs):
    tls = mqtt_listener("tls", stack=["tcp", "tls", "mqtt"],
                        tls=tls_section(certs, key=str(certs / "client.key")))
    path = write_config(tmp_path, base_config(listeners=[tls]))
    proc = run_to_exit(path)
    assert proc.returncode != 0
    assert "does not match" in proc.stderr, proc.stderr


# ---- the verified client certificate's subject reaches auth ----

CHALLENGE_PLUGIN = os.path.join(FIXTURE_DIR, "mqgw-test-challenge.so")


@pytest.mark.parametrize("required,accepted", [("CN=mqgw-dev-client", True),
                                               ("CN=someone-else", False)])
def test_client_certificate_subject_is_handed_to_auth(tmp_path, certs, required, accepted):
    # The test auth plugin refuses at its first step unless the subject contains `required`.
    tls = mqtt_listener("tls", stack=["tcp", "tls", "mqtt"],
                        tls=tls_section(certs, client_ca=str(certs / "ca.pem")))
    cfg = base_config(listeners=[mqtt_listener(), tls], plugins=[CHALLENGE_PLUGIN],
                      auth={"test-challenge": {"secret": "s", "require_subject": required}})
    context = ssl.create_default_context(cafile=str(certs / "ca.pem"))
    context.load_cert_chain(str(certs / "client.pem"), str(certs / "client.key"))
    method = mqtt_raw._utf8("mqgw-test-challenge")
    props = mqtt_raw._remaining_length(1 + len(method)) + b"\x15" + method
    body = mqtt_raw._utf8("MQTT") + bytes([5, 0x02]) + struct.pack("!H", 60)
    connect = mqtt_raw.packet(0x10, body + props + mqtt_raw._utf8("subject-check"))
    with Gateway(tmp_path, cfg) as gw:
        with socket.create_connection(gw.address("tls"), timeout=scaled(5)) as raw:
            with context.wrap_socket(raw, server_hostname="localhost") as sock:
                sock.sendall(connect)
                ptype, _, reply = mqtt_raw.read_packet(sock)
    if accepted:
        assert ptype == 15 and reply[0] == 0x18, "expected the challenge (AUTH 0x18)"
    else:
        assert ptype == 2 and reply[1] == 0x87, "expected CONNACK 0x87"
