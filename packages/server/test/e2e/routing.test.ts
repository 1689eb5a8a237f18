/**
 * Partition → shard routing (docs/sharding.md): every partition operation goes to the shard `shardOf`
 * names, that shard alone holds the partition, the partitions of one topic spread over the shards,
 * writes to partitions on different shards proceed at the same time, and since the files do not record
 * their shard, a restart with another shard count serves the same data.
 * The routing is observed by wrapping the in-process server's ShardPool.send (white box).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, IggyError, initHashes, partitionId, pollingStrategy, type SendMessage } from '@iggy-ts/protocol';
import { shardOf, type IggyServer } from '@iggy-ts/server';
import { TestClient } from '../helpers/client.js';
import { messageDifference, randomMessages, type StoredMessage } from '../helpers/messages.js';
import { Random, testSeed, withSeed } from '../helpers/random.js';
import { startServer, type TestServer } from '../helpers/server.js';

beforeAll(async () => {
  await initHashes();
});

let running: TestServer | undefined;
afterEach(async () => {
  await running?.dispose();
  running = undefined;
});

interface Routed {
  shardId: number;
  op: string;
  partition: { streamId: number; topicId: number; partitionId: number } | undefined;
  /** Requests in flight on each shard just before this one was posted. */
  inFlightBefore: number[];
}

/** Records every command the router posts to a shard. */
function recordRouting(server: IggyServer): Routed[] {
  const routed: Routed[] = [];
  const pool = server.state.shards;
  const send = pool.send.bind(pool);
  pool.send = (shardId, command, transfer) => {
    const partition = 'partition' in command ? command.partition : undefined;
    routed.push({ shardId, op: command.op, partition: partition === undefined ? undefined : { ...partition }, inFlightBefore: [...pool.inFlight] });
    return send(shardId, command, transfer);
  };
  return routed;
}

async function pollAll(client: TestClient, streamId: number, topicId: number, partition: number): Promise<StoredMessage[]> {
  const all: StoredMessage[] = [];
  let offset = 0;
  for (let page = 0; page < 10_000; page += 1) {
    const batch = await client.poll({ streamId, topicId, partitionId: partition, strategy: pollingStrategy.offset(offset), count: 500 });
    if (batch.messages.length === 0) return all;
    all.push(...batch.messages);
    offset = batch.messages[batch.messages.length - 1]!.offset + 1;
  }
  throw new Error('pollAll did not reach the end');
}

describe('partition routing', () => {
  it('spreads the partitions of one topic over different shards for many stream and topic ids', () => {
    for (let streamId = 0; streamId < 50; streamId += 1) {
      for (let topicId = 0; topicId < 20; topicId += 1) {
        for (const shardsCount of [2, 3, 4, 8]) {
          const shards = Array.from({ length: shardsCount }, (_, id) => shardOf({ streamId, topicId, partitionId: id }, shardsCount));
          expect(new Set(shards).size, `stream ${streamId} topic ${topicId} over ${shardsCount} shards`).toBe(shardsCount);
          for (const shard of shards) expect(shard >= 0 && shard < shardsCount).toBe(true);
        }
      }
    }
  });

  it('sends each partition operation to the shard shardOf names, and only that shard holds the partition', async () => {
    running = await startServer({ system: { shardCount: 2 } });
    const routed = recordRouting(running.server);
    const client = await TestClient.login(running.port);
    const stream = await client.createStream('routing');
    const topic = await client.createTopic(stream.id, 't', 2);
    await client.send(stream.id, topic.id, partitionId(0), [{ payload: Buffer.from('zero') }]);
    await client.send(stream.id, topic.id, partitionId(1), [{ payload: Buffer.from('one') }]);
    await client.poll({ streamId: stream.id, topicId: topic.id, partitionId: 1, strategy: pollingStrategy.first(), count: 1 });

    const partitionOps = routed.filter((entry) => entry.partition !== undefined);
    expect(partitionOps.map((entry) => entry.op)).toEqual(expect.arrayContaining(['open', 'append', 'poll']));
    for (const entry of partitionOps) expect(entry.shardId, `${entry.op} ${JSON.stringify(entry.partition)}`).toBe(shardOf(entry.partition!, 2));
    const owner0 = shardOf({ streamId: stream.id, topicId: topic.id, partitionId: 0 }, 2);
    const owner1 = shardOf({ streamId: stream.id, topicId: topic.id, partitionId: 1 }, 2);
    expect(owner0).not.toBe(owner1);
    expect(running.server.state.shards.shardFor({ streamId: stream.id, topicId: topic.id, partitionId: 0 })).toBe(owner0);

    // The other shard does not know the partition at all.
    const pool = running.server.state.shards;
    const askOther = pool.send(owner1, { op: 'poll', partition: { streamId: stream.id, topicId: topic.id, partitionId: 0 }, consumerKind: 'consumer', consumerId: 1, strategyKind: 3, strategyValue: 0, count: 1, autoCommit: false, headerReserveBytes: 24 });
    await expect(askOther).rejects.toSatisfy((error: unknown) => error instanceof IggyError && error.code === ErrorCode.PartitionNotFound);
    const askOwner = await pool.send(owner0, { op: 'poll', partition: { streamId: stream.id, topicId: topic.id, partitionId: 0 }, consumerKind: 'consumer', consumerId: 1, strategyKind: 3, strategyValue: 0, count: 1, autoCommit: false, headerReserveBytes: 24 });
    expect(askOwner.count).toBe(1);
    await client.close();
  });

  it('writes to two partitions on different shards concurrently, both completely and in order', async () => {
    const seed = testSeed();
    await withSeed(seed, async () => {
      running = await startServer({ system: { shardCount: 2 }, durability: { mode: 'fsync' } });
      const routed = recordRouting(running.server);
      const admin = await TestClient.login(running.port);
      const stream = await admin.createStream('parallel');
      const topic = await admin.createTopic(stream.id, 't', 2);
      const owners = [0, 1].map((id) => shardOf({ streamId: stream.id, topicId: topic.id, partitionId: id }, 2));
      expect(owners[0]).not.toBe(owners[1]);

      const random = new Random(seed);
      const sent: SendMessage[][] = [[], []];
      const batchesByPartition = [0, 1].map(() => Array.from({ length: 60 }, () => randomMessages(random, random.between(1, 40), { payloadSizeBytesMax: 1000 })));
      const producers = [0, 1].map(async (partition) => {
        const batches = batchesByPartition[partition]!;
        for (const batch of batches) sent[partition]!.push(...batch);
        const client = await TestClient.login(running!.port);
        // Several requests in flight per connection; the server answers them in order.
        for (let i = 0; i < batches.length; i += 6) {
          await Promise.all(batches.slice(i, i + 6).map((batch) => client.send(stream.id, topic.id, partitionId(partition), batch)));
        }
        await client.close();
      });
      await Promise.all(producers);

      for (const partition of [0, 1]) {
        const stored = await pollAll(admin, stream.id, topic.id, partition);
        expect(stored).toHaveLength(sent[partition]!.length);
        stored.forEach((message, i) => {
          expect(message.offset).toBe(i);
          expect(messageDifference(sent[partition]![i]!, message)).toBeUndefined();
        });
      }
      // Both shards had appends in flight at the same time at least once.
      const appends = routed.filter((entry) => entry.op === 'append');
      expect(appends).toHaveLength(120);
      const overlapping = appends.filter((entry) => entry.inFlightBefore[entry.shardId === owners[0] ? owners[1]! : owners[0]!]! > 0);
      expect(overlapping.length).toBeGreaterThan(0);
      await admin.close();
    });
  });

  it('serves all data after restarts with a different shard count', async () => {
    const seed = testSeed();
    await withSeed(seed, async () => {
      const random = new Random(seed);
      running = await startServer({ system: { shardCount: 2 }, segment: { sizeBytes: 16 * 1024 } });
      let client = await TestClient.login(running.port);
      const stream = await client.createStream('reshard');
      const topics = [await client.createTopic(stream.id, 'a', 3), await client.createTopic(stream.id, 'b', 4)];
      const sent = new Map<string, SendMessage[]>();
      for (const topic of topics) {
        for (let partition = 0; partition < topic.partitionsCount; partition += 1) {
          const messages = randomMessages(random, random.between(20, 80), { payloadSizeBytesMax: 800 });
          await client.send(stream.id, topic.id, partitionId(partition), messages);
          sent.set(`${topic.id}/${partition}`, messages);
        }
      }
      await client.close();

      for (const shardCount of [3, 1, 4]) {
        running = await running.restart({ system: { shardCount } });
        expect(running.server.state.shards.shardsCount).toBe(shardCount);
        const routed = recordRouting(running.server);
        client = await TestClient.login(running.port);
        for (const topic of topics) {
          for (let partition = 0; partition < topic.partitionsCount; partition += 1) {
            const key = `${topic.id}/${partition}`;
            const more = randomMessages(random, 2);
            await client.send(stream.id, topic.id, partitionId(partition), more);
            sent.get(key)!.push(...more);
            const stored = await pollAll(client, stream.id, topic.id, partition);
            const expected = sent.get(key)!;
            expect(stored, `${key} with ${shardCount} shards`).toHaveLength(expected.length);
            stored.forEach((message, i) => {
              expect(message.offset).toBe(i);
              expect(messageDifference(expected[i]!, message)).toBeUndefined();
            });
          }
        }
        for (const entry of routed.filter((item) => item.partition !== undefined)) expect(entry.shardId).toBe(shardOf(entry.partition!, shardCount));
        await client.close();
      }
    });
  });
});
