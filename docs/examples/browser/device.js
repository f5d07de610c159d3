// mqgw device demo in the browser (MQTT.js's browser bundle, WebCrypto).
//
// On "Connect": logs in over ws:// with the Signature mode, subscribes to <parent>/#, publishes
// one message to <parent>/<DeviceID> and waits for it to come back. The outcome goes to
// #result: data-status="ok" and the text `received <topic> <payload>`, or data-status="failed"
// and the reason (also after 10 seconds without the message).
//
// The AccessKey secret in a page is for trying things out: a real web app should get a token
// from its back end instead (Token mode, `mqgwctl token apply`).
"use strict";

const TIMEOUT_MS = 10000;
const FIELDS = ["host", "port", "path", "instanceId", "accessKeyId", "accessKeySecret",
                "groupId", "deviceId", "topic"];

let client = null;

function log(line) {
  document.getElementById("log").textContent += line + "\n";
}

function finish(status, text) {
  const result = document.getElementById("result");
  if (result.dataset.status) return; // the first outcome counts
  result.textContent = text;
  result.dataset.status = status;
  log(text);
  if (client) client.end(true);
}

// Base64(HMAC-SHA1(AccessKeySecret, Client ID)): the Signature mode's password.
async function signaturePassword(secret, clientId) {
  if (!window.crypto || !window.crypto.subtle) {
    throw new Error("WebCrypto is unavailable: open this page from http://127.0.0.1, " +
                    "http://localhost or https://");
  }
  const utf8 = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", utf8.encode(secret),
                                            { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  const digest = new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8.encode(clientId)));
  return btoa(String.fromCharCode(...digest));
}

function readSettings() {
  const s = {};
  for (const id of FIELDS) s[id] = document.getElementById(id).value.trim();
  return s;
}

async function run(s) {
  if (typeof mqtt === "undefined") throw new Error("mqtt.min.js did not load (see README.md)");
  const clientId = `${s.groupId}@@@${s.deviceId}`;
  const filter = `${s.topic}/#`;
  const topic = `${s.topic}/${s.deviceId}`;
  const payload = `hello from ${clientId}`;
  const url = `ws://${s.host}:${s.port}${s.path}`;
  const password = await signaturePassword(s.accessKeySecret, clientId);

  log(`connecting to ${url} as ${clientId}`);
  setTimeout(() => finish("failed", `no message back on ${topic} within ${TIMEOUT_MS / 1000} s`),
             TIMEOUT_MS);
  client = mqtt.connect(url, {
    clientId,
    username: `Signature|${s.accessKeyId}|${s.instanceId}`,
    password,
    protocolVersion: 4,
    clean: true,
    keepalive: 30,
    connectTimeout: TIMEOUT_MS,
    reconnectPeriod: 0, // one attempt: show a refused login instead of retrying it
  });
  client.on("connect", () => {
    log(`connected; subscribing to ${filter}`);
    client.subscribe(filter, { qos: 1 }, (err, granted) => {
      // MQTT.js reports a refused filter (granted 0x80) as err or in granted, by version.
      if (err || granted.some((g) => g.qos >= 0x80)) {
        const why = err ? `: ${err.message}` : "";
        return finish("failed",
                      `subscription to ${filter} refused${why} (is ${s.topic} a parent topic?)`);
      }
      log(`subscribed; publishing to ${topic}`);
      client.publish(topic, payload, { qos: 1 });
    });
  });
  client.on("message", (t, bytes) => {
    const text = new TextDecoder().decode(bytes);
    if (t === topic && text === payload) finish("ok", `received ${t} ${text}`);
  });
  client.on("error", (err) => finish("failed", `connection failed: ${err.message}`));
  client.on("close", () => finish("failed", "the gateway closed the connection (login refused?)"));
}

// Non-secret fields may come from the query string; the gateway host defaults to the page's.
function prefill() {
  const query = new URLSearchParams(location.search);
  for (const id of FIELDS) {
    if (id === "accessKeySecret" || !query.has(id)) continue;
    document.getElementById(id).value = query.get(id);
  }
  const host = document.getElementById("host");
  if (!host.value) host.value = location.hostname || "127.0.0.1";
}

document.getElementById("settings").addEventListener("submit", (event) => {
  event.preventDefault();
  document.getElementById("connect").disabled = true;
  run(readSettings()).catch((err) => finish("failed", String(err.message || err)));
});
prefill();
