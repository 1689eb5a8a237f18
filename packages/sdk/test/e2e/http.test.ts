/**
 * The SDK over HttpTransport against a live server's REST API: the same IggyClient calls as over
 * TCP (streams, topics, partitions, messages with each polling strategy, individual-consumer
 * offsets, users, permissions, personal access tokens, system reads, consumer groups), the
 * Producer and Consumer, the Iggy error codes of failures, exact u64/u128 values, token refresh,
 * and the clear FeatureUnavailable error for what HTTP cannot carry.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IggyServer } from '@iggy-ts/server';
import {
  ErrorCode,
  EXPIRY_NEVER,
  HttpTransport,
  IggyClient,
  IggyError,
  MAX_TOPIC_SIZE_UNLIMITED,
  Message,
  UserStatus,
  groupConsumer,
  header,
  individualConsumer,
  partitionId,
  pollingStrategy,
  type Credentials,
  type Permissions,
} from '@iggy-ts/sdk';

interface HttpServer {
  readonly server: IggyServer;
  readonly url: string;
  stop(): Promise<void>;
}

async function startHttpServer(accessTokenExpiryMs?: number): Promise<HttpServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'iggy-sdk-http-'));
  const server = await IggyServer.start({
    overrides: {
      system: { path: dataDir, shardCount: 1 },
      tcp: { address: '127.0.0.1:0' },
      http: { enabled: true, address: '127.0.0.1:0', ...(accessTokenExpiryMs === undefined ? {} : { jwt: { accessTokenExpiryMs } }) },
      root: { username: 'iggy', password: 'iggy' },
      logging: { level: 'silent' },
    },
  } as Parameters<typeof IggyServer.start>[0]);
  return {
    server,
    url: `http://127.0.0.1:${server.addresses.http!.port}`,
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
const uniqueName = (prefix: string): string => `${prefix}-${process.pid}-${(counter += 1)}`;

async function expectCode(promise: Promise<unknown>, code: number): Promise<IggyError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(IggyError);
  expect((error as IggyError).code).toBe(code);
  return error as IggyError;
}

let api: HttpServer;
let client: IggyClient;

const httpClient = (credentials: Credentials): IggyClient =>
  new IggyClient({ http: { url: api.url }, credentials, reconnect: { maxAttempts: 2 } });

beforeAll(async () => {
  api = await startHttpServer();
  client = httpClient({ username: 'iggy', password: 'iggy' });
  await client.connect();
});

afterAll(async () => {
  await client?.close();
  await api?.stop();
});

describe('system', () => {
  it('pings, and reads stats, cluster metadata, clients and a snapshot', async () => {
    expect(client.transport).toBeInstanceOf(HttpTransport);
    await client.ping();
    const stream = await client.createStream({ name: uniqueName('stats') });
    const stats = await client.getStats();
    expect(stats.streamsCount).toBeGreaterThanOrEqual(1);
    expect(stats.processId).toBe(process.pid);
    expect(stats.iggyServerVersion).toMatch(/^\d+\.\d+\.\d+/);
    const metadata = await client.getClusterMetadata();
    expect(metadata.nodes).toHaveLength(1);
    expect(metadata.nodes[0]!.httpPort).toBe(api.server.addresses.http!.port);
    const clients = await client.getClients();
    expect(Array.isArray(clients)).toBe(true);
    expect(await client.getClient({ clientId: 999_999 })).toBeUndefined();
    const snapshot = await client.getSnapshot();
    expect(snapshot.subarray(0, 2).toString('latin1')).toBe('PK');
    await client.deleteStream({ streamId: stream.id });
  });

  it('reports failures with their Iggy error codes', async () => {
    const error = await expectCode(client.deleteStream({ streamId: 999_999 }), ErrorCode.StreamIdNotFound);
    expect(error.message).toMatch(/DeleteStream/);
    const name = uniqueName('dup');
    await client.createStream({ name });
    await expectCode(client.createStream({ name }), ErrorCode.StreamNameAlreadyExists);
    await client.deleteStream({ streamId: name });
  });
});

describe('streams, topics and partitions', () => {
  it('creates, reads, lists, renames, purges and deletes streams and topics', async () => {
    const name = uniqueName('stream');
    const stream = await client.createStream({ name });
    expect(stream).toMatchObject({ name, topicsCount: 0, messagesCount: 0, topics: [] });
    expect((await client.getStream({ streamId: name }))?.id).toBe(stream.id);
    expect((await client.getStreams()).map((s) => s.name)).toContain(name);
    const renamed = uniqueName('renamed');
    await client.updateStream({ streamId: stream.id, name: renamed });
    expect((await client.getStream({ streamId: stream.id }))?.name).toBe(renamed);

    const topic = await client.createTopic({ streamId: stream.id, name: 'orders', partitionsCount: 3, messageExpiry: EXPIRY_NEVER - 1n, maxTopicSize: MAX_TOPIC_SIZE_UNLIMITED });
    expect(topic).toMatchObject({ name: 'orders', partitionsCount: 3, messageExpiry: EXPIRY_NEVER - 1n, maxTopicSize: MAX_TOPIC_SIZE_UNLIMITED });
    expect(topic.partitions.map((p) => p.id)).toEqual([0, 1, 2]);
    expect((await client.getTopic({ streamId: stream.id, topicId: 'orders' }))?.id).toBe(topic.id);
    expect((await client.getTopics({ streamId: stream.id })).map((t) => t.name)).toEqual(['orders']);
    expect((await client.getStream({ streamId: stream.id }))?.topics.map((t) => t.name)).toEqual(['orders']);
    await expectCode(client.createTopic({ streamId: stream.id, name: 'orders' }), ErrorCode.TopicNameAlreadyExists);

    await client.updateTopic({ streamId: stream.id, topicId: topic.id, name: 'orders-v2', messageExpiry: EXPIRY_NEVER });
    expect(await client.getTopic({ streamId: stream.id, topicId: topic.id })).toMatchObject({ name: 'orders-v2', messageExpiry: EXPIRY_NEVER, partitionsCount: 3 });

    await client.createPartitions({ streamId: stream.id, topicId: topic.id, partitionsCount: 2 });
    expect((await client.getTopic({ streamId: stream.id, topicId: topic.id }))?.partitionsCount).toBe(5);
    await client.deletePartitions({ streamId: stream.id, topicId: topic.id, partitionsCount: 4 });
    expect((await client.getTopic({ streamId: stream.id, topicId: topic.id }))?.partitionsCount).toBe(1);
    await client.deleteSegments({ streamId: stream.id, topicId: topic.id, partitionId: 0, segmentsCount: 1 });

    await client.sendMessages({ streamId: stream.id, topicId: topic.id, messages: ['a', 'b'] });
    expect((await client.getStream({ streamId: stream.id }))?.messagesCount).toBe(2);
    await client.purgeTopic({ streamId: stream.id, topicId: topic.id });
    expect((await client.getTopic({ streamId: stream.id, topicId: topic.id }))?.messagesCount).toBe(0);
    await client.sendMessages({ streamId: stream.id, topicId: topic.id, messages: ['c'] });
    await client.purgeStream({ streamId: stream.id });
    expect((await client.getStream({ streamId: stream.id }))?.messagesCount).toBe(0);

    await client.deleteTopic({ streamId: stream.id, topicId: topic.id });
    expect(await client.getTopic({ streamId: stream.id, topicId: topic.id })).toBeUndefined();
    await client.deleteStream({ streamId: stream.id });
    expect(await client.getStream({ streamId: stream.id })).toBeUndefined();
    expect(await client.getTopics({ streamId: stream.id })).toEqual([]);
  });
});

describe('messages and offsets', () => {
  it('sends, then polls by offset, first, last and next, keeping ids, checksums and headers exact', async () => {
    const stream = await client.createStream({ name: uniqueName('messages') });
    const topic = await client.createTopic({ streamId: stream.id, name: 't', partitionsCount: 2 });
    const ids = { streamId: stream.id, topicId: topic.id };
    const bigId = (1n << 128n) - 2n;
    const messages = [
      Message.from('m0', { id: bigId, headers: { kind: header.string('order'), big: header.uint64(18446744073709551615n), ok: header.bool(true) } }),
      ...['m1', 'm2', 'm3', 'm4'].map((text) => Message.from(text)),
    ];
    await client.sendMessages({ ...ids, partitioning: partitionId(1), messages });
    await client.flushUnsavedBuffer({ ...ids, partitionId: 1, fsync: false });
    const poll = (strategy: ReturnType<typeof pollingStrategy.first>, count = 10, autoCommit = false) =>
      client.pollMessages({ ...ids, consumer: individualConsumer(7), partitionId: 1, strategy, count, autoCommit });

    const first = await poll(pollingStrategy.first(), 2);
    expect(first.messages.map((m) => m.text())).toEqual(['m0', 'm1']);
    expect(first.partitionId).toBe(1);
    expect(first.currentOffset).toBe(4);
    const m0 = first.messages[0]!;
    expect(m0.id).toBe(bigId);
    expect(m0.header('kind')).toBe('order');
    expect(m0.header('big')).toBe(18446744073709551615n);
    expect(m0.header('ok')).toBe(true);
    expect(typeof m0.checksum).toBe('bigint');
    expect(first.messages[1]!.id).not.toBe(0n); // assigned by the server

    expect((await poll(pollingStrategy.offset(3))).messages.map((m) => m.text())).toEqual(['m3', 'm4']);
    expect((await poll(pollingStrategy.last(), 2)).messages.map((m) => m.text())).toEqual(['m3', 'm4']);
    expect((await poll(pollingStrategy.next(), 2, true)).messages.map((m) => m.text())).toEqual(['m0', 'm1']);
    expect((await poll(pollingStrategy.next(), 2, true)).messages.map((m) => m.text())).toEqual(['m2', 'm3']);
    expect(await client.getConsumerOffset({ ...ids, consumer: individualConsumer(7), partitionId: 1 })).toEqual({ partitionId: 1, currentOffset: 4, storedOffset: 3 });

    await client.storeConsumerOffset({ ...ids, consumer: individualConsumer('the reader/1'), partitionId: 1, offset: 1 });
    expect((await client.getConsumerOffset({ ...ids, consumer: individualConsumer('the reader/1'), partitionId: 1 }))?.storedOffset).toBe(1);
    const next = await client.pollMessages({ ...ids, consumer: individualConsumer('the reader/1'), partitionId: 1, strategy: pollingStrategy.next(), count: 10 });
    expect(next.messages.map((m) => m.offset)).toEqual([2, 3, 4]);
    await client.deleteConsumerOffset({ ...ids, consumer: individualConsumer('the reader/1'), partitionId: 1 });
    expect(await client.getConsumerOffset({ ...ids, consumer: individualConsumer('the reader/1'), partitionId: 1 })).toBeUndefined();
    await client.deleteStream({ streamId: stream.id });
  });

  it('runs a Producer and an individual Consumer over HTTP', async () => {
    const stream = await client.createStream({ name: uniqueName('highlevel') });
    await client.createTopic({ streamId: stream.id, name: 't', partitionsCount: 2 });
    const producer = client.producer({ stream: stream.id, topic: 't', partitioning: { key: (message) => (message as Message).payload.subarray(0, 1) }, lingerMs: 1, batchMaxMessages: 10 });
    const sent = Array.from({ length: 40 }, (_, i) => `${i % 4}:${i}`);
    await producer.send(sent.map((text) => Message.from(text)));
    await producer.close();

    const consumer = client.consumer({ stream: stream.id, topic: 't', consumerId: 'http-reader', strategy: 'first', batchSize: 7, pollIntervalMs: 10 });
    const received: string[] = [];
    for await (const message of consumer) {
      received.push(message.text());
      if (received.length === sent.length) break;
    }
    expect([...received].sort()).toEqual([...sent].sort());
    for (const key of ['0', '1', '2', '3']) {
      const ofKey = received.filter((text) => text.startsWith(`${key}:`));
      expect(ofKey).toEqual(sent.filter((text) => text.startsWith(`${key}:`)));
    }
    await client.deleteStream({ streamId: stream.id });
  });
});

describe('users and personal access tokens', () => {
  const permissions: Permissions = {
    global: {
      manageServers: false,
      readServers: true,
      manageUsers: false,
      readUsers: false,
      manageStreams: false,
      readStreams: true,
      manageTopics: false,
      readTopics: true,
      pollMessages: true,
      sendMessages: false,
    },
    streams: new Map([[1, { manageStream: false, readStream: true, manageTopics: false, readTopics: true, pollMessages: true, sendMessages: true, topics: new Map([[2, { manageTopic: false, readTopic: true, pollMessages: true, sendMessages: false }]]) }]]),
  };

  it('creates, reads, lists, updates and deletes a user, who can log in and is held to its permissions', async () => {
    const username = uniqueName('user');
    const created = await client.createUser({ username, password: 'first-pw', permissions });
    expect(created).toMatchObject({ username, status: UserStatus.Active, permissions });
    expect((await client.getUser({ userId: username }))?.permissions).toEqual(permissions);
    expect((await client.getUsers()).map((u) => u.username)).toContain(username);

    const user = httpClient({ username, password: 'first-pw' });
    await user.connect();
    expect(user.userId).toBe(created.id);
    await user.getStreams();
    await expectCode(user.createStream({ name: uniqueName('denied') }), ErrorCode.Unauthorized);
    await user.changePassword({ userId: created.id, currentPassword: 'first-pw', newPassword: 'second-pw' });
    await user.logout();
    await expectCode(user.getStreams(), ErrorCode.Unauthenticated);
    await expectCode(user.login({ username, password: 'first-pw' }), ErrorCode.InvalidCredentials);
    await user.login({ username, password: 'second-pw' });
    await user.getStreams();
    await user.close();

    const renamed = uniqueName('renamed');
    await client.updateUser({ userId: created.id, username: renamed, status: UserStatus.Inactive });
    expect(await client.getUser({ userId: created.id })).toMatchObject({ username: renamed, status: UserStatus.Inactive });
    await client.updatePermissions({ userId: created.id });
    expect((await client.getUser({ userId: created.id }))?.permissions).toBeUndefined();
    await client.deleteUser({ userId: created.id });
    expect(await client.getUser({ userId: created.id })).toBeUndefined();
  });

  it('creates, lists, logs in with and deletes a personal access token', async () => {
    const name = `pat${counter++}`;
    const { token } = await client.createPersonalAccessToken({ name, expiry: 3_600_000_000n });
    const listed = (await client.getPersonalAccessTokens()).find((entry) => entry.name === name);
    expect(listed?.expiryAt).toBeGreaterThan(Date.now() * 1000);
    const viaToken = httpClient({ token });
    await viaToken.connect();
    expect(viaToken.userId).toBe(0);
    await viaToken.getStreams();
    await viaToken.close();
    await client.deletePersonalAccessToken({ name });
    expect((await client.getPersonalAccessTokens()).map((entry) => entry.name)).not.toContain(name);
    const rejected = httpClient({ token });
    await expect(rejected.connect()).rejects.toBeInstanceOf(IggyError);
    await rejected.close();
  });
});

describe('consumer groups', () => {
  it('creates, reads, lists and deletes a group', async () => {
    const stream = await client.createStream({ name: uniqueName('groups') });
    const topic = await client.createTopic({ streamId: stream.id, name: 't', partitionsCount: 2 });
    const ids = { streamId: stream.id, topicId: topic.id };
    const group = await client.createConsumerGroup({ ...ids, name: 'workers' });
    expect(group).toMatchObject({ name: 'workers', membersCount: 0, partitionsCount: 2, members: [] });
    expect((await client.getConsumerGroup({ ...ids, groupId: 'workers' }))?.id).toBe(group.id);
    expect((await client.getConsumerGroups(ids)).map((g) => g.name)).toEqual(['workers']);
    await expectCode(client.createConsumerGroup({ ...ids, name: 'workers' }), ErrorCode.ConsumerGroupNameAlreadyExists);
    await client.deleteConsumerGroup({ ...ids, groupId: group.id });
    expect(await client.getConsumerGroup({ ...ids, groupId: group.id })).toBeUndefined();
    expect(await client.getConsumerGroups(ids)).toEqual([]);
    await client.deleteStream({ streamId: stream.id });
  });

  it('refuses what needs a session with a clear FeatureUnavailable error', async () => {
    const stream = await client.createStream({ name: uniqueName('unsupported') });
    const topic = await client.createTopic({ streamId: stream.id, name: 't', partitionsCount: 1 });
    const ids = { streamId: stream.id, topicId: topic.id };
    const group = await client.createConsumerGroup({ ...ids, name: 'g' });

    const me = await expectCode(client.getMe(), ErrorCode.FeatureUnavailable);
    expect(me.message).toMatch(/GetMe is not available over HTTP/);
    const join = await expectCode(client.joinConsumerGroup({ ...ids, groupId: group.id }), ErrorCode.FeatureUnavailable);
    expect(join.message).toMatch(/JoinConsumerGroup is not available over HTTP.*TCP, QUIC or WebSocket/);
    await expectCode(client.leaveConsumerGroup({ ...ids, groupId: group.id }), ErrorCode.FeatureUnavailable);
    const poll = await expectCode(client.pollMessages({ ...ids, consumer: groupConsumer(group.id), strategy: pollingStrategy.next() }), ErrorCode.FeatureUnavailable);
    expect(poll.message).toMatch(/individual consumer/);
    await expectCode(client.getConsumerOffset({ ...ids, consumer: groupConsumer(group.id) }), ErrorCode.FeatureUnavailable);

    const groupReader = client.consumer({ stream: stream.id, topic: topic.id, group: 'g' });
    await expectCode(groupReader.next(), ErrorCode.FeatureUnavailable);
    await groupReader.close();
    expect(client.connected).toBe(true);
    await client.deleteStream({ streamId: stream.id });
  });
});

describe('access token lifetime', () => {
  let shortLived: HttpServer;

  beforeAll(async () => {
    shortLived = await startHttpServer(2000);
  });

  afterAll(async () => {
    await shortLived?.stop();
  });

  it('refreshes the token before it expires and keeps working past its first expiry', async () => {
    const transport = new HttpTransport({ url: shortLived.url });
    const session = new IggyClient({ transport, credentials: { username: 'iggy', password: 'iggy' } });
    await session.connect();
    const firstExpiry = transport.tokenExpiresAt!;
    expect(firstExpiry).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 2);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await session.getStreams();
    expect(transport.tokenExpiresAt!).toBeGreaterThan(firstExpiry);
    await session.close();
    expect(transport.authenticated).toBe(false);
  });
});
