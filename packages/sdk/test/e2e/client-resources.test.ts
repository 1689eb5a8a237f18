/**
 * Every resource command of the low-level client round-trips against a live server: system,
 * streams, topics, partitions, segments, users, permissions, personal access tokens, groups.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, EXPIRY_NEVER, IggyClient, IggyError, UserStatus, type Permissions } from '@iggy-ts/sdk';
import { rootClient, startServer, uniqueName, type TestServer } from './helpers.js';

let server: TestServer;
let client: IggyClient;

beforeAll(async () => {
  server = await startServer();
  client = rootClient(server);
  await client.connect();
});

afterAll(async () => {
  await client?.close();
  await server?.dispose();
});

async function expectCode(promise: Promise<unknown>, code: number): Promise<IggyError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(IggyError);
  expect((error as IggyError).code).toBe(code);
  return error as IggyError;
}

describe('system commands', () => {
  it('pings, and reports stats, cluster metadata and a snapshot', async () => {
    await client.ping();
    const stream = await client.createStream({ name: uniqueName('stats') });
    const stats = await client.getStats();
    expect(stats.streamsCount).toBeGreaterThanOrEqual(1);
    expect(stats.processId).toBeGreaterThan(0);
    const metadata = await client.getClusterMetadata();
    expect(metadata.nodes).toHaveLength(1);
    const snapshot = await client.getSnapshot();
    expect(snapshot.subarray(0, 2).toString('latin1')).toBe('PK');
    await client.deleteStream({ streamId: stream.id });
  });

  it('describes its own connection and lists connected clients', async () => {
    const me = await client.getMe();
    expect(me.userId).toBe(0);
    expect(client.userId).toBe(0);
    const other = rootClient(server);
    await other.connect();
    const otherMe = await other.getMe();
    const clients = await client.getClients();
    expect(clients.map((c) => c.clientId)).toEqual(expect.arrayContaining([me.clientId, otherMe.clientId]));
    const details = await client.getClient({ clientId: otherMe.clientId });
    expect(details?.address).toBe(otherMe.address);
    await other.close();
    expect(await client.getClient({ clientId: 1 })).toBeUndefined();
  });

  it('reports failures as IggyError with the wire code and a readable message', async () => {
    const error = await expectCode(client.deleteStream({ streamId: 999_999 }), ErrorCode.StreamIdNotFound);
    expect(error.message).toMatch(/Stream id not found.*1009.*DeleteStream/);
  });
});

describe('streams', () => {
  it('creates, reads, lists, renames, purges and deletes a stream', async () => {
    const name = uniqueName('stream');
    const created = await client.createStream({ name });
    expect(created).toMatchObject({ name, topicsCount: 0, messagesCount: 0 });
    expect((await client.getStream({ streamId: created.id }))?.name).toBe(name);
    expect((await client.getStream({ streamId: name }))?.id).toBe(created.id);
    expect((await client.getStreams()).map((s) => s.name)).toContain(name);
    await expectCode(client.createStream({ name }), ErrorCode.StreamNameAlreadyExists);

    const renamed = uniqueName('renamed');
    await client.updateStream({ streamId: created.id, name: renamed });
    expect((await client.getStream({ streamId: created.id }))?.name).toBe(renamed);

    await client.createTopic({ streamId: created.id, name: 't', partitionsCount: 1 });
    await client.sendMessages({ streamId: created.id, topicId: 't', messages: ['a', 'b'] });
    expect((await client.getStream({ streamId: created.id }))?.messagesCount).toBe(2);
    await client.purgeStream({ streamId: created.id });
    expect((await client.getStream({ streamId: created.id }))?.messagesCount).toBe(0);

    await client.deleteStream({ streamId: created.id });
    expect(await client.getStream({ streamId: created.id })).toBeUndefined();
  });

  it('ensureStream creates a missing stream once, even when clients race', async () => {
    const name = uniqueName('ensure');
    const other = rootClient(server);
    const [a, b] = await Promise.all([client.ensureStream(name), other.ensureStream(name)]);
    expect(a.id).toBe(b.id);
    await other.close();
    await client.deleteStream({ streamId: name });
  });
});

describe('topics, partitions and segments', () => {
  it('creates, reads, lists, updates, purges and deletes a topic', async () => {
    const stream = await client.createStream({ name: uniqueName('topics') });
    const topic = await client.createTopic({ streamId: stream.id, name: 'orders', partitionsCount: 3, messageExpiry: EXPIRY_NEVER });
    expect(topic).toMatchObject({ name: 'orders', partitionsCount: 3, replicationFactor: 1 });
    expect(topic.partitions.map((p) => p.id)).toEqual([0, 1, 2]);
    expect((await client.getTopic({ streamId: stream.id, topicId: 'orders' }))?.id).toBe(topic.id);
    expect((await client.getTopics({ streamId: stream.id })).map((t) => t.name)).toEqual(['orders']);
    await expectCode(client.createTopic({ streamId: stream.id, name: 'orders' }), ErrorCode.TopicNameAlreadyExists);

    await client.updateTopic({ streamId: stream.id, topicId: topic.id, name: 'orders-v2' });
    const updated = await client.getTopic({ streamId: stream.id, topicId: topic.id });
    expect(updated).toMatchObject({ name: 'orders-v2', messageExpiry: EXPIRY_NEVER, partitionsCount: 3 });

    await client.sendMessages({ streamId: stream.id, topicId: topic.id, messages: ['x'] });
    await client.purgeTopic({ streamId: stream.id, topicId: topic.id });
    expect((await client.getTopic({ streamId: stream.id, topicId: topic.id }))?.messagesCount).toBe(0);

    await client.createPartitions({ streamId: stream.id, topicId: topic.id, partitionsCount: 2 });
    expect((await client.getTopic({ streamId: stream.id, topicId: topic.id }))?.partitionsCount).toBe(5);
    await client.deletePartitions({ streamId: stream.id, topicId: topic.id, partitionsCount: 4 });
    expect((await client.getTopic({ streamId: stream.id, topicId: topic.id }))?.partitionsCount).toBe(1);

    await client.deleteSegments({ streamId: stream.id, topicId: topic.id, partitionId: 0, segmentsCount: 1 });
    await client.flushUnsavedBuffer({ streamId: stream.id, topicId: topic.id, partitionId: 0, fsync: true });

    await client.deleteTopic({ streamId: stream.id, topicId: topic.id });
    expect(await client.getTopic({ streamId: stream.id, topicId: topic.id })).toBeUndefined();
    await client.deleteStream({ streamId: stream.id });
  });
});

describe('consumer groups', () => {
  it('creates, reads, lists, joins, leaves and deletes a group', async () => {
    const stream = await client.createStream({ name: uniqueName('groups') });
    const topic = await client.createTopic({ streamId: stream.id, name: 't', partitionsCount: 2 });
    const ids = { streamId: stream.id, topicId: topic.id };
    const group = await client.createConsumerGroup({ ...ids, name: 'workers' });
    expect(group).toMatchObject({ name: 'workers', membersCount: 0, partitionsCount: 2 });
    expect((await client.getConsumerGroups(ids)).map((g) => g.name)).toEqual(['workers']);

    await client.joinConsumerGroup({ ...ids, groupId: 'workers' });
    const joined = await client.getConsumerGroup({ ...ids, groupId: group.id });
    expect(joined?.members).toHaveLength(1);
    expect(joined?.members[0]?.partitions).toEqual([0, 1]);
    expect((await client.getMe()).consumerGroups).toEqual([{ streamId: stream.id, topicId: topic.id, groupId: group.id }]);

    await client.leaveConsumerGroup({ ...ids, groupId: group.id });
    expect((await client.getConsumerGroup({ ...ids, groupId: group.id }))?.membersCount).toBe(0);
    await client.deleteConsumerGroup({ ...ids, groupId: group.id });
    expect(await client.getConsumerGroup({ ...ids, groupId: group.id })).toBeUndefined();
    await client.deleteStream({ streamId: stream.id });
  });
});

describe('users and permissions', () => {
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
    streams: new Map(),
  };

  it('creates, reads, lists, updates and deletes a user', async () => {
    const username = uniqueName('user');
    const created = await client.createUser({ username, password: 'secret1', permissions });
    expect(created).toMatchObject({ username, status: UserStatus.Active });
    expect(created.permissions?.global.readStreams).toBe(true);
    expect((await client.getUser({ userId: username }))?.id).toBe(created.id);
    expect((await client.getUsers()).map((u) => u.username)).toContain(username);

    const renamed = uniqueName('renamed');
    await client.updateUser({ userId: created.id, username: renamed, status: UserStatus.Inactive });
    expect(await client.getUser({ userId: created.id })).toMatchObject({ username: renamed, status: UserStatus.Inactive });

    await client.updatePermissions({ userId: created.id, permissions: { ...permissions, global: { ...permissions.global, sendMessages: true } } });
    expect((await client.getUser({ userId: created.id }))?.permissions?.global.sendMessages).toBe(true);
    await client.updatePermissions({ userId: created.id });
    expect((await client.getUser({ userId: created.id }))?.permissions).toBeUndefined();

    await client.deleteUser({ userId: created.id });
    expect(await client.getUser({ userId: created.id })).toBeUndefined();
  });

  it('logs in and out, changes a password, and enforces permissions', async () => {
    const username = uniqueName('login');
    await client.createUser({ username, password: 'first-pw', permissions });
    const user = new IggyClient({ tcp: { host: '127.0.0.1', port: server.port }, credentials: { username, password: 'first-pw' } });
    await user.connect();
    expect((await user.getMe()).userId).toBe(user.userId);
    await expectCode(user.createStream({ name: uniqueName('denied') }), ErrorCode.Unauthorized);

    await user.changePassword({ userId: username, currentPassword: 'first-pw', newPassword: 'second-pw' });
    await user.logout();
    await expectCode(user.getStreams(), ErrorCode.Unauthenticated);
    await expectCode(user.login({ username, password: 'first-pw' }), ErrorCode.InvalidCredentials);
    const { userId } = await user.login({ username, password: 'second-pw' });
    expect(userId).toBe(user.userId);
    await user.getStreams();
    await user.close();
    await client.deleteUser({ userId: username });
  });

  it('creates, lists, logs in with and deletes a personal access token', async () => {
    const name = uniqueName('pat').slice(0, 30);
    const { token } = await client.createPersonalAccessToken({ name });
    expect(token.length).toBeGreaterThan(20);
    expect((await client.getPersonalAccessTokens()).map((t) => t.name)).toContain(name);

    const withToken = new IggyClient({ tcp: { host: '127.0.0.1', port: server.port }, credentials: { token } });
    expect((await withToken.getMe()).userId).toBe(0);
    await withToken.close();

    const manual = new IggyClient({ tcp: { host: '127.0.0.1', port: server.port }, autoLogin: false });
    await expectCode(manual.getStreams(), ErrorCode.Unauthenticated);
    expect((await manual.loginWithPersonalAccessToken({ token })).userId).toBe(0);
    await manual.getStreams();
    await manual.close();

    await client.deletePersonalAccessToken({ name });
    expect((await client.getPersonalAccessTokens()).map((t) => t.name)).not.toContain(name);
  });
});
