/**
 * The Consumer's strategies and auto-commit modes for an individual consumer, reading every
 * partition, waiting when caught up, and consumer-group rebalancing between two SDK consumers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Consumer, IggyClient, type ReceivedMessage, groupConsumer, individualConsumer, partitionId, pollingStrategy } from '@iggy-ts/sdk';
import { rootClient, startServer, uniqueName, waitFor, type TestServer } from './helpers.js';

let server: TestServer;
let admin: IggyClient;

beforeAll(async () => {
  server = await startServer();
  admin = rootClient(server);
});

afterAll(async () => {
  await admin?.close();
  await server?.dispose();
});

interface Ids {
  stream: number;
  topic: number;
}

async function topicWith(partitionsCount: number, messagesPerPartition = 0): Promise<Ids> {
  const stream = await admin.createStream({ name: uniqueName('consumer') });
  const topic = await admin.createTopic({ streamId: stream.id, name: 't', partitionsCount });
  for (let p = 0; p < partitionsCount && messagesPerPartition > 0; p += 1) {
    await admin.sendMessages({ streamId: stream.id, topicId: topic.id, partitioning: partitionId(p), messages: Array.from({ length: messagesPerPartition }, (_, i) => `p${p}-m${i}`) });
  }
  return { stream: stream.id, topic: topic.id };
}

/** Takes `count` messages without closing the consumer. */
async function take(consumer: Consumer, count: number): Promise<ReceivedMessage[]> {
  const messages: ReceivedMessage[] = [];
  while (messages.length < count) {
    const result = await consumer.next();
    if (result.done === true) break;
    messages.push(result.value);
  }
  return messages;
}

const texts = (messages: readonly ReceivedMessage[]): string[] => messages.map((m) => m.text());

async function storedOffset(ids: Ids, consumer = individualConsumer(0), partition = 0): Promise<number | undefined> {
  return (await admin.getConsumerOffset({ streamId: ids.stream, topicId: ids.topic, consumer, partitionId: partition }))?.storedOffset;
}

describe('Consumer strategies', () => {
  it('reads from the first message, then waits for and receives new ones', async () => {
    const ids = await topicWith(1, 3);
    const client = rootClient(server);
    const consumer = client.consumer({ ...ids, partitionId: 0, strategy: 'first', pollIntervalMs: 20 });
    expect(texts(await take(consumer, 3))).toEqual(['p0-m0', 'p0-m1', 'p0-m2']);
    setTimeout(() => void admin.sendMessages({ streamId: ids.stream, topicId: ids.topic, messages: ['late'] }), 50);
    expect(texts(await take(consumer, 1))).toEqual(['late']);
    await consumer.close();
    await client.close();
  });

  it('reads from an offset, from a timestamp, and the last messages', async () => {
    const ids = await topicWith(1, 5);
    const client = rootClient(server);
    const fromOffset = client.consumer({ ...ids, partitionId: 0, strategy: { offset: 3 }, autoCommit: 'never' });
    expect(texts(await take(fromOffset, 2))).toEqual(['p0-m3', 'p0-m4']);
    await fromOffset.close();

    const last = client.consumer({ ...ids, partitionId: 0, strategy: 'last', batchSize: 2, autoCommit: 'never' });
    expect(texts(await take(last, 2))).toEqual(['p0-m3', 'p0-m4']);
    await admin.sendMessages({ streamId: ids.stream, topicId: ids.topic, messages: ['p0-m5'] });
    expect(texts(await take(last, 1))).toEqual(['p0-m5']);
    await last.close();

    const all = await admin.pollMessages({ streamId: ids.stream, topicId: ids.topic, partitionId: 0, strategy: pollingStrategy.first(), count: 10 });
    const fromTimestamp = client.consumer({ ...ids, partitionId: 0, strategy: { timestamp: all.messages[5]!.timestamp }, autoCommit: 'never' });
    expect(texts(await take(fromTimestamp, 1))).toEqual(['p0-m5']);
    await fromTimestamp.close();
    await client.close();
  });

  it('resumes after the stored offset with next', async () => {
    const ids = await topicWith(1, 4);
    await admin.storeConsumerOffset({ streamId: ids.stream, topicId: ids.topic, consumer: individualConsumer(5), partitionId: 0, offset: 1 });
    const client = rootClient(server);
    const consumer = client.consumer({ ...ids, partitionId: 0, consumerId: 5, strategy: 'next' });
    expect(texts(await take(consumer, 2))).toEqual(['p0-m2', 'p0-m3']);
    await consumer.close();
    await client.close();
  });

  it('reads every partition in turn when no partition is given', async () => {
    const ids = await topicWith(3, 4);
    const client = rootClient(server);
    const consumer = client.consumer({ ...ids, strategy: 'first', batchSize: 2, autoCommit: 'never' });
    const messages = await take(consumer, 12);
    expect(new Set(messages.map((m) => m.partitionId))).toEqual(new Set([0, 1, 2]));
    expect(texts(messages).sort()).toEqual([0, 1, 2].flatMap((p) => [0, 1, 2, 3].map((i) => `p${p}-m${i}`)).sort());
    await consumer.close();
    await client.close();
  });
});

describe('Consumer auto-commit', () => {
  it('after-poll stores the last offset of each poll', async () => {
    const ids = await topicWith(1, 5);
    const client = rootClient(server);
    const consumer = client.consumer({ ...ids, partitionId: 0, strategy: 'first', batchSize: 4, prefetch: 0, autoCommit: 'after-poll' });
    await take(consumer, 1);
    expect(await storedOffset(ids)).toBe(3);
    await consumer.close();
    await client.close();
  });

  it('after-message stores each processed message', async () => {
    const ids = await topicWith(1, 5);
    const client = rootClient(server);
    const consumer = client.consumer({ ...ids, partitionId: 0, strategy: 'first', autoCommit: 'after-message' });
    await take(consumer, 3); // the third one is not processed yet
    await waitFor(async () => (await storedOffset(ids)) === 1, 2000, 'offset 1');
    await consumer.close(); // close counts the last delivered message as processed
    expect(await storedOffset(ids)).toBe(2);
    await client.close();
  });

  it('an interval stores processed offsets periodically', async () => {
    const ids = await topicWith(1, 5);
    const client = rootClient(server);
    const consumer = client.consumer({ ...ids, partitionId: 0, strategy: 'first', autoCommit: { intervalMs: 20 } });
    await take(consumer, 4);
    expect(await storedOffset(ids)).toBeUndefined();
    await waitFor(async () => (await storedOffset(ids)) === 2, 2000, 'offset 2');
    await consumer.close();
    expect(await storedOffset(ids)).toBe(3);
    await client.close();
  });

  it('never stores nothing by itself; commit stores on demand', async () => {
    const ids = await topicWith(1, 5);
    const client = rootClient(server);
    const consumer = client.consumer({ ...ids, partitionId: 0, strategy: 'first', autoCommit: 'never' });
    const messages = await take(consumer, 3);
    await consumer.close();
    expect(await storedOffset(ids)).toBeUndefined();
    const manual = client.consumer({ ...ids, partitionId: 0, autoCommit: 'never' });
    await manual.commit(messages[1]!);
    expect(await storedOffset(ids)).toBe(1);
    expect(texts(await take(manual, 1))).toEqual(['p0-m2']);
    await manual.close();
    await client.close();
  });
});

describe('Consumer groups', () => {
  it('rebalances between two consumers: disjoint partitions, every message exactly once', async () => {
    // Goal: consumer A starts alone and owns every partition; B joins mid-way. The server moves
    // partitions to B once A has committed what it polled; together they must receive each
    // message once, and from disjoint partition sets after the rebalance.
    const ids = await topicWith(4, 10);
    const clientA = rootClient(server);
    const clientB = rootClient(server);
    // prefetch 0: this server hands a partition over on its owner's next poll, so nothing may be
    // polled ahead of the commits (see ConsumerOptions.prefetch).
    const options = { ...ids, group: 'workers', batchSize: 3, prefetch: 0, pollIntervalMs: 10, autoCommit: 'after-message' as const };
    const a = clientA.consumer(options);
    const b = clientB.consumer(options);
    const receivedA: ReceivedMessage[] = [];
    const receivedB: ReceivedMessage[] = [];
    receivedA.push(...(await take(a, 8)));
    await b.start();

    const total = (): number => receivedA.length + receivedB.length;
    const drain = async (consumer: Consumer, sink: ReceivedMessage[]): Promise<void> => {
      for (;;) {
        const result = await consumer.next();
        if (result.done === true) return;
        sink.push(result.value);
      }
    };
    const loops = [drain(a, receivedA), drain(b, receivedB)];
    await waitFor(() => total() >= 40, 10_000, '40 messages');
    await new Promise((resolve) => setTimeout(resolve, 100)); // give duplicates a chance to show up

    const group = await admin.getConsumerGroup({ streamId: ids.stream, topicId: ids.topic, groupId: 'workers' });
    const assigned = group!.members.map((member) => member.partitions);
    expect(assigned).toHaveLength(2);
    expect(assigned.flat().sort()).toEqual([0, 1, 2, 3]);
    const partitionsOfB = new Set(receivedB.map((m) => m.partitionId));
    const ownerOfB = assigned.find((partitions) => partitions.some((p) => partitionsOfB.has(p)))!;
    expect([...partitionsOfB].every((p) => ownerOfB.includes(p))).toBe(true);

    await Promise.all([a.close(), b.close()]);
    await Promise.all(loops);
    const keys = [...receivedA, ...receivedB].map((m) => `${m.partitionId}:${m.offset}`);
    expect(keys).toHaveLength(40);
    expect(new Set(keys).size).toBe(40);
    expect(receivedB.length).toBeGreaterThan(0);
    const groupId = group!.id;
    for (let p = 0; p < 4; p += 1) expect(await storedOffset(ids, groupConsumer(groupId), p)).toBe(9);
    expect((await admin.getConsumerGroup({ streamId: ids.stream, topicId: ids.topic, groupId }))?.membersCount).toBe(0);
    await Promise.all([clientA.close(), clientB.close()]);
  });

  it('never repeats a message while commits lag behind prefetched polls', async () => {
    const ids = await topicWith(2, 12);
    const client = rootClient(server);
    const consumer = client.consumer({ ...ids, group: 'lagging', batchSize: 4, prefetch: 2, pollIntervalMs: 10, autoCommit: 'never' });
    const messages = await take(consumer, 24);
    const keys = messages.map((m) => `${m.partitionId}:${m.offset}`);
    expect(new Set(keys).size).toBe(24);
    await consumer.close();
    await client.close();
  });
});
