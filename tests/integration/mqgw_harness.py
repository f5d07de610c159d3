"""Runs a real mqgw for a test: writes a config, starts the binary, learns the bound ports from
its stdout, reads /metrics, and stops it with SIGTERM, checking the exit status and how long the
shutdown took. A gateway that misbehaves is always killed, never left running.

Environment (set by ctest, see tests/CMakeLists.txt):
  MQGW_BIN          the mqgw executable
  MQGW_PLUGIN_DIR   the build's plugins/ directory
  MQGW_FIXTURE_DIR  the broken-plugin fixtures (tests/plugin_abi)
  MQGW_SANITIZE     "1" in the ASan/UBSan build: timeouts are stretched
"""

import json
import os
import queue
import re
import signal
import subprocess
import threading
import time
import urllib.request

BIN = os.environ.get("MQGW_BIN", "")
PLUGIN_DIR = os.environ.get("MQGW_PLUGIN_DIR", "")
FIXTURE_DIR = os.environ.get("MQGW_FIXTURE_DIR", "")
SLOW = 3.0 if os.environ.get("MQGW_SANITIZE") == "1" else 1.0

LISTENER_LINE = re.compile(r"^mqgw: listener (\S+) (\S+) (\[[0-9a-fA-F:.]+\]|[0-9.]+):(\d+)$")
ADMIN_LINE = re.compile(r"^mqgw: admin (http://\S+)$")


def scaled(seconds):
    """A timeout, stretched for sanitizer builds."""
    return seconds * SLOW


def wait_until(predicate, timeout, interval=0.05):
    """Polls predicate() until it is truthy; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def mqtt_listener(name="mqtt", **extra):
    listener = {"name": name, "bind": "127.0.0.1", "port": 0, "stack": ["tcp", "mqtt"]}
    listener.update(extra)
    return listener


def base_config(**overrides):
    """A config dict for a gateway on free ports: one MQTT listener, admin, memory storage."""
    cfg = {
        "workers": 2,
        "plugin_dir": PLUGIN_DIR,
        "log": {"level": "info"},
        "admin": {"bind": "127.0.0.1", "port": 0},
        "limits": {"shutdown_timeout": "2s"},
        "listeners": [mqtt_listener()],
        "storage": {"backend": "memory"},
    }
    cfg.update(overrides)
    return cfg


def write_config(directory, cfg, name="mqgw.yaml"):
    """Writes cfg as YAML (JSON is YAML) and returns the path. A str is written as is."""
    path = os.path.join(str(directory), name)
    with open(path, "w") as f:
        f.write(cfg if isinstance(cfg, str) else json.dumps(cfg, indent=2) + "\n")
    return path


def run_to_exit(config_path, *args, timeout=20):
    """Runs mqgw to completion (for configs that must fail); returns CompletedProcess."""
    return subprocess.run([BIN, "-c", str(config_path), *args], capture_output=True, text=True,
                          timeout=scaled(timeout), stdin=subprocess.DEVNULL)


def stderr_lines(proc):
    return [line for line in proc.stderr.splitlines() if line.strip()]


def parse_metrics(text):
    """Prometheus text -> {metric name: value summed over its label sets}."""
    values = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) < 2:
            continue
        name = parts[0].split("{", 1)[0]
        values[name] = values.get(name, 0.0) + float(parts[1])
    return values


def same_ports(cfg, gateway):
    """A copy of cfg whose listeners and admin bind the ports gateway had: a restarted gateway
    that clients reach at the same address."""
    pinned = json.loads(json.dumps(cfg))
    for listener in pinned["listeners"]:
        listener["port"] = gateway.port(listener["name"])
    if pinned.get("admin") and gateway.admin_url:
        pinned["admin"]["port"] = int(gateway.admin_url.rsplit(":", 1)[1].split("/")[0])
    return pinned


class Gateway:
    """One running mqgw. Use as a context manager: `with Gateway(tmp_path) as gw: ...`."""

    def __init__(self, directory, cfg=None, args=(), ready_timeout=15):
        self.cfg = cfg if cfg is not None else base_config()
        self.config_path = write_config(directory, self.cfg)
        self.stderr_path = os.path.join(str(directory), "mqgw.stderr")
        self.args = list(args)
        self.ready_timeout = scaled(ready_timeout)
        self.proc = None
        self.listeners = {}  # name -> (host, port)
        self.stacks = {}     # name -> "tcp+mqtt"
        self.admin_url = None
        self.stdout_lines = queue.Queue()

    # ---- lifecycle ----
    def start(self):
        self._stderr = open(self.stderr_path, "w")
        self.proc = subprocess.Popen([BIN, "-c", self.config_path, *self.args],
                                     stdout=subprocess.PIPE, stderr=self._stderr,
                                     stdin=subprocess.DEVNULL, text=True)
        threading.Thread(target=self._pump_stdout, daemon=True).start()
        try:
            self._wait_ready()
        except BaseException:
            self.kill()
            raise
        return self

    def _pump_stdout(self):
        for line in self.proc.stdout:
            self.stdout_lines.put(line.rstrip("\n"))
        self.stdout_lines.put(None)

    def _wait_ready(self):
        deadline = time.monotonic() + self.ready_timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                line = self.stdout_lines.get(timeout=max(remaining, 0.01))
            except queue.Empty:
                raise AssertionError("mqgw: no 'mqgw: ready' within %.0fs; stderr:\n%s"
                                     % (self.ready_timeout, self.stderr()))
            if line is None:
                self.proc.wait(timeout=5)
                raise AssertionError("mqgw exited with %s before ready; stderr:\n%s"
                                     % (self.proc.returncode, self.stderr()))
            if line == "mqgw: ready":
                return
            m = LISTENER_LINE.match(line)
            if m:
                host = m.group(3).strip("[]")
                self.listeners[m.group(1)] = (host, int(m.group(4)))
                self.stacks[m.group(1)] = m.group(2)
                continue
            m = ADMIN_LINE.match(line)
            if m:
                self.admin_url = m.group(1)

    def stop(self, max_seconds=None):
        """SIGTERM; asserts exit 0 within shutdown_timeout (2 s here) + 1 s. Returns seconds."""
        if max_seconds is None:
            max_seconds = scaled(3.0)
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=max_seconds + 5)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("mqgw ignored SIGTERM; stderr:\n" + self.stderr())
        elapsed = time.monotonic() - started
        self._close_files()
        assert rc == 0, "mqgw exited %s after SIGTERM; stderr:\n%s" % (rc, self.stderr())
        assert elapsed <= max_seconds, "shutdown took %.2fs (limit %.2fs)" % (elapsed, max_seconds)
        return elapsed

    def crash(self):
        """SIGKILL, as a crash would: no shutdown, no flush. Asserts it was running until then."""
        assert self.alive(), "mqgw died before the kill; stderr:\n" + self.stderr()
        self.proc.send_signal(signal.SIGKILL)
        rc = self.proc.wait(timeout=10)
        self._close_files()
        assert rc == -signal.SIGKILL, "mqgw exited %s, not by SIGKILL" % rc

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self._close_files()

    def _close_files(self):
        if getattr(self, "_stderr", None):
            self._stderr.close()
            self._stderr = None

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.stop()
        else:
            self.kill()
        return False

    # ---- observation ----
    def stderr(self):
        try:
            with open(self.stderr_path) as f:
                return f.read()
        except OSError:
            return ""

    def address(self, listener="mqtt"):
        return self.listeners[listener]

    def port(self, listener="mqtt"):
        return self.listeners[listener][1]

    def alive(self):
        return self.proc.poll() is None

    def http_get(self, path):
        assert self.admin_url, "this gateway has no admin listener"
        with urllib.request.urlopen(self.admin_url + path, timeout=scaled(5)) as resp:
            return resp.status, resp.read().decode()

    def metrics(self):
        status, body = self.http_get("/metrics")
        assert status == 200
        return parse_metrics(body)

    def metric(self, name):
        return self.metrics().get(name, 0.0)

    def wait_metric(self, name, predicate, timeout=5):
        """Waits until predicate(value of name) holds; returns the last value seen."""
        last = [None]

        def check():
            last[0] = self.metric(name)
            return predicate(last[0])

        wait_until(check, scaled(timeout))
        return last[0]
