"""MQTT.js (npm `mqtt`) inside headless Chromium, talking to mqgw over ws:// and wss://.

The browser is Debian's chromium, driven by playwright-core (tests/browser/driver.js); nothing is
downloaded at test time. The test serves the page and MQTT.js's browser bundle from 127.0.0.1,
the page subscribes through the websocket listener, mosquitto_pub publishes over plain TCP, and
the page must receive exactly those bytes on that topic. For wss:// Chromium trusts exactly the
gateway's certificate key (--ignore-certificate-errors-spki-list); without that pin the
connection must fail, which shows the certificate is really checked.

tools/deps installs chromium, nodejs/npm and runs `npm ci` in tests/browser."""

import base64
import hashlib
import http.server
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading

import pytest

from mqgw_harness import Gateway, base_config, mqtt_listener, scaled

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BROWSER_DIR = os.path.join(REPO, "tests", "browser")
CHROMIUM = os.environ.get("MQGW_CHROMIUM", "/usr/bin/chromium")

# What the page server answers: path -> (file under tests/browser, content type).
PAGE_FILES = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/page.js": ("page.js", "text/javascript"),
    "/mqtt.min.js": ("node_modules/mqtt/dist/mqtt.min.js", "text/javascript"),
}

# Binary on purpose (NUL, 0xff, non-UTF-8), and one payload past 65535 bytes so the WebSocket
# frame needs the 64-bit length form and several TCP reads on the way out.
SMALL_PAYLOAD = b"\x00browser\xff\xfe\x80 mqgw \x01"
LARGE_PAYLOAD = bytes(i * 7 % 251 for i in range(70000))


@pytest.fixture(scope="module", autouse=True)
def browser_tools():
    """Fails (not skips) with the fix when something tools/deps installs is missing."""
    missing = [what for what, ok in [
        ("node", shutil.which("node")),
        (CHROMIUM, os.access(CHROMIUM, os.X_OK)),
        ("tests/browser/node_modules (npm ci)",
         os.path.isdir(os.path.join(BROWSER_DIR, "node_modules", "playwright-core"))),
        (PAGE_FILES["/mqtt.min.js"][0], os.path.isfile(os.path.join(BROWSER_DIR, PAGE_FILES["/mqtt.min.js"][0]))),
        ("mosquitto_pub", shutil.which("mosquitto_pub")),
        ("openssl", shutil.which("openssl")),
    ] if not ok]
    if missing:
        pytest.fail("missing %s: run tools/deps" % ", ".join(missing))


class PageHandler(http.server.BaseHTTPRequestHandler):
    """Serves PAGE_FILES and nothing else (a 204 for the favicon keeps the console clean)."""

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/favicon.ico":
            self.send_response(204)
            self.end_headers()
            return
        if path not in PAGE_FILES:
            self.send_error(404)
            return
        name, content_type = PAGE_FILES[path]
        with open(os.path.join(BROWSER_DIR, name), "rb") as f:
            body = f.read()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def page_url():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PageHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield "http://127.0.0.1:%d/" % server.server_address[1]
    server.shutdown()
    server.server_close()


class BrowserClient:
    """node driver.js as a child: Chromium + MQTT.js subscribed to one topic. Its stdout is one
    JSON event per line; events() returns all of them once the driver has exited."""

    def __init__(self, page, broker, topic, mqtt_version=4, messages=1, spki=None, timeout=30):
        cmd = ["node", os.path.join(BROWSER_DIR, "driver.js"), "--page", page, "--broker", broker,
               "--topic", topic, "--mqtt-version", str(mqtt_version),
               "--messages", str(messages), "--timeout", str(int(scaled(timeout))),
               "--chromium", CHROMIUM]
        if spki:
            cmd += ["--spki", spki]
        env = dict(os.environ, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1")
        self.stderr = tempfile.TemporaryFile(mode="w+")  # a file: a chatty browser never blocks
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.stderr,
                                     stdin=subprocess.DEVNULL, text=True, env=env)
        self.seen = []
        self._events = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.proc.stdout:
            try:
                self._events.put(json.loads(line))
            except ValueError:
                self._events.put({"event": "noise", "text": line.rstrip("\n")})
        self._events.put(None)

    def wait_for(self, name, timeout=40):
        """Returns the first event called name; fails on the driver's exit or an error first."""
        while True:
            try:
                event = self._events.get(timeout=scaled(timeout))
            except queue.Empty:
                self.kill()
                raise AssertionError("no %r from the browser in %ss:\n%s" % (name, timeout, self.log()))
            if event is None:
                raise AssertionError("the driver exited before %r:\n%s" % (name, self.log()))
            self.seen.append(event)
            if event["event"] == name:
                return event
            if event["event"] in ("error", "pageerror"):
                raise AssertionError("browser error before %r:\n%s" % (name, self.log()))

    def finish(self, timeout=40):
        """Waits for the driver to exit; returns (exit code, every event it printed)."""
        try:
            rc = self.proc.wait(timeout=scaled(timeout))
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("the driver did not exit:\n" + self.log())
        while True:
            event = self._events.get(timeout=5)
            if event is None:
                return rc, self.seen
            self.seen.append(event)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def log(self):
        self.stderr.seek(0)
        stderr = self.stderr.read()
        return "\n".join(json.dumps(e) for e in self.seen) + ("\nstderr:\n" + stderr if stderr else "")


def publish_tcp(port, topic, payload, tmp_path):
    """mosquitto_pub over plain TCP, the payload from a file so any bytes go through."""
    path = tmp_path / ("payload-%d" % len(payload))
    path.write_bytes(payload)
    subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(port), "-t", topic,
                    "-q", "1", "-f", str(path)], check=True, timeout=scaled(10))


def received_messages(events):
    return [(e["topic"], bytes.fromhex(e["payloadHex"])) for e in events if e["event"] == "message"]


def browser_receives(gw, page, broker, topic, tmp_path, mqtt_version=4, spki=None):
    """The page subscribes over broker; two publishes over TCP must arrive, exactly and once."""
    client = BrowserClient(page, broker, topic, mqtt_version=mqtt_version, messages=2, spki=spki)
    try:
        assert client.wait_for("connected")["returnCode"] == 0
        granted = client.wait_for("subscribed")["granted"]
        assert granted == [{"topic": topic, "qos": 0}], granted
        publish_tcp(gw.port("mqtt"), topic, SMALL_PAYLOAD, tmp_path)
        publish_tcp(gw.port("mqtt"), topic, LARGE_PAYLOAD, tmp_path)
        rc, events = client.finish()
    finally:
        client.kill()
    got = received_messages(events)
    assert [t for t, _ in got] == [topic, topic], client.log()
    assert got[0][1] == SMALL_PAYLOAD
    assert got[1][1] == LARGE_PAYLOAD, "the %d-byte payload came back as %d different bytes" % (
        len(LARGE_PAYLOAD), len(got[1][1]))
    assert rc == 0, client.log()


# ---- ws:// ----

def ws_listener():
    return {"name": "ws", "bind": "127.0.0.1", "port": 0, "stack": ["tcp", "websocket", "mqtt"]}


@pytest.fixture
def ws_gw(tmp_path):
    cfg = base_config(listeners=[mqtt_listener(), ws_listener()])
    with Gateway(tmp_path, cfg) as gateway:
        yield gateway


# MQTT 3.1 makes MQTT.js ask for the mqttv3.1 subprotocol, 3.1.1 and 5 for mqtt.
@pytest.mark.parametrize("mqtt_version", [3, 4, 5])
def test_browser_over_ws_receives_tcp_publish(ws_gw, page_url, tmp_path, mqtt_version):
    broker = "ws://127.0.0.1:%d/mqtt" % ws_gw.port("ws")
    browser_receives(ws_gw, page_url, broker, "browser/ws/v%d" % mqtt_version, tmp_path,
                     mqtt_version=mqtt_version)


# ---- wss:// ----

def dev_certs(directory):
    """tools/dev-certs: a throwaway CA and a server certificate for 127.0.0.1 in directory.
    Returns (server certificate, server key) paths."""
    subprocess.run([os.path.join(REPO, "tools", "dev-certs"), str(directory)], check=True,
                   capture_output=True, timeout=60)
    cert, key = directory / "server.pem", directory / "server.key"
    assert cert.is_file() and key.is_file(), sorted(p.name for p in directory.iterdir())
    return str(cert), str(key)


def spki_sha256(cert_path):
    """base64(SHA-256(SubjectPublicKeyInfo)): the form --ignore-certificate-errors-spki-list takes."""
    pem = subprocess.run(["openssl", "x509", "-in", cert_path, "-noout", "-pubkey"],
                         check=True, capture_output=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pem,
                         check=True, capture_output=True).stdout
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


@pytest.fixture
def wss_gw(tmp_path):
    cert, key = dev_certs(tmp_path / "certs")
    wss = {"name": "wss", "bind": "127.0.0.1", "port": 0,
           "stack": ["tcp", "tls", "websocket", "mqtt"], "tls": {"cert": cert, "key": key}}
    cfg = base_config(listeners=[mqtt_listener(), wss])
    with Gateway(tmp_path, cfg) as gateway:
        gateway.spki = spki_sha256(cert)
        yield gateway


@pytest.mark.parametrize("mqtt_version", [4, 5])
def test_browser_over_wss_receives_tcp_publish(wss_gw, page_url, tmp_path, mqtt_version):
    broker = "wss://127.0.0.1:%d/mqtt" % wss_gw.port("wss")
    browser_receives(wss_gw, page_url, broker, "browser/wss/v%d" % mqtt_version, tmp_path,
                     mqtt_version=mqtt_version, spki=wss_gw.spki)


def test_browser_refuses_wss_without_trusting_the_certificate(wss_gw, page_url):
    broker = "wss://127.0.0.1:%d/mqtt" % wss_gw.port("wss")
    client = BrowserClient(page_url, broker, "browser/untrusted", timeout=15)
    rc, events = client.finish()
    names = [e["event"] for e in events]
    assert rc == 1 and "connected" not in names, client.log()
    console = " ".join(e.get("text", "") for e in events if e["event"] == "console")
    assert "ERR_CERT_AUTHORITY_INVALID" in console, client.log()
