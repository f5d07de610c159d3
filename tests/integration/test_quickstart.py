"""docs/quickstart.md, run as written: the gateway of config/mqgw.yaml (what `tools/run` serves,
with the test's ports and directories), then every `sh` block of the page in order, in one
bash, with the built mqgwctl on PATH — and a real device (Paho) where the page uses Mosquitto.
A change to the page that breaks a newcomer's copy-paste breaks this test."""

import os
import re
import subprocess
import threading

import paho.mqtt.client as mqtt

from console_harness import CTL
from mqgw_harness import Gateway, scaled
from paho_client import PahoClient
from test_access_points import ROOT, dev_config

PAGE = os.path.join(ROOT, "docs", "quickstart.md")
SH_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)


def page_blocks():
    with open(PAGE) as f:
        blocks = SH_BLOCK.findall(f.read())
    assert len(blocks) >= 6, "quickstart.md lost its sh blocks"
    return blocks


def run_blocks(blocks, gw, workdir, env):
    """Runs the blocks in one bash (variables carry over) and returns the variables they set
    plus each block's output."""
    script = ["set -euo pipefail"]
    for i, block in enumerate(blocks):
        script += ['echo "=== block %d"' % i, block]
    script.append('echo "=== vars"; echo "INSTANCE=$INSTANCE"; echo "AK=$AK"; '
                  'echo "USERNAME=$USERNAME"; echo "SUB_PASSWORD=$SUB_PASSWORD"; '
                  'echo "PUB_PASSWORD=$PUB_PASSWORD"')
    p = subprocess.run(["bash", "-c", "\n".join(script)], cwd=workdir, env=env,
                       capture_output=True, text=True, timeout=scaled(60))
    assert p.returncode == 0, "quickstart block failed:\n%s\n%s" % (p.stdout, p.stderr)
    outputs = re.split(r"^=== block \d+\n", p.stdout.split("=== vars\n")[0], flags=re.M)[1:]
    values = dict(line.split("=", 1) for line in p.stdout.split("=== vars\n")[1].splitlines())
    return values, outputs


def test_the_quick_start_page_works_as_written(tmp_path):
    cfg, _ = dev_config(tmp_path)
    blocks = page_blocks()
    # The page talks to 127.0.0.1:9090 and port 1883 of `tools/run`; the test's gateway has
    # free ports, so its admin URL replaces the page's (through the credentials file it writes).
    with Gateway(tmp_path, cfg) as gw:
        home = tmp_path / "home"
        home.mkdir()
        env = dict(os.environ, HOME=str(home), PATH=os.path.dirname(CTL) + ":" + os.environ["PATH"])
        for k in ("MQGW_ENDPOINT", "MQGW_ACCESS_KEY_ID", "MQGW_ACCESS_KEY_SECRET",
                  "MQGW_PROFILE", "MQGW_CREDENTIALS_FILE"):
            env.pop(k, None)
        # Blocks 0..6: credentials, instance, storage + bind, topic + group, access point, login.
        values, outputs = run_blocks(blocks[:-1], gw, tmp_path, env)
        instance = values["INSTANCE"]
        assert re.fullmatch(r"mqtt-[a-z0-9]{12}", instance)
        assert values["USERNAME"] == "Signature|%s|%s" % (values["AK"], instance)
        assert "unbound" in outputs[1]  # `instance get` right after create
        port = gw.port("mqtt")
        assert re.search(r"^tcp\s+mqtt\s+%d\s" % port, outputs[4], re.M), outputs[4]

        # Step 7 with Paho instead of Mosquitto: two devices, a round trip.
        sub = device(gw, "GID_demo@@@device1", values["USERNAME"], values["SUB_PASSWORD"])
        pub = device(gw, "GID_demo@@@device2", values["USERNAME"], values["PUB_PASSWORD"])
        try:
            sub.subscribe("demo_topic/#", 1)
            pub.publish("demo_topic/hello", b"hello mqgw", 1)
            assert sub.receive(1) == [("demo_topic/hello", b"hello mqgw", 1)]
            # Step 8: the server sends; the page's commands, the same bash variables.
            last = run_script(blocks[-1], values, tmp_path, env)
            msg_id = re.search(r"MsgId:\s+([0-9a-f]{32})", last)
            assert msg_id, last
            assert sub.receive(1) == [("demo_topic/notice", b"from the console", 1)]
            assert re.search(r"GID_demo@@@device1\s+true|OnlineStatus:\s+true", last), last
        finally:
            sub.close()
            pub.close()
        # A wrong password and an unknown Group ID are refused, as the page says.
        assert login_code(gw, "GID_demo@@@device3", values["USERNAME"], "wrong") == 5
        assert login_code(gw, "GID_nope@@@device3", values["USERNAME"], values["PUB_PASSWORD"]) == 2


def run_script(block, values, workdir, env):
    exports = "".join("%s=%s\n" % (k, quote(v)) for k, v in values.items())
    p = subprocess.run(["bash", "-c", "set -euo pipefail\n" + exports + block], cwd=workdir,
                       env=env, capture_output=True, text=True, timeout=scaled(30))
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout


def quote(v):
    return "'" + v.replace("'", "'\\''") + "'"


def device(gw, client_id, username, password):
    return PahoClient(gw.address("mqtt"), client_id, username=username, password=password)


def login_code(gw, client_id, username, password):
    """The v3.1.1 CONNACK return code of one login attempt."""
    result = {}
    done = threading.Event()
    client = mqtt.Client(client_id=client_id)
    client.username_pw_set(username, password)

    def on_connect(c, userdata, flags, rc, *args):
        result["rc"] = rc
        done.set()

    client.on_connect = on_connect
    client.connect(*gw.address("mqtt"), keepalive=30)
    client.loop_start()
    try:
        assert done.wait(scaled(5)), "no CONNACK"
    finally:
        client.loop_stop()
        client.disconnect()
    return int(result["rc"])
