import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, IggyError } from '@iggy-ts/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Metadata, type CreateTopicOptions, type MetadataOptions } from './metadata.js';
import { CompressionAlgorithm, U64_MAX, UserStatus, type Permissions } from './model.js';
import { noGlobalPermissions } from './permissions.js';

const GIB = 1n << 30n;
const START_MS = 1_700_000_000_000;

let dataPath: string;
let nowMs: number;

function options(overrides: Partial<MetadataOptions> = {}): MetadataOptions {
  return {
    dataPath,
    rootUsername: 'iggy',
    rootPassword: 'iggy',
    defaults: { messageExpiryUs: U64_MAX, maxTopicSizeBytes: U64_MAX, segmentSizeBytes: GIB },
    clock: () => nowMs,
    // Cheap hashes keep the suite fast; the production cost is covered in passwords.test.ts.
    passwordParams: { N: 1024, r: 8, p: 1 },
    ...overrides,
  };
}

function open(overrides: Partial<MetadataOptions> = {}): Promise<Metadata> {
  return Metadata.open(options(overrides));
}

function topic(name: string, overrides: Partial<CreateTopicOptions> = {}): CreateTopicOptions {
  return {
    name,
    partitionsCount: 3,
    compressionAlgorithm: CompressionAlgorithm.None,
    messageExpiryUs: 0n,
    maxTopicSizeBytes: 0n,
    replicationFactor: 0,
    ...overrides,
  };
}

function codeOf(action: () => unknown): number | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof IggyError) return error.code;
    throw error;
  }
  return undefined;
}

async function codeOfAsync(action: () => Promise<unknown>): Promise<number | undefined> {
  try {
    await action();
  } catch (error) {
    if (error instanceof IggyError) return error.code;
    throw error;
  }
  return undefined;
}

function permissionsWith(flags: Partial<Permissions['global']>): Permissions {
  return { global: { ...noGlobalPermissions(), ...flags }, streams: new Map() };
}

beforeEach(() => {
  dataPath = mkdtempSync(join(tmpdir(), 'iggy-metadata-'));
  nowMs = START_MS;
});

afterEach(() => {
  rmSync(dataPath, { recursive: true, force: true });
});

describe('streams', () => {
  it('assigns ids from 0 and reuses the most recently freed id first', async () => {
    const metadata = await open();
    expect(['a', 'b', 'c'].map((name) => metadata.createStream(name).id)).toEqual([0, 1, 2]);
    metadata.deleteStream(0);
    metadata.deleteStream(2);
    expect(metadata.createStream('d').id).toBe(2);
    expect(metadata.createStream('e').id).toBe(0);
    expect(metadata.createStream('f').id).toBe(3);
  });

  it('resolves a stream by id or exact name and reports a missing one as undefined', async () => {
    const metadata = await open();
    const stream = metadata.createStream('orders');
    expect(stream.createdAtUs).toBe(START_MS * 1000);
    expect(metadata.getStream(0)).toBe(stream);
    expect(metadata.getStream('orders')).toBe(stream);
    expect(metadata.getStream('Orders')).toBeUndefined();
    expect(metadata.getStream('0')).toBeUndefined();
    expect(metadata.getStream(7)).toBeUndefined();
    expect(codeOf(() => metadata.requireStream(7))).toBe(ErrorCode.StreamIdNotFound);
    expect(codeOf(() => metadata.requireStream('nope'))).toBe(ErrorCode.StreamIdNotFound);
  });

  it('lists streams in ascending id order', async () => {
    const metadata = await open();
    for (const name of ['a', 'b', 'c']) metadata.createStream(name);
    metadata.deleteStream(0);
    metadata.createStream('d');
    expect(metadata.getStreams().map((stream) => [stream.id, stream.name])).toEqual([[0, 'd'], [1, 'b'], [2, 'c']]);
  });

  it('rejects a duplicate name with 1012 and an invalid one with 1013', async () => {
    const metadata = await open();
    metadata.createStream('s');
    expect(codeOf(() => metadata.createStream('s'))).toBe(ErrorCode.StreamNameAlreadyExists);
    expect(codeOf(() => metadata.createStream(''))).toBe(ErrorCode.InvalidStreamName);
    expect(codeOf(() => metadata.createStream('x'.repeat(256)))).toBe(ErrorCode.InvalidStreamName);
  });

  it('renames a stream, treats the same name as a no-op and refuses a taken name or a missing stream', async () => {
    const metadata = await open();
    metadata.createStream('a');
    metadata.createStream('b');
    expect(metadata.updateStream('a', 'a').name).toBe('a');
    expect(codeOf(() => metadata.updateStream(0, 'b'))).toBe(ErrorCode.StreamNameAlreadyExists);
    expect(codeOf(() => metadata.updateStream(9, 'z'))).toBe(ErrorCode.StreamIdNotFound);
    metadata.updateStream(0, 'renamed');
    expect(metadata.getStream('renamed')?.id).toBe(0);
    expect(metadata.getStream('a')).toBeUndefined();
  });

  it('deletes a stream with its topics and groups, and refuses a missing one with 1009', async () => {
    const metadata = await open();
    metadata.createStream('s');
    metadata.createTopic('s', topic('t'));
    const group = metadata.createConsumerGroup('s', 't', 'g');
    metadata.joinConsumerGroup('s', 't', 'g', 1);
    const deleted = metadata.deleteStream('s');
    expect(deleted.topics.get(0)?.partitions).toHaveLength(3);
    expect(group.deleted).toBe(true);
    expect(metadata.getStream('s')).toBeUndefined();
    expect(codeOf(() => metadata.deleteStream('s'))).toBe(ErrorCode.StreamIdNotFound);
    expect(metadata.removeClient(1)).toEqual([]);
  });
});

describe('topics', () => {
  it('creates a topic with dense partitions and resolves 0 to the configured defaults', async () => {
    const metadata = await open({ defaults: { messageExpiryUs: 600_000_000n, maxTopicSizeBytes: 10n * GIB, segmentSizeBytes: GIB } });
    metadata.createStream('s');
    const created = metadata.createTopic('s', topic('t', { compressionAlgorithm: CompressionAlgorithm.Gzip }));
    expect(created).toMatchObject({
      id: 0,
      streamId: 0,
      name: 't',
      compressionAlgorithm: 2,
      messageExpiryUs: 600_000_000n,
      maxTopicSizeBytes: 10n * GIB,
      replicationFactor: 1,
      balancedCounter: 0,
    });
    expect(created.partitions.map((partition) => partition.id)).toEqual([0, 1, 2]);
    const explicit = metadata.createTopic('s', topic('u', { messageExpiryUs: U64_MAX, maxTopicSizeBytes: U64_MAX, replicationFactor: 3 }));
    expect([explicit.messageExpiryUs, explicit.maxTopicSizeBytes, explicit.replicationFactor]).toEqual([U64_MAX, U64_MAX, 3]);
  });

  it('accepts 0 and 1000 partitions and refuses 1001 with 2015', async () => {
    const metadata = await open();
    metadata.createStream('s');
    expect(metadata.createTopic('s', topic('none', { partitionsCount: 0 })).partitions).toEqual([]);
    expect(metadata.createTopic('s', topic('max', { partitionsCount: 1000 })).partitions).toHaveLength(1000);
    expect(codeOf(() => metadata.createTopic('s', topic('over', { partitionsCount: 1001 })))).toBe(ErrorCode.TooManyPartitions);
  });

  it('refuses an explicit max size below the segment size with 1019', async () => {
    const metadata = await open();
    metadata.createStream('s');
    expect(codeOf(() => metadata.createTopic('s', topic('t', { maxTopicSizeBytes: GIB - 1n })))).toBe(ErrorCode.InvalidTopicSize);
    expect(metadata.createTopic('s', topic('t', { maxTopicSizeBytes: GIB })).maxTopicSizeBytes).toBe(GIB);
  });

  it('refuses a duplicate name with 2013, a missing stream with 1009, bad compression with 3', async () => {
    const metadata = await open();
    metadata.createStream('s');
    metadata.createTopic('s', topic('t'));
    expect(codeOf(() => metadata.createTopic('s', topic('t')))).toBe(ErrorCode.TopicNameAlreadyExists);
    expect(codeOf(() => metadata.createTopic('missing', topic('t')))).toBe(ErrorCode.StreamIdNotFound);
    expect(codeOf(() => metadata.createTopic('s', topic('x', { compressionAlgorithm: 3 as CompressionAlgorithm })))).toBe(ErrorCode.InvalidCommand);
    expect(codeOf(() => metadata.createTopic('s', topic('')))).toBe(ErrorCode.InvalidTopicName);
  });

  it('numbers topics per stream and reuses freed topic ids', async () => {
    const metadata = await open();
    metadata.createStream('a');
    metadata.createStream('b');
    expect(metadata.createTopic('a', topic('t')).id).toBe(0);
    expect(metadata.createTopic('b', topic('t')).id).toBe(0);
    expect(metadata.createTopic('a', topic('u')).id).toBe(1);
    metadata.deleteTopic('a', 't');
    expect(metadata.createTopic('a', topic('v')).id).toBe(0);
    expect(metadata.getTopics('a')?.map((t) => t.name)).toEqual(['v', 'u']);
    expect(metadata.getTopics('missing')).toBeUndefined();
  });

  it('resolves topics by id or name, undefined when missing, 2010 when required', async () => {
    const metadata = await open();
    metadata.createStream('s');
    const created = metadata.createTopic('s', topic('t'));
    expect(metadata.getTopic('s', 't')).toBe(created);
    expect(metadata.getTopic(0, 0)).toBe(created);
    expect(metadata.getTopic('s', 1)).toBeUndefined();
    expect(metadata.getTopic('x', 0)).toBeUndefined();
    expect(codeOf(() => metadata.requireTopic('s', 'nope'))).toBe(ErrorCode.TopicIdNotFound);
    expect(codeOf(() => metadata.deleteTopic('s', 5))).toBe(ErrorCode.TopicIdNotFound);
    expect(codeOf(() => metadata.deleteTopic('x', 0))).toBe(ErrorCode.StreamIdNotFound);
  });

  it('updates a topic, resolving 0 expiry and size to the defaults instead of storing 0', async () => {
    const metadata = await open();
    metadata.createStream('s');
    metadata.createTopic('s', topic('t'));
    metadata.createTopic('s', topic('other'));
    const updated = metadata.updateTopic('s', 't', {
      name: 't2',
      compressionAlgorithm: CompressionAlgorithm.Gzip,
      messageExpiryUs: 0n,
      maxTopicSizeBytes: 0n,
      replicationFactor: 0,
    });
    expect(updated).toMatchObject({ name: 't2', compressionAlgorithm: 2, messageExpiryUs: U64_MAX, maxTopicSizeBytes: U64_MAX, replicationFactor: 1 });
    expect(metadata.getTopic('s', 't2')).toBe(updated);
    expect(metadata.getTopic('s', 't')).toBeUndefined();
    const same = { name: 't2', compressionAlgorithm: CompressionAlgorithm.None, messageExpiryUs: 5n, maxTopicSizeBytes: 7n, replicationFactor: 2 };
    expect(metadata.updateTopic('s', 't2', same)).toMatchObject({ messageExpiryUs: 5n, maxTopicSizeBytes: 7n });
    expect(codeOf(() => metadata.updateTopic('s', 't2', { ...same, name: 'other' }))).toBe(ErrorCode.TopicNameAlreadyExists);
    expect(codeOf(() => metadata.updateTopic('s', 9, same))).toBe(ErrorCode.TopicIdNotFound);
    expect(codeOf(() => metadata.updateTopic(9, 0, same))).toBe(ErrorCode.StreamIdNotFound);
  });

  it('appends partitions with the next ids, up to 1000 in all', async () => {
    const metadata = await open();
    metadata.createStream('s');
    metadata.createTopic('s', topic('t'));
    expect(metadata.createPartitions('s', 't', 2)).toEqual([3, 4]);
    expect(metadata.getTopic('s', 't')!.partitions.map((partition) => partition.id)).toEqual([0, 1, 2, 3, 4]);
    expect(codeOf(() => metadata.createPartitions('s', 't', 0))).toBe(ErrorCode.TooManyPartitions);
    expect(codeOf(() => metadata.createPartitions('s', 't', 1001))).toBe(ErrorCode.TooManyPartitions);
    expect(codeOf(() => metadata.createPartitions('s', 't', 996))).toBe(ErrorCode.TooManyPartitions);
    expect(metadata.createPartitions('s', 't', 995)).toHaveLength(995);
    expect(codeOf(() => metadata.createPartitions('s', 'x', 1))).toBe(ErrorCode.TopicIdNotFound);
  });

  it('removes the highest partitions, refusing count 0 with 2015 and more than exist with 2019', async () => {
    const metadata = await open();
    metadata.createStream('s');
    metadata.createTopic('s', topic('t', { partitionsCount: 5 }));
    expect(codeOf(() => metadata.deletePartitions('s', 't', 0))).toBe(ErrorCode.TooManyPartitions);
    expect(codeOf(() => metadata.deletePartitions('s', 't', 6))).toBe(ErrorCode.InvalidPartitionsCount);
    expect(metadata.deletePartitions('s', 't', 2)).toEqual([3, 4]);
    expect(metadata.getTopic('s', 't')!.partitions).toHaveLength(3);
    expect(metadata.deletePartitions('s', 't', 3)).toEqual([0, 1, 2]);
  });

  it('picks balanced partitions round robin', async () => {
    const metadata = await open();
    metadata.createStream('s');
    const created = metadata.createTopic('s', topic('t'));
    expect([0, 1, 2, 3].map(() => metadata.nextBalancedPartitionId(created))).toEqual([0, 1, 2, 0]);
    expect(metadata.nextBalancedPartitionId(metadata.createTopic('s', topic('empty', { partitionsCount: 0 })))).toBeUndefined();
  });
});

describe('consumer groups', () => {
  async function withTopic(partitionsCount = 3): Promise<Metadata> {
    const metadata = await open();
    metadata.createStream('s');
    metadata.createTopic('s', topic('t', { partitionsCount }));
    return metadata;
  }

  it('creates groups with per-topic ids and refuses duplicates (5004) and missing parents (1009, 2010)', async () => {
    const metadata = await withTopic();
    expect(metadata.createConsumerGroup('s', 't', 'a').id).toBe(0);
    expect(metadata.createConsumerGroup(0, 0, 'b').id).toBe(1);
    expect(codeOf(() => metadata.createConsumerGroup('s', 't', 'a'))).toBe(ErrorCode.ConsumerGroupNameAlreadyExists);
    expect(codeOf(() => metadata.createConsumerGroup('x', 't', 'c'))).toBe(ErrorCode.StreamIdNotFound);
    expect(codeOf(() => metadata.createConsumerGroup('s', 'x', 'c'))).toBe(ErrorCode.TopicIdNotFound);
    expect(metadata.getConsumerGroups('s', 't')?.map((group) => group.name)).toEqual(['a', 'b']);
    expect(metadata.getConsumerGroups('s', 'x')).toBeUndefined();
    expect(metadata.getConsumerGroup('s', 't', 'b')?.id).toBe(1);
    expect(metadata.getConsumerGroup('s', 't', 7)).toBeUndefined();
  });

  it('deletes a group (5000 when missing) and reuses its id', async () => {
    const metadata = await withTopic();
    metadata.createConsumerGroup('s', 't', 'a');
    metadata.createConsumerGroup('s', 't', 'b');
    const deleted = metadata.deleteConsumerGroup('s', 't', 'a');
    expect(deleted.deleted).toBe(true);
    expect(codeOf(() => metadata.deleteConsumerGroup('s', 't', 'a'))).toBe(ErrorCode.ConsumerGroupIdNotFound);
    expect(metadata.createConsumerGroup('s', 't', 'c').id).toBe(0);
  });

  it('joins (5000 when missing, twice is a no-op) and leaves (5006 when not a member)', async () => {
    const metadata = await withTopic();
    metadata.createConsumerGroup('s', 't', 'g');
    expect(codeOf(() => metadata.joinConsumerGroup('s', 't', 'nope', 1))).toBe(ErrorCode.ConsumerGroupIdNotFound);
    metadata.joinConsumerGroup('s', 't', 'g', 1);
    metadata.joinConsumerGroup('s', 't', 'g', 1);
    const group = metadata.joinConsumerGroup('s', 't', 0, 2);
    expect([...group.members.values()].map((member) => [member.memberId, member.partitions])).toEqual([
      [0, [0, 2]],
      [1, [1]],
    ]);
    expect(codeOf(() => metadata.leaveConsumerGroup('s', 't', 'g', 3))).toBe(ErrorCode.ConsumerGroupMemberNotFound);
    expect(codeOf(() => metadata.leaveConsumerGroup('s', 't', 'x', 1))).toBe(ErrorCode.ConsumerGroupIdNotFound);
    metadata.leaveConsumerGroup('s', 't', 'g', 1);
    expect([...group.members.values()].map((member) => member.partitions)).toEqual([[0, 1, 2]]);
  });

  it('removes a disconnected client from every group it joined', async () => {
    const metadata = await withTopic();
    metadata.createConsumerGroup('s', 't', 'a');
    metadata.createConsumerGroup('s', 't', 'b');
    metadata.joinConsumerGroup('s', 't', 'a', 1);
    metadata.joinConsumerGroup('s', 't', 'b', 1);
    metadata.joinConsumerGroup('s', 't', 'b', 2);
    expect(metadata.removeClient(1).map((group) => group.name)).toEqual(['a', 'b']);
    expect(metadata.getConsumerGroup('s', 't', 'a')!.members.size).toBe(0);
    expect([...metadata.getConsumerGroup('s', 't', 'b')!.members.keys()]).toEqual([2]);
    expect(metadata.removeClient(1)).toEqual([]);
  });

  it('keeps a partition with its owner during a join until the group commits past the last polled offset', async () => {
    const metadata = await withTopic();
    const group = metadata.createConsumerGroup('s', 't', 'g');
    metadata.joinConsumerGroup('s', 't', 'g', 1);
    const polled = metadata.resolveGroupPartition(group, 1, 1);
    metadata.notePolled(group, 1, polled, 41n);
    metadata.joinConsumerGroup('s', 't', 'g', 2);
    metadata.checkInvariants();
    expect(group.members.get(2)!.partitions).toEqual([]);
    expect(codeOf(() => metadata.resolveGroupPartition(group, 2))).toBe(ErrorCode.NotResolvedConsumer);
    metadata.noteCommitted(group, 1, 1, 41n);
    expect(group.members.get(2)!.partitions).toEqual([1]);
    expect(metadata.resolveGroupPartition(group, 2)).toBe(1);
    metadata.checkInvariants();
  });

  it('completes revocations older than the rebalancing timeout on tick', async () => {
    const metadata = await open({ rebalancingTimeoutMs: 10_000 });
    metadata.createStream('s');
    metadata.createTopic('s', topic('t', { partitionsCount: 2 }));
    const group = metadata.createConsumerGroup('s', 't', 'g');
    metadata.joinConsumerGroup('s', 't', 'g', 1);
    metadata.notePolled(group, 1, metadata.resolveGroupPartition(group, 1, 1), 3n);
    metadata.joinConsumerGroup('s', 't', 'g', 2);
    expect(metadata.tick(START_MS + 9_999)).toBe(0);
    nowMs = START_MS + 10_000;
    expect(metadata.tick()).toBe(1);
    expect(group.members.get(2)!.partitions).toEqual([1]);
  });

  it('rebalances every group of the topic when partitions are added or removed', async () => {
    const metadata = await withTopic();
    const group = metadata.createConsumerGroup('s', 't', 'g');
    metadata.joinConsumerGroup('s', 't', 'g', 1);
    metadata.joinConsumerGroup('s', 't', 'g', 2);
    metadata.createPartitions('s', 't', 2);
    expect([...group.members.values()].map((member) => member.partitions)).toEqual([[0, 2, 4], [1, 3]]);
    metadata.deletePartitions('s', 't', 3);
    expect([...group.members.values()].map((member) => member.partitions)).toEqual([[0], [1]]);
    metadata.checkInvariants();
  });

  it('round-robins polls over the member\'s partitions', async () => {
    const metadata = await withTopic();
    const group = metadata.createConsumerGroup('s', 't', 'g');
    metadata.joinConsumerGroup('s', 't', 'g', 1);
    const chosen: number[] = [];
    for (let i = 0; i < 4; i++) {
      const partitionId = metadata.resolveGroupPartition(group, 1);
      metadata.notePolled(group, 1, partitionId, null);
      chosen.push(partitionId);
    }
    expect(chosen).toEqual([0, 1, 2, 0]);
    expect(metadata.resolveGroupPartition(group, 1, undefined, 'offset')).toBe(1);
    expect(codeOf(() => metadata.resolveGroupPartition(group, 9))).toBe(ErrorCode.ConsumerGroupMemberNotFound);
  });

  it('lets a purge release revocations that waited for a commit', async () => {
    const metadata = await withTopic(2);
    const group = metadata.createConsumerGroup('s', 't', 'g');
    metadata.joinConsumerGroup('s', 't', 'g', 1);
    metadata.notePolled(group, 1, metadata.resolveGroupPartition(group, 1, 1), 9n);
    metadata.joinConsumerGroup('s', 't', 'g', 2);
    expect(group.revocations.size).toBe(1);
    metadata.notePurged('s', 't');
    expect(group.members.get(2)!.partitions).toEqual([1]);
  });
});

describe('users', () => {
  it('creates root at first start with id 0 and every global permission', async () => {
    const metadata = await open();
    const root = metadata.getUser(0)!;
    expect(root).toMatchObject({ id: 0, username: 'iggy', status: UserStatus.Active });
    expect(Object.values(root.permissions!.global).every(Boolean)).toBe(true);
    expect(root.passwordHash.startsWith('scrypt$')).toBe(true);
    expect((await metadata.authenticate('iggy', 'iggy')).id).toBe(0);
  });

  it('refuses root credentials of the wrong length at first start', async () => {
    expect(await codeOfAsync(() => open({ rootPassword: 'ab' }))).toBe(ErrorCode.InvalidPassword);
    expect(await codeOfAsync(() => open({ rootUsername: 'ab' }))).toBe(ErrorCode.InvalidUsername);
  });

  it('creates users with the next ids and validates username (43), password (44) and duplicates (46)', async () => {
    const metadata = await open();
    const base = { password: 'secret', status: UserStatus.Active, permissions: null } as const;
    expect((await metadata.createUser({ ...base, username: 'alice' })).id).toBe(1);
    expect((await metadata.createUser({ ...base, username: 'bob' })).id).toBe(2);
    expect(await codeOfAsync(() => metadata.createUser({ ...base, username: 'ab' }))).toBe(ErrorCode.InvalidUsername);
    expect(await codeOfAsync(() => metadata.createUser({ ...base, username: 'x'.repeat(51) }))).toBe(ErrorCode.InvalidUsername);
    expect((await metadata.createUser({ ...base, username: 'y'.repeat(50) })).id).toBe(3);
    expect(await codeOfAsync(() => metadata.createUser({ ...base, username: 'carol', password: 'pw' }))).toBe(ErrorCode.InvalidPassword);
    expect(await codeOfAsync(() => metadata.createUser({ ...base, username: 'carol', password: 'p'.repeat(101) }))).toBe(ErrorCode.InvalidPassword);
    expect(await codeOfAsync(() => metadata.createUser({ ...base, username: 'alice' }))).toBe(ErrorCode.UserAlreadyExists);
    expect(metadata.getUsers().map((user) => user.id)).toEqual([0, 1, 2, 3]);
  });

  it('refuses the second of two concurrent creations of the same username', async () => {
    const metadata = await open();
    const base = { password: 'secret', status: UserStatus.Active, permissions: null } as const;
    const results = await Promise.allSettled([metadata.createUser({ ...base, username: 'twin' }), metadata.createUser({ ...base, username: 'twin' })]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('deletes users (20 when unknown, 48 for root) and their tokens', async () => {
    const metadata = await open();
    const user = await metadata.createUser({ username: 'alice', password: 'secret', status: UserStatus.Active, permissions: null });
    const { token } = metadata.createPersonalAccessToken(user.id, 'tok', 0n);
    expect(codeOf(() => metadata.deleteUser(0))).toBe(ErrorCode.CannotDeleteUser);
    expect(codeOf(() => metadata.deleteUser('iggy'))).toBe(ErrorCode.CannotDeleteUser);
    expect(codeOf(() => metadata.deleteUser(9))).toBe(ErrorCode.ResourceNotFound);
    expect(metadata.deleteUser('alice').id).toBe(1);
    expect(metadata.getUser(1)).toBeUndefined();
    expect(codeOf(() => metadata.loginWithPersonalAccessToken(token))).toBe(ErrorCode.ResourceNotFound);
    expect((await metadata.createUser({ username: 'bob', password: 'secret', status: UserStatus.Active, permissions: null })).id).toBe(1);
  });

  it('updates username and status, refusing bad length (43), unknown user (20) and taken name (46)', async () => {
    const metadata = await open();
    await metadata.createUser({ username: 'alice', password: 'secret', status: UserStatus.Active, permissions: null });
    expect(codeOf(() => metadata.updateUser('alice', { username: 'al' }))).toBe(ErrorCode.InvalidUsername);
    expect(codeOf(() => metadata.updateUser(5, { username: 'nobody' }))).toBe(ErrorCode.ResourceNotFound);
    expect(codeOf(() => metadata.updateUser('alice', { username: 'iggy' }))).toBe(ErrorCode.UserAlreadyExists);
    expect(metadata.updateUser('alice', { username: 'alice' }).username).toBe('alice');
    const updated = metadata.updateUser(1, { username: 'alicia', status: UserStatus.Inactive });
    expect(updated).toMatchObject({ username: 'alicia', status: UserStatus.Inactive });
    expect(metadata.getUser('alicia')).toBe(updated);
    expect(metadata.getUser('alice')).toBeUndefined();
  });

  it('replaces permissions with a copy, refusing root (49) and unknown users (20)', async () => {
    const metadata = await open();
    await metadata.createUser({ username: 'alice', password: 'secret', status: UserStatus.Active, permissions: null });
    const granted = permissionsWith({ readStreams: true });
    metadata.updatePermissions('alice', granted);
    granted.global.readStreams = false;
    expect(metadata.getUser('alice')!.permissions!.global.readStreams).toBe(true);
    metadata.updatePermissions('alice', null);
    expect(metadata.getUser('alice')!.permissions).toBeNull();
    expect(codeOf(() => metadata.updatePermissions(0, null))).toBe(ErrorCode.CannotChangePermissions);
    expect(codeOf(() => metadata.updatePermissions(7, null))).toBe(ErrorCode.ResourceNotFound);
  });

  it('changes passwords checking 44, then 20, then 41, then 42', async () => {
    const metadata = await open();
    const alice = await metadata.createUser({ username: 'alice', password: 'secret', status: UserStatus.Active, permissions: null });
    const bob = await metadata.createUser({ username: 'bob', password: 'hunter2', status: UserStatus.Active, permissions: null });
    expect(await codeOfAsync(() => metadata.changePassword(alice.id, 99, 'x', 'new-one'))).toBe(ErrorCode.InvalidPassword);
    expect(await codeOfAsync(() => metadata.changePassword(alice.id, 99, 'secret', 'n'))).toBe(ErrorCode.InvalidPassword);
    expect(await codeOfAsync(() => metadata.changePassword(alice.id, 99, 'secret', 'new-one'))).toBe(ErrorCode.ResourceNotFound);
    expect(await codeOfAsync(() => metadata.changePassword(alice.id, 'bob', 'hunter2', 'new-one'))).toBe(ErrorCode.Unauthorized);
    expect(await codeOfAsync(() => metadata.changePassword(alice.id, 'alice', 'wrong', 'new-one'))).toBe(ErrorCode.InvalidCredentials);
    await metadata.changePassword(alice.id, 'alice', 'secret', 'new-one');
    expect((await metadata.authenticate('alice', 'new-one')).id).toBe(alice.id);
    // An admin changes another user's password, still proving the current one.
    expect(await codeOfAsync(() => metadata.changePassword(0, bob.id, 'wrong', 'other-pw'))).toBe(ErrorCode.InvalidCredentials);
    await metadata.changePassword(0, bob.id, 'hunter2', 'other-pw');
    expect(await codeOfAsync(() => metadata.authenticate('bob', 'hunter2'))).toBe(ErrorCode.InvalidCredentials);
  });

  it('authenticates by exact username: 42 unknown or wrong, 47 inactive before the password, 43/44 lengths', async () => {
    const metadata = await open();
    await metadata.createUser({ username: 'alice', password: 'secret', status: UserStatus.Inactive, permissions: null });
    await metadata.createUser({ username: '1000', password: 'secret', status: UserStatus.Active, permissions: null });
    expect(await codeOfAsync(() => metadata.authenticate('nobody', 'secret'))).toBe(ErrorCode.InvalidCredentials);
    expect(await codeOfAsync(() => metadata.authenticate('iggy', 'wrong'))).toBe(ErrorCode.InvalidCredentials);
    expect(await codeOfAsync(() => metadata.authenticate('alice', 'wrong'))).toBe(ErrorCode.UserInactive);
    expect(await codeOfAsync(() => metadata.authenticate('alice', 'secret'))).toBe(ErrorCode.UserInactive);
    expect(await codeOfAsync(() => metadata.authenticate('ab', 'secret'))).toBe(ErrorCode.InvalidUsername);
    expect(await codeOfAsync(() => metadata.authenticate('iggy', 'ab'))).toBe(ErrorCode.InvalidPassword);
    expect((await metadata.authenticate('1000', 'secret')).username).toBe('1000');
  });
});

describe('personal access tokens', () => {
  it('returns a 50-byte base64 token once and stores only its SHA-256', async () => {
    const metadata = await open();
    const { token, personalAccessToken } = metadata.createPersonalAccessToken(0, 'ci-token', 0n);
    expect(token).toHaveLength(68);
    expect(Buffer.from(token, 'base64')).toHaveLength(50);
    expect(personalAccessToken).toMatchObject({ userId: 0, name: 'ci-token', expiryAtUs: null });
    expect(personalAccessToken.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(metadata.stateFilePath).includes(Buffer.from(token))).toBe(false);
    expect(metadata.loginWithPersonalAccessToken(token).id).toBe(0);
    expect(metadata.getPersonalAccessTokens(0).map((pat) => pat.name)).toEqual(['ci-token']);
  });

  it('validates the name (50), the limit per user (52) and duplicates (51)', async () => {
    const metadata = await open({ maxTokensPerUser: 2 });
    expect(codeOf(() => metadata.createPersonalAccessToken(0, 'ab', 0n))).toBe(ErrorCode.InvalidPersonalAccessTokenName);
    expect(codeOf(() => metadata.createPersonalAccessToken(0, 'x'.repeat(31), 0n))).toBe(ErrorCode.InvalidPersonalAccessTokenName);
    metadata.createPersonalAccessToken(0, 'x'.repeat(30), 0n);
    expect(codeOf(() => metadata.createPersonalAccessToken(0, 'x'.repeat(30), 0n))).toBe(ErrorCode.PersonalAccessTokenAlreadyExists);
    metadata.createPersonalAccessToken(0, 'second', 0n);
    expect(codeOf(() => metadata.createPersonalAccessToken(0, 'third', 0n))).toBe(ErrorCode.PersonalAccessTokensLimitReached);
    expect(codeOf(() => metadata.createPersonalAccessToken(9, 'third', 0n))).toBe(ErrorCode.ResourceNotFound);
  });

  it('deletes a token by name (20 when unknown)', async () => {
    const metadata = await open();
    const { token } = metadata.createPersonalAccessToken(0, 'tok', 0n);
    expect(codeOf(() => metadata.deletePersonalAccessToken(0, 'other'))).toBe(ErrorCode.ResourceNotFound);
    metadata.deletePersonalAccessToken(0, 'tok');
    expect(metadata.getPersonalAccessTokens(0)).toEqual([]);
    expect(codeOf(() => metadata.loginWithPersonalAccessToken(token))).toBe(ErrorCode.ResourceNotFound);
  });

  it('expires tokens: 0 and u64::MAX never, otherwise now + duration; login refuses expired (54)', async () => {
    const metadata = await open();
    const forever = metadata.createPersonalAccessToken(0, 'forever', U64_MAX);
    const never = metadata.createPersonalAccessToken(0, 'never', 0n);
    const short = metadata.createPersonalAccessToken(0, 'short', 1_000_000n);
    expect(forever.personalAccessToken.expiryAtUs).toBeNull();
    expect(never.personalAccessToken.expiryAtUs).toBeNull();
    expect(short.personalAccessToken.expiryAtUs).toBe(START_MS * 1000 + 1_000_000);
    nowMs = START_MS + 999;
    expect(metadata.loginWithPersonalAccessToken(short.token).id).toBe(0);
    nowMs = START_MS + 1000;
    expect(codeOf(() => metadata.loginWithPersonalAccessToken(short.token))).toBe(ErrorCode.PersonalAccessTokenExpired);
    expect(metadata.loginWithPersonalAccessToken(forever.token).id).toBe(0);
  });

  it('refuses a token whose owner is inactive (47) and an unknown token (20)', async () => {
    const metadata = await open();
    const user = await metadata.createUser({ username: 'alice', password: 'secret', status: UserStatus.Active, permissions: null });
    const { token } = metadata.createPersonalAccessToken(user.id, 'tok', 0n);
    metadata.updateUser(user.id, { status: UserStatus.Inactive });
    expect(codeOf(() => metadata.loginWithPersonalAccessToken(token))).toBe(ErrorCode.UserInactive);
    expect(codeOf(() => metadata.loginWithPersonalAccessToken('bogus'))).toBe(ErrorCode.ResourceNotFound);
  });

  it('cleans expired tokens only, durably', async () => {
    const metadata = await open();
    metadata.createPersonalAccessToken(0, 'short', 10n);
    metadata.createPersonalAccessToken(0, 'long', 10_000_000n);
    metadata.createPersonalAccessToken(0, 'never', 0n);
    expect(metadata.deleteExpiredTokens(START_MS * 1000 + 9)).toEqual([]);
    expect(metadata.deleteExpiredTokens(START_MS * 1000 + 10).map((pat) => pat.name)).toEqual(['short']);
    const reopened = await open();
    expect(reopened.getPersonalAccessTokens(0).map((pat) => pat.name)).toEqual(['long', 'never']);
  });
});

describe('persistence', () => {
  it('restores streams, topics, partitions, groups, users and tokens with the same ids, and continues numbering', async () => {
    const metadata = await open({ defaults: { messageExpiryUs: 5n, maxTopicSizeBytes: 2n * GIB, segmentSizeBytes: GIB } });
    for (const name of ['s0', 's1', 's2']) metadata.createStream(name);
    metadata.deleteStream('s1');
    metadata.createTopic('s0', topic('t0', { compressionAlgorithm: CompressionAlgorithm.Gzip, replicationFactor: 3 }));
    metadata.createTopic('s0', topic('t1', { partitionsCount: 1 }));
    metadata.createPartitions('s0', 't1', 2);
    metadata.createConsumerGroup('s0', 't0', 'g0');
    metadata.createConsumerGroup('s0', 't0', 'g1');
    metadata.deleteConsumerGroup('s0', 't0', 'g0');
    metadata.joinConsumerGroup('s0', 't0', 'g1', 77);
    const permissions: Permissions = {
      global: { ...noGlobalPermissions(), pollMessages: true },
      streams: new Map([
        [
          0,
          {
            manageStream: false,
            readStream: true,
            manageTopics: false,
            readTopics: false,
            pollMessages: false,
            sendMessages: true,
            topics: new Map([[1, { manageTopic: true, readTopic: false, pollMessages: false, sendMessages: false }]]),
          },
        ],
      ]),
    };
    await metadata.createUser({ username: 'alice', password: 'secret', status: UserStatus.Inactive, permissions });
    await metadata.createUser({ username: 'bob', password: 'secret', status: UserStatus.Active, permissions: null });
    const { token } = metadata.createPersonalAccessToken(2, 'bob-token', 1_000_000n);

    const reopened = await open({ rootPassword: 'different' });
    expect(reopened.getStreams().map((stream) => [stream.id, stream.name])).toEqual([[0, 's0'], [2, 's2']]);
    const restoredTopic = reopened.getTopic('s0', 't0')!;
    const original = metadata.getTopic('s0', 't0')!;
    expect(restoredTopic).toMatchObject({
      id: 0,
      createdAtUs: original.createdAtUs,
      compressionAlgorithm: 2,
      messageExpiryUs: 5n,
      maxTopicSizeBytes: 2n * GIB,
      replicationFactor: 3,
    });
    expect(restoredTopic.partitions).toEqual(original.partitions);
    expect(reopened.getTopic('s0', 't1')!.partitions.map((partition) => partition.id)).toEqual([0, 1, 2]);
    const group = reopened.getConsumerGroup('s0', 't0', 'g1')!;
    expect(group.id).toBe(1);
    expect(group.members.size).toBe(0);
    expect(reopened.getUser('alice')).toEqual(metadata.getUser('alice'));
    expect(reopened.getUser('alice')!.permissions).toEqual(permissions);
    expect(reopened.getUser(2)!.permissions).toBeNull();
    expect(reopened.loginWithPersonalAccessToken(token).id).toBe(2);
    expect((await reopened.authenticate('iggy', 'iggy')).id).toBe(0);

    expect(reopened.createStream('s3').id).toBe(1);
    expect(reopened.createStream('s4').id).toBe(3);
    expect(reopened.createTopic('s0', topic('t2')).id).toBe(2);
    expect(reopened.createConsumerGroup('s0', 't0', 'g2').id).toBe(0);
    expect(reopened.createConsumerGroup('s0', 't0', 'g3').id).toBe(2);
    expect((await reopened.createUser({ username: 'carol', password: 'secret', status: 1, permissions: null })).id).toBe(3);
  });

  it('persists every mutation before returning', async () => {
    const metadata = await open();
    metadata.createStream('s');
    expect((await open()).getStream('s')).toBeDefined();
    metadata.updateStream('s', 'renamed');
    expect((await open()).getStream('renamed')).toBeDefined();
    metadata.createTopic('renamed', topic('t'));
    metadata.deletePartitions('renamed', 't', 1);
    expect((await open()).getTopic('renamed', 't')!.partitions).toHaveLength(2);
  });

  it('refuses to start from a corrupt state file', async () => {
    const metadata = await open();
    metadata.createStream('s');
    const file = readFileSync(metadata.stateFilePath);
    file[file.length - 1]! ^= 0xff;
    writeFileSync(metadata.stateFilePath, file);
    expect(await codeOfAsync(() => open())).toBe(ErrorCode.InvalidStateEntryChecksum);
    writeFileSync(metadata.stateFilePath, file.subarray(0, 20));
    await expect(open()).rejects.toThrow(/state\.bin.*corrupted/);
  });

  it('turns a failed snapshot write into a fatal state that refuses later mutations', async () => {
    const metadata = await open();
    metadata.createStream('s');
    // Replace the metadata directory by a file, so writing the temporary snapshot fails.
    rmSync(join(dataPath, 'metadata'), { recursive: true });
    writeFileSync(join(dataPath, 'metadata'), '');
    expect(codeOf(() => metadata.createStream('t'))).toBe(ErrorCode.CannotWriteToFile);
    rmSync(join(dataPath, 'metadata'));
    expect(codeOf(() => metadata.createStream('u'))).toBe(ErrorCode.CannotWriteToFile);
    expect(await codeOfAsync(() => metadata.createUser({ username: 'alice', password: 'secret', status: 1, permissions: null }))).toBe(
      ErrorCode.CannotWriteToFile,
    );
  });

  it('reports an unreadable state file instead of starting empty', async () => {
    if (process.getuid?.() === 0) return; // root reads anything; the check needs an ordinary user.
    const metadata = await open();
    chmodSync(metadata.stateFilePath, 0o000);
    expect(await codeOfAsync(() => open())).toBe(ErrorCode.CannotReadFile);
  });
});
