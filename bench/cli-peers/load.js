'use strict';
// Load for bench-cli's --exec comparison, the same for every server: node load.js MODE URL SECONDS CONCURRENCY
//   churn:   each of CONCURRENCY workers connects, sends one line, waits for the reply, closes, again;
//            prints {"connections":N,"seconds":S,"p50_ms":…} (p50 of connect-to-reply)
//   messages: CONCURRENCY connections, each sends a line and waits for its reply, again (no pipelining);
//            prints {"messages":N,"seconds":S}
// Uses ws (installed with wscat by npm ci in this folder); stops by itself after SECONDS.
const WebSocket = require('ws');
const [mode, url, seconds, concurrency] = [process.argv[2], process.argv[3], Number(process.argv[4]), Number(process.argv[5])];
const deadline = Date.now() + seconds * 1000;
const start = process.hrtime.bigint();
let count = 0;
const latencies = [];
let failures = 0;

function churnWorker() {
  return new Promise((resolve) => {
    const next = () => {
      if (Date.now() >= deadline) return resolve();
      const t0 = process.hrtime.bigint();
      const ws = new WebSocket(url, { perMessageDeflate: false });
      let done = false;
      ws.on('open', () => ws.send('hello'));
      ws.on('message', () => {
        if (done) return;
        done = true;
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        count++;
        ws.close(1000);
      });
      ws.on('close', () => { if (!done) failures++; setImmediate(next); });
      ws.on('error', () => {});
    };
    next();
  });
}

function messageWorker() {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.on('open', () => ws.send('hello'));
    ws.on('message', () => {
      count++;
      if (Date.now() >= deadline) { ws.close(1000); return; }
      ws.send('hello');
    });
    ws.on('close', resolve);
    ws.on('error', () => { failures++; });
  });
}

(async () => {
  const workers = [];
  for (let i = 0; i < concurrency; i++) workers.push(mode === 'churn' ? churnWorker() : messageWorker());
  await Promise.all(workers);
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  latencies.sort((a, b) => a - b);
  const out = mode === 'churn'
    ? { connections: count, seconds: s, per_second: count / s, p50_ms: latencies[Math.floor(latencies.length / 2)] || null, failures }
    : { messages: count, seconds: s, per_second: count / s, failures };
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(0);
})();
