'use strict';
// bench-cli's start-up probe: node accepts.js PORT TIMEOUT_SECONDS
// Connects to 127.0.0.1:PORT every millisecond until a connection is accepted, then prints the
// wall-clock time of that moment in nanoseconds since the epoch (to compare with `date +%s%N`
// taken before the server was started), or exits 1 after TIMEOUT_SECONDS. It writes "ready" on
// stderr once it polls, so that the caller can start the server after the probe's own start-up.
const net = require('net');
const [port, timeout] = [Number(process.argv[2]), Number(process.argv[3])];
const deadline = Date.now() + timeout * 1000;
const epochAtStart = BigInt(Date.now()) * 1000000n;
const hrAtStart = process.hrtime.bigint();
function attempt() {
  const s = net.connect({ host: '127.0.0.1', port });
  s.once('connect', () => {
    const now = epochAtStart + (process.hrtime.bigint() - hrAtStart);
    process.stdout.write(now.toString() + '\n');
    s.destroy();
    process.exit(0);
  });
  s.once('error', () => {
    s.destroy();
    if (Date.now() > deadline) process.exit(1);
    setTimeout(attempt, 1);
  });
}
process.stderr.write('ready\n');
attempt();
