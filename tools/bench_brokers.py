"""The brokers tools/bench-vs-mosquitto measures: their configurations, build targets and
processes. Stdlib only; imported by the script (it sits next to it in tools/).

Every mqgw variant is the same gateway binary with a different storage section. A `native`
variant gets a fresh, empty data_dir per measurement, so no run replays or compacts another
run's log.
"""
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time

MOSQUITTO = "/usr/sbin/mosquitto"

# Same limits on both sides: mqgw's defaults are max_inflight 32 and max_queued_messages 1000.
# persistence false: Mosquitto's QoS 1 is in memory only (its persistence is a periodic
# snapshot, not a per-message commit, so there is no durable mode to set beside native's).
MOSQUITTO_CONF = """listener {port} 127.0.0.1
allow_anonymous true
persistence false
max_inflight_messages 32
max_queued_messages 1000
max_connections -1
set_tcp_nodelay true
log_type error
log_dest stderr
"""
MQGW_YAML = """workers: 2
log: {{ level: warn }}
listeners: [ {{ name: mqtt, bind: 127.0.0.1, port: {port}, stack: [tcp, mqtt] }} ]
storage: {storage}
"""
NATIVE_STORAGE = "{ backend: native, native: { data_dir: {data_dir}, {fsync} } }"

# name -> (storage plugin target or None, storage section template or None, note for the output)
BROKERS = {
    "mqgw": ("mqgw-memory", "{ backend: memory }", "mqgw: memory backend (nothing kept)"),
    "mqgw-native": ("mqgw-native", NATIVE_STORAGE.replace("{fsync}", "fsync: always"),
                    "mqgw-native: native backend, fsync always (a PUBACK waits for the fsync "
                    "of its batch), fresh data_dir per run"),
    "mqgw-native-interval": ("mqgw-native",
                             NATIVE_STORAGE.replace("{fsync}",
                                                    "fsync: interval, fsync_interval: 100ms"),
                             "mqgw-native-interval: native backend, fsync every 100 ms at most, "
                             "fresh data_dir per run"),
    "mosquitto": (None, None, "mosquitto: persistence false, so its QoS 1 is in memory only "
                              "(not durable)"),
}


def is_mqgw(name):
    return name != "mosquitto"


def needs_data_dir(name):
    template = BROKERS[name][1]
    return template is not None and "{data_dir}" in template


def mqgw_targets(brokers):
    """CMake targets the mqgw variants in `brokers` need (gateway, frontend, storage plugins)."""
    targets = ["mqgw", "mqgw-mqtt"]
    for b in brokers:
        plugin = BROKERS[b][0]
        if plugin and plugin not in targets:
            targets.append(plugin)
    return targets


def filesystem_type(path):
    """The type of the filesystem holding `path` (longest mount point prefix in /proc/mounts)."""
    path, best, kind = os.path.realpath(path), "", "unknown"
    try:
        with open("/proc/mounts") as f:
            for line in f:
                fields = line.split()
                mount = fields[1]
                inside = path == mount or path.startswith(mount.rstrip("/") + "/")
                if inside and len(mount) > len(best):
                    best, kind = mount, fields[2]
    except OSError:
        pass
    return kind


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    """One broker process on a free port; start() returns once it accepts connections."""

    def __init__(self, name, workdir, build_dir, data_root):
        self.name, self.workdir, self.build_dir = name, workdir, build_dir
        self.data_root, self.data_dir = data_root, None
        self.proc, self.port, self.output = None, 0, []

    def start(self, timeout=15):
        self.port = free_port()
        if self.name == "mosquitto":
            conf = MOSQUITTO_CONF.format(port=self.port)
            cmd = [MOSQUITTO, "-c", self._write("mosquitto.conf", conf)]
        else:
            cmd = [os.path.join(self.build_dir, "mqgw"), "-c",
                   self._write("mqgw.yaml", MQGW_YAML.format(port=self.port,
                                                              storage=self._storage()))]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        ready = threading.Event()
        threading.Thread(target=self._pump, args=(ready,), daemon=True).start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            up = ready.is_set() if is_mqgw(self.name) else self._accepts()
            if up:
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.name} did not start: {''.join(self.output[-5:]).strip()}")

    def _storage(self):
        template = BROKERS[self.name][1]
        if not needs_data_dir(self.name):
            return template
        self.data_dir = tempfile.mkdtemp(prefix=f"{self.name}-{self.port}-", dir=self.data_root)
        return template.replace("{data_dir}", self.data_dir)

    def _pump(self, ready):
        for line in self.proc.stdout:
            if len(self.output) < 200:
                self.output.append(line)
            if line.startswith("mqgw: ready"):
                ready.set()

    def _accepts(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            return True
        except OSError:
            return False

    def _write(self, name, text):
        path = os.path.join(self.workdir, f"{self.name}-{self.port}-{name}")
        with open(path, "w") as f:
            f.write(text)
        return path

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def rss_bytes(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def cpu_seconds(self):
        fields = open(f"/proc/{self.proc.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            self.data_dir = None
