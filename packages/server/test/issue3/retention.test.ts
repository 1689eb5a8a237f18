// Retention (reference 4.9 and the topic's message_expiry / max_topic_size): with 64 KiB segments and
// a 100 ms retention interval, the cleaner deletes whole sealed segments that expired or that push a
// topic over its maximum size, never the active segment; polls by First then start at the first
// retained offset. DeleteSegments deletes the oldest sealed segments on request.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import {
  CommandCode,
  ConsumerKind,
  ErrorCode,
  decodeGetTopicResponse,
  encodeCreateTopicRequest,
  encodeDeleteSegmentsRequest,
  encodeGetTopicRequest,
  pollingStrategy,
  type PartitionInfo,
  type TopicDetails,
} from '@iggy-ts/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, TestServer, waitFor, type TestClient } from './helpers.js';

const SEGMENT_SIZE_BYTES = 64 * 1024;
const PAYLOAD_SIZE_BYTES = 1_000;
const MESSAGES_PER_BATCH = 8; // ~8.5 KiB per batch: a segment seals after about 8 batches

describe('retention', () => {
  let server: TestServer;
  let root: TestClient;
  let streamId: number;

  beforeAll(async () => {
    server = await TestServer.start({ segment: { sizeBytes: SEGMENT_SIZE_BYTES }, topic: { retention: { enabled: true, intervalMs: 100 } } });
    root = await server.client();
    streamId = (await root.createStream('retention')).id;
  });

  afterAll(async () => {
    await root?.close();
    await server?.stop();
  });

  async function topic(topicId: number): Promise<TopicDetails> {
    return decodeGetTopicResponse(await root.ok(CommandCode.GetTopic, encodeGetTopicRequest({ streamId, topicId })))!;
  }

  async function partition(topicId: number): Promise<PartitionInfo> {
    return (await topic(topicId)).partitions[0]!;
  }

  /** Sends `count` messages in batches; returns the first and last sequence numbers sent. */
  async function fill(topicId: number, first: number, count: number): Promise<void> {
    for (let sequence = first; sequence < first + count; sequence += MESSAGES_PER_BATCH) {
      const messages = Array.from({ length: Math.min(MESSAGES_PER_BATCH, first + count - sequence) }, (_, i) => {
        const payload = Buffer.alloc(PAYLOAD_SIZE_BYTES, 0x61);
        payload.write(`seq-${sequence + i};`);
        return { payload };
      });
      expect(await root.send(streamId, topicId, 0, messages)).toBe(0);
    }
  }

  function segmentFiles(topicId: number): string[] {
    const directory = path.join(server.dataPath, 'streams', String(streamId), 'topics', String(topicId), 'partitions', '0');
    return readdirSync(directory).filter((name) => name.endsWith('.log')).sort();
  }

  async function firstRetained(topicId: number): Promise<{ offset: number; sequence: number }> {
    const polled = await root.poll(streamId, topicId, 0, pollingStrategy.first(), 1);
    expect(polled.count).toBe(1);
    const message = polled.messages[0]!;
    return { offset: message.offset, sequence: Number(/^seq-(\d+);/.exec(message.payload.toString('latin1'))![1]) };
  }

  it('deletes expired sealed segments and keeps the fresh ones and the active one', async () => {
    const expiryMs = 2_000;
    const topicId = (await root.createTopic(streamId, 'expiring', 1, { messageExpiryUs: BigInt(expiryMs * 1000) })).id;
    expect((await topic(topicId)).messageExpiry).toBe(BigInt(expiryMs * 1000));
    const oldAt = Date.now();
    await fill(topicId, 0, 400);
    const old = await partition(topicId);
    expect(old.segmentsCount).toBeGreaterThanOrEqual(5);
    expect(old.messagesCount).toBe(400);
    const oldFiles = segmentFiles(topicId);
    expect(oldFiles).toHaveLength(old.segmentsCount);
    // Fresh messages a while later: they fill the then-active segment and seal new ones.
    await sleep(1_200);
    await fill(topicId, 400, 300);
    const freshAt = Date.now();
    const filled = await partition(topicId);
    expect(filled.segmentsCount).toBeGreaterThan(old.segmentsCount);

    // The segments holding only old messages expire first (one by one, as each one's last message
    // ages); the one that took fresh messages stays.
    const cleaned = await waitFor(async () => {
      const current = await partition(topicId);
      return current.segmentsCount <= filled.segmentsCount - (oldFiles.length - 1) ? current : undefined;
    }, 10_000, 20, 'the old segments to expire');
    expect(Date.now()).toBeGreaterThanOrEqual(oldAt + expiryMs);
    expect(Date.now(), 'checked before the fresh segments expired').toBeLessThan(freshAt + expiryMs);
    expect(cleaned.segmentsCount).toBe(filled.segmentsCount - (oldFiles.length - 1));
    expect(segmentFiles(topicId)).toEqual(expect.arrayContaining([oldFiles[oldFiles.length - 1]!]));
    const first = await firstRetained(topicId);
    expect(first.offset).toBe(first.sequence);
    expect(first.offset).toBe(Number(/^0*(\d+)\.log$/.exec(oldFiles[oldFiles.length - 1]!)![1]));
    expect(cleaned.messagesCount).toBe(700 - first.offset);
    const polled = await root.poll(streamId, topicId, 0, pollingStrategy.first(), 1_000);
    expect(polled.messages.map((message) => message.offset)).toEqual(Array.from({ length: 700 - first.offset }, (_, i) => first.offset + i));

    // Later every sealed segment has expired; the active one stays although its messages expired too.
    const onlyActive = await waitFor(async () => {
      const current = await partition(topicId);
      return current.segmentsCount === 1 ? current : undefined;
    }, 10_000, 50, 'every sealed segment to expire');
    const files = segmentFiles(topicId);
    expect(files).toHaveLength(1);
    const active = await firstRetained(topicId);
    expect(active.offset).toBeGreaterThan(400);
    expect(Number(/^0*(\d+)\.log$/.exec(files[0]!)![1])).toBe(active.offset);
    expect(onlyActive.currentOffset).toBe(699);
    expect(onlyActive.messagesCount).toBe(700 - active.offset);
  });

  it('deletes the oldest segments of a topic over its maximum size', async () => {
    const create = (name: string, maxTopicSize: bigint) =>
      root.status(CommandCode.CreateTopic, encodeCreateTopicRequest({ streamId, name, partitionsCount: 1, compressionAlgorithm: 1, messageExpiry: 0n, maxTopicSize, replicationFactor: 1 }));
    expect(await create('too-small', BigInt(SEGMENT_SIZE_BYTES - 1))).toBe(ErrorCode.InvalidTopicSize);
    const maxTopicSizeBytes = 3 * SEGMENT_SIZE_BYTES;
    const topicId = (await root.createTopic(streamId, 'capped', 1, { maxTopicSizeBytes: BigInt(maxTopicSizeBytes) })).id;
    await fill(topicId, 0, 600); // ~620 KiB, about ten segments
    const capped = await waitFor(async () => {
      const current = await topic(topicId);
      return current.sizeBytes <= maxTopicSizeBytes ? current : undefined;
    }, 10_000, 50, 'the topic to shrink under its maximum size');
    const retained = capped.partitions[0]!;
    expect(retained.segmentsCount).toBeGreaterThanOrEqual(2);
    expect(retained.segmentsCount).toBeLessThanOrEqual(4);
    // Only as much as needed went: one more segment would have exceeded the cap.
    expect(capped.sizeBytes).toBeGreaterThan(maxTopicSizeBytes - SEGMENT_SIZE_BYTES - MESSAGES_PER_BATCH * (PAYLOAD_SIZE_BYTES + 64));
    const first = await firstRetained(topicId);
    expect(first.offset).toBe(first.sequence);
    expect(first.offset).toBeGreaterThan(0);
    expect(retained.currentOffset).toBe(599);
    expect(retained.messagesCount).toBe(600 - first.offset);
    expect(segmentFiles(topicId)).toHaveLength(retained.segmentsCount);
    // Within the cap nothing more is deleted.
    await sleep(300);
    expect((await partition(topicId)).segmentsCount).toBe(retained.segmentsCount);
  });

  it('deletes the oldest sealed segments with DeleteSegments, never the active one nor unconsumed ones', async () => {
    const topicId = (await root.createTopic(streamId, 'manual', 1)).id;
    await fill(topicId, 0, 400);
    const filled = await partition(topicId);
    const files = segmentFiles(topicId);
    const startOf = (name: string) => Number(/^0*(\d+)\.log$/.exec(name)![1]);
    expect(files).toHaveLength(filled.segmentsCount);
    const deleteSegments = (partitionId: number, segmentsCount: number) =>
      root.status(CommandCode.DeleteSegments, encodeDeleteSegmentsRequest({ streamId, topicId, partitionId, segmentsCount }));
    expect(await deleteSegments(5, 1)).toBe(ErrorCode.PartitionNotFound);

    expect(await deleteSegments(0, 2)).toBe(0);
    expect(segmentFiles(topicId)).toEqual(files.slice(2));
    expect((await partition(topicId)).segmentsCount).toBe(filled.segmentsCount - 2);
    expect((await firstRetained(topicId)).offset).toBe(startOf(files[2]!));

    // A stored consumer offset protects the segments it has not consumed yet.
    const consumer = { kind: ConsumerKind.Consumer, id: 42 } as const;
    const protectedFrom = startOf(files[4]!); // the consumer is inside segment 3
    expect(await root.storeOffset(consumer, streamId, topicId, 0, protectedFrom - 2)).toBe(0);
    expect(await deleteSegments(0, 100)).toBe(0);
    expect(segmentFiles(topicId)).toEqual(files.slice(3));
    expect(await root.storeOffset(consumer, streamId, topicId, 0, 399)).toBe(0);
    expect(await deleteSegments(0, 100)).toBe(0);
    expect(segmentFiles(topicId)).toEqual(files.slice(-1));
    const last = await partition(topicId);
    expect(last.segmentsCount).toBe(1);
    expect(last.currentOffset).toBe(399);
    expect((await firstRetained(topicId)).offset).toBe(startOf(files[files.length - 1]!));
    // Offsets continue after the deleted segments (no renumbering).
    await fill(topicId, 400, 1);
    expect((await partition(topicId)).currentOffset).toBe(400);
  });
});
