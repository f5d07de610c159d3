"""The management API of a real gateway, called with Python's urllib and requests signed by hand
(docs/api/signing.md): the signature checks, error bodies, the data-plane actions (SendMessage,
session queries, access points) and metadata that outlives a restart."""

import base64
import json
import re
import time
import urllib.error
import urllib.request
import uuid

import paho.mqtt.client as mqtt
import pytest

from console_harness import (Ctl, PahoDevice, api_request, console_config, ready_instance,
                             sign_request, signature_device, signature_login)
from mqgw_harness import Gateway, same_ports, scaled, wait_until

REQUEST_ID = re.compile(r"^[0-9A-Za-z-]{16,}$")


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    cfg = console_config(tmp_path_factory.mktemp("console"))
    with Gateway(tmp_path_factory.mktemp("gw"), cfg) as gateway:
        yield gateway


@pytest.fixture(scope="module")
def inst(console):
    return ready_instance(Ctl(console))


def assert_error(answer, status, code=None):
    """An error answer: this status, this Code (any when None), and the error body's fields."""
    got_status, body = answer
    assert body is not None, "error %d without a JSON body" % got_status
    assert got_status == status, (got_status, body)
    if code is not None:
        assert body.get("Code") == code, body
    assert set(body) >= {"RequestId", "Code", "Message"}, body
    assert REQUEST_ID.match(body["RequestId"]), body
    assert body["Message"], body


# ---- signing ----

def test_signed_request_works(console, inst):
    status, body = api_request(console, "ListInstances")
    assert status == 200 and REQUEST_ID.match(body["RequestId"])
    assert inst in [i["InstanceId"] for i in body["Instances"]]
    second = api_request(console, "ListInstances")[1]
    assert second["RequestId"] != body["RequestId"]


def test_bad_signature_is_refused(console):
    key_id, secret = Ctl(console).credentials()
    assert_error(api_request(console, "ListInstances", key_id=key_id, secret="wrong" + secret),
                 401, "SignatureDoesNotMatch")
    # A signature over another body does not fit this body.
    ts, nonce = int(time.time()), uuid.uuid4().hex
    other = sign_request(secret, "/api/v1/GetInstance", ts, nonce, b'{"InstanceId":"x"}')
    assert_error(api_request(console, "GetInstance", {"InstanceId": "y"}, timestamp=ts,
                             nonce=nonce, signature=other), 401, "SignatureDoesNotMatch")


def test_unknown_key_and_missing_headers_are_refused(console):
    assert_error(api_request(console, "ListInstances", key_id="AKNOSUCHKEY0000000000",
                             secret="whatever"), 401, "InvalidAccessKeyId.NotFound")
    assert_error(api_request(console, "ListInstances", nonce="short"), 401)
    assert_error(api_request(console, "ListInstances", nonce="bad/nonce!x"), 401)
    assert_error(_unsigned(console, "ListInstances"), 401, "MissingSignatureHeader")


def _unsigned(console, action):
    req = urllib.request.Request(console.admin_url + "/api/v1/" + action, data=b"{}",
                                 headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=scaled(5)) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_replayed_nonce_is_refused(console):
    nonce = "replay-" + uuid.uuid4().hex[:12]
    ts = int(time.time())
    assert api_request(console, "ListInstances", timestamp=ts, nonce=nonce)[0] == 200
    assert_error(api_request(console, "ListInstances", timestamp=ts, nonce=nonce),
                 401, "SignatureNonceUsed")
    # Replayed with a fresh timestamp (re-signed): still the same nonce.
    assert_error(api_request(console, "ListInstances", timestamp=ts + 1, nonce=nonce),
                 401, "SignatureNonceUsed")


def test_stale_or_future_timestamp_is_refused(console):
    now = int(time.time())
    for ts in (now - 301, now + 301, now - 3600):
        assert_error(api_request(console, "ListInstances", timestamp=ts), 401,
                     "RequestTimeTooSkewed")
    assert api_request(console, "ListInstances", timestamp=now - 200)[0] == 200


def test_unknown_action_wrong_method_and_bad_json(console):
    assert_error(api_request(console, "NoSuchAction"), 404, "InvalidAction")
    status, _ = api_request(console, "ListInstances", method="GET")
    assert status == 405
    for malformed in (b'{"InstanceId": ', b"not json", b"[1,", b"[]"):
        assert_error(api_request(console, "GetInstance", raw_body=malformed), 400)
    assert_error(api_request(console, "GetInstance", {}), 400, "InvalidParameter.InstanceId")
    assert_error(api_request(console, "GetInstance", {"InstanceId": 7}), 400,
                 "InvalidParameter.InstanceId")
    assert_error(api_request(console, "GetInstance", {"InstanceId": "mqtt-nosuch"}), 404)


def test_conflict_status(console, inst):
    store = api_request(console, "CreateStorageInstance", {"Name": "s", "Kind": "memory"})[1]
    assert_error(api_request(console, "BindStorageInstance", {
        "InstanceId": inst, "StorageInstanceId": store["StorageInstance"]["StorageInstanceId"]}),
        409, "InstanceAlreadyBound")


# ---- data plane ----

def test_send_message_reaches_a_device(console, inst):
    ctl = Ctl(console)
    with signature_device(console, ctl, inst, "GID_demo@@@listener", mqtt.MQTTv5) as dev:
        dev.subscribe("demo_topic/#", qos=1)
        status, body = api_request(console, "SendMessage", {
            "InstanceId": inst, "MqttTopic": "demo_topic/from/api", "Payload": "hello"})
        assert status == 200, body
        assert re.fullmatch(r"[0-9a-f]{32}", body["MsgId"]), body
        status, body2 = api_request(console, "SendMessage", {
            "InstanceId": inst, "MqttTopic": "demo_topic/bin", "Qos": 0,
            "Payload": base64.b64encode(b"\x00\xffbin").decode(), "PayloadEncoding": "base64"})
        assert status == 200 and body2["MsgId"] != body["MsgId"], body2
        got = sorted(m[:2] for m in dev.receive(2))
        assert got == [("demo_topic/bin", b"\x00\xffbin"), ("demo_topic/from/api", b"hello")]


def test_send_message_checks_topic_and_size(console, inst):
    assert_error(api_request(console, "SendMessage", {
        "InstanceId": inst, "MqttTopic": "not_a_parent/x", "Payload": "x"}),
        400, "InvalidParameter.MqttTopic")
    assert_error(api_request(console, "SendMessage", {
        "InstanceId": inst, "MqttTopic": "$i/%s/demo_topic/x" % inst, "Payload": "x"}),
        400, "InvalidParameter.MqttTopic")
    assert_error(api_request(console, "SendMessage", {
        "InstanceId": inst, "MqttTopic": "demo_topic/x", "Payload": "x" * 65537}),
        400, "InvalidParameter.Payload")


def test_session_queries(console, inst):
    ctl = Ctl(console)
    body = {"InstanceId": inst, "ClientId": "GID_demo@@@online"}
    assert api_request(console, "QuerySessionByClientId", body)[1]["OnlineStatus"] is False
    with signature_device(console, ctl, inst, "GID_demo@@@online"):
        assert api_request(console, "QuerySessionByClientId", body)[1]["OnlineStatus"] is True
        status, batch = api_request(console, "BatchQuerySessionByClientIds", {
            "InstanceId": inst, "ClientIdList": ["GID_demo@@@online", "GID_demo@@@offline"]})
        assert status == 200, batch
        assert batch["OnlineStatusList"] == [
            {"ClientId": "GID_demo@@@online", "OnlineStatus": True},
            {"ClientId": "GID_demo@@@offline", "OnlineStatus": False}]
    assert wait_until(lambda: api_request(console, "QuerySessionByClientId", body)[1][
        "OnlineStatus"] is False, scaled(5))
    assert_error(api_request(console, "BatchQuerySessionByClientIds", {
        "InstanceId": inst, "ClientIdList": []}), 400, "InvalidParameter.ClientIdList")
    assert_error(api_request(console, "BatchQuerySessionByClientIds", {
        "InstanceId": inst, "ClientIdList": ["GID_demo@@@c%d" % i for i in range(101)]}),
        400, "InvalidParameter.ClientIdList")


def test_list_access_points_shows_the_bound_port(console, inst):
    status, body = api_request(console, "ListAccessPoints", {"InstanceId": inst})
    assert status == 200, body
    points = {(p["Listener"], p["Port"]) for p in body["AccessPoints"]}
    assert ("mqtt", console.port("mqtt")) in points, body


# ---- restart ----

def test_metadata_outlives_a_restart(tmp_path):
    for d in ("one", "two"):
        (tmp_path / d).mkdir()
    cfg = console_config(tmp_path / "state")
    first = Gateway(tmp_path / "one", cfg).start()
    try:
        ctl = Ctl(first)
        inst = ready_instance(ctl, topic="keep_topic", group="GID_keep")
        key_id, secret = ctl.credentials()
        account = ctl.id("account", "create", "--name", "kept")
    finally:
        first.stop()
    with Gateway(tmp_path / "two", same_ports(cfg, first)) as second:
        ctl = Ctl(second)
        assert ctl.credentials() == (key_id, secret)
        got = ctl.json("instance", "get", "--instance-id", inst)["Instance"]
        assert got["Status"] == "ready"
        topics = ctl.json("topic", "list", "--instance-id", inst)["Topics"]
        assert [t["Topic"] for t in topics] == ["keep_topic"]
        groups = ctl.json("group", "list", "--instance-id", inst)["GroupIds"]
        assert [g["GroupId"] for g in groups] == ["GID_keep"]
        assert account in [a["AccountId"] for a in ctl.json("account", "list")["Accounts"]]
        user, password = signature_login(ctl, inst, "GID_keep@@@dev")
        with PahoDevice(second.address(), "GID_keep@@@dev", user, password) as dev:
            dev.subscribe("keep_topic/#", qos=1)
            dev.publish("keep_topic/x", b"after-restart", qos=1)
            assert [m[1] for m in dev.receive(1)] == [b"after-restart"]
