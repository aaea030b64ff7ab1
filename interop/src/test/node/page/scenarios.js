'use strict';
// The browser side of the differential suite: runs one scenario's "client" steps with the page's
// own WebSocket and returns its trace. DifferentialTest runs the very same steps with Duplex's
// client (ScenarioRunner.java) and compares the two traces line by line.
//
// Steps: {"op":"new","url":…,"protocols":[…]}  {"op":"send","text":…}  {"op":"send","binary":[bytes]}
//        {"op":"send","view":[bytes]} (a Uint8Array over part of a larger buffer)  {"op":"send","blob":[bytes]}
//        {"op":"close","args":[…]}  {"op":"binaryType","value":…}  {"op":"record","what":[attributes]}
//        {"op":"on","event":type,"do":[steps]} (run inside the handler)  {"op":"wait","for":type,"count":n}
//        {"op":"sleep","ms":n}

function describeData(data) {
  if (typeof data === 'string') return 'text ' + JSON.stringify(data.length > 64 ? data.slice(0, 64) + '…' : data);
  if (data instanceof ArrayBuffer) {
    const bytes = new Uint8Array(data);
    return 'arraybuffer ' + bytes.length + ' ' + Array.from(bytes.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
  }
  if (data instanceof Blob) return 'blob ' + data.size;
  return 'unknown ' + String(data);
}

function viewOf(bytes) {
  const buffer = new Uint8Array(bytes.length + 6);
  buffer.set(bytes, 3);
  return new Uint8Array(buffer.buffer, 3, bytes.length);
}

async function runScenario(scenario, vars) {
  const trace = [];
  const counts = {};
  const handlers = {};
  let waiter = null;
  let ws = null;
  const expand = (v) => (typeof v === 'string' ? v.replace(/\$(\w+)/g, (m, k) => (k in vars ? String(vars[k]) : m)) : v);

  function onEvent(e) {
    let line = e.type + ' rs=' + ws.readyState;
    if (e.type === 'message') line += ' ' + describeData(e.data);
    if (e.type === 'close') line += ' code=' + e.code + ' reason=' + JSON.stringify(e.reason) + ' clean=' + e.wasClean;
    trace.push(line);
    counts[e.type] = (counts[e.type] || 0) + 1;
    if (handlers[e.type]) handlers[e.type].forEach(exec);
    if (waiter) waiter();
  }

  function exec(step) {
    try {
      switch (step.op) {
        case 'new': {
          const url = expand(step.url);
          ws = step.protocols === undefined ? new WebSocket(url) : new WebSocket(url, step.protocols.map(expand));
          for (const type of ['open', 'message', 'error', 'close']) ws.addEventListener(type, onEvent);
          break;
        }
        case 'send':
          if (step.text !== undefined) ws.send(step.text);
          else if (step.textCodes !== undefined) ws.send(String.fromCharCode(...step.textCodes));
          else if (step.binary !== undefined) ws.send(new Uint8Array(step.binary).buffer);
          else if (step.view !== undefined) ws.send(viewOf(step.view));
          else if (step.blob !== undefined) ws.send(new Blob([new Uint8Array(step.blob)]));
          break;
        case 'close':
          // a reason given as a list is UTF-16 code units (so it can hold a lone surrogate)
          ws.close(...(step.args || []).map((a) => (Array.isArray(a) ? String.fromCharCode(...a) : a)));
          break;
        case 'binaryType':
          ws.binaryType = step.value;
          break;
        case 'record':
          for (const what of step.what) trace.push(what + '=' + JSON.stringify(ws[what]));
          break;
        case 'on':
          (handlers[step.event] = handlers[step.event] || []).push(...step.do);
          break;
        default:
          trace.push('unknown step ' + step.op);
      }
    } catch (e) {
      trace.push(step.op + ': throw ' + e.name);
    }
  }

  async function waitFor(type, count, ms) {
    const deadline = Date.now() + ms;
    while ((counts[type] || 0) < count) {
      const left = deadline - Date.now();
      if (left <= 0) {
        trace.push('timeout waiting for ' + type);
        return;
      }
      await new Promise((resolve) => {
        waiter = resolve;
        setTimeout(resolve, left);
      });
      waiter = null;
    }
  }

  for (const step of scenario.client) {
    if (step.op === 'wait') await waitFor(step.for, step.count || 1, step.ms || 5000);
    else if (step.op === 'sleep') await new Promise((r) => setTimeout(r, step.ms));
    else exec(step);
  }
  if (ws && ws.readyState < 2) {
    for (const type of ['open', 'message', 'error', 'close']) ws.removeEventListener(type, onEvent);
    ws.close();
  }
  return trace;
}
