/**
 * Acceptance 4: a clean stop and a start on the same data directory keep everything. Streams
 * (with an id gap), topics, partitions, messages with user headers (across several small segments),
 * consumer offsets of individual consumers and of a group, a user and its personal access token are
 * created; the server stops and starts again; every message comes back byte for byte (ids, offsets,
 * timestamps, payloads, headers, checksums), every listing and offset is unchanged, new sends continue
 * the offsets without a gap, and the user can log in with its password and with its token.
 * Run in both durability modes: in buffered mode the stop itself must write the journal.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConsumerKind, allGlobalPermissions, initHashes, noGlobalPermissions, partitionId, pollingStrategy, type Consumer, type SendMessage } from '@iggy-ts/protocol';
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

interface PartitionRef {
  streamId: number;
  topicId: number;
  partitionId: number;
}

async function pollAll(client: TestClient, ref: PartitionRef): Promise<StoredMessage[]> {
  const all: StoredMessage[] = [];
  let offset = 0;
  for (let page = 0; page < 10_000; page += 1) {
    const batch = await client.poll({ ...ref, strategy: pollingStrategy.offset(offset), count: 37 });
    if (batch.messages.length === 0) return all;
    all.push(...batch.messages);
    offset = batch.messages[batch.messages.length - 1]!.offset + 1;
  }
  throw new Error('pollAll did not reach the end');
}

describe.each(['buffered', 'fsync'] as const)('restart with %s durability', (mode) => {
  it('keeps streams, topics, messages, offsets, users and tokens across a clean restart', async () => {
    const seed = testSeed();
    await withSeed(seed, async () => {
      const random = new Random(seed);
      running = await startServer({
        durability: { mode, flushIntervalMs: 24 * 60 * 60 * 1000 },
        segment: { sizeBytes: 8 * 1024 },
      });
      let client = await TestClient.login(running.port);

      // Streams 0..2, then delete the middle one: the restart must keep the gap and the other ids.
      const orders = await client.createStream('orders');
      const doomed = await client.createStream('doomed');
      const audit = await client.createStream('audit');
      await client.deleteStream(doomed.id);
      const ordersTopic = await client.createTopic(orders.id, 'eu', 3);
      const ordersOther = await client.createTopic(orders.id, 'us', 1);
      const auditTopic = await client.createTopic(audit.id, 'events', 2);

      const partitions: PartitionRef[] = [
        ...[0, 1, 2].map((id) => ({ streamId: orders.id, topicId: ordersTopic.id, partitionId: id })),
        { streamId: orders.id, topicId: ordersOther.id, partitionId: 0 },
        ...[0, 1].map((id) => ({ streamId: audit.id, topicId: auditTopic.id, partitionId: id })),
      ];
      const sent = new Map<PartitionRef, SendMessage[]>();
      for (const ref of partitions) sent.set(ref, []);
      for (let batch = 0; batch < 24; batch += 1) {
        const ref = random.pick(partitions);
        const messages = randomMessages(random, random.between(1, 12), { payloadSizeBytesMax: 900, headersChance: 0.7 });
        await client.send(ref.streamId, ref.topicId, partitionId(ref.partitionId), messages);
        sent.get(ref)!.push(...messages);
      }
      // Every partition gets at least one message, and one partition spans several segments.
      for (const ref of partitions) {
        const messages = randomMessages(random, 3, { headersChance: 1 });
        await client.send(ref.streamId, ref.topicId, partitionId(ref.partitionId), messages);
        sent.get(ref)!.push(...messages);
      }
      // Ten batches above the 8 KiB segment size: each one seals a segment.
      for (let batch = 0; batch < 10; batch += 1) {
        const big = randomMessages(random, 10, { payloadSizeBytesMax: 1000 }).map((message) => ({ ...message, payload: random.bytes(1000) }));
        await client.send(partitions[0]!.streamId, partitions[0]!.topicId, partitionId(0), big);
        sent.get(partitions[0]!)!.push(...big);
      }

      // Consumer offsets: numeric and named individual consumers, and a consumer group.
      const numeric: Consumer = { kind: ConsumerKind.Consumer, id: 5 };
      const named: Consumer = { kind: ConsumerKind.Consumer, id: 'billing' };
      await client.storeOffset(numeric, orders.id, ordersTopic.id, 1, 0);
      await client.storeOffset(numeric, orders.id, ordersTopic.id, 0, 10);
      await client.storeOffset(named, audit.id, auditTopic.id, 1, 1);
      const group = await client.createConsumerGroup(orders.id, ordersTopic.id, 'workers');
      const groupConsumer: Consumer = { kind: ConsumerKind.ConsumerGroup, id: group.id };
      await client.joinConsumerGroup(orders.id, ordersTopic.id, group.id);
      await client.storeOffset(groupConsumer, orders.id, ordersTopic.id, 2, 1);

      // A user with some permissions, and a token of that user.
      const alice = await client.createUser('alice', 'alice-secret', {
        global: { ...noGlobalPermissions(), readStreams: true, pollMessages: true },
        streams: new Map(),
      });
      const aliceClient = await TestClient.login(running.port, 'alice', 'alice-secret');
      const token = await aliceClient.createToken('alice-token');
      await aliceClient.close();

      // What a client sees before the restart.
      const streamsBefore = await client.getStreams();
      const topicsBefore = await Promise.all([client.getTopic(orders.id, ordersTopic.id), client.getTopic(orders.id, ordersOther.id), client.getTopic(audit.id, auditTopic.id)]);
      expect(topicsBefore[0]!.partitions[0]!.segmentsCount).toBeGreaterThan(10);
      const messagesBefore = new Map<PartitionRef, StoredMessage[]>();
      for (const ref of partitions) {
        const stored = await pollAll(client, ref);
        const expected = sent.get(ref)!;
        expect(stored.map((message) => message.offset)).toEqual(expected.map((_, i) => i));
        stored.forEach((message, i) => expect(messageDifference(expected[i]!, message)).toBeUndefined());
        messagesBefore.set(ref, stored);
      }
      const offsetsBefore = await Promise.all([
        client.getOffset(numeric, orders.id, ordersTopic.id, 0),
        client.getOffset(numeric, orders.id, ordersTopic.id, 1),
        client.getOffset(named, audit.id, auditTopic.id, 1),
        client.getOffset(groupConsumer, orders.id, ordersTopic.id, 2),
      ]);
      expect(offsetsBefore.map((offset) => offset?.storedOffset)).toEqual([10, 0, 1, 1]);
      await client.close();

      running = await running.restart();
      client = await TestClient.login(running.port);

      expect(await client.getStreams()).toEqual(streamsBefore);
      expect(await client.getStream(doomed.id)).toBeUndefined();
      const topicsAfter = await Promise.all([client.getTopic(orders.id, ordersTopic.id), client.getTopic(orders.id, ordersOther.id), client.getTopic(audit.id, auditTopic.id)]);
      expect(topicsAfter).toEqual(topicsBefore);
      for (const ref of partitions) {
        const stored = await pollAll(client, ref);
        const before = messagesBefore.get(ref)!;
        expect(stored).toHaveLength(before.length);
        stored.forEach((message, i) => {
          expect(message.checksumValid).toBe(true);
          expect(message.raw.equals(before[i]!.raw), `partition ${JSON.stringify(ref)} offset ${i} differs after restart`).toBe(true);
        });
      }
      expect(
        await Promise.all([
          client.getOffset(numeric, orders.id, ordersTopic.id, 0),
          client.getOffset(numeric, orders.id, ordersTopic.id, 1),
          client.getOffset(named, audit.id, auditTopic.id, 1),
          client.getOffset(groupConsumer, orders.id, ordersTopic.id, 2),
        ]),
      ).toEqual(offsetsBefore);
      const groupAfter = await client.getConsumerGroup(orders.id, ordersTopic.id, group.id);
      expect({ id: groupAfter?.id, name: groupAfter?.name, partitionsCount: groupAfter?.partitionsCount }).toEqual({ id: group.id, name: 'workers', partitionsCount: 3 });
      // Timestamp, first and last polls find the same messages in the recovered segments.
      const multiSegment = messagesBefore.get(partitions[0]!)!;
      for (const index of [0, 1, Math.floor(multiSegment.length / 2), multiSegment.length - 1]) {
        const timestamp = multiSegment[index]!.timestamp;
        const expectedOffset = multiSegment.findIndex((message) => message.timestamp >= timestamp);
        const byTime = await client.poll({ ...partitions[0]!, strategy: pollingStrategy.timestamp(timestamp), count: 1 });
        expect(byTime.messages[0]?.offset, `timestamp poll at message ${index}`).toBe(expectedOffset);
      }
      const lastTwo = await client.poll({ ...partitions[0]!, strategy: pollingStrategy.last(), count: 2 });
      expect(lastTwo.messages.map((message) => message.offset)).toEqual([multiSegment.length - 2, multiSegment.length - 1]);
      expect((await client.poll({ ...partitions[0]!, strategy: pollingStrategy.first(), count: 1 })).messages[0]?.offset).toBe(0);
      // Next continues after the stored offset.
      const next = await client.poll({ streamId: orders.id, topicId: ordersTopic.id, partitionId: 0, strategy: pollingStrategy.next(), count: 2, consumer: numeric });
      expect(next.messages.map((message) => message.offset)).toEqual([11, 12]);

      // New sends continue every partition's offsets without a gap.
      for (const ref of partitions) {
        const more = randomMessages(random, 2, { headersChance: 1 });
        await client.send(ref.streamId, ref.topicId, partitionId(ref.partitionId), more);
        const stored = await pollAll(client, ref);
        const count = messagesBefore.get(ref)!.length;
        expect(stored.map((message) => message.offset)).toEqual(Array.from({ length: count + 2 }, (_, i) => i));
        expect(messageDifference(more[1]!, stored[count + 1]!)).toBeUndefined();
      }
      // A new stream does not collide with the kept ids.
      const fresh = await client.createStream('after-restart');
      expect([orders.id, audit.id]).not.toContain(fresh.id);

      const aliceAfter = await client.getUser(alice.id);
      expect(aliceAfter?.username).toBe('alice');
      expect(aliceAfter?.permissions?.global).toEqual({ ...noGlobalPermissions(), readStreams: true, pollMessages: true });
      expect(aliceAfter?.permissions?.global).not.toEqual(allGlobalPermissions());
      await client.close();

      const byPassword = await TestClient.connect(running.port);
      expect(await byPassword.loginUser('alice', 'alice-secret')).toBe(alice.id);
      expect((await byPassword.getStreams()).map((stream) => stream.id)).toContain(orders.id);
      await byPassword.close();
      const byToken = await TestClient.connect(running.port);
      expect(await byToken.loginWithToken(token)).toBe(alice.id);
      const polled = await byToken.poll({ streamId: audit.id, topicId: auditTopic.id, partitionId: 0, strategy: pollingStrategy.first(), count: 1 });
      expect(polled.messages).toHaveLength(1);
      await byToken.close();
    });
  });
});
