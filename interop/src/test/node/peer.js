'use strict';
// A Node `ws` peer for Duplex's interoperability tests, in either role:
//
//   node peer.js server --deflate on|off   listens on 127.0.0.1, prints {"ready":true,"port":N}
//   node peer.js client                    prints {"ready":true}, then reads commands on stdin:
//                                          {"op":"connect","id":"t1","url":"ws://...","protocols":[],"deflate":true}
//
// On every connection it runs the same "agent" (see agent.js, mirrored by ../python/peer.py):
// data messages are echoed and acknowledged with their hash, text messages starting with "!"
// are commands. Everything the peer observes is printed on stdout as one JSON object a line.
const crypto = require('crypto');
const readline = require('readline');
const { WebSocket, WebSocketServer } = require('ws');

const MAX_PAYLOAD = 256 * 1024 * 1024;
const SUPPORTED_PROTOCOLS = ['chat', 'superchat'];

function log(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

function sha256(buf) {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

// Text of exactly `size` UTF-8 bytes mixing 1-, 2-, 3- and 4-byte characters (so deflate has
// something to squeeze and UTF-8 decoders meet every sequence length), as a Buffer.
function makeText(size) {
  const alphabet = ['a', 'b', 'c', ' ', 'e', 'é', 'ß', '€', '中', '😀', '𝄞'].map((c) => Buffer.from(c, 'utf8'));
  const out = Buffer.alloc(size);
  let n = 0;
  let x = 12345;
  while (n < size) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    let c = alphabet[x % alphabet.length];
    if (n + c.length > size) c = alphabet[0];
    c.copy(out, n);
    n += c.length;
  }
  return out;
}

// Binary of `size` bytes: runs of a pattern broken by pseudo-random bytes.
function makeBinary(size) {
  const out = Buffer.alloc(size);
  let x = 987654321;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = (i & 0x100) ? (x >>> 16) & 0xff : i & 0xff;
  }
  return out;
}

function attachAgent(ws, id) {
  ws.on('message', (data, isBinary) => {
    const buf = Buffer.isBuffer(data) ? data : Buffer.concat(data);
    if (!isBinary && buf.length > 0 && buf[0] === 0x21 /* '!' */) {
      command(ws, id, buf.toString('utf8'));
      return;
    }
    ws.send(buf, { binary: isBinary });
    ws.send(JSON.stringify({ ack: isBinary ? 'binary' : 'text', len: buf.length, sha256: sha256(buf) }));
  });
  ws.on('ping', (data) => log({ id, ev: 'ping', data: data.toString('utf8') }));
  ws.on('error', (err) => log({ id, ev: 'error', message: String(err && err.message) }));
  ws.on('close', (code, reason) => log({ id, ev: 'close', code, reason: reason.toString('utf8') }));
}

function command(ws, id, text) {
  const space = text.indexOf(' ');
  const op = space < 0 ? text.slice(1) : text.slice(1, space);
  const arg = space < 0 ? {} : JSON.parse(text.slice(space + 1));
  log({ id, ev: 'command', op });
  switch (op) {
    case 'info':
      ws.send(JSON.stringify({ info: { protocol: ws.protocol, extensions: ws.extensions } }));
      break;
    case 'send': {
      const buf = arg.type === 'binary' ? makeBinary(arg.size) : makeText(arg.size);
      ws.send(buf, { binary: arg.type === 'binary' });
      ws.send(JSON.stringify({ sent: arg.type, len: buf.length, sha256: sha256(buf) }));
      break;
    }
    case 'frag': {
      // parts are base64: a text message may be split inside a character
      const parts = arg.parts.map((p) => Buffer.from(p, 'base64'));
      parts.forEach((p, i) => ws.send(p, { binary: arg.type === 'binary', fin: i === parts.length - 1 }));
      break;
    }
    case 'close':
      if (arg.code === undefined) ws.close();
      else ws.close(arg.code, arg.reason || '');
      break;
    case 'terminate':
      ws.terminate();
      break;
    default:
      ws.send(JSON.stringify({ unknownCommand: op }));
  }
}

function server(deflate) {
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    perMessageDeflate: deflate,
    maxPayload: MAX_PAYLOAD,
    handleProtocols: (protocols, req) => {
      if (req.url.startsWith('/noproto')) return false;
      for (const p of protocols) if (SUPPORTED_PROTOCOLS.includes(p)) return p;
      return false;
    },
  });
  // the test that started this process owns it: end with its stdin
  process.stdin.on('end', () => process.exit(0)).resume();
  wss.on('listening', () => log({ ready: true, port: wss.address().port, ws: require('ws/package.json').version }));
  wss.on('connection', (ws, req) => {
    const id = req.url;
    log({ id, ev: 'open', protocol: ws.protocol, extensions: ws.extensions, offered: req.headers['sec-websocket-extensions'] || '' });
    attachAgent(ws, id);
  });
}

function client() {
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    if (!line.trim()) return;
    const cmd = JSON.parse(line);
    if (cmd.op !== 'connect') return;
    const ws = new WebSocket(cmd.url, cmd.protocols || [], { perMessageDeflate: cmd.deflate, maxPayload: MAX_PAYLOAD });
    ws.on('open', () => log({ id: cmd.id, ev: 'open', protocol: ws.protocol, extensions: ws.extensions }));
    ws.on('unexpected-response', (req, res) => {
      log({ id: cmd.id, ev: 'error', message: 'unexpected response ' + res.statusCode });
      req.destroy();
    });
    attachAgent(ws, cmd.id);
  });
  rl.on('close', () => process.exit(0));
  log({ ready: true, ws: require('ws/package.json').version });
}

const role = process.argv[2];
if (role === 'server') server(process.argv[4] !== 'off');
else if (role === 'client') client();
else {
  console.error('usage: peer.js server --deflate on|off | peer.js client');
  process.exit(2);
}
