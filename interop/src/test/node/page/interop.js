'use strict';
// Page side of BrowserTest: each function opens WebSockets to a Duplex server and returns
// what the page saw, as plain JSON for the Java test to check.

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function sha256(bytes) {
  return hex(await crypto.subtle.digest('SHA-256', bytes));
}

const ALPHABET = ['a', 'b', 'c', ' ', 'e', 'é', 'ß', '€', '中', '😀', '𝄞'];

function textRun(size, seed) {
  let out = '';
  let n = 0;
  let x = seed;
  const enc = new TextEncoder();
  while (n < size) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    let c = ALPHABET[x % ALPHABET.length];
    let len = enc.encode(c).length;
    if (n + len > size) { c = 'a'; len = 1; }
    out += c;
    n += len;
  }
  return out;
}

// a string of exactly `size` UTF-8 bytes
function makeText(size) {
  if (size <= 65536) return textRun(size, 1);
  return textRun(65536, 1).repeat(Math.floor(size / 65536)) + textRun(size % 65536, 2);
}

function makeBinary(size) {
  const out = new Uint8Array(size);
  let x = 42;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = (i & 0x200) ? (x >>> 16) & 0xff : i & 0xff;
  }
  return out;
}

// A WebSocket with a queue of its messages and promises of its open and close.
function track(ws) {
  ws.messages = [];
  ws.waiters = [];
  ws.log = [];
  ws.opened = new Promise((resolve, reject) => {
    ws.addEventListener('open', () => resolve(ws));
    ws.addEventListener('close', (e) => reject(new Error('closed before open: ' + e.code)));
  });
  ws.opened.catch(() => {});
  ws.closed = new Promise((resolve) => ws.addEventListener('close',
    (e) => resolve({ code: e.code, reason: e.reason, wasClean: e.wasClean, events: ws.log.slice() })));
  ws.addEventListener('error', () => ws.log.push('error'));
  ws.addEventListener('open', () => ws.log.push('open'));
  ws.addEventListener('close', () => ws.log.push('close'));
  ws.addEventListener('message', (e) => {
    const w = ws.waiters.shift();
    if (w) w(e.data); else ws.messages.push(e.data);
  });
  ws.next = () => (ws.messages.length ? Promise.resolve(ws.messages.shift())
    : new Promise((resolve) => ws.waiters.push(resolve)));
  return ws;
}

function connect(url, protocols) {
  return track(protocols === undefined ? new WebSocket(url) : new WebSocket(url, protocols)).opened;
}

// Opens a socket to url and, if it opens, sends text and waits for the answer: how far a page
// of this origin gets with a server that checks Origin.
async function tryOpen(url, text) {
  const ws = track(new WebSocket(url));
  try {
    await ws.opened;
  } catch (e) {
    const c = await ws.closed;
    return { opened: false, code: c.code, events: c.events };
  }
  ws.send(text);
  const answer = await ws.next();
  ws.close(1000);
  return { opened: true, answer };
}

async function bytesOf(data) {
  if (typeof data === 'string') return { type: 'string', bytes: new TextEncoder().encode(data) };
  if (data instanceof Blob) return { type: 'Blob', bytes: new Uint8Array(await data.arrayBuffer()) };
  if (data instanceof ArrayBuffer) return { type: 'ArrayBuffer', bytes: new Uint8Array(data) };
  return { type: String(data), bytes: new Uint8Array(0) };
}

// Sends each case ({kind: 'text'|'arraybuffer'|'blob', size}) on one socket and checks the echo
// and the server's acknowledgement (length and SHA-256 of what the Duplex server received).
async function echoCases(url, cases) {
  const ws = await connect(url);
  const results = [];
  for (const c of cases) {
    let payload;
    let bytes;
    if (c.kind === 'text') {
      payload = makeText(c.size);
      bytes = new TextEncoder().encode(payload);
    } else {
      bytes = makeBinary(c.size);
      payload = c.kind === 'blob' ? new Blob([bytes]) : bytes.buffer;
    }
    ws.binaryType = c.kind === 'blob' ? 'blob' : 'arraybuffer';
    const sentHash = await sha256(bytes);
    console.log('echoCases: sending ' + c.kind + ' of ' + c.size);
    ws.send(payload);
    const echo = await bytesOf(await ws.next());
    console.log('echoCases: echo of ' + c.kind + ' of ' + c.size + ' received');
    const ack = JSON.parse(await ws.next());
    results.push({ kind: c.kind, size: c.size, sentLength: bytes.length, sentHash, echoType: echo.type,
      echoLength: echo.bytes.length, echoHash: await sha256(echo.bytes), ack });
  }
  const info = { extensions: ws.extensions, protocol: ws.protocol };
  ws.close(1000, 'done');
  const close = await ws.closed;
  return { info, results, close };
}

async function negotiated(url, protocols) {
  const ws = track(protocols === undefined ? new WebSocket(url) : new WebSocket(url, protocols));
  try {
    await ws.opened;
  } catch (e) {
    const close = await ws.closed;
    return { opened: false, close };
  }
  const info = { opened: true, extensions: ws.extensions, protocol: ws.protocol };
  ws.close();
  info.close = await ws.closed;
  return info;
}

// Asks the server to close (it closes when it receives "close-me") and reports the close event.
async function serverCloses(url) {
  const ws = await connect(url);
  ws.send('close-me');
  return ws.closed;
}

async function pageCloses(url, code, reason) {
  const ws = await connect(url);
  if (code === undefined) ws.close(); else ws.close(code, reason);
  const state = ws.readyState;
  const close = await ws.closed;
  close.readyStateAfterClose = state;
  return close;
}

// Opens n sockets at once, waits until all are open, exchanges one message on each; keeps them
// open in window.many until closeMany().
async function openMany(url, n) {
  const sockets = [];
  for (let i = 0; i < n; i++) sockets.push(track(new WebSocket(url)));
  await Promise.all(sockets.map((s) => s.opened));
  sockets.forEach((s, i) => s.send('hello ' + i));
  const echoes = await Promise.all(sockets.map((s) => s.next()));
  await Promise.all(sockets.map((s) => s.next()));   // the acks
  window.many = sockets;
  return { open: sockets.filter((s) => s.readyState === WebSocket.OPEN).length,
    echoesRight: echoes.filter((e, i) => e === 'hello ' + i).length };
}

async function closeMany() {
  const sockets = window.many || [];
  sockets.forEach((s, i) => s.close(4000 + i, 'bye ' + i));
  const closes = await Promise.all(sockets.map((s) => s.closed));
  window.many = [];
  return { clean: closes.filter((c, i) => c.wasClean && c.code === 4000 + i).length };
}
