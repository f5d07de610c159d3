"""mosquitto_sub as a test subscriber: the real Eclipse client, driven line by line."""

import queue
import subprocess
import threading
import time

from mqgw_harness import scaled


class Subscriber:
    """mosquitto_sub -d -v: waits for the SUBACK (a debug line), then collects `topic payload`
    lines until it has `count` messages or times out."""

    def __init__(self, port, topics, count, version="mqttv311", qos=0, extra=()):
        # stdbuf: mosquitto_sub block-buffers stdout into a pipe; we need each line as it comes.
        cmd = ["stdbuf", "-oL", "mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-V", version, "-d", "-v",
               "-q", str(qos), "-C", str(count), "-W", str(int(scaled(10))), *extra]
        for t in topics:
            cmd += ["-t", t]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, text=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self.debug = []
        self._wait_for("received SUBACK")

    def _pump(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def _wait_for(self, text):
        end = time.monotonic() + scaled(5)
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            if line is None:
                break
            self.debug.append(line)
            if text in line:
                return
        self.proc.kill()
        raise AssertionError("mosquitto_sub never saw %r:\n%s" % (text, "\n".join(self.debug)))

    def messages(self):
        """Waits for mosquitto_sub to exit (-C count reached, or -W timeout)."""
        try:
            self.proc.wait(timeout=scaled(15))
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
        out = []
        while True:
            line = self.lines.get(timeout=5)
            if line is None:
                return out
            if not line.startswith("Client ") and not line.startswith("Subscribed"):
                out.append(line)
