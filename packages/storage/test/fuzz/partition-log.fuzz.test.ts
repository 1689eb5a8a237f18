/**
 * Model-based fuzz test of the partition log: random appends (some larger than the ring), flushes,
 * polls of random ranges, segment deletion, clean reopen and simulated crashes (a new process opens
 * the directory while the old one never closed), checked against a plain array of payloads.
 * Seeded: a failure prints its seed, FUZZ_SEED=<seed> replays it, FUZZ_SEEDS=<n> runs seeds 1..n.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initHashes } from '@iggy-ts/protocol';
import { PartitionLog } from '../../src/partition-log.js';
import type { DurabilityMode } from '../../src/options.js';
import { buildBatch, parseMessages, temporaryDirectory, type TestMessage } from '../../src/testing.js';

beforeAll(async () => {
  await initHashes();
});

/** mulberry32: small, fast, deterministic. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function runScenario(seed: number, mode: DurabilityMode): void {
  const next = random(seed);
  const integer = (below: number): number => Math.floor(next() * below);
  const directory = temporaryDirectory();
  let nowUs = 1_000_000;
  const options = {
    directory,
    clock: () => nowUs,
    segmentSizeBytes: 3000 + integer(3000),
    cacheSizeBytes: integer(4) === 0 ? 0 : 1024 + integer(4096),
    maxPollBytes: 2000 + integer(6000),
    durability: { mode, flushMessagesCount: 1 + integer(20), flushSizeBytes: 500 + integer(3000) },
  };
  let log = PartitionLog.open(options);
  /** Payload by offset; undefined below the first retained offset. */
  let model: (string | undefined)[] = [];
  let timestamps: number[] = [];
  let firstRetained = 0;

  for (let step = 0; step < 300; step += 1) {
    const action = next();
    if (action < 0.45) {
      const count = 1 + integer(integer(10) === 0 ? 40 : 6);
      const messages: TestMessage[] = [];
      for (let i = 0; i < count; i += 1) messages.push({ payload: `${model.length + i}:`.padEnd(integer(300) + 8, String.fromCharCode(97 + integer(26))) });
      nowUs += integer(5) === 0 ? -integer(50) : integer(3) * 10; // the clock may stall or step back
      const result = log.append(buildBatch(messages), count);
      expect(result.firstOffset).toBe(model.length);
      for (const message of messages) {
        model.push(message.payload as string);
        timestamps.push(result.timestampUs);
      }
    } else if (action < 0.75) {
      const start = integer(model.length + 3);
      const count = integer(30);
      const result = log.poll(start, count, 8);
      const from = Math.max(start, firstRetained);
      const polled = parseMessages(result.bytes, 8, result.messagesCount);
      if (count === 0 || from >= model.length) {
        expect(result.messagesCount).toBe(0);
      } else {
        expect(result.messagesCount).toBeGreaterThan(0);
        expect(result.messagesCount).toBeLessThanOrEqual(count);
        if (result.messagesCount > 1) expect(result.bytes.byteLength - 8).toBeLessThanOrEqual(options.maxPollBytes);
        polled.forEach((message, i) => {
          expect(message.offset).toBe(from + i);
          expect(message.payload.toString()).toBe(model[from + i]);
        });
        if (result.messagesCount < count) {
          const nextSize = from + result.messagesCount < model.length ? 64 + Buffer.byteLength(model[from + result.messagesCount]!) : 0;
          const capped = result.bytes.byteLength - 8 + nextSize > options.maxPollBytes;
          expect(from + result.messagesCount === model.length || capped).toBe(true);
        }
      }
    } else if (action < 0.8) {
      const last = timestamps[timestamps.length - 1] ?? 1_000_000;
      const timestampUs = last - integer(400) + 20;
      let expected: number | undefined;
      for (let offset = firstRetained; offset < timestamps.length; offset += 1) {
        if (timestamps[offset]! >= timestampUs) {
          expected = offset;
          break;
        }
      }
      expect(log.offsetAtTimestamp(timestampUs)).toBe(expected);
      // Non-decreasing over the retained messages (deleted ones no longer bound a reopened log).
      for (let offset = firstRetained + 1; offset < timestamps.length; offset += 1) expect(timestamps[offset]!).toBeGreaterThanOrEqual(timestamps[offset - 1]!);
    } else if (action < 0.83) {
      log.flush(integer(2) === 0);
    } else if (action < 0.88) {
      const deleted = log.deleteOldestSegments(1 + integer(2), Number.MAX_SAFE_INTEGER);
      if (deleted > 0) {
        for (let offset = firstRetained; offset < log.firstOffset; offset += 1) model[offset] = undefined;
        firstRetained = log.firstOffset;
      }
      expect(log.messagesCount).toBe(model.length - firstRetained);
    } else if (action < 0.94) {
      log.close();
      log = PartitionLog.open(options);
      expect(log.recovery.truncatedBytes).toBe(0);
    } else {
      // Crash: whatever reached the files survives (the page cache outlives the process), the journal does not.
      const persisted = model.length - log.pendingMessagesCount;
      log.abandon();
      log = PartitionLog.open(options);
      expect(log.recovery.truncatedBytes).toBe(0);
      model = model.slice(0, persisted);
      timestamps = timestamps.slice(0, persisted);
      if (firstRetained > persisted) firstRetained = persisted;
    }
    expect(log.nextOffset).toBe(model.length);
  }
  const all = log.poll(0, 1_000_000, 0);
  expect(all.firstOffset).toBe(firstRetained);
  log.destroy();
}

describe('partition log fuzz', () => {
  const fixed = process.env['FUZZ_SEED'];
  const many = Number(process.env['FUZZ_SEEDS'] ?? 0);
  const seeds = fixed !== undefined ? [Number(fixed)] : many > 0 ? Array.from({ length: many }, (_, i) => i + 1) : [1, 2, 3, 4, 5, 6, 7, 8, Date.now() % 100_000];
  for (const seed of seeds) {
    for (const mode of ['buffered', 'fsync'] as const) {
      it(`matches the model for seed ${seed} in ${mode} mode`, () => {
        runScenario(seed, mode);
      });
    }
  }
});
