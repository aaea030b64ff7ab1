'use strict';
// The scripted `ws` server of the browser-differential suite.
//   node scripted-server.js SCENARIOS.json
// Prints {"ready":true,"port":N}. A client connects to /s/NAME?run=RUN; the scenario NAME of the
// file says how the server answers the handshake and what it does once open ("server" below).
// Everything it observes is printed as {"run":RUN,"ev":...}, so the test can add the server's
// view of each run to the trace of the client that made it.
//
// "server": {
//   "handshake": {"status": 403} | {"raw101": {"accept": "wrong"|"right", "headers": {...}}} | {"rawStatus": "HTTP/1.1 200 OK"},
//   "protocol": "first" (default: the first offered) | null (select none) | "name" (even if not offered),
//   "deflate": false (default) | true,
//   "onOpen": [actions], "onMessage": "echo" (default) | "ignore" | [actions]
// }
// actions: {"send": "text"} {"sendBinary": [bytes]} {"close": [code, reason]} {"close": []}
//          {"terminate": true} {"ping": "data"} {"frame": {"opcode":1,"fin":true,"rsv1":false,"masked":false,"hex":"…"|"text":"…"}}
//          {"wait": ms}
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const { WebSocketServer } = require('ws');

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const file = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const scenarios = new Map(file.scenarios.map((s) => [s.name, s]));

function log(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

function frame(spec) {
  const payload = spec.hex !== undefined ? Buffer.from(spec.hex, 'hex') : Buffer.from(spec.text || '', 'utf8');
  const head = [];
  head.push((spec.fin === false ? 0 : 0x80) | (spec.rsv1 ? 0x40 : 0) | spec.opcode);
  const mask = spec.masked ? 0x80 : 0;
  if (payload.length < 126) head.push(mask | payload.length);
  else if (payload.length < 65536) head.push(mask | 126, payload.length >> 8, payload.length & 0xff);
  else throw new Error('raw frames are small here');
  const parts = [Buffer.from(head)];
  if (spec.masked) {
    const key = Buffer.from([1, 2, 3, 4]);
    parts.push(key, Buffer.from(payload.map((b, i) => b ^ key[i % 4])));
  } else {
    parts.push(payload);
  }
  return Buffer.concat(parts);
}

async function act(ws, actions) {
  for (const a of actions) {
    if (a.send !== undefined) ws.send(a.send);
    else if (a.sendBinary !== undefined) ws.send(Buffer.from(a.sendBinary), { binary: true });
    else if (a.close !== undefined) ws.close(...a.close);
    else if (a.terminate) ws.terminate();
    else if (a.ping !== undefined) ws.ping(a.ping);
    else if (a.frame !== undefined) ws._socket.write(frame(a.frame));
    else if (a.wait !== undefined) await new Promise((r) => setTimeout(r, a.wait));
  }
}

function describe(data, isBinary) {
  const buf = Buffer.isBuffer(data) ? data : Buffer.concat(data);
  if (!isBinary) return { type: 'text', data: buf.length > 200 ? 'text of ' + buf.length + ' bytes' : buf.toString('utf8') };
  return { type: 'binary', data: buf.length + ' bytes ' + buf.subarray(0, 16).toString('hex') };
}

function serverFor(deflate) {
  return new WebSocketServer({
    noServer: true,
    perMessageDeflate: deflate,
    handleProtocols: (protocols, req) => {
      const choice = req.scenario.server.protocol;
      if (choice === null) return false;
      if (choice === undefined || choice === 'first') return protocols.values().next().value;
      return choice;
    },
  });
}
const plain = serverFor(false);
const deflating = serverFor(true);

const httpServer = http.createServer((req, res) => {
  res.writeHead(426, { 'Content-Type': 'text/plain' });
  res.end('upgrade required');
});

httpServer.on('upgrade', (req, socket, head) => {
  const url = new URL(req.url, 'http://x');
  const run = url.searchParams.get('run') || '?';
  const name = decodeURIComponent(url.pathname.replace(/^\/s\//, ''));
  const scenario = scenarios.get(name);
  // 'end' is the last line of a run: after the ws close event when the upgrade went through
  let upgraded = false;
  socket.on('close', () => { if (!upgraded) log({ run, ev: 'end' }); });
  log({ run, ev: 'upgrade', name, protocols: req.headers['sec-websocket-protocol'] || '' });
  if (!scenario) {
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    return;
  }
  const server = scenario.server || {};
  const hs = server.handshake || {};
  if (hs.status) {
    socket.end(`HTTP/1.1 ${hs.status} Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    return;
  }
  if (hs.rawStatus) {
    socket.end(hs.rawStatus + '\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    return;
  }
  if (hs.raw101) {
    const accept = crypto.createHash('sha1').update(req.headers['sec-websocket-key'] + GUID).digest('base64');
    const lines = ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade',
      'Sec-WebSocket-Accept: ' + (hs.raw101.accept === 'wrong' ? 'dGhlIHNhbXBsZSBub25jZQ==' : accept)];
    for (const [k, v] of Object.entries(hs.raw101.headers || {})) lines.push(k + ': ' + v);
    socket.write(lines.join('\r\n') + '\r\n\r\n');
    setTimeout(() => socket.destroy(), 3000);
    return;
  }
  req.scenario = { server };
  const wss = server.deflate ? deflating : plain;
  upgraded = true;
  // handshake.delayMs holds the 101 back, so that a client's steps run while it is CONNECTING
  setTimeout(() => wss.handleUpgrade(req, socket, head, (ws) => {
    log({ run, ev: 'open', protocol: ws.protocol });
    ws.on('message', (data, isBinary) => {
      log({ run, ev: 'message', ...describe(data, isBinary) });
      const on = server.onMessage || 'echo';
      if (on === 'echo') ws.send(data, { binary: isBinary });
      else if (Array.isArray(on)) act(ws, on);
    });
    ws.on('pong', (data) => log({ run, ev: 'pong', data: data.toString('utf8') }));
    ws.on('error', (e) => log({ run, ev: 'error', message: String(e.message) }));
    ws.on('close', (code, reason) => {
      log({ run, ev: 'close', code, reason: reason.toString('utf8') });
      log({ run, ev: 'end' });
    });
    act(ws, server.onOpen || []);
  }), hs.delayMs || 0);
});

process.stdin.on('end', () => process.exit(0)).resume();
httpServer.listen(0, '127.0.0.1', () => log({ ready: true, port: httpServer.address().port }));
