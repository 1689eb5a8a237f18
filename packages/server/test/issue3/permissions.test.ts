// The permission matrix of reference 3.3, table-driven: for every command that needs a permission, a
// user with no permissions is refused with 41, a user holding exactly one of the grants the reference
// lists is accepted (status 0 here: every fixture is built so the command succeeds), and a user
// holding exactly one grant that is NOT listed is refused with 41. The grants are set on the subject's
// live session by root with UpdatePermissions before each attempt, aimed at the command's target.
import {
  CommandCode,
  ConsumerKind,
  ErrorCode,
  SnapshotType,
  balanced,
  decodeGetMeResponse,
  decodeGetUserResponse,
  encodeChangePasswordRequest,
  encodeCreateConsumerGroupRequest,
  encodeCreatePartitionsRequest,
  encodeCreatePersonalAccessTokenRequest,
  encodeCreateStreamRequest,
  encodeCreateTopicRequest,
  encodeCreateUserRequest,
  encodeDeleteConsumerGroupRequest,
  encodeDeleteConsumerOffsetRequest,
  encodeDeletePartitionsRequest,
  encodeDeletePersonalAccessTokenRequest,
  encodeDeleteSegmentsRequest,
  encodeDeleteStreamRequest,
  encodeDeleteTopicRequest,
  encodeDeleteUserRequest,
  encodeFlushUnsavedBufferRequest,
  encodeGetClientRequest,
  encodeGetConsumerGroupRequest,
  encodeGetConsumerGroupsRequest,
  encodeGetConsumerOffsetRequest,
  encodeGetSnapshotRequest,
  encodeGetStreamRequest,
  encodeGetTopicRequest,
  encodeGetTopicsRequest,
  encodeGetUserRequest,
  encodeJoinConsumerGroupRequest,
  encodeLeaveConsumerGroupRequest,
  encodePollMessagesRequest,
  encodePurgeStreamRequest,
  encodePurgeTopicRequest,
  encodeSendMessagesRequest,
  encodeStoreConsumerOffsetRequest,
  encodeUpdatePermissionsRequest,
  encodeUpdateStreamRequest,
  encodeUpdateTopicRequest,
  encodeUpdateUserRequest,
  partitionId,
  pollingStrategy,
  type GlobalPermissions,
  type Permissions,
  type StreamPermissions,
  type TopicPermissions,
} from '@iggy-ts/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY, TestServer, type TestClient } from './helpers.js';

const GLOBAL_GRANTS = ['manageServers', 'readServers', 'manageUsers', 'readUsers', 'manageStreams', 'readStreams', 'manageTopics', 'readTopics', 'pollMessages', 'sendMessages'] as const;
const STREAM_GRANTS = ['manageStream', 'readStream', 'manageTopics', 'readTopics', 'pollMessages', 'sendMessages'] as const;
const TOPIC_GRANTS = ['manageTopic', 'readTopic', 'pollMessages', 'sendMessages'] as const;

type Grant = `G.${(typeof GLOBAL_GRANTS)[number]}` | `S.${(typeof STREAM_GRANTS)[number]}` | `T.${(typeof TOPIC_GRANTS)[number]}`;

const ALL_GRANTS: Grant[] = [
  ...GLOBAL_GRANTS.map((name) => `G.${name}` as Grant),
  ...STREAM_GRANTS.map((name) => `S.${name}` as Grant),
  ...TOPIC_GRANTS.map((name) => `T.${name}` as Grant),
];

function noGlobal(): Record<(typeof GLOBAL_GRANTS)[number], boolean> {
  return Object.fromEntries(GLOBAL_GRANTS.map((name) => [name, false])) as Record<(typeof GLOBAL_GRANTS)[number], boolean>;
}

/** Permissions holding exactly `grant`, stream- and topic-level grants aimed at the target. */
function permissionsWith(grant: Grant, streamId: number, topicId: number): Permissions {
  const [level, name] = grant.split('.') as [string, string];
  const global = noGlobal() as Record<string, boolean>;
  const streams = new Map<number, StreamPermissions>();
  if (level === 'G') global[name] = true;
  else {
    const stream = Object.fromEntries(STREAM_GRANTS.map((flag) => [flag, level === 'S' && flag === name])) as Record<string, boolean>;
    const topics = new Map<number, TopicPermissions>();
    if (level === 'T') topics.set(topicId, Object.fromEntries(TOPIC_GRANTS.map((flag) => [flag, flag === name])) as unknown as TopicPermissions);
    streams.set(streamId, { ...(stream as unknown as Omit<StreamPermissions, 'topics'>), topics });
  }
  return { global: global as unknown as GlobalPermissions, streams };
}

// The grant groups of reference 3.3, transcribed from the reference (not from the server's code).
const SERVERS: Grant[] = ['G.manageServers', 'G.readServers'];
const READ_USERS: Grant[] = ['G.manageUsers', 'G.readUsers'];
const MANAGE_USERS: Grant[] = ['G.manageUsers'];
const POLL: Grant[] = ['G.pollMessages', 'G.readTopics', 'G.manageTopics', 'G.readStreams', 'G.manageStreams', 'S.manageStream', 'S.readStream', 'S.manageTopics', 'S.readTopics', 'S.pollMessages', 'T.manageTopic', 'T.readTopic', 'T.pollMessages'];
const SEND: Grant[] = ['G.sendMessages', 'G.manageStreams', 'G.manageTopics', 'S.manageStream', 'S.manageTopics', 'S.sendMessages', 'T.manageTopic', 'T.sendMessages'];
const READ_TOPIC: Grant[] = ['G.readStreams', 'G.manageStreams', 'G.manageTopics', 'G.readTopics', 'S.manageStream', 'S.readStream', 'S.manageTopics', 'S.readTopics', 'T.manageTopic', 'T.readTopic'];
const MANAGE_TOPIC: Grant[] = ['G.manageStreams', 'G.manageTopics', 'S.manageStream', 'S.manageTopics', 'T.manageTopic'];
const MANAGE_STREAM: Grant[] = ['G.manageStreams', 'S.manageStream'];
const READ_STREAM: Grant[] = ['G.manageStreams', 'G.readStreams', 'S.manageStream', 'S.readStream'];
const READ_STREAMS: Grant[] = ['G.manageStreams', 'G.readStreams'];
const CREATE_STREAM: Grant[] = ['G.manageStreams'];
const READ_TOPICS: Grant[] = ['G.readStreams', 'G.manageStreams', 'G.manageTopics', 'G.readTopics', 'S.manageStream', 'S.readStream', 'S.manageTopics', 'S.readTopics'];
const CREATE_TOPIC: Grant[] = ['G.manageStreams', 'G.manageTopics', 'S.manageStream', 'S.manageTopics'];

interface Target {
  streamId: number;
  topicId: number;
  payload: Buffer;
}

interface Fixture {
  root: TestClient;
  subject: TestClient;
  subjectId: number;
  rootClientId: number;
  base: { streamId: number; topicId: number; groupId: number };
  victimId: number;
  unique(prefix: string): string;
  /** Re-creates a resource a previous accepted attempt deleted (keyed by name). */
  lazy<T>(key: string, create: () => Promise<T>): Promise<T>;
  forget(key: string): void;
  setSubjectPermissions(permissions: Permissions | undefined): Promise<void>;
}

interface MatrixCase {
  code: number;
  name: string;
  sufficient: Grant[];
  prepare(fixture: Fixture): Promise<Target>;
  /** Called after an accepted attempt (e.g. a deleted resource must be re-created next time). */
  accepted?(fixture: Fixture): void;
}

const VICTIM_PASSWORD = 'victim-password';

function onBase(fixture: Fixture, payload: Buffer): Target {
  return { streamId: fixture.base.streamId, topicId: fixture.base.topicId, payload };
}

const CASES: MatrixCase[] = [
  { code: CommandCode.GetStats, name: 'GetStats', sufficient: SERVERS, prepare: async (f) => onBase(f, EMPTY) },
  { code: CommandCode.GetClient, name: 'GetClient', sufficient: SERVERS, prepare: async (f) => onBase(f, encodeGetClientRequest({ clientId: f.rootClientId })) },
  { code: CommandCode.GetClients, name: 'GetClients', sufficient: SERVERS, prepare: async (f) => onBase(f, EMPTY) },
  { code: CommandCode.GetUser, name: 'GetUser (another user)', sufficient: READ_USERS, prepare: async (f) => onBase(f, encodeGetUserRequest({ userId: f.victimId })) },
  { code: CommandCode.GetUsers, name: 'GetUsers', sufficient: READ_USERS, prepare: async (f) => onBase(f, EMPTY) },
  {
    code: CommandCode.CreateUser,
    name: 'CreateUser',
    sufficient: MANAGE_USERS,
    prepare: async (f) => onBase(f, encodeCreateUserRequest({ username: f.unique('made'), password: 'made-password', status: 1 })),
  },
  {
    code: CommandCode.DeleteUser,
    name: 'DeleteUser',
    sufficient: MANAGE_USERS,
    prepare: async (f) => {
      const userId = await f.lazy('doomed-user', async () => (await f.root.createUser(f.unique('doomed'), 'doomed-password')).id);
      return onBase(f, encodeDeleteUserRequest({ userId }));
    },
    accepted: (f) => f.forget('doomed-user'),
  },
  { code: CommandCode.UpdateUser, name: 'UpdateUser', sufficient: MANAGE_USERS, prepare: async (f) => onBase(f, encodeUpdateUserRequest({ userId: f.victimId, status: 1 })) },
  { code: CommandCode.UpdatePermissions, name: 'UpdatePermissions', sufficient: MANAGE_USERS, prepare: async (f) => onBase(f, encodeUpdatePermissionsRequest({ userId: f.victimId })) },
  {
    code: CommandCode.ChangePassword,
    name: 'ChangePassword (another user)',
    sufficient: MANAGE_USERS,
    prepare: async (f) => onBase(f, encodeChangePasswordRequest({ userId: f.victimId, currentPassword: VICTIM_PASSWORD, newPassword: VICTIM_PASSWORD })),
  },
  {
    code: CommandCode.PollMessages,
    name: 'PollMessages',
    sufficient: POLL,
    prepare: async (f) =>
      onBase(
        f,
        encodePollMessagesRequest({ consumer: { kind: ConsumerKind.Consumer, id: 7 }, streamId: f.base.streamId, topicId: f.base.topicId, partitionId: 0, strategy: pollingStrategy.offset(0), count: 1, autoCommit: false }),
      ),
  },
  {
    code: CommandCode.SendMessages,
    name: 'SendMessages',
    sufficient: SEND,
    prepare: async (f) => onBase(f, encodeSendMessagesRequest({ streamId: f.base.streamId, topicId: f.base.topicId, partitioning: partitionId(0), messages: [{ payload: Buffer.from('matrix') }] })),
  },
  { code: CommandCode.FlushUnsavedBuffer, name: 'FlushUnsavedBuffer', sufficient: SEND, prepare: async (f) => onBase(f, encodeFlushUnsavedBufferRequest({ streamId: f.base.streamId, topicId: f.base.topicId, partitionId: 0, fsync: false })) },
  {
    code: CommandCode.GetConsumerOffset,
    name: 'GetConsumerOffset',
    sufficient: POLL,
    prepare: async (f) => onBase(f, encodeGetConsumerOffsetRequest({ consumer: { kind: ConsumerKind.Consumer, id: 7 }, streamId: f.base.streamId, topicId: f.base.topicId, partitionId: 0 })),
  },
  {
    code: CommandCode.StoreConsumerOffset,
    name: 'StoreConsumerOffset',
    sufficient: POLL,
    prepare: async (f) => onBase(f, encodeStoreConsumerOffsetRequest({ consumer: { kind: ConsumerKind.Consumer, id: 7 }, streamId: f.base.streamId, topicId: f.base.topicId, partitionId: 0, offset: 0 })),
  },
  {
    code: CommandCode.DeleteConsumerOffset,
    name: 'DeleteConsumerOffset',
    sufficient: POLL,
    prepare: async (f) => {
      const consumer = { kind: ConsumerKind.Consumer, id: 8 } as const;
      expect(await f.root.storeOffset(consumer, f.base.streamId, f.base.topicId, 0, 0)).toBe(0);
      return onBase(f, encodeDeleteConsumerOffsetRequest({ consumer, streamId: f.base.streamId, topicId: f.base.topicId, partitionId: 0 }));
    },
  },
  { code: CommandCode.GetStream, name: 'GetStream', sufficient: READ_STREAM, prepare: async (f) => onBase(f, encodeGetStreamRequest({ streamId: f.base.streamId })) },
  { code: CommandCode.GetStreams, name: 'GetStreams', sufficient: READ_STREAMS, prepare: async (f) => onBase(f, EMPTY) },
  { code: CommandCode.CreateStream, name: 'CreateStream', sufficient: CREATE_STREAM, prepare: async (f) => onBase(f, encodeCreateStreamRequest({ name: f.unique('created-stream') })) },
  {
    code: CommandCode.DeleteStream,
    name: 'DeleteStream',
    sufficient: MANAGE_STREAM,
    prepare: async (f) => {
      const streamId = await f.lazy('doomed-stream', async () => (await f.root.createStream(f.unique('doomed-stream'))).id);
      return { streamId, topicId: 0, payload: encodeDeleteStreamRequest({ streamId }) };
    },
    accepted: (f) => f.forget('doomed-stream'),
  },
  { code: CommandCode.UpdateStream, name: 'UpdateStream', sufficient: MANAGE_STREAM, prepare: async (f) => onBase(f, encodeUpdateStreamRequest({ streamId: f.base.streamId, name: f.unique('renamed-stream') })) },
  {
    code: CommandCode.PurgeStream,
    name: 'PurgeStream',
    sufficient: MANAGE_STREAM,
    prepare: async (f) => {
      const { streamId, topicId } = await f.lazy('purge-stream', async () => {
        const stream = await f.root.createStream(f.unique('purge-stream'));
        const topic = await f.root.createTopic(stream.id, 'purge-topic', 1);
        return { streamId: stream.id, topicId: topic.id };
      });
      return { streamId, topicId, payload: encodePurgeStreamRequest({ streamId }) };
    },
  },
  { code: CommandCode.GetTopic, name: 'GetTopic', sufficient: READ_TOPIC, prepare: async (f) => onBase(f, encodeGetTopicRequest({ streamId: f.base.streamId, topicId: f.base.topicId })) },
  { code: CommandCode.GetTopics, name: 'GetTopics', sufficient: READ_TOPICS, prepare: async (f) => onBase(f, encodeGetTopicsRequest({ streamId: f.base.streamId })) },
  {
    code: CommandCode.CreateTopic,
    name: 'CreateTopic',
    sufficient: CREATE_TOPIC,
    prepare: async (f) =>
      onBase(
        f,
        encodeCreateTopicRequest({ streamId: f.base.streamId, name: f.unique('created-topic'), partitionsCount: 1, compressionAlgorithm: 1, messageExpiry: 0n, maxTopicSize: 0n, replicationFactor: 1 }),
      ),
  },
  {
    code: CommandCode.DeleteTopic,
    name: 'DeleteTopic',
    sufficient: MANAGE_TOPIC,
    prepare: async (f) => {
      const topicId = await f.lazy('doomed-topic', async () => (await f.root.createTopic(f.base.streamId, f.unique('doomed-topic'), 1)).id);
      return { streamId: f.base.streamId, topicId, payload: encodeDeleteTopicRequest({ streamId: f.base.streamId, topicId }) };
    },
    accepted: (f) => f.forget('doomed-topic'),
  },
  {
    code: CommandCode.UpdateTopic,
    name: 'UpdateTopic',
    sufficient: MANAGE_TOPIC,
    prepare: async (f) => {
      const topicId = await f.lazy('update-topic', async () => (await f.root.createTopic(f.base.streamId, f.unique('update-topic'), 1)).id);
      const payload = encodeUpdateTopicRequest({ streamId: f.base.streamId, topicId, name: f.unique('updated-topic'), compressionAlgorithm: 1, messageExpiry: 0n, maxTopicSize: 0n, replicationFactor: 1 });
      return { streamId: f.base.streamId, topicId, payload };
    },
  },
  {
    code: CommandCode.PurgeTopic,
    name: 'PurgeTopic',
    sufficient: MANAGE_TOPIC,
    prepare: async (f) => {
      const topicId = await f.lazy('purge-topic', async () => (await f.root.createTopic(f.base.streamId, f.unique('purge-topic'), 1)).id);
      return { streamId: f.base.streamId, topicId, payload: encodePurgeTopicRequest({ streamId: f.base.streamId, topicId }) };
    },
  },
  {
    code: CommandCode.CreatePartitions,
    name: 'CreatePartitions',
    sufficient: MANAGE_TOPIC,
    prepare: async (f) => {
      const topicId = await f.lazy('partitions-topic', async () => (await f.root.createTopic(f.base.streamId, f.unique('partitions-topic'), 1)).id);
      return { streamId: f.base.streamId, topicId, payload: encodeCreatePartitionsRequest({ streamId: f.base.streamId, topicId, partitionsCount: 1 }) };
    },
  },
  {
    code: CommandCode.DeletePartitions,
    name: 'DeletePartitions',
    sufficient: MANAGE_TOPIC,
    prepare: async (f) => {
      const topicId = await f.lazy('partitions-topic', async () => (await f.root.createTopic(f.base.streamId, f.unique('partitions-topic'), 1)).id);
      await f.root.ok(CommandCode.CreatePartitions, encodeCreatePartitionsRequest({ streamId: f.base.streamId, topicId, partitionsCount: 1 }));
      return { streamId: f.base.streamId, topicId, payload: encodeDeletePartitionsRequest({ streamId: f.base.streamId, topicId, partitionsCount: 1 }) };
    },
  },
  {
    code: CommandCode.DeleteSegments,
    name: 'DeleteSegments',
    sufficient: MANAGE_TOPIC,
    prepare: async (f) => onBase(f, encodeDeleteSegmentsRequest({ streamId: f.base.streamId, topicId: f.base.topicId, partitionId: 0, segmentsCount: 1 })),
  },
  { code: CommandCode.GetConsumerGroup, name: 'GetConsumerGroup', sufficient: READ_TOPIC, prepare: async (f) => onBase(f, encodeGetConsumerGroupRequest({ ...f.base })) },
  { code: CommandCode.GetConsumerGroups, name: 'GetConsumerGroups', sufficient: READ_TOPIC, prepare: async (f) => onBase(f, encodeGetConsumerGroupsRequest({ streamId: f.base.streamId, topicId: f.base.topicId })) },
  {
    code: CommandCode.CreateConsumerGroup,
    name: 'CreateConsumerGroup',
    sufficient: READ_TOPIC,
    prepare: async (f) => onBase(f, encodeCreateConsumerGroupRequest({ streamId: f.base.streamId, topicId: f.base.topicId, name: f.unique('created-group') })),
  },
  {
    code: CommandCode.DeleteConsumerGroup,
    name: 'DeleteConsumerGroup',
    sufficient: READ_TOPIC,
    prepare: async (f) => {
      const groupId = await f.lazy('doomed-group', async () => (await f.root.createGroup(f.base.streamId, f.base.topicId, f.unique('doomed-group'))).id);
      return onBase(f, encodeDeleteConsumerGroupRequest({ streamId: f.base.streamId, topicId: f.base.topicId, groupId }));
    },
    accepted: (f) => f.forget('doomed-group'),
  },
  { code: CommandCode.JoinConsumerGroup, name: 'JoinConsumerGroup', sufficient: READ_TOPIC, prepare: async (f) => onBase(f, encodeJoinConsumerGroupRequest({ ...f.base })) },
  {
    code: CommandCode.LeaveConsumerGroup,
    name: 'LeaveConsumerGroup',
    sufficient: READ_TOPIC,
    prepare: async (f) => {
      // Membership belongs to the connection: the subject joins (briefly holding read_topics) first.
      await f.setSubjectPermissions(permissionsWith('G.readTopics', f.base.streamId, f.base.topicId));
      await f.subject.ok(CommandCode.JoinConsumerGroup, encodeJoinConsumerGroupRequest({ ...f.base }));
      return onBase(f, encodeLeaveConsumerGroupRequest({ ...f.base }));
    },
  },
];

describe('permission matrix (reference 3.3)', () => {
  let server: TestServer;
  let fixture: Fixture;

  beforeAll(async () => {
    server = await TestServer.start();
    const root = await server.client();
    const subjectUser = await root.createUser('subject', 'subject-password');
    const victim = await root.createUser('victim', VICTIM_PASSWORD);
    const subject = await server.client({ username: 'subject', password: 'subject-password' });
    const stream = await root.createStream('base');
    const topic = await root.createTopic(stream.id, 'base-topic', 2);
    const group = await root.createGroup(stream.id, topic.id, 'base-group');
    expect(await root.send(stream.id, topic.id, 0, [{ payload: Buffer.from('a') }, { payload: Buffer.from('b') }])).toBe(0);
    const rootClientId = decodeGetMeResponse(await root.ok(CommandCode.GetMe)).clientId;
    let counter = 0;
    const lazyValues = new Map<string, unknown>();
    fixture = {
      root,
      subject,
      subjectId: subjectUser.id,
      rootClientId,
      base: { streamId: stream.id, topicId: topic.id, groupId: group.id },
      victimId: victim.id,
      unique: (prefix) => `${prefix}-${(counter += 1)}`,
      lazy: async <T>(key: string, create: () => Promise<T>): Promise<T> => {
        if (!lazyValues.has(key)) lazyValues.set(key, await create());
        return lazyValues.get(key) as T;
      },
      forget: (key) => {
        lazyValues.delete(key);
      },
      setSubjectPermissions: async (permissions) => {
        await root.ok(CommandCode.UpdatePermissions, encodeUpdatePermissionsRequest({ userId: subjectUser.id, permissions }));
      },
    };
  });

  afterAll(async () => {
    await fixture?.root.close();
    await fixture?.subject.close();
    await server?.stop();
  });

  it('covers every command of reference 3.3 that names a permission', () => {
    const permissionFree = new Set<number>([CommandCode.Ping, CommandCode.GetSnapshot, CommandCode.GetClusterMetadata, CommandCode.GetMe, CommandCode.LoginUser, CommandCode.LogoutUser, CommandCode.GetPersonalAccessTokens, CommandCode.CreatePersonalAccessToken, CommandCode.DeletePersonalAccessToken, CommandCode.LoginWithPersonalAccessToken]);
    const covered = new Set(CASES.map((entry) => entry.code));
    for (const code of Object.values(CommandCode)) expect(permissionFree.has(code) || covered.has(code), `command ${code}`).toBe(true);
    expect(CASES).toHaveLength(37);
  });

  it.each(CASES.map((entry) => [`${entry.name} (${entry.code})`, entry] as const))(
    '%s refuses a user without permissions and accepts exactly the grants the reference lists',
    async (_label, entry) => {
      const outcomes: string[] = [];
      const expected: string[] = [];
      for (const grant of [undefined, ...ALL_GRANTS]) {
        const target = await entry.prepare(fixture);
        await fixture.setSubjectPermissions(grant === undefined ? undefined : permissionsWith(grant, target.streamId, target.topicId));
        const status = await fixture.subject.status(entry.code, target.payload);
        if (status === 0) entry.accepted?.(fixture);
        const sufficient = grant !== undefined && entry.sufficient.includes(grant);
        outcomes.push(`${grant ?? 'none'} → ${status}`);
        expected.push(`${grant ?? 'none'} → ${sufficient ? 0 : ErrorCode.Unauthorized}`);
      }
      expect(outcomes).toEqual(expected);
    },
  );

  it('lets a user without permissions read itself, change its own password and use the permission-free commands', async () => {
    const { root, subject, subjectId } = fixture;
    await root.ok(CommandCode.UpdatePermissions, encodeUpdatePermissionsRequest({ userId: subjectId }));
    const self = decodeGetUserResponse(await subject.ok(CommandCode.GetUser, encodeGetUserRequest({ userId: subjectId })));
    expect(self?.username).toBe('subject');
    expect(self?.permissions).toBeUndefined();
    expect(await subject.status(CommandCode.ChangePassword, encodeChangePasswordRequest({ userId: subjectId, currentPassword: 'subject-password', newPassword: 'subject-password' }))).toBe(0);
    expect(await subject.status(CommandCode.GetMe)).toBe(0);
    expect(await subject.status(CommandCode.GetClusterMetadata)).toBe(0);
    expect(await subject.status(CommandCode.GetSnapshot, encodeGetSnapshotRequest({ compression: 1, types: [SnapshotType.Test] }))).toBe(0);
    expect(await subject.status(CommandCode.CreatePersonalAccessToken, encodeCreatePersonalAccessTokenRequest({ name: 'own-token', expiry: 0n }))).toBe(0);
    expect(await subject.status(CommandCode.GetPersonalAccessTokens)).toBe(0);
    expect(await subject.status(CommandCode.DeletePersonalAccessToken, encodeDeletePersonalAccessTokenRequest({ name: 'own-token' }))).toBe(0);
    // Balanced sends still need SEND: checked before the partition is chosen.
    const balancedSend = encodeSendMessagesRequest({ streamId: fixture.base.streamId, topicId: fixture.base.topicId, partitioning: balanced(), messages: [{ payload: Buffer.from('x') }] });
    expect(await subject.status(CommandCode.SendMessages, balancedSend)).toBe(ErrorCode.Unauthorized);
    expect(await subject.status(CommandCode.LogoutUser)).toBe(0);
    expect(await subject.status(CommandCode.GetMe)).toBe(ErrorCode.Unauthenticated);
    await subject.login('subject', 'subject-password');
  });
});
