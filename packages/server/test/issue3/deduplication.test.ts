// Message deduplication (reference 5.6) with system.message_deduplication enabled: a message whose id
// was seen in the same partition within the window is dropped, the reply is still OK, offsets stay
// dense (this server removes duplicates before assigning offsets, unlike 0.8), and after a restart
// the window is rebuilt from the log so a re-sent id is still dropped.
import { pollingStrategy, type PolledMessage } from '@iggy-ts/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, TestServer, type TestClient } from './helpers.js';

function withIds(ids: readonly number[], tag: string) {
  return ids.map((id) => ({ id: BigInt(id), payload: Buffer.from(`${tag}:${id}`) }));
}

describe('deduplication across a restart', () => {
  let server: TestServer;
  let root: TestClient;
  let streamId: number;
  let topicId: number;

  beforeAll(async () => {
    server = await TestServer.start({ system: { messageDeduplication: { enabled: true } } });
    root = await server.client();
    streamId = (await root.createStream('dedup')).id;
    topicId = (await root.createTopic(streamId, 'orders', 2)).id;
  });

  afterAll(async () => {
    await root?.close();
    await server?.stop();
  });

  async function all(partitionId: number): Promise<readonly PolledMessage[]> {
    return (await root.poll(streamId, topicId, partitionId, pollingStrategy.first(), 10_000)).messages;
  }

  function summary(messages: readonly PolledMessage[]): [number, string][] {
    return messages.map((message) => [message.offset, message.payload.toString()]);
  }

  it('drops repeated ids within and across batches and keeps offsets dense', async () => {
    expect(await root.send(streamId, topicId, 0, withIds([1, 2, 3, 4, 5], 'a'))).toBe(0);
    expect(await root.send(streamId, topicId, 0, withIds([3, 6, 1, 7], 'b'))).toBe(0);
    expect(await root.send(streamId, topicId, 0, withIds([8, 8, 9], 'c'))).toBe(0);
    // A batch of nothing but duplicates is accepted and leaves no trace (0.8 panics here).
    expect(await root.send(streamId, topicId, 0, withIds([2, 4, 6], 'd'))).toBe(0);
    // Id 0 asks the server for a random id: never a duplicate.
    expect(await root.send(streamId, topicId, 0, [{ payload: Buffer.from('e:auto') }, { id: 0n, payload: Buffer.from('e:auto') }])).toBe(0);
    const messages = await all(0);
    expect(summary(messages)).toEqual([
      [0, 'a:1'], [1, 'a:2'], [2, 'a:3'], [3, 'a:4'], [4, 'a:5'],
      [5, 'b:6'], [6, 'b:7'],
      [7, 'c:8'], [8, 'c:9'],
      [9, 'e:auto'], [10, 'e:auto'],
    ]);
    expect(messages.slice(0, 9).map((message) => message.id)).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n]);
    expect(messages[9]!.id).not.toBe(messages[10]!.id);
  });

  it('keeps a window per partition', async () => {
    expect(await root.send(streamId, topicId, 1, withIds([1, 2, 1], 'p1'))).toBe(0);
    expect(summary(await all(1))).toEqual([[0, 'p1:1'], [1, 'p1:2']]);
  });

  it('rebuilds the window from the log after a restart', async () => {
    await root.close();
    await server.restart();
    root = await server.client();
    expect(await root.send(streamId, topicId, 0, withIds([7], 'after'))).toBe(0);
    expect(await root.send(streamId, topicId, 0, withIds([1, 10, 9, 11], 'after'))).toBe(0);
    expect(await root.send(streamId, topicId, 1, withIds([2, 3], 'after'))).toBe(0);
    const messages = await all(0);
    expect(messages.map((message) => message.offset)).toEqual(Array.from({ length: 13 }, (_, i) => i));
    expect(summary(messages.slice(11))).toEqual([[11, 'after:10'], [12, 'after:11']]);
    expect(summary(await all(1))).toEqual([[0, 'p1:1'], [1, 'p1:2'], [2, 'after:3']]);
  });
});

describe('deduplication window limits', () => {
  let server: TestServer;
  let root: TestClient;

  beforeAll(async () => {
    server = await TestServer.start({ system: { messageDeduplication: { enabled: true, entryCountMax: 3, expiryMs: 1_000 } } });
    root = await server.client();
  });

  afterAll(async () => {
    await root?.close();
    await server?.stop();
  });

  it('forgets ids after the expiry and beyond the most recent entries', async () => {
    const streamId = (await root.createStream('window')).id;
    const topicId = (await root.createTopic(streamId, 'events', 1)).id;
    expect(await root.send(streamId, topicId, 0, withIds([1], 'first'))).toBe(0);
    expect(await root.send(streamId, topicId, 0, withIds([1], 'repeat'))).toBe(0);
    await sleep(1_100);
    expect(await root.send(streamId, topicId, 0, withIds([1], 'expired'))).toBe(0);
    // Only the 3 most recent ids are remembered: 2, 3, 4 push 1 out.
    expect(await root.send(streamId, topicId, 0, withIds([2, 3, 4], 'more'))).toBe(0);
    expect(await root.send(streamId, topicId, 0, withIds([1, 4], 'evicted'))).toBe(0);
    const polled = await root.poll(streamId, topicId, 0, pollingStrategy.first(), 100);
    expect(polled.messages.map((message) => [message.offset, message.payload.toString()])).toEqual([
      [0, 'first:1'],
      [1, 'expired:1'],
      [2, 'more:2'],
      [3, 'more:3'],
      [4, 'more:4'],
      [5, 'evicted:1'],
    ]);
  });
});
