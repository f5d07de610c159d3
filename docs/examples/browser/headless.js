#!/usr/bin/env node
// Runs the browser demo without a screen: opens the page in headless Chromium (Debian's
// /usr/bin/chromium through playwright-core; no browser is downloaded), fills the form from the
// same MQGW_* variables as the other demos, clicks Connect and waits for #result. Prints the
// page's `received <topic> <payload>` and exits 0, or prints the page's reason and exits 1.
//
//   NODE_PATH=<dir with playwright-core> node headless.js http://127.0.0.1:8000/
//
// Variables: MQGW_HOST MQGW_WS_PORT MQGW_WS_PATH MQGW_INSTANCE_ID MQGW_ACCESS_KEY_ID
// MQGW_ACCESS_KEY_SECRET MQGW_GROUP_ID MQGW_DEVICE_ID MQGW_TOPIC; MQGW_CHROMIUM (the browser).
"use strict";

const { chromium } = require("playwright-core");

const RESULT_TIMEOUT_MS = 15000; // the page gives up after 10 s on its own

// form field id -> environment variable
const FORM = {
  host: "MQGW_HOST",
  port: "MQGW_WS_PORT",
  path: "MQGW_WS_PATH",
  instanceId: "MQGW_INSTANCE_ID",
  accessKeyId: "MQGW_ACCESS_KEY_ID",
  accessKeySecret: "MQGW_ACCESS_KEY_SECRET",
  groupId: "MQGW_GROUP_ID",
  deviceId: "MQGW_DEVICE_ID",
  topic: "MQGW_TOPIC",
};

async function main(pageUrl) {
  const browser = await chromium.launch({
    executablePath: process.env.MQGW_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    timeout: 30000,
  });
  try {
    const page = await browser.newPage();
    page.on("pageerror", (err) => process.stderr.write(`page error: ${err}\n`));
    page.on("console", (msg) => {
      if (msg.type() === "error") process.stderr.write(`page console: ${msg.text()}\n`);
    });
    await page.goto(pageUrl, { waitUntil: "load" });
    for (const [field, variable] of Object.entries(FORM)) {
      if (process.env[variable]) await page.fill(`#${field}`, process.env[variable]);
    }
    await page.click("#connect");
    await page.waitForSelector('#result:not([data-status=""])', { timeout: RESULT_TIMEOUT_MS });
    const status = await page.getAttribute("#result", "data-status");
    const text = await page.textContent("#result");
    const log = await page.textContent("#log");
    if (status === "ok") {
      process.stdout.write(text + "\n");
      return true;
    }
    process.stderr.write(`device: ${text}\npage log:\n${log}`);
    return false;
  } finally {
    await browser.close();
  }
}

if (!process.argv[2]) {
  process.stderr.write("usage: node headless.js <page URL>\n");
  process.exit(64);
}
main(process.argv[2]).then((ok) => process.exit(ok ? 0 : 1), (err) => {
  process.stderr.write(`headless: ${err && err.stack || err}\n`);
  process.exit(1);
});
