'use strict';
// Drives Debian's headless Chromium with playwright-core (never a downloaded browser) for the
// interop tests.  node browser.js PAGE_URL [CHROMIUM]
// Prints {"ready":true,"chromium":"…","playwright":"…"} once the page has loaded, then reads one
// command a line on stdin, {"id":1,"fn":"name","args":[…]}, runs window[name](...args) in the page
// and prints {"id":1,"result":…} or {"id":1,"error":"…"}; {"id":1,"goto":URL} loads another page,
// {"id":1,"fill":[SELECTOR,TEXT]}, {"id":1,"click":SELECTOR} and {"id":1,"text":SELECTOR} act on it
// as a user would. Ends with its stdin.
const fs = require('fs');
const os = require('os');
const path = require('path');
const readline = require('readline');
const { chromium } = require('playwright-core');

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function log(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

async function main() {
  const url = process.argv[2];
  const executablePath = process.argv[3] || '/usr/bin/chromium';
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'duplex-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: FLAGS });
  const cleanup = async () => {
    try { await context.close(); } catch (e) { /* already gone */ }
    fs.rmSync(profile, { recursive: true, force: true });
    process.exit(0);
  };
  const page = context.pages()[0] || await context.newPage();
  page.on('console', (m) => log({ console: m.type(), text: m.text() }));
  page.on('pageerror', (e) => log({ pageerror: String(e) }));
  await page.goto(url);
  const version = context.browser() ? context.browser().version() : await page.evaluate(() => navigator.userAgent);
  log({ ready: true, chromium: version, userAgent: await page.evaluate(() => navigator.userAgent),
    playwright: require('playwright-core/package.json').version });

  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', async (line) => {
    if (!line.trim()) return;
    const cmd = JSON.parse(line);
    try {
      let result;
      if (cmd.goto !== undefined) {           // load another page (e.g. one a server under test serves)
        await page.goto(cmd.goto);
        result = page.url();
      } else if (cmd.fill !== undefined) {    // [selector, text]: type into a field as a user would
        await page.fill(cmd.fill[0], cmd.fill[1]);
        result = true;
      } else if (cmd.click !== undefined) {
        await page.click(cmd.click);
        result = true;
      } else if (cmd.text !== undefined) {    // the text content of the first element matching
        result = await page.textContent(cmd.text);
      } else {
        result = await page.evaluate(({ fn, args }) => window[fn](...args), { fn: cmd.fn, args: cmd.args || [] });
      }
      log({ id: cmd.id, result: result === undefined ? null : result });
    } catch (e) {
      log({ id: cmd.id, error: String(e && e.message || e) });
    }
  });
  rl.on('close', cleanup);
}

main().catch((e) => {
  log({ fatal: String(e && e.stack || e) });
  process.exit(1);
});
