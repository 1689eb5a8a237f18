#!/usr/bin/env node
// Throughput of each binary transport with 1 MiB batches (docs/transports.md "Measured throughput").
//
//   npm run build && node scripts/transport-throughput.mjs [--batches 30] [--transports tcp,websocket,quic] [--quic-variants]
//
// Starts the built iggy-server as a child process (TCP, WebSocket and QUIC on free ports, buffered
// durability, 1 shard), then for each transport, through the SDK transport of that name: sends
// `batches` SendMessages requests of 1024 messages x 1 KiB (1 MiB of payload each, one request at
// a time, each waiting for its answer), then polls them back 1024 messages per request. Prints
// MiB/s of message payload for both directions as JSON lines. With --quic-variants it repeats QUIC
// under several tunings (server config through IGGY_QUIC_* variables, the same values on the client).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import {
  CommandCode,
  ConsumerKind,
  decodeCreateStreamResponse,
  decodeCreateTopicResponse,
  decodePollMessagesResponse,
  encodeCreateStreamRequest,
  encodeCreateTopicRequest,
  encodeLoginUserRequest,
  encodePollMessagesRequest,
  encodeSendMessagesRequest,
  partitionId,
  pollingStrategy,
} from '@iggy-ts/protocol';
import { TcpTransport } from '../packages/sdk/dist/transports/tcp.js';
import { QuicTransport } from '../packages/sdk/dist/transports/quic.js';
import { WebSocketTransport } from '../packages/sdk/dist/transports/websocket.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { batches: { type: 'string', default: '30' }, transports: { type: 'string', default: 'tcp,websocket,quic' }, 'quic-variants': { type: 'boolean', default: false } } });
const BATCHES = Number(values.batches);
const MESSAGES_PER_BATCH = 1024;
const MESSAGE_SIZE_BYTES = 1024;
const MiB = 1024 * 1024;

/** QUIC tunings: server variables and the matching client options. */
const QUIC_VARIANTS = [
  {
    name: 'library defaults (1 MiB stream window, 4 KiB read chunk, 1200 B datagrams, default UDP buffers)',
    env: { IGGY_QUIC_STREAM_WINDOW: '1 MiB', IGGY_QUIC_READ_CHUNK_SIZE: '4 KiB', IGGY_QUIC_MAX_DATAGRAM_SIZE: '1200', IGGY_QUIC_SOCKET_BUFFER_SIZE: '208 KiB' },
    client: { streamWindowSizeBytes: MiB, readChunkSizeBytes: 4096, datagramSizeBytesMax: 1200, socketBufferSizeBytes: 208 * 1024 },
  },
  { name: 'iggy-ts defaults (16 MiB window, 64 KiB chunk, 1350 B datagrams, 4 MiB UDP buffers)', env: {}, client: {} },
  {
    name: 'defaults + 1 MiB read chunk',
    env: { IGGY_QUIC_READ_CHUNK_SIZE: '1 MiB' },
    client: { readChunkSizeBytes: MiB },
  },
  {
    name: 'defaults + 8 KiB datagrams (loopback / jumbo frames only)',
    env: { IGGY_QUIC_MAX_DATAGRAM_SIZE: '8 KiB' },
    client: { datagramSizeBytesMax: 8192 },
  },
  {
    name: 'defaults + 32 KiB datagrams (loopback only)',
    env: { IGGY_QUIC_MAX_DATAGRAM_SIZE: '32 KiB' },
    client: { datagramSizeBytesMax: 32 * 1024 },
  },
];

function startServer(extraEnv) {
  const dataPath = mkdtempSync(path.join(os.tmpdir(), 'iggy-ts-throughput-'));
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('IGGY_'))) };
  Object.assign(env, {
    IGGY_ROOT_USERNAME: 'iggy',
    IGGY_ROOT_PASSWORD: 'iggy',
    IGGY_WEBSOCKET_ENABLED: 'true',
    IGGY_WEBSOCKET_ADDRESS: '127.0.0.1:0',
    IGGY_QUIC_ENABLED: 'true',
    IGGY_QUIC_ADDRESS: '127.0.0.1:0',
    ...extraEnv,
  });
  const args = [path.join(root, 'packages/server/dist/bin/iggy-server.js'), '--data-path', dataPath, '--tcp-address', '127.0.0.1:0', '--shards', '1', '--durability', 'buffered', '--log-level', 'info'];
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const ports = {};
  return new Promise((resolve, reject) => {
    let pending = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text) => {
      pending += text;
      for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n')) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line);
        const port = typeof entry.address === 'string' ? Number(entry.address.slice(entry.address.lastIndexOf(':') + 1)) : undefined;
        if (entry.msg === 'TCP listener started') ports.tcp = port;
        if (entry.msg === 'WebSocket listener started') ports.websocket = port;
        if (entry.msg === 'QUIC listener started') ports.quic = port;
        if (entry.msg === 'iggy-ts server started') {
          resolve({
            ports,
            async stop() {
              child.kill('SIGTERM');
              await new Promise((done) => child.once('exit', done));
              rmSync(dataPath, { recursive: true, force: true });
            },
          });
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`iggy-server exited with ${code}`)));
  });
}

async function call(transport, code, payload = new Uint8Array(0)) {
  const response = await transport.request(code, payload);
  if (response.status !== 0) throw new Error(`command ${code} failed with status ${response.status}`);
  return response.payload;
}

async function measure(name, transport) {
  await transport.connect();
  await call(transport, CommandCode.LoginUser, encodeLoginUserRequest({ username: 'iggy', password: 'iggy' }));
  const stream = decodeCreateStreamResponse(await call(transport, CommandCode.CreateStream, encodeCreateStreamRequest({ name: `throughput-${name}-${Date.now()}` })));
  const topic = decodeCreateTopicResponse(
    await call(transport, CommandCode.CreateTopic, encodeCreateTopicRequest({ streamId: stream.id, name: 't', partitionsCount: 1, compressionAlgorithm: 1, messageExpiry: 0n, maxTopicSize: 0n, replicationFactor: 1 })),
  );
  const payload = Buffer.alloc(MESSAGE_SIZE_BYTES, 0x61);
  const batch = encodeSendMessagesRequest({ streamId: stream.id, topicId: topic.id, partitioning: partitionId(0), messages: Array.from({ length: MESSAGES_PER_BATCH }, () => ({ payload })) });
  for (let i = 0; i < 2; i += 1) await call(transport, CommandCode.SendMessages, batch); // warm-up
  let started = performance.now();
  for (let i = 0; i < BATCHES; i += 1) await call(transport, CommandCode.SendMessages, batch);
  const sendSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  let polled = 0;
  for (let offset = 2 * MESSAGES_PER_BATCH; polled < BATCHES * MESSAGES_PER_BATCH; ) {
    const request = encodePollMessagesRequest({ consumer: { kind: ConsumerKind.Consumer, id: 1 }, streamId: stream.id, topicId: topic.id, partitionId: 0, strategy: pollingStrategy.offset(offset), count: MESSAGES_PER_BATCH, autoCommit: false });
    const count = decodePollMessagesResponse(await call(transport, CommandCode.PollMessages, request)).messages.length;
    if (count === 0) throw new Error('poll returned no messages');
    polled += count;
    offset += count;
  }
  const pollSeconds = (performance.now() - started) / 1000;
  await transport.close();
  const mib = (BATCHES * MESSAGES_PER_BATCH * MESSAGE_SIZE_BYTES) / MiB;
  return { transport: name, batches: BATCHES, batchMiB: 1, sendMiBps: +(mib / sendSeconds).toFixed(1), pollMiBps: +(mib / pollSeconds).toFixed(1) };
}

const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, loadAverage1m: +os.loadavg()[0].toFixed(2), node: process.version };
console.log(JSON.stringify({ machine }));
const server = await startServer({});
try {
  const { ports } = server;
  const transports = {
    tcp: () => new TcpTransport({ host: '127.0.0.1', port: ports.tcp }),
    websocket: () => new WebSocketTransport({ url: `ws://127.0.0.1:${ports.websocket}`, createWebSocket: (url) => new WebSocket(url) }),
    quic: () => new QuicTransport({ host: '127.0.0.1', port: ports.quic, verifyPeer: false }),
  };
  // The first run of a process pays for JIT warm-up and cold caches: run one TCP pass unreported.
  await measure('tcp', transports.tcp());
  for (const name of values.transports.split(',')) console.log(JSON.stringify(await measure(name, transports[name]())));
} finally {
  await server.stop();
}
if (values['quic-variants']) {
  for (const variant of QUIC_VARIANTS) {
    const variantServer = await startServer(variant.env);
    try {
      const result = await measure('quic', new QuicTransport({ host: '127.0.0.1', port: variantServer.ports.quic, verifyPeer: false, ...variant.client }));
      console.log(JSON.stringify({ ...result, variant: variant.name }));
    } finally {
      await variantServer.stop();
    }
  }
}
