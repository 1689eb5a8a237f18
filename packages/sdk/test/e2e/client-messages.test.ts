/**
 * Messages and offsets through the low-level client: send with each partitioning, poll with each
 * strategy, typed headers and ids survive the round trip, consumer offsets for consumers and groups.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ErrorCode,
  IggyClient,
  IggyError,
  Message,
  groupConsumer,
  header,
  idToUuidString,
  individualConsumer,
  messagesKey,
  partitionForKey,
  partitionId,
  pollingStrategy,
  uuidV7,
} from '@iggy-ts/sdk';
import { rootClient, startServer, uniqueName, type TestServer } from './helpers.js';

let server: TestServer;
let client: IggyClient;

beforeAll(async () => {
  server = await startServer();
  client = rootClient(server);
});

afterAll(async () => {
  await client?.close();
  await server?.dispose();
});

async function topicWith(partitionsCount: number): Promise<{ streamId: number; topicId: number }> {
  const stream = await client.createStream({ name: uniqueName('messages') });
  const topic = await client.createTopic({ streamId: stream.id, name: 't', partitionsCount });
  return { streamId: stream.id, topicId: topic.id };
}

describe('send and poll', () => {
  it('polls with each strategy: offset, first, last, next and timestamp', async () => {
    const ids = await topicWith(1);
    await client.sendMessages({ ...ids, partitioning: partitionId(0), messages: ['m0', 'm1', 'm2', 'm3', 'm4'] });
    const poll = (strategy: ReturnType<typeof pollingStrategy.first>, count = 10) =>
      client.pollMessages({ ...ids, partitionId: 0, strategy, count }).then((batch) => batch.messages.map((m) => m.text()));

    expect(await poll(pollingStrategy.first(), 2)).toEqual(['m0', 'm1']);
    expect(await poll(pollingStrategy.offset(3))).toEqual(['m3', 'm4']);
    expect(await poll(pollingStrategy.last(), 2)).toEqual(['m3', 'm4']);
    expect(await poll(pollingStrategy.next(), 2)).toEqual(['m0', 'm1']);

    const first = await client.pollMessages({ ...ids, partitionId: 0, strategy: pollingStrategy.first(), count: 1 });
    const timestamp = first.messages[0]!.timestamp;
    await new Promise((resolve) => setTimeout(resolve, 5));
    await client.sendMessages({ ...ids, partitioning: partitionId(0), messages: ['late'] });
    const late = await client.pollMessages({ ...ids, partitionId: 0, strategy: pollingStrategy.timestamp(timestamp + 1), count: 10 });
    expect(late.messages.map((m) => m.text())).toEqual(['late']);
    expect(late.currentOffset).toBe(5);
  });

  it('next with auto-commit resumes after the last returned message', async () => {
    const ids = await topicWith(1);
    await client.sendMessages({ ...ids, messages: ['a', 'b', 'c'] });
    const consumer = individualConsumer(7);
    const poll = () => client.pollMessages({ ...ids, consumer, partitionId: 0, strategy: pollingStrategy.next(), count: 2, autoCommit: true });
    expect((await poll()).messages.map((m) => m.text())).toEqual(['a', 'b']);
    expect((await poll()).messages.map((m) => m.text())).toEqual(['c']);
    expect((await poll()).messages).toEqual([]);
  });

  it('keeps typed headers, JSON payloads, ids and origin timestamps', async () => {
    const ids = await topicWith(1);
    const id = uuidV7();
    const before = Date.now() * 1000;
    await client.sendMessages({
      ...ids,
      messages: [
        Message.fromJson({ orderId: 42 }, { id, headers: { message_type: header.string('order'), n: header.uint32(7), big: header.uint64(2n ** 60n), ok: header.bool(true) } }),
        Message.from(Buffer.from([1, 2, 3]), { originTimestampUs: 123 }),
      ],
    });
    const batch = await client.pollMessages({ ...ids, partitionId: 0, strategy: pollingStrategy.first(), count: 10 });
    const [json, bytes] = batch.messages;
    expect(json!.json()).toEqual({ orderId: 42 });
    expect(json!.id).toBe(id);
    expect(json!.uuid).toBe(idToUuidString(id));
    expect(json!.header('message_type')).toBe('order');
    expect(json!.header('n')).toBe(7);
    expect(json!.header('big')).toBe(2n ** 60n);
    expect(json!.headers.get('ok')).toEqual(header.bool(true));
    expect(json!.originTimestamp).toBeGreaterThanOrEqual(before);
    expect(json!.timestamp).toBeGreaterThan(0);
    expect(typeof json!.checksum).toBe('bigint');
    expect([...bytes!.payload]).toEqual([1, 2, 3]);
    expect(bytes!.originTimestamp).toBe(123);
    expect(bytes!.headers.size).toBe(0);
    expect(bytes!.id).not.toBe(0n); // assigned by the server
  });

  it('sends by partition id, by key and balanced', async () => {
    const ids = await topicWith(3);
    await client.sendMessages({ ...ids, partitioning: partitionId(2), messages: ['p2'] });
    await client.sendMessages({ ...ids, partitioning: messagesKey('customer-1'), messages: ['k'] });
    for (let i = 0; i < 3; i += 1) await client.sendMessages({ ...ids, messages: [`b${i}`] });
    const counts = await Promise.all([0, 1, 2].map((p) => client.pollMessages({ ...ids, partitionId: p, strategy: pollingStrategy.first(), count: 100 })));
    const keyed = partitionForKey(Buffer.from('customer-1'), 3);
    expect(counts[keyed]!.messages.map((m) => m.text())).toContain('k');
    expect(counts[2]!.messages.map((m) => m.text())).toContain('p2');
    expect(counts.reduce((sum, batch) => sum + batch.count, 0)).toBe(5);
    expect(counts.every((batch) => batch.messages.some((m) => m.text().startsWith('b')))).toBe(true);
  });

  it('rejects an empty batch before sending it', async () => {
    const ids = await topicWith(1);
    const error = await client.sendMessages({ ...ids, messages: [] }).catch((caught: unknown) => caught);
    expect((error as IggyError).code).toBe(ErrorCode.InvalidMessagesCount);
  });
});

describe('consumer offsets', () => {
  it('stores, reads and deletes the offset of a consumer', async () => {
    const ids = await topicWith(2);
    await client.sendMessages({ ...ids, partitioning: partitionId(1), messages: ['a', 'b', 'c'] });
    const consumer = individualConsumer('reader');
    expect(await client.getConsumerOffset({ ...ids, consumer, partitionId: 1 })).toBeUndefined();
    await client.storeConsumerOffset({ ...ids, consumer, partitionId: 1, offset: 1 });
    expect(await client.getConsumerOffset({ ...ids, consumer, partitionId: 1 })).toEqual({ partitionId: 1, currentOffset: 2, storedOffset: 1 });
    const next = await client.pollMessages({ ...ids, consumer, partitionId: 1, strategy: pollingStrategy.next(), count: 10 });
    expect(next.messages.map((m) => m.text())).toEqual(['c']);
    await client.deleteConsumerOffset({ ...ids, consumer, partitionId: 1 });
    expect(await client.getConsumerOffset({ ...ids, consumer, partitionId: 1 })).toBeUndefined();
    const error = await client.storeConsumerOffset({ ...ids, consumer, partitionId: 1, offset: 99 }).catch((caught: unknown) => caught);
    expect((error as IggyError).code).toBe(ErrorCode.InvalidOffset);
  });

  it('stores the offset of a consumer group for its member', async () => {
    const ids = await topicWith(1);
    await client.sendMessages({ ...ids, messages: ['a', 'b'] });
    const group = await client.createConsumerGroup({ ...ids, name: 'g' });
    const consumer = groupConsumer(group.id);
    await client.joinConsumerGroup({ ...ids, groupId: group.id });
    const polled = await client.pollMessages({ ...ids, consumer, strategy: pollingStrategy.next(), count: 1 });
    expect(polled.messages.map((m) => m.text())).toEqual(['a']);
    await client.storeConsumerOffset({ ...ids, consumer, partitionId: 0, offset: 0 });
    expect((await client.getConsumerOffset({ ...ids, consumer, partitionId: 0 }))?.storedOffset).toBe(0);
    const next = await client.pollMessages({ ...ids, consumer, strategy: pollingStrategy.next(), count: 10 });
    expect(next.messages.map((m) => m.text())).toEqual(['b']);
    await client.leaveConsumerGroup({ ...ids, groupId: group.id });
  });
});
