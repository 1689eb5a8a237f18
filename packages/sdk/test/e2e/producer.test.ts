/**
 * The Producer batches by count, size and linger time, bounds its memory when sends outpace
 * acknowledgements, partitions by key, and reports failures to the caller or in the background.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, IggyClient, IggyError, Message, partitionForKey, pollingStrategy } from '@iggy-ts/sdk';
import { recordingClient, rootClient, startServer, uniqueName, type TestServer } from './helpers.js';

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

async function topicWith(partitionsCount: number): Promise<{ stream: number; topic: number }> {
  const stream = await admin.createStream({ name: uniqueName('producer') });
  const topic = await admin.createTopic({ streamId: stream.id, name: 't', partitionsCount });
  return { stream: stream.id, topic: topic.id };
}

async function readAll(ids: { stream: number; topic: number }, partitionId = 0): Promise<string[]> {
  const batch = await admin.pollMessages({ streamId: ids.stream, topicId: ids.topic, partitionId, strategy: pollingStrategy.first(), count: 10_000 });
  return batch.messages.map((m) => m.text());
}

describe('Producer batching', () => {
  it('cuts batches at batchMaxMessages and sends the rest on flush', async () => {
    const ids = await topicWith(1);
    const { client, transport } = recordingClient(server);
    const producer = client.producer({ ...ids, batchMaxMessages: 10, lingerMs: 10_000, background: true });
    for (let i = 0; i < 25; i += 1) await producer.send(`m${i}`);
    await producer.flush();
    expect(transport.sentBatchSizes).toEqual([10, 10, 5]);
    expect(await readAll(ids)).toEqual(Array.from({ length: 25 }, (_, i) => `m${i}`));
    await client.close();
  });

  it('cuts batches at batchMaxBytes', async () => {
    const ids = await topicWith(1);
    const { client, transport } = recordingClient(server);
    const payload = Buffer.alloc(100, 1);
    const producer = client.producer({ ...ids, batchMaxBytes: 3 * (64 + 100), lingerMs: 10_000, background: true });
    await producer.send(Array.from({ length: 7 }, () => payload));
    await producer.close();
    expect(transport.sentBatchSizes).toEqual([3, 3, 1]);
    await client.close();
  });

  it('sends a partial batch after lingerMs and resolves send once it is acknowledged', async () => {
    const ids = await topicWith(1);
    const { client, transport } = recordingClient(server);
    await client.connect();
    const producer = client.producer({ ...ids, lingerMs: 80 });
    const started = Date.now();
    await Promise.all([producer.send('a'), producer.send(['b', 'c']), producer.send(Message.from('d'))]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
    expect(transport.sentBatchSizes).toEqual([4]);
    expect(await readAll(ids)).toEqual(['a', 'b', 'c', 'd']);
    await client.close();
  });
});

describe('Producer backpressure', () => {
  it('stays bounded when sends outpace acknowledgements with one batch in flight', async () => {
    // Goal: acks are slow (20 ms) and the sender never stops; the producer must make send wait
    // instead of buffering, holding at most one batch in flight plus one pending batch.
    const ids = await topicWith(1);
    const { client, transport } = recordingClient(server);
    await client.connect();
    transport.ackDelayMs = 20;
    const producer = client.producer({ ...ids, batchMaxMessages: 10, lingerMs: 1, maxInFlightBatches: 1, background: true });
    let waitingSeen = 0;
    for (let i = 0; i < 150; i += 1) {
      await producer.send(`m${i}`);
      const stats = producer.stats;
      expect(stats.inFlightBatches).toBeLessThanOrEqual(1);
      expect(stats.pendingMessages).toBeLessThanOrEqual(10);
      if (stats.inFlightBatches === 1 && stats.pendingMessages === 10) waitingSeen += 1;
    }
    await producer.close();
    expect(producer.stats.heldMessagesMax).toBeLessThanOrEqual(20);
    expect(waitingSeen).toBeGreaterThan(0);
    expect(transport.sentBatchSizes.every((size) => size <= 10)).toBe(true);
    expect(await readAll(ids)).toEqual(Array.from({ length: 150 }, (_, i) => `m${i}`));
    await client.close();
  });

  it('queues concurrent sends in call order without growing its buffer', async () => {
    const ids = await topicWith(1);
    const { client, transport } = recordingClient(server);
    await client.connect();
    transport.ackDelayMs = 10;
    const producer = client.producer({ ...ids, batchMaxMessages: 5, lingerMs: 1, maxInFlightBatches: 2 });
    const sends = Array.from({ length: 40 }, (_, i) => producer.send(`m${i}`));
    expect(producer.stats.waitingSends).toBeGreaterThan(0);
    await Promise.all(sends);
    expect(producer.stats.heldMessagesMax).toBeLessThanOrEqual(15);
    expect(producer.stats.sentMessages).toBe(40);
    expect((await readAll(ids)).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `m${i}`).sort());
    await client.close();
  });
});

describe('Producer partitioning and failures', () => {
  it('sends messages with the same key to the same partition', async () => {
    const ids = await topicWith(3);
    const client = rootClient(server);
    const producer = client.producer({ ...ids, partitioning: { key: (message) => (message as string).split(':')[0]! }, lingerMs: 1 });
    const keys = ['alice', 'bob', 'carol', 'dave'];
    await producer.send(Array.from({ length: 20 }, (_, i) => `${keys[i % 4]}:${i}`));
    for (const key of keys) {
      const partition = partitionForKey(Buffer.from(key), 3);
      const texts = await readAll(ids, partition);
      expect(texts.filter((text) => text.startsWith(`${key}:`))).toHaveLength(5);
    }
    await client.close();
  });

  it('sends to a fixed partition and gives uuid v7 ids when asked', async () => {
    const ids = await topicWith(2);
    const client = rootClient(server);
    const producer = client.producer({ ...ids, partitioning: { partitionId: 1 }, messageIds: 'uuidv7' });
    await producer.send(['x', 'y']);
    const batch = await admin.pollMessages({ streamId: ids.stream, topicId: ids.topic, partitionId: 1, strategy: pollingStrategy.first(), count: 10 });
    expect(batch.messages.map((m) => m.text())).toEqual(['x', 'y']);
    expect(batch.messages.every((m) => m.uuid[14] === '7')).toBe(true);
    await client.close();
  });

  it('rejects send with the server error when its batch fails', async () => {
    const client = rootClient(server);
    const producer = client.producer({ stream: 999_999, topic: 1, lingerMs: 1 });
    const error = await producer.send('lost').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IggyError);
    expect((error as IggyError).code).toBe(ErrorCode.StreamIdNotFound);
    await client.close();
  });

  it('reports background failures to onError and to the next flush', async () => {
    const client = rootClient(server);
    const failures: number[] = [];
    const producer = client.producer({ stream: 999_999, topic: 1, lingerMs: 1, background: true, onError: (_error, count) => failures.push(count) });
    await producer.send(['a', 'b']);
    const error = await producer.flush().catch((caught: unknown) => caught);
    expect((error as IggyError).code).toBe(ErrorCode.StreamIdNotFound);
    expect(failures).toEqual([2]);
    await producer.flush();
    await producer.close();
    await expect(producer.send('after close')).rejects.toBeInstanceOf(IggyError);
    await client.close();
  });
});
