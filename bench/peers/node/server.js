'use strict';
// Node `ws` echo server for bench/bench-servers: node server.js PORT [--deflate]
// Echoes every text and binary message back unchanged (same type), listens on 127.0.0.1:PORT
// and prints "READY <port>" on stdout when listening. ws uses the native helpers bufferutil
// (masking) and utf-8-validate when they load; we check that they do, since without them the
// comparison would be against ws's pure-JS fallbacks.
const { WebSocketServer } = require('ws');

const args = process.argv.slice(2);
const deflate = args.includes('--deflate');
const port = Number(args.find((a) => /^\d+$/.test(a)));
if (!Number.isInteger(port)) {
  console.error('usage: node server.js PORT [--deflate]');
  process.exit(2);
}

for (const helper of ['bufferutil', 'utf-8-validate']) {
  try {
    require(helper);
  } catch (e) {
    console.error(`server.js: native helper ${helper} did not load: ${e.message}`);
    process.exit(1);
  }
}

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port,
  backlog: 1024,
  perMessageDeflate: deflate, // ws's defaults for the extension (threshold 1024 bytes) when on
  maxPayload: 64 * 1024 * 1024,
  clientTracking: false, // nothing here needs the set of clients
});

wss.on('connection', (ws, request) => {
  request.socket.setNoDelay(true); // as every other server in the comparison
  ws.on('message', (data, isBinary) => {
    ws.send(data, { binary: isBinary });
  });
  ws.on('error', () => {});
});

wss.on('listening', () => {
  process.stdout.write(`READY ${wss.address().port}\n`);
});
