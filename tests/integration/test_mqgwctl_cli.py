"""mqgwctl against a fake management API: a small in-process HTTP server that verifies every
request's signature with the algorithm of docs/api/signing.md and answers canned JSON per action.
Checks the request bodies mqgwctl builds, its table / --json / -q output, and its exit codes
(0 ok, 1 API error, 2 usage, 3 connection or credentials). The real server is tested elsewhere.

The binary: $MQGW_CTL, else mqgwctl next to $MQGW_BIN (ctest sets MQGW_BIN).
"""

import base64
import hashlib
import hmac
import http.server
import json
import os
import re
import socket
import stat
import subprocess
import threading
import time

import pytest

KEY_ID = "AKTEST000000000000001"
SECRET = "fakeSecretForTheCliTest0123456"
NONCE = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def ctl_path():
    explicit = os.environ.get("MQGW_CTL")
    if explicit:
        return explicit
    return os.path.join(os.path.dirname(os.environ.get("MQGW_BIN", "")), "mqgwctl")


def expected_signature(secret, path, timestamp, nonce, body):
    to_sign = "\n".join(["POST", path, timestamp, nonce, hashlib.sha256(body).hexdigest()])
    digest = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class FakeApi:
    """Records verified requests; answers[action] = (status, json) or a default 200."""

    def __init__(self):
        self.requests = []
        self.answers = {}
        self.nonces = set()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.endpoint = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _handler(self):
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status, answer = api.handle(self.path, self.headers, body)
                answer.setdefault("RequestId", "req-%d" % len(api.requests))
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def refuse(self, code):
        return 401, {"Code": code, "Message": "refused by the fake server"}

    def handle(self, path, headers, body):
        names = ["X-Mqgw-Access-Key-Id", "X-Mqgw-Timestamp", "X-Mqgw-Nonce", "X-Mqgw-Signature"]
        key_id, timestamp, nonce, signature = (headers.get(n) for n in names)
        if None in (key_id, timestamp, nonce, signature):
            return self.refuse("MissingSignatureHeader")
        if key_id != KEY_ID:
            return self.refuse("InvalidAccessKeyId.NotFound")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
            return self.refuse("RequestTimeTooSkewed")
        if not NONCE.match(nonce) or nonce in self.nonces:
            return self.refuse("SignatureNonceUsed")
        if not hmac.compare_digest(signature, expected_signature(SECRET, path, timestamp, nonce, body)):
            return self.refuse("SignatureDoesNotMatch")
        self.nonces.add(nonce)
        action = path[len("/api/v1/"):] if path.startswith("/api/v1/") else None
        if action is None or headers.get("Content-Type") != "application/json":
            return 404, {"Code": "InvalidAction", "Message": path}
        self.requests.append({"action": action, "body": json.loads(body)})
        status, answer = self.answers.get(action, (200, {}))
        return status, json.loads(json.dumps(answer))

    def last(self):
        assert self.requests, "the fake server received no verified request"
        return self.requests[-1]


@pytest.fixture
def api():
    fake = FakeApi()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def run(tmp_path):
    binary = ctl_path()
    assert os.access(binary, os.X_OK), "mqgwctl not found at %s (set MQGW_CTL)" % binary
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("MQGW_")}
    base_env["HOME"] = str(tmp_path)

    def invoke(*args, env=None):
        full_env = dict(base_env, **(env or {}))
        return subprocess.run([binary, *args], env=full_env, capture_output=True, text=True,
                              timeout=30)

    return invoke


@pytest.fixture
def ctl(api, run):
    """mqgwctl with the fake server's endpoint and key in the environment."""
    env = {"MQGW_ENDPOINT": api.endpoint, "MQGW_ACCESS_KEY_ID": KEY_ID,
           "MQGW_ACCESS_KEY_SECRET": SECRET}
    return lambda *args: run(*args, env=env)


INSTANCE = {"InstanceId": "mqtt-abc123def456", "InstanceName": "demo", "Region": "local",
            "NamespaceType": "dedicated",
            "Spec": {"MaxConnections": 50, "MaxPublishTps": 1000,
                     "MaxSubscriptionsPerClient": 30, "MaxMessageSize": 65536},
            "Status": "unbound", "StorageInstanceId": "", "CreateTime": 1764137000000}


def test_instance_create_sends_signed_body_and_prints_listing(api, ctl):
    api.answers["CreateInstance"] = (200, {"Instance": INSTANCE})
    r = ctl("instance", "create", "--name", "demo", "--max-connections", "50")
    assert r.returncode == 0, r.stderr
    assert api.last() == {"action": "CreateInstance",
                          "body": {"InstanceName": "demo", "Spec": {"MaxConnections": 50}}}
    lines = r.stdout.splitlines()
    assert lines[0] == "InstanceId:                     mqtt-abc123def456"
    assert "Spec.MaxConnections:            50" in lines
    assert "CreateTime:                     2025-11-26T06:03:20Z" in lines


def test_quiet_prints_only_the_id(api, ctl):
    api.answers["CreateInstance"] = (200, {"Instance": INSTANCE})
    r = ctl("instance", "create", "--name", "demo", "-q")
    assert (r.returncode, r.stdout) == (0, "mqtt-abc123def456\n"), r.stderr


def test_list_table_and_json(api, ctl):
    second = dict(INSTANCE, InstanceId="mqtt-zzzzzzzzzzzz", InstanceName="other",
                  Status="ready", StorageInstanceId="store-111111111111")
    api.answers["ListInstances"] = (200, {"Instances": [INSTANCE, second]})
    r = ctl("instance", "list")
    assert r.returncode == 0, r.stderr
    assert api.last() == {"action": "ListInstances", "body": {}}
    header, first, other = r.stdout.splitlines()
    assert header.split() == ["InstanceId", "InstanceName", "Region", "NamespaceType", "Status",
                              "StorageInstanceId", "MaxConnections", "CreateTime"]
    assert first.split() == ["mqtt-abc123def456", "demo", "local", "dedicated", "unbound", "-",
                             "50", "2025-11-26T06:03:20Z"]
    assert other.split()[4:6] == ["ready", "store-111111111111"]
    assert header.index("Status") == first.index("unbound")  # columns line up

    r = ctl("instance", "list", "--json")
    assert r.returncode == 0, r.stderr
    printed = json.loads(r.stdout)
    assert printed["Instances"][1]["InstanceId"] == "mqtt-zzzzzzzzzzzz"
    assert printed["RequestId"].startswith("req-")
    assert r.stdout.startswith("{\n  ")  # pretty


def test_token_apply_body_and_expiry(api, ctl):
    api.answers["ApplyToken"] = (200, {"Token": "tok123", "TokenInfo": {"Actions": "R,W"}})
    before = int(time.time() * 1000)
    r = ctl("token", "apply", "--instance-id", "mqtt-x", "--resources", "demo/#,demo/+/up",
            "--actions", "R,W", "--expire-in", "2h")
    assert r.returncode == 0, r.stderr
    body = api.last()["body"]
    assert body["Resources"] == ["demo/#", "demo/+/up"] and body["Actions"] == "R,W"
    assert before + 7200_000 <= body["ExpireTime"] <= int(time.time() * 1000) + 7200_000
    assert "Token:             tok123" in r.stdout.splitlines()
    assert ctl("token", "apply", "--instance-id", "mqtt-x", "--resources", "a/#", "--actions",
               "R", "--expire-in", "2h", "-q").stdout == "tok123\n"


def test_message_send_file_is_base64(api, ctl, tmp_path):
    payload = tmp_path / "payload.bin"
    payload.write_bytes(b"\x00\x01binary\xff")
    api.answers["SendMessage"] = (200, {"MsgId": "0123456789abcdef0123456789abcdef"})
    r = ctl("message", "send", "--instance-id", "mqtt-x", "--topic", "demo/dev1",
            "--payload-file", str(payload), "--qos", "0", "--retain", "-q")
    assert (r.returncode, r.stdout) == (0, "0123456789abcdef0123456789abcdef\n"), r.stderr
    assert api.last()["body"] == {"InstanceId": "mqtt-x", "MqttTopic": "demo/dev1",
                                  "Payload": base64.b64encode(b"\x00\x01binary\xff").decode(),
                                  "PayloadEncoding": "base64", "Qos": 0, "Retain": True}


def test_session_query_batch_and_single(api, ctl):
    api.answers["BatchQuerySessionByClientIds"] = (200, {"OnlineStatusList": [
        {"ClientId": "GID_a@@@d1", "OnlineStatus": True},
        {"ClientId": "GID_a@@@d2", "OnlineStatus": False}]})
    r = ctl("session", "query", "--instance-id", "i", "--client-id", "GID_a@@@d1",
            "--client-id", "GID_a@@@d2")
    assert r.returncode == 0, r.stderr
    assert api.last()["body"] == {"InstanceId": "i", "ClientIdList": ["GID_a@@@d1", "GID_a@@@d2"]}
    assert [l.split() for l in r.stdout.splitlines()] == [
        ["ClientId", "OnlineStatus"], ["GID_a@@@d1", "true"], ["GID_a@@@d2", "false"]]
    api.answers["QuerySessionByClientId"] = (200, {"OnlineStatus": True})
    r = ctl("session", "query", "--instance-id", "i", "--client-id", "GID_a@@@d1")
    assert (r.returncode, r.stdout) == (0, "OnlineStatus: true\n"), r.stderr
    assert api.last()["action"] == "QuerySessionByClientId"


def test_delete_and_raw_call(api, ctl):
    r = ctl("group", "delete", "--instance-id", "mqtt-x", "--group-id", "GID_demo")
    assert (r.returncode, r.stdout) == (0, "deleted GID_demo\n"), r.stderr
    assert api.last() == {"action": "DeleteGroupId",
                          "body": {"InstanceId": "mqtt-x", "GroupId": "GID_demo"}}
    api.answers["GetInstance"] = (200, {"Instance": INSTANCE})
    r = ctl("call", "GetInstance", "--body", '{"InstanceId": "mqtt-abc123def456"}')
    assert r.returncode == 0, r.stderr
    assert api.last()["body"] == {"InstanceId": "mqtt-abc123def456"}
    assert json.loads(r.stdout)["Instance"]["InstanceName"] == "demo"


def test_api_error_exits_1_with_the_error_line(api, ctl):
    api.answers["GetInstance"] = (404, {"RequestId": "req-err-1", "Code": "InstanceNotFound",
                                        "Message": "no instance mqtt-nope"})
    r = ctl("instance", "get", "--instance-id", "mqtt-nope")
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr.strip() == "Error InstanceNotFound: no instance mqtt-nope (RequestId req-err-1)"


def test_wrong_secret_is_refused_by_the_verifier(api, run):
    r = run("instance", "list", "--endpoint", api.endpoint, "--access-key-id", KEY_ID,
            "--access-key-secret", "not-the-secret")
    assert r.returncode == 1
    assert r.stderr.startswith("Error SignatureDoesNotMatch:")
    assert api.requests == []


def test_nothing_listening_exits_3(run):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    endpoint = "http://127.0.0.1:%d" % port
    r = run("instance", "list", "--endpoint", endpoint, "--access-key-id", KEY_ID,
            "--access-key-secret", SECRET)
    assert r.returncode == 3
    assert "cannot connect to %s: Connection refused" % endpoint in r.stderr


def test_missing_credentials_exit_3_and_usage_errors_exit_2(run):
    r = run("instance", "list")
    assert r.returncode == 3 and "missing access key id" in r.stderr
    assert run("instance", "create").returncode == 2  # --name required
    assert run("token", "apply", "--instance-id", "i", "--resources", "a/#", "--actions",
               "R").returncode == 2  # no expiry
    assert run("no-such-command").returncode == 2


def test_configure_from_file_then_use_the_profile(api, run, tmp_path):
    root = tmp_path / "root-credentials"
    root.write_text("# written by the gateway\n[default]\nendpoint = %s\naccess_key_id = %s\n"
                    "access_key_secret = %s\n" % (api.endpoint, KEY_ID, SECRET))
    r = run("configure", "--from-file", str(root))
    assert r.returncode == 0, r.stderr
    written = tmp_path / ".mqgw" / "credentials"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert "access_key_id = %s" % KEY_ID in written.read_text()
    api.answers["ListAccounts"] = (200, {"Accounts": [
        {"AccountId": "acc-000000000001", "AccountName": "root", "Kind": "main",
         "CreateTime": 1764137000000}]})
    r = run("account", "list", "-q")  # credentials from ~/.mqgw/credentials only
    assert (r.returncode, r.stdout) == (0, "acc-000000000001\n"), r.stderr

    r = run("configure", "--profile", "second", "--endpoint", "http://127.0.0.1:1",
            "--access-key-id", "AKOTHER", "--access-key-secret", "x")
    assert r.returncode == 0, r.stderr
    text = written.read_text()
    assert "[default]" in text and "[second]" in text and "AKOTHER" in text
    r = run("account", "list", "--profile", "second")
    assert r.returncode == 3 and "http://127.0.0.1:1" in r.stderr
    r = run("account", "list", "--profile", "missing")
    assert r.returncode == 3 and "profile 'missing' not found" in r.stderr


def test_password_from_flag_and_from_profile_secret(run):
    r = run("password", "--client-id", "GID_demo@@@dev-1", "--secret", "devsecret")
    assert (r.returncode, r.stdout) == (0, "tN6iaxVPDCLWXCzVxdXxAdgFEyA=\n"), r.stderr
    r = run("password", "--client-id", "GID_demo@@@dev-1",
            env={"MQGW_ACCESS_KEY_SECRET": "devsecret"})
    assert (r.returncode, r.stdout) == (0, "tN6iaxVPDCLWXCzVxdXxAdgFEyA=\n"), r.stderr
