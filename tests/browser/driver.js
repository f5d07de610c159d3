#!/usr/bin/env node
// Drives the system Chromium (never a downloaded one) through playwright-core: opens the test
// page, starts MQTT.js in it against --broker, and prints one JSON object per line on stdout for
// every event the page reports (connected, subscribed, message, error, close) plus the driver's
// own (browser, done). Exits 0 once --messages messages arrived and a short settle time passed
// without more, 1 on a page error, an early close, or --timeout.
//
//   node driver.js --page http://127.0.0.1:P/ --broker ws://127.0.0.1:Q/mqtt --topic t
//                  [--mqtt-version 4] [--messages 1] [--timeout 30] [--spki BASE64]
//
// --spki trusts exactly one server key for wss:// (Chromium's
// --ignore-certificate-errors-spki-list): every other certificate error still fails.
"use strict";

const { parseArgs } = require("node:util");
const { chromium } = require("playwright-core");

const SETTLE_MS = 500; // after the last expected message: time for a duplicate to show up

const { values: opts } = parseArgs({
  options: {
    page: { type: "string" },
    broker: { type: "string" },
    topic: { type: "string" },
    "mqtt-version": { type: "string", default: "4" },
    messages: { type: "string", default: "1" },
    timeout: { type: "string", default: "30" },
    spki: { type: "string" },
    chromium: { type: "string", default: process.env.MQGW_CHROMIUM || "/usr/bin/chromium" },
  },
});
for (const required of ["page", "broker", "topic"]) {
  if (!opts[required]) {
    process.stderr.write(`driver.js: --${required} is required\n`);
    process.exit(64);
  }
}

function emit(event) {
  process.stdout.write(JSON.stringify(event) + "\n");
}

function chromiumArgs() {
  const args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"];
  if (opts.spki) args.push("--ignore-certificate-errors-spki-list=" + opts.spki);
  return args;
}

// Installs window.mqgwReport (awaited: the page must not run before it exists) and returns a
// { done }: a promise of true when the expected messages arrived and settled, false on failure.
async function watchEvents(page, expected) {
  let resolve;
  const done = new Promise((r) => { resolve = r; });
  let received = 0;
  let settleTimer = null;
  await page.exposeFunction("mqgwReport", (json) => {
    const event = JSON.parse(json);
    emit(event);
    if (event.event === "message") {
      received += 1;
      if (received === expected) settleTimer = setTimeout(() => resolve(true), SETTLE_MS);
      if (received > expected) resolve(true); // the test sees the extra one and fails
    } else if (event.event === "error" || (event.event === "close" && received < expected)) {
      clearTimeout(settleTimer);
      resolve(false);
    }
  });
  return { done }; // wrapped: an async function returning a promise would wait for it
}

async function main() {
  const browser = await chromium.launch({
    executablePath: opts.chromium,
    headless: true,
    args: chromiumArgs(),
    timeout: 30000,
  });
  emit({ event: "browser", version: browser.version() });
  let ok = false;
  try {
    const page = await browser.newPage();
    page.on("console", (msg) => emit({ event: "console", type: msg.type(), text: msg.text() }));
    page.on("pageerror", (err) => emit({ event: "pageerror", message: String(err) }));
    const { done } = await watchEvents(page, Number(opts.messages));
    await page.goto(opts.page, { waitUntil: "load" });
    await page.evaluate(([url, topic, version]) => window.startClient(url, topic, version),
                        [opts.broker, opts.topic, Number(opts["mqtt-version"])]);
    const timedOut = new Promise((resolve) => setTimeout(() => {
      emit({ event: "error", where: "driver", message: `timed out after ${opts.timeout}s` });
      resolve(false);
    }, Number(opts.timeout) * 1000));
    ok = await Promise.race([done, timedOut]);
    await page.evaluate(() => window.mqgwClient && window.mqgwClient.end(true)).catch(() => {});
  } finally {
    await browser.close();
  }
  emit({ event: "done", ok });
  return ok;
}

main().then((ok) => process.exit(ok ? 0 : 1), (err) => {
  emit({ event: "error", where: "driver", message: String(err && err.stack || err) });
  process.exit(1);
});
