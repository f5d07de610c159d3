#!/usr/bin/env node
// mqgw device demo in Node.js (MQTT.js 5.x).
//
// Logs in with the Signature mode, subscribes to <parent>/#, publishes one message to
// <parent>/<DeviceID> and waits for it to come back. Prints `received <topic> <payload>` and
// exits 0; exits 1 with a message on stderr when the login, subscription or delivery fails or
// nothing arrives within 10 seconds. Settings come from the environment (see README.md):
//
//   MQGW_HOST MQGW_PORT MQGW_INSTANCE_ID MQGW_ACCESS_KEY_ID MQGW_ACCESS_KEY_SECRET
//   MQGW_GROUP_ID MQGW_DEVICE_ID MQGW_TOPIC
"use strict";

const crypto = require("node:crypto");
const mqtt = require("mqtt");

const TIMEOUT_MS = 10000;
const REQUIRED = ["MQGW_INSTANCE_ID", "MQGW_ACCESS_KEY_ID", "MQGW_ACCESS_KEY_SECRET",
                  "MQGW_GROUP_ID", "MQGW_DEVICE_ID", "MQGW_TOPIC"];

let client = null;

function fail(message) {
  process.stderr.write(`device: ${message}\n`);
  if (client) client.end(true);
  process.exit(1);
}

function settings() {
  const missing = REQUIRED.filter((name) => !process.env[name]);
  if (missing.length > 0) fail(`missing environment variable(s): ${missing.join(", ")}`);
  const env = process.env;
  return {
    host: env.MQGW_HOST || "127.0.0.1",
    port: Number(env.MQGW_PORT || "1883"),
    instanceId: env.MQGW_INSTANCE_ID,
    accessKeyId: env.MQGW_ACCESS_KEY_ID,
    accessKeySecret: env.MQGW_ACCESS_KEY_SECRET,
    groupId: env.MQGW_GROUP_ID,
    deviceId: env.MQGW_DEVICE_ID,
    parentTopic: env.MQGW_TOPIC,
  };
}

// Base64(HMAC-SHA1(AccessKeySecret, Client ID)): the Signature mode's password.
function signaturePassword(secret, clientId) {
  return crypto.createHmac("sha1", secret).update(clientId).digest("base64");
}

function main() {
  const s = settings();
  const clientId = `${s.groupId}@@@${s.deviceId}`;
  const filter = `${s.parentTopic}/#`;
  const topic = `${s.parentTopic}/${s.deviceId}`;
  const payload = `hello from ${clientId}`;

  setTimeout(() => fail(`no message back on ${topic} within ${TIMEOUT_MS / 1000} s`), TIMEOUT_MS);
  client = mqtt.connect(`mqtt://${s.host}:${s.port}`, {
    clientId,
    username: `Signature|${s.accessKeyId}|${s.instanceId}`,
    password: signaturePassword(s.accessKeySecret, clientId),
    protocolVersion: 4,
    clean: true,
    keepalive: 30,
    connectTimeout: TIMEOUT_MS,
    reconnectPeriod: 0, // one attempt: show a refused login instead of retrying it
  });

  client.on("connect", () => {
    client.subscribe(filter, { qos: 1 }, (err, granted) => {
      // MQTT.js reports a refused filter (granted 0x80) as err or in granted, by version.
      if (err || granted.some((g) => g.qos >= 0x80)) {
        const why = err ? `: ${err.message}` : "";
        fail(`subscription to ${filter} refused${why} ` +
             `(is ${s.parentTopic} a parent topic of the instance?)`);
      }
      client.publish(topic, payload, { qos: 1 }, (pubErr) => {
        if (pubErr) fail(`publish failed: ${pubErr.message}`);
      });
    });
  });
  client.on("message", (t, bytes) => {
    if (t !== topic || bytes.toString() !== payload) return;
    process.stdout.write(`received ${t} ${bytes.toString()}\n`);
    client.end(false, {}, () => process.exit(0));
  });
  // A refused CONNACK arrives here ("Connection refused: Not authorized", code 5).
  client.on("error", (err) => {
    if (typeof err.code === "string") fail(`cannot connect to ${s.host}:${s.port}: ${err.message}`);
    const code = err.code !== undefined ? ` (CONNACK ${err.code})` : "";
    fail(`${err.message}${code}; check the AccessKey, its secret, the instance and the Group ID`);
  });
  client.on("close", () => {
    if (!client.disconnecting) fail("the gateway closed the connection (login refused?)");
  });
}

main();
