/**
 * Reconnection: the server is stopped and started again on the same port and data directory; the
 * client reconnects with backoff, logs in again, re-joins its consumer group, and the producer and
 * consumer carry on where they were.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ErrorCode, IggyError, type ReceivedMessage } from '@iggy-ts/sdk';
import { rootClient, startServer, uniqueName, waitFor, type TestServer } from './helpers.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.dispose();
});

it('reconnects after a server restart, logs in again and continues producing and consuming', async () => {
  const client = rootClient(server, { reconnect: { initialDelayMs: 20, maxDelayMs: 200, maxAttempts: 100 } });
  const events: string[] = [];
  client.on('connect', () => events.push('connect'));
  client.on('disconnect', () => events.push('disconnect'));
  const streamName = uniqueName('reconnect');
  const stream = await client.ensureStream(streamName);
  const topic = await client.ensureTopic({ streamId: stream.id, name: 't', partitionsCount: 2 });
  const ids = { stream: stream.id, topic: topic.id };
  const producer = client.producer({ ...ids, lingerMs: 1 });
  const consumer = client.consumer({ ...ids, group: 'survivors', batchSize: 10, pollIntervalMs: 10, prefetch: 0 });
  const received: ReceivedMessage[] = [];
  const loop = (async () => {
    for await (const message of consumer) received.push(message);
  })();

  await producer.send(Array.from({ length: 6 }, (_, i) => `before-${i}`));
  await waitFor(() => received.length === 6, 5000, 'messages before the restart');

  await server.stop();
  await waitFor(() => events.includes('disconnect'), 5000, 'disconnect event');
  await new Promise((resolve) => setTimeout(resolve, 100));
  await server.restart();
  await waitFor(() => events.filter((event) => event === 'connect').length >= 2, 10_000, 'reconnect');

  expect(client.userId).toBe(0);
  const me = await client.getMe();
  expect(me.userId).toBe(0);
  expect(me.consumerGroups).toHaveLength(1);

  await producer.send(Array.from({ length: 6 }, (_, i) => `after-${i}`));
  await waitFor(() => received.length >= 12, 10_000, 'messages after the restart');
  const texts = received.map((m) => m.text());
  expect(texts.filter((t) => t.startsWith('after-')).sort()).toEqual(Array.from({ length: 6 }, (_, i) => `after-${i}`));
  expect(new Set(texts).size).toBe(texts.length);

  await producer.close();
  await consumer.close();
  await loop;
  await client.close();
});

it('fails requests with CannotEstablishConnection when reconnecting is disabled and the server is gone', async () => {
  const client = rootClient(server, { reconnect: { enabled: false } });
  await client.ping();
  await server.stop();
  const error = await client.ping().catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(IggyError);
  expect([ErrorCode.Disconnected, ErrorCode.CannotEstablishConnection, ErrorCode.NotConnected]).toContain((error as IggyError).code);
  const again = await client.ping().catch((caught: unknown) => caught);
  expect((again as IggyError).code).toBe(ErrorCode.CannotEstablishConnection);
  await client.close();
  await server.restart();
});
