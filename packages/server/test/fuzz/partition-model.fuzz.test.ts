/**
 * A live partition against a plain list: random sends (some far larger than the cache), flushes with
 * and without fsync, and polls of random ranges over one TCP connection, each poll compared with the
 * list; then a clean restart and a full comparison. Small segments (32 KiB) and small or no ring cache
 * force rollovers and reads from the segment files while they are being written (direct I/O on, the
 * default), in both durability modes, with save thresholds low enough that buffered mode writes often.
 * Seeded (TEST_SEED / FUZZ_SEED replays).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initHashes, partitionId, pollingStrategy, type SendMessage } from '@iggy-ts/protocol';
import { TestClient } from '../helpers/client.js';
import { messageDifference, randomMessages, type StoredMessage } from '../helpers/messages.js';
import { Random, testSeed, withSeed } from '../helpers/random.js';
import { startServer } from '../helpers/server.js';

const STEPS = 250;

beforeAll(async () => {
  await initHashes();
});

function expectSame(expected: readonly SendMessage[], stored: readonly StoredMessage[], from: number, where: string): void {
  stored.forEach((message, i) => {
    expect(message.offset, where).toBe(from + i);
    const difference = messageDifference(expected[from + i]!, message);
    if (difference !== undefined) expect.fail(`${where}: ${difference}`);
  });
}

describe.each([
  { mode: 'buffered', cacheSizeBytes: 0 },
  { mode: 'buffered', cacheSizeBytes: 64 * 1024 },
  { mode: 'fsync', cacheSizeBytes: 0 },
  { mode: 'fsync', cacheSizeBytes: 64 * 1024 },
] as const)('a partition with $mode durability and a $cacheSizeBytes-byte cache', ({ mode, cacheSizeBytes }) => {
  it('serves interleaved sends, flushes and polls exactly like a list, before and after a restart', async () => {
    const seed = testSeed();
    await withSeed(seed, async () => {
      const random = new Random(seed);
      let server = await startServer({
        segment: { cacheSizeBytes, sizeBytes: 32 * 1024 },
        durability: { mode, saveThresholdMessageCount: 7, saveThresholdSizeBytes: 5000 },
      });
      try {
        let client = await TestClient.login(server.port);
        const stream = await client.createStream('model');
        const topic = await client.createTopic(stream.id, 't', 1);
        const model: SendMessage[] = [];
        for (let step = 0; step < STEPS; step += 1) {
          const action = random.float();
          if (action < 0.45) {
            const messages = randomMessages(random, random.between(1, 8), { payloadSizeBytesMax: random.chance(0.1) ? 20_000 : 700 });
            await client.send(stream.id, topic.id, partitionId(0), messages);
            model.push(...messages);
          } else if (action < 0.5) {
            await client.flush(stream.id, topic.id, 0, random.chance(0.5));
          } else if (model.length > 0) {
            const from = random.integer(model.length);
            const count = random.between(1, 50);
            const polled = await client.poll({ streamId: stream.id, topicId: topic.id, partitionId: 0, strategy: pollingStrategy.offset(from), count });
            expect(polled.messages.length, `step ${step}`).toBe(Math.min(count, model.length - from));
            expectSame(model, polled.messages, from, `step ${step}`);
          }
        }
        await client.close();
        server = await server.restart();
        client = await TestClient.login(server.port);
        const all = await client.poll({ streamId: stream.id, topicId: topic.id, partitionId: 0, strategy: pollingStrategy.first(), count: 1_000_000 });
        expect(all.messages.length).toBe(model.length);
        expectSame(model, all.messages, 0, 'after restart');
        await client.close();
      } finally {
        await server.dispose();
      }
    });
  });
});
