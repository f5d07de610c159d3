// MQTT.js inside the browser: startClient() connects to a broker over ws:// or wss://,
// subscribes to one topic, and reports each step to the driver through window.mqgwReport
// (a function driver.js exposes). Payloads go back as hex so binary bytes survive the trip.
"use strict";

function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function report(event) {
  document.getElementById("status").textContent = event.event;
  window.mqgwReport(JSON.stringify(event));
}

window.startClient = function (brokerUrl, topic, protocolVersion) {
  if (typeof mqtt === "undefined" || typeof mqtt.connect !== "function") {
    report({ event: "error", where: "load", message: "MQTT.js did not load" });
    return;
  }
  const client = mqtt.connect(brokerUrl, {
    protocolVersion: protocolVersion,
    protocolId: protocolVersion === 3 ? "MQIsdp" : "MQTT", // 3.1 rides the mqttv3.1 subprotocol
    clientId: "browser-" + Math.random().toString(16).slice(2, 10),
    clean: true,
    keepalive: 30,
    connectTimeout: 10000,
    reconnectPeriod: 0, // one attempt: a failure must show, not be retried away
  });
  client.on("connect", (connack) => {
    report({ event: "connected", returnCode: connack.returnCode ?? connack.reasonCode ?? 0 });
    client.subscribe(topic, { qos: 0 }, (err, granted) => {
      if (err) {
        report({ event: "error", where: "subscribe", message: String(err) });
        return;
      }
      report({ event: "subscribed", granted: granted.map((g) => ({ topic: g.topic, qos: g.qos })) });
    });
  });
  client.on("message", (t, payload) => {
    report({ event: "message", topic: t, payloadHex: toHex(payload) });
  });
  client.on("error", (err) => report({ event: "error", where: "client", message: String(err) }));
  client.on("close", () => report({ event: "close" }));
  window.mqgwClient = client;
};
