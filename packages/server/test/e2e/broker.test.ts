/**
 * The broker over TCP, end to end: streams, topics and partitions (with id reuse), the three
 * partitioning kinds, every polling strategy, consumer offsets, FlushUnsavedBuffer, DeleteSegments,
 * PurgeTopic, the "not found" convention and the authentication errors. One in-process server with
 * small segments serves most tests (each uses its own stream); FlushUnsavedBuffer gets a buffered
 * server of its own so that the flush is observable on disk.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CommandCode,
  ConsumerKind,
  ErrorCode,
  balanced,
  encodeGetConsumerGroupRequest,
  encodeGetConsumerOffsetRequest,
  encodeGetStreamRequest,
  encodeGetTopicRequest,
  encodeGetTopicsRequest,
  encodeGetUserRequest,
  encodeGetClientRequest,
  encodeLoginUserRequest,
  encodePollMessagesRequest,
  encodeSendMessagesRequest,
  initHashes,
  messagesKey,
  partitionId,
  pollingStrategy,
  xxh32,
  type SendMessage,
} from '@iggy-ts/protocol';
import { TestClient, expectStatus } from '../helpers/client.js';
import { messageDifference, randomMessages, type StoredMessage } from '../helpers/messages.js';
import { Random, testSeed, withSeed } from '../helpers/random.js';
import { startServer, type TestServer } from '../helpers/server.js';

const SEGMENT_SIZE_BYTES = 16 * 1024;

let server: TestServer;
let client: TestClient;
const seed = testSeed();

beforeAll(async () => {
  await initHashes();
  server = await startServer({ segment: { sizeBytes: SEGMENT_SIZE_BYTES } });
  client = await TestClient.login(server.port);
});

afterAll(async () => {
  await client?.close();
  await server?.dispose();
});

function text(message: StoredMessage): string {
  return message.payload.toString('utf8');
}

function textMessages(prefix: string, count: number, from = 0): SendMessage[] {
  return Array.from({ length: count }, (_, i) => ({ payload: Buffer.from(`${prefix}-${from + i}`) }));
}

/** Every message of a partition, from its first retained offset, polled in pages. */
async function pollAll(streamId: number, topicId: number, partition: number, pageCount = 100): Promise<StoredMessage[]> {
  const all: StoredMessage[] = [];
  let offset = 0;
  for (let page = 0; page < 10_000; page += 1) {
    const batch = await client.poll({ streamId, topicId, partitionId: partition, strategy: pollingStrategy.offset(offset), count: pageCount });
    if (batch.messages.length === 0) return all;
    all.push(...batch.messages);
    offset = batch.messages[batch.messages.length - 1]!.offset + 1;
  }
  throw new Error('pollAll did not reach the end');
}

describe('streams, topics and partitions', () => {
  it('creates, reads, renames and deletes streams, and reuses freed stream ids', async () => {
    const a = await client.createStream('crud-a');
    const b = await client.createStream('crud-b');
    const c = await client.createStream('crud-c');
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);
    expect(a.topicsCount).toBe(0);

    expect((await client.getStream(b.id))?.name).toBe('crud-b');
    expect((await client.getStream('crud-c'))?.id).toBe(c.id);
    const names = (await client.getStreams()).map((stream) => stream.name);
    expect(names).toEqual(expect.arrayContaining(['crud-a', 'crud-b', 'crud-c']));

    await client.updateStream(b.id, 'crud-b-renamed');
    expect((await client.getStream(b.id))?.name).toBe('crud-b-renamed');
    expect(await client.getStream('crud-b')).toBeUndefined();
    await expectStatus(client.createStream('crud-a'), ErrorCode.StreamNameAlreadyExists);

    await client.deleteStream(c.id);
    await client.deleteStream(a.id);
    expect(await client.getStream(a.id)).toBeUndefined();
    await expectStatus(client.deleteStream(a.id), ErrorCode.StreamIdNotFound);
    const reused1 = await client.createStream('crud-d');
    const reused2 = await client.createStream('crud-e');
    expect([reused1.id, reused2.id].sort()).toEqual([a.id, c.id].sort());
    // Most recently freed first (reference 3.1, slab LIFO).
    expect(reused1.id).toBe(a.id);
    for (const id of [b.id, reused1.id, reused2.id]) await client.deleteStream(id);
  });

  it('creates topics with partitions, adds and removes partitions at the end, and reuses topic ids without old data', async () => {
    const stream = await client.createStream('crud-topics');
    const topic = await client.createTopic(stream.id, 'orders', 3);
    expect(topic.partitionsCount).toBe(3);
    expect(topic.partitions.map((partition) => partition.id)).toEqual([0, 1, 2]);
    expect((await client.getTopic(stream.id, 'orders'))?.id).toBe(topic.id);
    expect((await client.getTopics(stream.id)).map((info) => info.name)).toEqual(['orders']);
    await expectStatus(client.createTopic(stream.id, 'orders', 1), ErrorCode.TopicNameAlreadyExists);

    await client.createPartitions(stream.id, topic.id, 2);
    expect((await client.getTopic(stream.id, topic.id))?.partitions.map((partition) => partition.id)).toEqual([0, 1, 2, 3, 4]);
    await client.send(stream.id, topic.id, partitionId(4), textMessages('p4', 2));
    await client.deletePartitions(stream.id, topic.id, 3);
    const shrunk = await client.getTopic(stream.id, topic.id);
    expect(shrunk?.partitions.map((partition) => partition.id)).toEqual([0, 1]);
    await expectStatus(client.send(stream.id, topic.id, partitionId(4), textMessages('p4', 1)), ErrorCode.PartitionNotFound);
    // Partitions created again at the same ids start empty.
    await client.createPartitions(stream.id, topic.id, 3);
    expect(await pollAll(stream.id, topic.id, 4)).toHaveLength(0);

    await client.send(stream.id, topic.id, partitionId(0), textMessages('old', 5));
    const second = await client.createTopic(stream.id, 'payments', 1);
    await client.deleteTopic(stream.id, topic.id);
    expect(await client.getTopic(stream.id, topic.id)).toBeUndefined();
    await expectStatus(client.deleteTopic(stream.id, topic.id), ErrorCode.TopicIdNotFound);
    const reused = await client.createTopic(stream.id, 'invoices', 2);
    expect(reused.id).toBe(topic.id);
    expect(reused.messagesCount).toBe(0);
    expect(reused.partitions.every((partition) => partition.messagesCount === 0 && partition.currentOffset === 0)).toBe(true);
    expect(await pollAll(stream.id, reused.id, 0)).toHaveLength(0);
    expect((await client.getTopics(stream.id)).map((info) => info.id).sort()).toEqual([topic.id, second.id].sort());
    await client.deleteStream(stream.id);
  });

  it('does not leak messages from a deleted stream into a new stream that reuses its id', async () => {
    const stream = await client.createStream('leak-old');
    const topic = await client.createTopic(stream.id, 't', 1);
    await client.send(stream.id, topic.id, partitionId(0), textMessages('old', 3));
    await client.deleteStream(stream.id);
    const again = await client.createStream('leak-new');
    expect(again.id).toBe(stream.id);
    const topicAgain = await client.createTopic(again.id, 't', 1);
    expect(topicAgain.id).toBe(topic.id);
    expect(await pollAll(again.id, topicAgain.id, 0)).toHaveLength(0);
    await client.send(again.id, topicAgain.id, partitionId(0), textMessages('new', 1));
    const messages = await pollAll(again.id, topicAgain.id, 0);
    expect(messages.map((message) => [message.offset, text(message)])).toEqual([[0, 'new-0']]);
    await client.deleteStream(again.id);
  });
});

describe('partitioning', () => {
  it('spreads balanced batches round robin over the partitions', async () => {
    const stream = await client.createStream('balanced');
    const topic = await client.createTopic(stream.id, 't', 3);
    for (let i = 0; i < 9; i += 1) await client.send(stream.id, topic.id, balanced(), [{ payload: Buffer.from(String(i)) }]);
    const residues = new Set<number>();
    for (let partition = 0; partition < 3; partition += 1) {
      const values = (await pollAll(stream.id, topic.id, partition)).map((message) => Number(text(message)));
      expect(values).toHaveLength(3);
      // Consecutive batches go to consecutive partitions: one partition holds i, i + 3, i + 6.
      expect(values[1]! - values[0]!).toBe(3);
      expect(values[2]! - values[1]!).toBe(3);
      residues.add(values[0]! % 3);
    }
    expect(residues.size).toBe(3);
    await client.deleteStream(stream.id);
  });

  it('keeps balanced sends working after the partition count shrinks', async () => {
    const stream = await client.createStream('balanced-shrink');
    const topic = await client.createTopic(stream.id, 't', 3);
    for (let i = 0; i < 5; i += 1) await client.send(stream.id, topic.id, balanced(), [{ payload: Buffer.from('before') }]);
    await client.deletePartitions(stream.id, topic.id, 2);
    for (let i = 0; i < 3; i += 1) await client.send(stream.id, topic.id, balanced(), [{ payload: Buffer.from(`after-${i}`) }]);
    const kept = (await pollAll(stream.id, topic.id, 0)).map(text);
    expect(kept.slice(-3)).toEqual(['after-0', 'after-1', 'after-2']);
    await client.deleteStream(stream.id);
  });

  it('refuses sends to a topic without partitions: balanced 2010, key 3008, partition id 3007', async () => {
    const stream = await client.createStream('no-partitions');
    const topic = await client.createTopic(stream.id, 't', 0);
    const messages = textMessages('x', 1);
    await expectStatus(client.send(stream.id, topic.id, balanced(), messages), ErrorCode.TopicIdNotFound);
    await expectStatus(client.send(stream.id, topic.id, messagesKey('key'), messages), ErrorCode.NoPartitions);
    await expectStatus(client.send(stream.id, topic.id, partitionId(0), messages), ErrorCode.PartitionNotFound);
    await client.deleteStream(stream.id);
  });

  it('writes to the partition named by partition id and refuses an unknown one with 3007', async () => {
    const stream = await client.createStream('by-partition-id');
    const topic = await client.createTopic(stream.id, 't', 3);
    await client.send(stream.id, topic.id, partitionId(2), textMessages('two', 4));
    await client.send(stream.id, topic.id, partitionId(0), textMessages('zero', 1));
    expect((await pollAll(stream.id, topic.id, 2)).map(text)).toEqual(['two-0', 'two-1', 'two-2', 'two-3']);
    expect((await pollAll(stream.id, topic.id, 0)).map(text)).toEqual(['zero-0']);
    expect(await pollAll(stream.id, topic.id, 1)).toHaveLength(0);
    await expectStatus(client.send(stream.id, topic.id, partitionId(3), textMessages('x', 1)), ErrorCode.PartitionNotFound);
    await client.deleteStream(stream.id);
  });

  it('sends a keyed batch to partition xxh32(key bytes, seed 0) modulo the partition count', async () => {
    // Reference vectors of XXH32 with seed 0, so the expectation does not rest on the code under test.
    expect(xxh32(Buffer.from(''))).toBe(0x02cc5d05);
    expect(xxh32(Buffer.from('abc'))).toBe(0x32d153ff);
    const partitionsCount = 5;
    const stream = await client.createStream('by-key');
    const topic = await client.createTopic(stream.id, 't', partitionsCount);
    const random = new Random(seed);
    const expected = new Map<number, string[]>();
    await withSeed(seed, async () => {
      for (let i = 0; i < 40; i += 1) {
        const key = i === 0 ? Buffer.from('abc') : random.bytes(random.between(1, 40));
        const target = xxh32(key) % partitionsCount;
        const payload = `key-${i}`;
        await client.send(stream.id, topic.id, messagesKey(key), [{ payload: Buffer.from(payload) }]);
        expected.set(target, [...(expected.get(target) ?? []), payload]);
      }
      // A numeric key is its u32 little-endian bytes.
      const numericKey = Buffer.alloc(4);
      numericKey.writeUInt32LE(123_456_789);
      await client.send(stream.id, topic.id, messagesKey(123_456_789), [{ payload: Buffer.from('numeric') }]);
      const numericTarget = xxh32(numericKey) % partitionsCount;
      expected.set(numericTarget, [...(expected.get(numericTarget) ?? []), 'numeric']);
      expect(0x32d153ff % partitionsCount).toBe(xxh32(Buffer.from('abc')) % partitionsCount);
      for (let partition = 0; partition < partitionsCount; partition += 1) {
        expect((await pollAll(stream.id, topic.id, partition)).map(text), `partition ${partition}`).toEqual(expected.get(partition) ?? []);
      }
    });
    await client.deleteStream(stream.id);
  });
});

describe('polling', () => {
  let streamId: number;
  let topicId: number;
  const sent: SendMessage[] = [];

  beforeAll(async () => {
    const stream = await client.createStream('polling');
    const topic = await client.createTopic(stream.id, 't', 1);
    streamId = stream.id;
    topicId = topic.id;
    const random = new Random(seed ^ 0x5eed);
    // Two batches of 5 with a pause between them, so that they carry different server timestamps.
    for (let batch = 0; batch < 2; batch += 1) {
      const messages = randomMessages(random, 5, { payloadSizeBytesMax: 3000 });
      sent.push(...messages);
      await client.send(streamId, topicId, partitionId(0), messages);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  });

  function expectSame(messages: StoredMessage[], offsets: number[]): void {
    expect(messages.map((message) => message.offset)).toEqual(offsets);
    for (const message of messages) expect(messageDifference(sent[message.offset]!, message)).toBeUndefined();
  }

  it('polls by offset, spanning segments, and returns nothing past the end', async () => {
    const page = await client.poll({ streamId, topicId, partitionId: 0, strategy: pollingStrategy.offset(3), count: 4 });
    expect(page.partitionId).toBe(0);
    expect(page.currentOffset).toBe(9);
    expectSame(page.messages, [3, 4, 5, 6]);
    expectSame((await client.poll({ streamId, topicId, partitionId: 0, strategy: pollingStrategy.offset(0), count: 1000 })).messages, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const past = await client.poll({ streamId, topicId, partitionId: 0, strategy: pollingStrategy.offset(10), count: 10 });
    expect(past.messages).toHaveLength(0);
    expect(past.currentOffset).toBe(9);
    const none = await client.poll({ streamId, topicId, partitionId: 0, strategy: pollingStrategy.offset(0), count: 0 });
    expect(none.messages).toHaveLength(0);
  });

  it('polls first and last messages', async () => {
    expectSame((await client.poll({ streamId, topicId, partitionId: 0, strategy: pollingStrategy.first(), count: 3 })).messages, [0, 1, 2]);
    expectSame((await client.poll({ streamId, topicId, partitionId: 0, strategy: pollingStrategy.last(), count: 3 })).messages, [7, 8, 9]);
    expectSame((await client.poll({ streamId, topicId, partitionId: 0, strategy: pollingStrategy.last(), count: 50 })).messages, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('polls by timestamp from the first message stamped at or after it', async () => {
    const all = (await client.poll({ streamId, topicId, partitionId: 0, strategy: pollingStrategy.first(), count: 10 })).messages;
    for (let i = 1; i < all.length; i += 1) expect(all[i]!.timestamp).toBeGreaterThanOrEqual(all[i - 1]!.timestamp);
    expect(all[5]!.timestamp).toBeGreaterThan(all[4]!.timestamp);
    expectSame((await client.poll({ streamId, topicId, partitionId: 0, strategy: pollingStrategy.timestamp(all[5]!.timestamp), count: 10 })).messages, [5, 6, 7, 8, 9]);
    expectSame((await client.poll({ streamId, topicId, partitionId: 0, strategy: pollingStrategy.timestamp(all[4]!.timestamp + 1), count: 2 })).messages, [5, 6]);
    expectSame((await client.poll({ streamId, topicId, partitionId: 0, strategy: pollingStrategy.timestamp(0), count: 2 })).messages, [0, 1]);
    expect((await client.poll({ streamId, topicId, partitionId: 0, strategy: pollingStrategy.timestamp(all[9]!.timestamp + 1), count: 10 })).messages).toHaveLength(0);
  });

  it('polls next messages after the stored offset and commits automatically', async () => {
    const consumer = { kind: ConsumerKind.Consumer, id: 7 } as const;
    const next = (count: number) => client.poll({ streamId, topicId, partitionId: 0, strategy: pollingStrategy.next(), count, autoCommit: true, consumer });
    expect(await client.getOffset(consumer, streamId, topicId, 0)).toBeUndefined();
    expectSame((await next(4)).messages, [0, 1, 2, 3]);
    expect(await client.getOffset(consumer, streamId, topicId, 0)).toEqual({ partitionId: 0, currentOffset: 9, storedOffset: 3 });
    expectSame((await next(4)).messages, [4, 5, 6, 7]);
    expectSame((await next(10)).messages, [8, 9]);
    expect((await next(10)).messages).toHaveLength(0);
    expect((await client.getOffset(consumer, streamId, topicId, 0))?.storedOffset).toBe(9);
    // Without auto commit the stored offset stays where it was.
    const other = { kind: ConsumerKind.Consumer, id: 8 } as const;
    await client.poll({ streamId, topicId, partitionId: 0, strategy: pollingStrategy.next(), count: 3, autoCommit: false, consumer: other });
    expect(await client.getOffset(other, streamId, topicId, 0)).toBeUndefined();
  });

  it('stores, reads and deletes consumer offsets of individual consumers and groups', async () => {
    const consumer = { kind: ConsumerKind.Consumer, id: 11 } as const;
    await client.storeOffset(consumer, streamId, topicId, 0, 5);
    expect(await client.getOffset(consumer, streamId, topicId, 0)).toEqual({ partitionId: 0, currentOffset: 9, storedOffset: 5 });
    expectSame((await client.poll({ streamId, topicId, partitionId: 0, strategy: pollingStrategy.next(), count: 2, consumer })).messages, [6, 7]);
    await expectStatus(client.storeOffset(consumer, streamId, topicId, 0, 10), ErrorCode.InvalidOffset);
    await client.deleteOffset(consumer, streamId, topicId, 0);
    expect(await client.getOffset(consumer, streamId, topicId, 0)).toBeUndefined();
    await expectStatus(client.deleteOffset(consumer, streamId, topicId, 0), ErrorCode.ConsumerOffsetNotFound);

    // A consumer named by a string is a different key from any numeric one.
    const named = { kind: ConsumerKind.Consumer, id: 'reporting' } as const;
    await client.storeOffset(named, streamId, topicId, undefined, 2);
    expect((await client.getOffset(named, streamId, topicId, undefined))?.storedOffset).toBe(2);

    const group = await client.createConsumerGroup(streamId, topicId, 'g');
    const groupConsumer = { kind: ConsumerKind.ConsumerGroup, id: group.id } as const;
    await client.joinConsumerGroup(streamId, topicId, group.id);
    await client.storeOffset(groupConsumer, streamId, topicId, 0, 4);
    expect(await client.getOffset(groupConsumer, streamId, topicId, 0)).toEqual({ partitionId: 0, currentOffset: 9, storedOffset: 4 });
    expectSame((await client.poll({ streamId, topicId, partitionId: undefined, strategy: pollingStrategy.next(), count: 3, consumer: groupConsumer, autoCommit: true })).messages, [5, 6, 7]);
    expect((await client.getOffset(groupConsumer, streamId, topicId, 0))?.storedOffset).toBe(7);
    await client.deleteOffset(groupConsumer, streamId, topicId, 0);
    expect(await client.getOffset(groupConsumer, streamId, topicId, 0)).toBeUndefined();
  });
});

describe('segments and purge', () => {
  it('deletes the oldest sealed segments and keeps the offsets of what remains', async () => {
    const stream = await client.createStream('delete-segments');
    const topic = await client.createTopic(stream.id, 't', 1);
    const payload = Buffer.alloc(1000, 7);
    for (let batch = 0; batch < 8; batch += 1) {
      await client.send(stream.id, topic.id, partitionId(0), Array.from({ length: 10 }, () => ({ payload })));
    }
    const before = (await client.getTopic(stream.id, topic.id))!.partitions[0]!;
    expect(before.currentOffset).toBe(79);
    expect(before.segmentsCount).toBeGreaterThanOrEqual(4);
    await client.deleteSegments(stream.id, topic.id, 0, 2);
    const after = (await client.getTopic(stream.id, topic.id))!.partitions[0]!;
    expect(after.segmentsCount).toBe(before.segmentsCount - 2);
    expect(after.currentOffset).toBe(79);
    expect(after.messagesCount).toBeLessThan(before.messagesCount);
    const remaining = await pollAll(stream.id, topic.id, 0);
    expect(remaining).toHaveLength(after.messagesCount);
    const first = remaining[0]!.offset;
    expect(first).toBe(80 - after.messagesCount);
    expect(first).toBeGreaterThan(0);
    remaining.forEach((message, i) => expect(message.offset).toBe(first + i));
    // Polling from an offset that was deleted starts at the first retained one.
    expect((await client.poll({ streamId: stream.id, topicId: topic.id, partitionId: 0, strategy: pollingStrategy.offset(0), count: 1 })).messages[0]!.offset).toBe(first);
    // DeleteSegments does not reset numbering.
    await client.send(stream.id, topic.id, partitionId(0), [{ payload }]);
    expect((await client.poll({ streamId: stream.id, topicId: topic.id, partitionId: 0, strategy: pollingStrategy.last(), count: 1 })).messages[0]!.offset).toBe(80);
    await expectStatus(client.deleteSegments(stream.id, topic.id, 5, 1), ErrorCode.PartitionNotFound);
    await client.deleteStream(stream.id);
  });

  it('purges a topic and restarts its offsets at 0', async () => {
    const stream = await client.createStream('purge');
    const topic = await client.createTopic(stream.id, 't', 2);
    for (let batch = 0; batch < 5; batch += 1) await client.send(stream.id, topic.id, partitionId(batch % 2), textMessages('before', 30, batch * 30));
    const consumer = { kind: ConsumerKind.Consumer, id: 1 } as const;
    await client.storeOffset(consumer, stream.id, topic.id, 0, 10);
    await client.purgeTopic(stream.id, topic.id);

    const purged = (await client.getTopic(stream.id, topic.id))!;
    expect(purged.messagesCount).toBe(0);
    for (const partition of purged.partitions) {
      expect(partition.currentOffset).toBe(0);
      expect(partition.messagesCount).toBe(0);
    }
    const empty = await client.poll({ streamId: stream.id, topicId: topic.id, partitionId: 0, strategy: pollingStrategy.first(), count: 10 });
    expect(empty.messages).toHaveLength(0);
    expect(empty.currentOffset).toBe(0);
    expect(await client.getOffset(consumer, stream.id, topic.id, 0)).toBeUndefined();

    await client.send(stream.id, topic.id, partitionId(0), textMessages('after', 2));
    expect((await pollAll(stream.id, topic.id, 0)).map((message) => [message.offset, text(message)])).toEqual([
      [0, 'after-0'],
      [1, 'after-1'],
    ]);
    await client.deleteStream(stream.id);
  });
});

describe('flushing the unsaved buffer', () => {
  let buffered: TestServer;
  let bufferedClient: TestClient;

  beforeAll(async () => {
    // Thresholds and interval far away: only FlushUnsavedBuffer writes the journal.
    buffered = await startServer({
      durability: { mode: 'buffered', saveThresholdMessageCount: 1_000_000, saveThresholdSizeBytes: 512 * 1024 * 1024, flushIntervalMs: 24 * 60 * 60 * 1000 },
    });
    bufferedClient = await TestClient.login(buffered.port);
  });

  afterAll(async () => {
    await bufferedClient?.close();
    await buffered?.dispose();
  });

  /**
   * The bytes of the partition's segment logs. With direct I/O (segment.direct_io, the default) a
   * written log is zero-padded to a 4 KiB block until the segment is trimmed, so callers compare the
   * message bytes with the front of the file and expect zeros after them.
   */
  function logFileBytes(streamId: number, topicId: number, partition: number): Buffer {
    const directory = path.join(buffered.dataPath, 'streams', String(streamId), 'topics', String(topicId), 'partitions', String(partition));
    const names = readdirSync(directory).filter((name) => name.endsWith('.log')).sort();
    return Buffer.concat(names.map((name) => readFileSync(path.join(directory, name))));
  }

  function expectLogHolds(bytes: Buffer, messages: readonly StoredMessage[]): void {
    const expected = Buffer.concat(messages.map((message) => message.raw));
    expect(bytes.length).toBeGreaterThanOrEqual(expected.length);
    expect(bytes.subarray(0, expected.length).equals(expected), 'the log starts with the flushed messages').toBe(true);
    expect(bytes.subarray(expected.length).every((byte) => byte === 0), 'only zero padding follows them').toBe(true);
  }

  it('writes pending messages to the segment file, with and without fsync, and they stay readable', async () => {
    const stream = await bufferedClient.createStream('flush');
    const topic = await bufferedClient.createTopic(stream.id, 't', 1);
    const first = textMessages('one', 10);
    await bufferedClient.send(stream.id, topic.id, partitionId(0), first);
    expect(logFileBytes(stream.id, topic.id, 0).length).toBe(0);
    // Unsaved messages are visible to polls at once.
    const pending = await bufferedClient.poll({ streamId: stream.id, topicId: topic.id, partitionId: 0, strategy: pollingStrategy.first(), count: 100 });
    expect(pending.messages.map(text)).toEqual(first.map((message) => message.payload.toString()));

    await bufferedClient.flush(stream.id, topic.id, 0, false);
    expectLogHolds(logFileBytes(stream.id, topic.id, 0), pending.messages);

    await bufferedClient.send(stream.id, topic.id, partitionId(0), textMessages('two', 5));
    expectLogHolds(logFileBytes(stream.id, topic.id, 0), pending.messages);
    await bufferedClient.flush(stream.id, topic.id, 0, true);
    const all = await bufferedClient.poll({ streamId: stream.id, topicId: topic.id, partitionId: 0, strategy: pollingStrategy.first(), count: 100 });
    expect(all.messages.map((message) => message.offset)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(all.messages.every((message) => message.checksumValid)).toBe(true);
    expectLogHolds(logFileBytes(stream.id, topic.id, 0), all.messages);
    // A flush with nothing pending changes nothing.
    await bufferedClient.flush(stream.id, topic.id, 0, true);
    expectLogHolds(logFileBytes(stream.id, topic.id, 0), all.messages);
    await expectStatus(bufferedClient.flush(stream.id, topic.id, 3, false), ErrorCode.PartitionNotFound);
    await expectStatus(bufferedClient.flush(stream.id, 999, 0, false), ErrorCode.TopicIdNotFound);
  });
});

describe('protocol conventions', () => {
  it('answers reads of missing resources with status 0 and an empty payload', async () => {
    const stream = await client.createStream('not-found');
    const topic = await client.createTopic(stream.id, 't', 1);
    const reads: [string, number, Buffer][] = [
      ['GetStream by id', CommandCode.GetStream, encodeGetStreamRequest({ streamId: 4242 })],
      ['GetStream by name', CommandCode.GetStream, encodeGetStreamRequest({ streamId: 'no-such-stream' })],
      ['GetTopic', CommandCode.GetTopic, encodeGetTopicRequest({ streamId: stream.id, topicId: 4242 })],
      ['GetTopic in a missing stream', CommandCode.GetTopic, encodeGetTopicRequest({ streamId: 4242, topicId: 0 })],
      ['GetTopics of a missing stream', CommandCode.GetTopics, encodeGetTopicsRequest({ streamId: 4242 })],
      ['GetUser', CommandCode.GetUser, encodeGetUserRequest({ userId: 4242 })],
      ['GetClient', CommandCode.GetClient, encodeGetClientRequest({ clientId: 4242 })],
      ['GetConsumerGroup', CommandCode.GetConsumerGroup, encodeGetConsumerGroupRequest({ streamId: stream.id, topicId: topic.id, groupId: 4242 })],
      [
        'GetConsumerOffset of a consumer that never stored one',
        CommandCode.GetConsumerOffset,
        encodeGetConsumerOffsetRequest({ consumer: { kind: ConsumerKind.Consumer, id: 4242 }, streamId: stream.id, topicId: topic.id, partitionId: 0 }),
      ],
      [
        'GetConsumerOffset in a missing topic',
        CommandCode.GetConsumerOffset,
        encodeGetConsumerOffsetRequest({ consumer: { kind: ConsumerKind.Consumer, id: 1 }, streamId: stream.id, topicId: 4242, partitionId: 0 }),
      ],
    ];
    for (const [name, code, payload] of reads) {
      const response = await client.request(code, payload);
      expect({ name, status: response.status, length: response.payload.length }).toEqual({ name, status: 0, length: 0 });
    }
    await client.deleteStream(stream.id);
  });

  it('answers an unknown command code with 3, before and after login, and keeps the connection', async () => {
    const fresh = await TestClient.connect(server.port);
    for (const code of [0, 2, 400, 401, 500, 502, 606, 9999, 0xffff_ffff]) {
      expect((await fresh.request(code, Buffer.from([1, 2, 3]))).status, `code ${code}`).toBe(ErrorCode.InvalidCommand);
      expect((await client.request(code)).status, `code ${code} after login`).toBe(ErrorCode.InvalidCommand);
    }
    await fresh.ping();
    await client.ping();
    await fresh.close();
  });

  it('answers commands sent before login with 40 and keeps the connection usable', async () => {
    const fresh = await TestClient.connect(server.port);
    const send = encodeSendMessagesRequest({ streamId: 0, topicId: 0, partitioning: balanced(), messages: textMessages('x', 3) });
    const poll = encodePollMessagesRequest({ consumer: { kind: ConsumerKind.Consumer, id: 1 }, streamId: 0, topicId: 0, partitionId: 0, strategy: pollingStrategy.first(), count: 1, autoCommit: false });
    // Pipelined on purpose: every request gets its own answer, in order.
    const statuses = await Promise.all([
      fresh.request(CommandCode.GetStreams),
      fresh.request(CommandCode.SendMessages, send),
      fresh.request(CommandCode.PollMessages, poll),
      fresh.request(CommandCode.GetStream, encodeGetStreamRequest({ streamId: 0 })),
      fresh.request(CommandCode.Ping),
      fresh.request(CommandCode.LogoutUser),
    ]);
    expect(statuses.map((response) => response.status)).toEqual([40, 40, 40, 40, 0, 40]);
    await fresh.loginUser('iggy', 'iggy');
    await fresh.getStreams();
    await fresh.close();
  });

  it('answers a wrong password or an unknown user with 42 and still accepts the right one', async () => {
    const fresh = await TestClient.connect(server.port);
    const wrong = await fresh.request(CommandCode.LoginUser, encodeLoginUserRequest({ username: 'iggy', password: 'not-the-password' }));
    expect(wrong).toEqual({ status: ErrorCode.InvalidCredentials, payload: Buffer.alloc(0) });
    expect((await fresh.request(CommandCode.LoginUser, encodeLoginUserRequest({ username: 'nobody', password: 'whatever' }))).status).toBe(ErrorCode.InvalidCredentials);
    expect((await fresh.request(CommandCode.GetStreams)).status).toBe(ErrorCode.Unauthenticated);
    expect(await fresh.loginUser('iggy', 'iggy')).toBe(0);
    await fresh.close();
  });
});
