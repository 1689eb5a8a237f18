// Cross-thread hand-off of a 1 MiB SendMessages frame from the router thread to a shard worker and
// back (the ack), measured three ways. This is the measurement behind docs/sharding.md.
//   node bench/micro/handoff.bench.mjs
import { Worker } from 'node:worker_threads';
import { Bench } from 'tinybench';

const SIZE_BYTES = 1024 * 1024;
const workerSource = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => {
  if (m.kind === 'transfer') parentPort.postMessage({ id: m.id, buffer: m.buffer }, [m.buffer]);
  else if (m.kind === 'copy') parentPort.postMessage({ id: m.id });
  else if (m.kind === 'shared') { const v = new Uint8Array(m.sab, 0, 8); v[0] ^= 1; parentPort.postMessage({ id: m.id }); }
});`;
const worker = new Worker(workerSource, { eval: true });
const waiting = new Map();
worker.on('message', (m) => { const r = waiting.get(m.id); waiting.delete(m.id); r(m); });
let nextId = 1;
function call(message, transfer) {
  const id = nextId++;
  return new Promise((resolve) => { waiting.set(id, resolve); worker.postMessage({ ...message, id }, transfer); });
}

let pooled = new ArrayBuffer(SIZE_BYTES);
const copySource = Buffer.alloc(SIZE_BYTES, 7);
const sab = new SharedArrayBuffer(SIZE_BYTES);
const sabView = new Uint8Array(sab);

const bench = new Bench({ time: 2000 });
bench
  .add('transfer 1 MiB ArrayBuffer to worker and back', async () => {
    const reply = await call({ kind: 'transfer', buffer: pooled }, [pooled]);
    pooled = reply.buffer;
  })
  .add('structured-clone copy of 1 MiB to worker, small ack', async () => {
    await call({ kind: 'copy', buffer: copySource }, []);
  })
  .add('copy 1 MiB into a SharedArrayBuffer ring + small message', async () => {
    sabView.set(copySource);
    await call({ kind: 'shared', sab }, []);
  });
await bench.run();
console.table(bench.table());
await worker.terminate();
