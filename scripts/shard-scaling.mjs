#!/usr/bin/env node
/**
 * Shard scaling: does a second shard worker raise write throughput when two producers write to two
 * partitions of one topic?
 *
 * For each run (default 3) and each shard count (default 1, then 2; interleaved), starts the server in-process on
 * a fresh temporary data directory, creates one topic with 2 partitions, and runs two producers, each
 * on its own TCP connection, sending batches of 1000 messages × 1000-byte payloads to its own
 * partition (producer 0 → partition 0, producer 1 → partition 1) for N seconds, one batch in flight
 * per producer (the next batch is sent when the previous one is acknowledged). Prints the payload
 * throughput of every run, the median per shard count and the ratio of the medians.
 * With 2 shards the two partitions live on different shards (shardOf); with 1 shard they share one.
 *
 * Usage: npx tsc -b && node scripts/shard-scaling.mjs [--seconds 5] [--runs 3] [--shards 1,2]
 *          [--durability buffered|fsync] [--inflight 1] [--tmp-dir /dev/shm] [--json]
 * --tmp-dir picks where the data directories go (e.g. a tmpfs, to take the disk out of the measure).
 * MB = 10^6 bytes of message payload (headers and framing not counted).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CommandCode, encodeCreateStreamRequest, encodeCreateTopicRequest, encodeLoginUserRequest, encodeSendMessagesRequest, partitionId, writeRequestHeader } from '@iggy-ts/protocol';
import { IggyServer, shardOf } from '@iggy-ts/server';

const { values: options } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    runs: { type: 'string', default: '3' },
    shards: { type: 'string', default: '1,2' },
    durability: { type: 'string', default: 'buffered' },
    inflight: { type: 'string', default: '1' },
    'batch-messages': { type: 'string', default: '1000' },
    'message-bytes': { type: 'string', default: '1000' },
    'tmp-dir': { type: 'string', default: os.tmpdir() },
    json: { type: 'boolean', default: false },
  },
});
const durationMs = Number(options.seconds) * 1000;
const runsCount = Number(options.runs);
const shardCounts = options.shards.split(',').map(Number);
const batchMessagesCount = Number(options['batch-messages']);
const messageSizeBytes = Number(options['message-bytes']);
const inFlightMax = Number(options.inflight);

/** A minimal pipelined request/response connection (responses come back in request order). */
class Connection {
  constructor(socket) {
    this.socket = socket;
    this.waiters = [];
    this.pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
      while (this.pending.length >= 8) {
        const length = this.pending.readUInt32LE(4);
        if (this.pending.length < 8 + length) break;
        const status = this.pending.readUInt32LE(0);
        const payload = this.pending.subarray(8, 8 + length);
        this.pending = this.pending.subarray(8 + length);
        const waiter = this.waiters.shift();
        if (status === 0) waiter?.resolve(payload);
        else waiter?.reject(new Error(`status ${status}`));
      }
    });
    socket.on('close', () => {
      for (const waiter of this.waiters.splice(0)) waiter.reject(new Error('connection closed'));
    });
  }

  static open(port) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => resolve(new Connection(socket)));
      socket.setNoDelay(true);
      socket.once('error', reject);
    });
  }

  /** `frame` is a whole request frame (header included), written as is. */
  requestFrame(frame) {
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.socket.write(frame);
    });
  }

  request(code, payload) {
    const frame = Buffer.allocUnsafe(8 + payload.length);
    writeRequestHeader(frame, 0, code, payload.length);
    frame.set(payload, 8);
    return this.requestFrame(frame);
  }

  close() {
    this.socket.end();
  }
}

/** One SendMessages frame, built once and written again and again (the server stamps its own copy). */
function sendFrame(streamId, topicId, partition) {
  const payload = Buffer.alloc(messageSizeBytes, 0x61 + partition);
  const messages = Array.from({ length: batchMessagesCount }, () => ({ payload }));
  const body = encodeSendMessagesRequest({ streamId, topicId, partitioning: partitionId(partition), messages });
  const frame = Buffer.allocUnsafe(8 + body.length);
  writeRequestHeader(frame, 0, CommandCode.SendMessages, body.length);
  frame.set(body, 8);
  return frame;
}

async function produce(port, streamId, topicId, partition, deadline) {
  const connection = await Connection.open(port);
  await connection.request(CommandCode.LoginUser, encodeLoginUserRequest({ username: 'iggy', password: 'iggy' }));
  const frame = sendFrame(streamId, topicId, partition);
  let batches = 0;
  const lane = async () => {
    while (Date.now() < deadline) {
      await connection.requestFrame(frame);
      batches += 1;
    }
  };
  await Promise.all(Array.from({ length: inFlightMax }, lane));
  connection.close();
  return batches;
}

async function run(shardCount) {
  const dataPath = mkdtempSync(path.join(options['tmp-dir'], 'iggy-ts-shard-scaling-'));
  const server = await IggyServer.start({
    env: {},
    overrides: {
      system: { path: dataPath, shardCount },
      tcp: { address: '127.0.0.1:0' },
      root: { username: 'iggy', password: 'iggy' },
      logging: { level: 'silent' },
      durability: { mode: options.durability },
    },
  });
  try {
    const port = server.addresses.tcp.port;
    const admin = await Connection.open(port);
    await admin.request(CommandCode.LoginUser, encodeLoginUserRequest({ username: 'iggy', password: 'iggy' }));
    const stream = await admin.request(CommandCode.CreateStream, encodeCreateStreamRequest({ name: 'scaling' }));
    const streamId = stream.readUInt32LE(0);
    const topic = await admin.request(
      CommandCode.CreateTopic,
      encodeCreateTopicRequest({ streamId, name: 't', partitionsCount: 2, compressionAlgorithm: 1, messageExpiry: 0n, maxTopicSize: 0n, replicationFactor: 1 }),
    );
    const topicId = topic.readUInt32LE(0);
    admin.close();
    const owners = [0, 1].map((id) => shardOf({ streamId, topicId, partitionId: id }, shardCount));
    const started = performance.now();
    const deadline = Date.now() + durationMs;
    const batches = await Promise.all([0, 1].map((partition) => produce(port, streamId, topicId, partition, deadline)));
    const seconds = (performance.now() - started) / 1000;
    const messages = (batches[0] + batches[1]) * batchMessagesCount;
    return { shardCount, owners, seconds, messages, megabytesPerSecond: (messages * messageSizeBytes) / 1e6 / seconds, messagesPerSecond: messages / seconds };
  } finally {
    await server.stop();
    rmSync(dataPath, { recursive: true, force: true });
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const results = [];
const medians = new Map();
console.log(
  `shard scaling: 2 producers → 2 partitions, ${batchMessagesCount} × ${messageSizeBytes} B per batch, ${inFlightMax} batch(es) in flight each, ${options.durability}, ${options.seconds} s × ${runsCount} runs, data in ${options['tmp-dir']}; node ${process.version}, ${os.availableParallelism()} CPUs (${os.cpus()[0]?.model ?? 'unknown'})`,
);
// Runs are interleaved (1, 2, 1, 2, …) so that drift of the machine (page cache, thermal) hits both alike.
const rates = new Map(shardCounts.map((count) => [count, []]));
for (let i = 0; i < runsCount; i += 1) {
  for (const shardCount of shardCounts) {
    const result = await run(shardCount);
    results.push(result);
    rates.get(shardCount).push(result.megabytesPerSecond);
    console.log(`  shards ${shardCount} run ${i + 1}: ${result.megabytesPerSecond.toFixed(1)} MB/s (${Math.round(result.messagesPerSecond)} msg/s; partitions on shards ${result.owners.join(', ')})`);
  }
}
for (const shardCount of shardCounts) {
  medians.set(shardCount, median(rates.get(shardCount)));
  console.log(`shards ${shardCount}: median ${medians.get(shardCount).toFixed(1)} MB/s`);
}
if (shardCounts.length >= 2) {
  const first = medians.get(shardCounts[0]);
  const last = medians.get(shardCounts[shardCounts.length - 1]);
  console.log(`ratio ${shardCounts[shardCounts.length - 1]} shards / ${shardCounts[0]} shard(s): ${(last / first).toFixed(2)}`);
}
if (options.json) console.log(JSON.stringify({ results, medians: Object.fromEntries(medians) }));
