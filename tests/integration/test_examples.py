"""The device demos of docs/examples, each run as shipped against a console gateway.

One gateway (memory storage, an MQTT listener and a websocket listener on /mqtt) and one ready
instance made through mqgwctl serve every demo. Each demo gets its settings from the MQGW_*
variables, computes the Signature password itself, subscribes to <parent>/#, publishes to
<parent>/<DeviceID> and must print `received <topic> <payload>` and exit 0. A wrong secret must
make the Python demo exit non-zero with a readable reason.

Needs what tools/deps installs: python3-paho-mqtt, nodejs with tests/browser/node_modules (MQTT.js
and playwright-core, `npm ci`), chromium, a C compiler with libmosquitto-dev and libmbedtls-dev."""

import http.server
import os
import shutil
import subprocess
import sys
import threading

import pytest

from console_harness import Ctl, console_config, ready_instance
from mqgw_harness import Gateway, mqtt_listener, scaled

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLES = os.path.join(REPO, "docs", "examples")
NODE_MODULES = os.path.join(REPO, "tests", "browser", "node_modules")
MQTT_BUNDLE = os.path.join(NODE_MODULES, "mqtt", "dist", "mqtt.min.js")
CHROMIUM = os.environ.get("MQGW_CHROMIUM", "/usr/bin/chromium")
CC = os.environ.get("MQGW_C_COMPILER") or "cc"
PARENT_TOPIC = "demo_topic"
GROUP_ID = "GID_demo"
WS_PATH = "/mqtt"


def require(*checks):
    """Fails (not skips) with the fix when something tools/deps installs is missing."""
    missing = [what for what, ok in checks if not ok]
    if missing:
        pytest.fail("missing %s: run tools/deps" % ", ".join(missing))


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    """(gateway, instance ID, AccessKey ID, AccessKey secret) shared by every demo."""
    directory = tmp_path_factory.mktemp("gateway")
    cfg = console_config(directory)
    cfg["listeners"] = [mqtt_listener(), {"name": "ws", "bind": "127.0.0.1", "port": 0,
                                          "stack": ["tcp", "websocket", "mqtt"]}]
    with Gateway(directory, cfg) as gw:
        ctl = Ctl(gw)
        instance = ready_instance(ctl, topic=PARENT_TOPIC, group=GROUP_ID)
        key_id, secret = ctl.credentials()
        yield gw, instance, key_id, secret


def device_env(console, device_id, secret=None):
    gw, instance, key_id, root_secret = console
    env = dict(os.environ)
    env.update(MQGW_HOST="127.0.0.1", MQGW_PORT=str(gw.port("mqtt")),
               MQGW_WS_PORT=str(gw.port("ws")), MQGW_WS_PATH=WS_PATH,
               MQGW_INSTANCE_ID=instance, MQGW_ACCESS_KEY_ID=key_id,
               MQGW_ACCESS_KEY_SECRET=secret or root_secret, MQGW_GROUP_ID=GROUP_ID,
               MQGW_DEVICE_ID=device_id, MQGW_TOPIC=PARENT_TOPIC,
               NODE_PATH=NODE_MODULES, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1")
    return env


def run_demo(cmd, env, timeout=30):
    return subprocess.run(cmd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=scaled(timeout))


def assert_round_trip(proc, device_id):
    """Exit 0 and exactly the line of the demo's own message coming back."""
    expected = "received %s/%s hello from %s@@@%s" % (PARENT_TOPIC, device_id, GROUP_ID, device_id)
    detail = "exit %d\nstdout:\n%s\nstderr:\n%s" % (proc.returncode, proc.stdout, proc.stderr)
    assert proc.returncode == 0, detail
    assert proc.stdout.splitlines() == [expected], detail


# ---- Python ----

def test_python_demo_round_trip(console):
    proc = run_demo([sys.executable, os.path.join(EXAMPLES, "python", "device.py")],
                    device_env(console, "py-1"))
    assert_round_trip(proc, "py-1")


def test_python_demo_with_a_wrong_secret_fails_clearly(console):
    wrong = console[3][::-1] + "x"
    proc = run_demo([sys.executable, os.path.join(EXAMPLES, "python", "device.py")],
                    device_env(console, "py-2", secret=wrong))
    assert proc.returncode != 0, proc.stdout
    assert "received" not in proc.stdout
    assert proc.stderr.startswith("device: connection refused: "), proc.stderr
    reason = proc.stderr.lower()
    assert "not authorized" in reason or "bad user name or password" in reason, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr


def test_python_demo_names_missing_settings(console):
    env = device_env(console, "py-3")
    del env["MQGW_INSTANCE_ID"]
    proc = run_demo([sys.executable, os.path.join(EXAMPLES, "python", "device.py")], env)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "device: missing environment variable(s): MQGW_INSTANCE_ID"


# ---- Node.js ----

def test_node_demo_round_trip(console):
    require(("node", shutil.which("node")),
            ("tests/browser/node_modules/mqtt (npm ci)",
             os.path.isdir(os.path.join(NODE_MODULES, "mqtt"))))
    proc = run_demo(["node", os.path.join(EXAMPLES, "node", "device.js")],
                    device_env(console, "node-1"))
    assert_round_trip(proc, "node-1")


# ---- C ----

def test_c_demo_round_trip(console, tmp_path):
    require((CC, shutil.which(CC)),
            ("libmosquitto-dev", os.path.isfile("/usr/include/mosquitto.h")),
            ("libmbedtls-dev", os.path.isfile("/usr/include/mbedtls/md.h")))
    binary = str(tmp_path / "device")
    # The README's build command, with warnings as errors so the demo stays clean.
    build = subprocess.run([CC, "-std=c11", "-Wall", "-Wextra", "-Werror", "-O2",
                            os.path.join(EXAMPLES, "c", "device.c"), "-o", binary,
                            "-lmosquitto", "-lmbedcrypto"],
                           capture_output=True, text=True, timeout=scaled(120))
    assert build.returncode == 0, build.stderr
    proc = run_demo([binary], device_env(console, "c-1"))
    assert_round_trip(proc, "c-1")


# ---- Browser ----

class ExampleHandler(http.server.BaseHTTPRequestHandler):
    """docs/examples/browser's page and script, and MQTT.js's browser bundle next to them."""
    FILES = {
        "/": (os.path.join(EXAMPLES, "browser", "index.html"), "text/html; charset=utf-8"),
        "/device.js": (os.path.join(EXAMPLES, "browser", "device.js"), "text/javascript"),
        "/mqtt.min.js": (MQTT_BUNDLE, "text/javascript"),
    }

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path not in self.FILES:
            self.send_error(404)
            return
        name, content_type = self.FILES[path]
        with open(name, "rb") as f:
            body = f.read()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def page_url():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ExampleHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield "http://127.0.0.1:%d/" % server.server_address[1]
    server.shutdown()
    server.server_close()


def test_browser_demo_round_trip(console, page_url):
    require(("node", shutil.which("node")), (CHROMIUM, os.access(CHROMIUM, os.X_OK)),
            ("tests/browser/node_modules (npm ci)",
             os.path.isdir(os.path.join(NODE_MODULES, "playwright-core"))),
            (MQTT_BUNDLE, os.path.isfile(MQTT_BUNDLE)))
    proc = run_demo(["node", os.path.join(EXAMPLES, "browser", "headless.js"), page_url],
                    device_env(console, "browser-1"), timeout=60)
    assert_round_trip(proc, "browser-1")
