/**
 * `Metadata`: the single writer of all server metadata (streams, topics, partitions, consumer
 * groups, users, personal access tokens). Only the router thread holds it. Every persistent mutation
 * validates first (expected failures throw `IggyError` with the 0.8 code), then changes the model,
 * then writes a full snapshot (store.ts) before returning.
 *
 * A failed snapshot write is fatal: the disk keeps the last good snapshot, this instance refuses
 * every later mutation with the same error, and the server should stop.
 *
 * Returned objects are the live model: read them, never mutate them.
 * Methods that hash or verify passwords are async (scrypt runs on the thread pool); all others are
 * synchronous. An async method re-validates after its await, so interleaved calls stay consistent.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ErrorCode, IggyError } from '@iggy-ts/protocol';
import { assert } from './assert.js';
import {
  addMember,
  checkGroupInvariants,
  expireRevocations,
  forgetPartitionsFrom,
  newConsumerGroup,
  noteCommitted,
  notePolled,
  rebalanceGroup,
  removeMember,
  resetOffsets,
  resolvePartition,
  type GroupPartitionPurpose,
} from './consumer-groups.js';
import { IdAllocator } from './id-allocator.js';
import {
  CompressionAlgorithm,
  U64_MAX,
  UserStatus,
  type ConsumerGroup,
  type Identifier,
  type Permissions,
  type PersonalAccessToken,
  type ReadonlyPermissions,
  type Stream,
  type StreamPermissions,
  type Topic,
  type TopicPermissions,
  type User,
} from './model.js';
import { DEFAULT_SCRYPT_PARAMS, hashPassword, verifyPassword, type ScryptParams } from './passwords.js';
import { canManageUsers, clonePermissions, rootPermissions } from './permissions.js';
import {
  MetadataStore,
  type PermissionsRecord,
  type PersistedState,
  type StreamRecord,
  type UserRecord,
} from './store.js';

/** Limits of the 0.8 server (reference 3.3, 4.2, 4.3, 4.7, 4.8). */
export const METADATA_LIMITS = {
  nameSizeBytesMax: 255,
  partitionsCountMax: 1000,
  usernameSizeBytesMin: 3,
  usernameSizeBytesMax: 50,
  passwordSizeBytesMin: 3,
  passwordSizeBytesMax: 100,
  tokenNameSizeBytesMin: 3,
  tokenNameSizeBytesMax: 30,
  tokenSizeBytes: 50,
  replicationFactorMax: 255,
} as const;

export const ROOT_USER_ID = 0;

/** Values a client's 0 resolves to, from the server configuration. */
export interface MetadataDefaults {
  /** `system.topic.message_expiry`; `U64_MAX` = never. */
  messageExpiryUs: bigint;
  /** `system.topic.max_size`; `U64_MAX` = unlimited. */
  maxTopicSizeBytes: bigint;
  /** `system.segment.size`: the smallest allowed explicit topic size. */
  segmentSizeBytes: bigint;
}

export interface MetadataOptions {
  /** Server data directory; the state lives in `<dataPath>/metadata/state.bin`. */
  dataPath: string;
  /** Root credentials, used only when no root user exists yet (first start). */
  rootUsername: string;
  rootPassword: string;
  defaults: MetadataDefaults;
  /** `personal_access_token.max_tokens_per_user`; default 100. */
  maxTokensPerUser?: number;
  /** `consumer_group.rebalancing_timeout`; default 30 000 ms. */
  rebalancingTimeoutMs?: number;
  /** Epoch milliseconds; default `Date.now`. */
  clock?: () => number;
  /** Password hashing cost for new hashes; default N=16384, r=8, p=1 (tests may lower it). */
  passwordParams?: ScryptParams;
}

export interface CreateTopicOptions {
  name: string;
  /** 0..1000. */
  partitionsCount: number;
  compressionAlgorithm: CompressionAlgorithm;
  /** 0 = server default, `U64_MAX` = never. */
  messageExpiryUs: bigint;
  /** 0 = server default, `U64_MAX` = unlimited, else ≥ segment size. */
  maxTopicSizeBytes: bigint;
  /** 0 is stored as 1. */
  replicationFactor: number;
}

export type UpdateTopicOptions = Omit<CreateTopicOptions, 'partitionsCount'>;

export interface CreateUserOptions {
  username: string;
  password: string;
  status: UserStatus;
  /** Copied; the caller's object is not kept. */
  permissions: ReadonlyPermissions | null;
}

export interface UpdateUserOptions {
  username?: string;
  status?: UserStatus;
}

export interface CreatedPersonalAccessToken {
  /** The raw token: returned to the client once, never stored. */
  token: string;
  personalAccessToken: PersonalAccessToken;
}

function sizeBytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function validName(name: string): boolean {
  const size = sizeBytes(name);
  return size >= 1 && size <= METADATA_LIMITS.nameSizeBytesMax;
}

function validUsername(username: string): boolean {
  const size = sizeBytes(username);
  return size >= METADATA_LIMITS.usernameSizeBytesMin && size <= METADATA_LIMITS.usernameSizeBytesMax;
}

function validPassword(password: string): boolean {
  const size = sizeBytes(password);
  return size >= METADATA_LIMITS.passwordSizeBytesMin && size <= METADATA_LIMITS.passwordSizeBytesMax;
}

function validStatus(status: number): status is UserStatus {
  return status === UserStatus.Active || status === UserStatus.Inactive;
}

function validCompression(algorithm: number): algorithm is CompressionAlgorithm {
  return algorithm === CompressionAlgorithm.None || algorithm === CompressionAlgorithm.Gzip;
}

function isId(identifier: Identifier): identifier is number {
  return typeof identifier === 'number';
}

function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function byId<T extends { id: number }>(values: Iterable<T>): T[] {
  return [...values].sort((a, b) => a.id - b.id);
}

export class Metadata {
  private readonly streams = new Map<number, Stream>();
  private readonly streamsByName = new Map<string, Stream>();
  private streamIds = new IdAllocator();
  private readonly topicIds = new Map<number, IdAllocator>();
  /** Keyed by `${streamId}/${topicId}`. */
  private readonly groupIds = new Map<string, IdAllocator>();
  private readonly users = new Map<number, User>();
  private readonly usersByName = new Map<string, User>();
  private userIds = new IdAllocator();
  private readonly tokensByHash = new Map<string, PersonalAccessToken>();
  /** userId → token name → token. */
  private readonly tokensByUser = new Map<number, Map<string, PersonalAccessToken>>();
  private failure: Error | undefined;
  private dummyHash: Promise<string> | undefined;

  private readonly clock: () => number;
  private readonly maxTokensPerUser: number;
  private readonly rebalancingTimeoutMs: number;
  private readonly passwordParams: ScryptParams;

  private constructor(
    private readonly store: MetadataStore,
    private readonly defaults: MetadataDefaults,
    options: MetadataOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.maxTokensPerUser = options.maxTokensPerUser ?? 100;
    this.rebalancingTimeoutMs = options.rebalancingTimeoutMs ?? 30_000;
    this.passwordParams = options.passwordParams ?? DEFAULT_SCRYPT_PARAMS;
  }

  /**
   * Loads `<dataPath>/metadata/state.bin` (refusing a corrupt one) and creates the root user
   * (id 0, all global permissions) when none exists yet.
   */
  static async open(options: MetadataOptions): Promise<Metadata> {
    const store = new MetadataStore(options.dataPath);
    const metadata = new Metadata(store, options.defaults, options);
    const state = store.load();
    if (state !== undefined) metadata.restore(state);
    if (!metadata.users.has(ROOT_USER_ID)) {
      if (!validUsername(options.rootUsername)) {
        throw new IggyError(ErrorCode.InvalidUsername, 'root username must be 3..50 bytes');
      }
      if (!validPassword(options.rootPassword)) {
        throw new IggyError(ErrorCode.InvalidPassword, 'root password must be 3..100 bytes');
      }
      if (metadata.usersByName.has(options.rootUsername)) {
        throw new IggyError(ErrorCode.UserAlreadyExists, `root username ${options.rootUsername} is taken by another user`);
      }
      const passwordHash = await hashPassword(options.rootPassword, metadata.passwordParams);
      const id = metadata.userIds.allocate();
      assert(id === ROOT_USER_ID, 'root user must get id 0');
      metadata.insertUser({
        id,
        username: options.rootUsername,
        passwordHash,
        status: UserStatus.Active,
        permissions: rootPermissions(),
        createdAtUs: metadata.nowUs(),
      });
      metadata.persist();
    }
    return metadata;
  }

  /** Where the snapshot lives. */
  get stateFilePath(): string {
    return this.store.filePath;
  }

  private nowUs(): number {
    return Math.trunc(this.clock() * 1000);
  }

  // ---------------------------------------------------------------- streams

  /** The stream, or `undefined` (GetStream replies empty OK). */
  getStream(streamId: Identifier): Stream | undefined {
    return isId(streamId) ? this.streams.get(streamId) : this.streamsByName.get(streamId);
  }

  /** All streams, ascending id. */
  getStreams(): Stream[] {
    return byId(this.streams.values());
  }

  /** The stream; throws 1009 when missing. */
  requireStream(streamId: Identifier): Stream {
    const stream = this.getStream(streamId);
    if (stream === undefined) throw new IggyError(ErrorCode.StreamIdNotFound);
    return stream;
  }

  /** Throws 1013 (bad name), 1012 (name taken). */
  createStream(name: string): Stream {
    this.ensureWritable();
    if (!validName(name)) throw new IggyError(ErrorCode.InvalidStreamName);
    if (this.streamsByName.has(name)) throw new IggyError(ErrorCode.StreamNameAlreadyExists);
    const id = this.streamIds.allocate();
    const stream: Stream = { id, name, createdAtUs: this.nowUs(), topics: new Map(), topicsByName: new Map() };
    this.streams.set(id, stream);
    this.streamsByName.set(name, stream);
    this.topicIds.set(id, new IdAllocator());
    this.persist();
    return stream;
  }

  /** Renames; the same name is a no-op success. Throws 1013, 1009, 1012. */
  updateStream(streamId: Identifier, name: string): Stream {
    this.ensureWritable();
    if (!validName(name)) throw new IggyError(ErrorCode.InvalidStreamName);
    const stream = this.requireStream(streamId);
    if (stream.name === name) return stream;
    if (this.streamsByName.has(name)) throw new IggyError(ErrorCode.StreamNameAlreadyExists);
    this.streamsByName.delete(stream.name);
    stream.name = name;
    this.streamsByName.set(name, stream);
    this.persist();
    return stream;
  }

  /** Removes the stream with its topics and groups; returns it (the router frees its partitions). Throws 1009. */
  deleteStream(streamId: Identifier): Stream {
    this.ensureWritable();
    const stream = this.requireStream(streamId);
    this.streams.delete(stream.id);
    this.streamsByName.delete(stream.name);
    this.streamIds.release(stream.id);
    this.topicIds.delete(stream.id);
    for (const topic of stream.topics.values()) this.forgetTopicGroups(topic);
    this.persist();
    return stream;
  }

  // ----------------------------------------------------------------- topics

  /** The topic, or `undefined` when the stream or topic is missing (GetTopic replies empty OK). */
  getTopic(streamId: Identifier, topicId: Identifier): Topic | undefined {
    const stream = this.getStream(streamId);
    if (stream === undefined) return undefined;
    return isId(topicId) ? stream.topics.get(topicId) : stream.topicsByName.get(topicId);
  }

  /** The stream's topics ascending, or `undefined` when the stream is missing. */
  getTopics(streamId: Identifier): Topic[] | undefined {
    const stream = this.getStream(streamId);
    return stream === undefined ? undefined : byId(stream.topics.values());
  }

  /** The topic; throws 1009 / 2010. */
  requireTopic(streamId: Identifier, topicId: Identifier): Topic {
    const stream = this.requireStream(streamId);
    const topic = isId(topicId) ? stream.topics.get(topicId) : stream.topicsByName.get(topicId);
    if (topic === undefined) throw new IggyError(ErrorCode.TopicIdNotFound);
    return topic;
  }

  /**
   * Creates a topic with partitions 0..n-1, resolving 0 expiry/size to the defaults and replication
   * factor 0 to 1. Throws 2015 (> 1000 partitions), 3 (compression), 2014 (name), 2018
   * (replication factor > 255), 1009, 2013 (name taken), 1019 (explicit size below segment size).
   */
  createTopic(streamId: Identifier, options: CreateTopicOptions): Topic {
    this.ensureWritable();
    const { partitionsCount } = options;
    if (!Number.isInteger(partitionsCount) || partitionsCount < 0 || partitionsCount > METADATA_LIMITS.partitionsCountMax) {
      throw new IggyError(ErrorCode.TooManyPartitions);
    }
    this.validateTopicOptions(options);
    const stream = this.requireStream(streamId);
    if (stream.topicsByName.has(options.name)) throw new IggyError(ErrorCode.TopicNameAlreadyExists);
    const maxTopicSizeBytes = this.resolveMaxTopicSize(options.maxTopicSizeBytes);
    if (maxTopicSizeBytes !== U64_MAX && maxTopicSizeBytes < this.defaults.segmentSizeBytes) {
      throw new IggyError(ErrorCode.InvalidTopicSize);
    }
    const topicIds = this.topicIds.get(stream.id);
    assert(topicIds !== undefined, `no topic ids for stream ${stream.id}`);
    const id = topicIds.allocate();
    const createdAtUs = this.nowUs();
    const topic: Topic = {
      id,
      streamId: stream.id,
      name: options.name,
      createdAtUs,
      partitions: Array.from({ length: partitionsCount }, (_, partitionId) => ({ id: partitionId, createdAtUs })),
      compressionAlgorithm: options.compressionAlgorithm,
      messageExpiryUs: this.resolveMessageExpiry(options.messageExpiryUs),
      maxTopicSizeBytes,
      replicationFactor: options.replicationFactor === 0 ? 1 : options.replicationFactor,
      consumerGroups: new Map(),
      consumerGroupsByName: new Map(),
      balancedCounter: 0,
    };
    stream.topics.set(id, topic);
    stream.topicsByName.set(topic.name, topic);
    this.groupIds.set(this.groupKey(stream.id, id), new IdAllocator());
    this.persist();
    return topic;
  }

  /**
   * Updates a topic. Deviation from 0.8 (which stores 0 as sent): 0 expiry/size resolve to the
   * defaults as on create, so a stored topic never holds 0; like 0.8, the size is not checked
   * against the segment size here. Throws 3, 2014, 2018, 1009, 2010, 2013.
   */
  updateTopic(streamId: Identifier, topicId: Identifier, options: UpdateTopicOptions): Topic {
    this.ensureWritable();
    this.validateTopicOptions(options);
    const topic = this.requireTopic(streamId, topicId);
    const stream = this.requireStream(topic.streamId);
    const holder = stream.topicsByName.get(options.name);
    if (holder !== undefined && holder !== topic) throw new IggyError(ErrorCode.TopicNameAlreadyExists);
    stream.topicsByName.delete(topic.name);
    topic.name = options.name;
    stream.topicsByName.set(topic.name, topic);
    topic.compressionAlgorithm = options.compressionAlgorithm;
    topic.messageExpiryUs = this.resolveMessageExpiry(options.messageExpiryUs);
    topic.maxTopicSizeBytes = this.resolveMaxTopicSize(options.maxTopicSizeBytes);
    topic.replicationFactor = options.replicationFactor === 0 ? 1 : options.replicationFactor;
    this.persist();
    return topic;
  }

  /** Removes the topic with its partitions and groups; returns it. Throws 1009, 2010. */
  deleteTopic(streamId: Identifier, topicId: Identifier): Topic {
    this.ensureWritable();
    const topic = this.requireTopic(streamId, topicId);
    const stream = this.requireStream(topic.streamId);
    stream.topics.delete(topic.id);
    stream.topicsByName.delete(topic.name);
    this.topicIds.get(stream.id)?.release(topic.id);
    this.forgetTopicGroups(topic);
    this.persist();
    return topic;
  }

  /**
   * Appends `count` partitions (next ids) and rebalances the topic's groups; returns the new ids.
   * Throws 2015 (count outside 1..1000 or total above 1000), 1009, 2010.
   */
  createPartitions(streamId: Identifier, topicId: Identifier, count: number): number[] {
    this.ensureWritable();
    if (!Number.isInteger(count) || count < 1 || count > METADATA_LIMITS.partitionsCountMax) {
      throw new IggyError(ErrorCode.TooManyPartitions);
    }
    const topic = this.requireTopic(streamId, topicId);
    const first = topic.partitions.length;
    if (first + count > METADATA_LIMITS.partitionsCountMax) throw new IggyError(ErrorCode.TooManyPartitions);
    const createdAtUs = this.nowUs();
    const added: number[] = [];
    for (let id = first; id < first + count; id++) {
      topic.partitions.push({ id, createdAtUs });
      added.push(id);
    }
    this.persist();
    this.rebalanceTopicGroups(topic);
    return added;
  }

  /**
   * Removes the `count` highest partitions and rebalances the topic's groups; returns the removed
   * ids ascending. Throws 2015 (count 0), 1009, 2010, 2019 (count above the partitions count).
   */
  deletePartitions(streamId: Identifier, topicId: Identifier, count: number): number[] {
    this.ensureWritable();
    if (!Number.isInteger(count) || count < 1) throw new IggyError(ErrorCode.TooManyPartitions);
    const topic = this.requireTopic(streamId, topicId);
    if (count > topic.partitions.length) throw new IggyError(ErrorCode.InvalidPartitionsCount);
    const removed = topic.partitions.splice(topic.partitions.length - count, count).map((partition) => partition.id);
    this.persist();
    for (const group of topic.consumerGroups.values()) forgetPartitionsFrom(group, topic.partitions.length);
    this.rebalanceTopicGroups(topic);
    return removed;
  }

  /** Next partition for balanced SendMessages (round robin), or `undefined` when the topic has none. */
  nextBalancedPartitionId(topic: Topic): number | undefined {
    const count = topic.partitions.length;
    if (count === 0) return undefined;
    const partitionId = topic.balancedCounter % count;
    topic.balancedCounter = (partitionId + 1) % count;
    return partitionId;
  }

  /**
   * Tells group bookkeeping that the topic (or every topic of the stream) was purged: offsets
   * restart at 0 and stored group offsets are gone. Throws 1009, 2010.
   */
  notePurged(streamId: Identifier, topicId?: Identifier): void {
    const topics =
      topicId === undefined ? [...this.requireStream(streamId).topics.values()] : [this.requireTopic(streamId, topicId)];
    for (const topic of topics) {
      for (const group of topic.consumerGroups.values()) resetOffsets(group);
    }
  }

  // -------------------------------------------------------- consumer groups

  /** The group, or `undefined` when stream, topic or group is missing (GetConsumerGroup replies empty OK). */
  getConsumerGroup(streamId: Identifier, topicId: Identifier, groupId: Identifier): ConsumerGroup | undefined {
    const topic = this.getTopic(streamId, topicId);
    if (topic === undefined) return undefined;
    return isId(groupId) ? topic.consumerGroups.get(groupId) : topic.consumerGroupsByName.get(groupId);
  }

  /** The topic's groups ascending, or `undefined` when stream or topic is missing. */
  getConsumerGroups(streamId: Identifier, topicId: Identifier): ConsumerGroup[] | undefined {
    const topic = this.getTopic(streamId, topicId);
    return topic === undefined ? undefined : byId(topic.consumerGroups.values());
  }

  /** The group; throws 1009 / 2010 / 5000. */
  requireConsumerGroup(streamId: Identifier, topicId: Identifier, groupId: Identifier): ConsumerGroup {
    const topic = this.requireTopic(streamId, topicId);
    const group = isId(groupId) ? topic.consumerGroups.get(groupId) : topic.consumerGroupsByName.get(groupId);
    if (group === undefined) throw new IggyError(ErrorCode.ConsumerGroupIdNotFound);
    return group;
  }

  /** Throws 5005 (bad name), 1009, 2010, 5004 (name taken). */
  createConsumerGroup(streamId: Identifier, topicId: Identifier, name: string): ConsumerGroup {
    this.ensureWritable();
    if (!validName(name)) throw new IggyError(ErrorCode.InvalidConsumerGroupName);
    const topic = this.requireTopic(streamId, topicId);
    if (topic.consumerGroupsByName.has(name)) throw new IggyError(ErrorCode.ConsumerGroupNameAlreadyExists);
    const groupIds = this.groupIds.get(this.groupKey(topic.streamId, topic.id));
    assert(groupIds !== undefined, `no group ids for topic ${topic.streamId}/${topic.id}`);
    const group = newConsumerGroup(groupIds.allocate(), name, topic.streamId, topic.id);
    topic.consumerGroups.set(group.id, group);
    topic.consumerGroupsByName.set(name, group);
    this.persist();
    return group;
  }

  /** Removes the group and its members; returns it (the router deletes its offsets). Throws 1009, 2010, 5000. */
  deleteConsumerGroup(streamId: Identifier, topicId: Identifier, groupId: Identifier): ConsumerGroup {
    this.ensureWritable();
    const group = this.requireConsumerGroup(streamId, topicId, groupId);
    const topic = this.requireTopic(group.streamId, group.topicId);
    topic.consumerGroups.delete(group.id);
    topic.consumerGroupsByName.delete(group.name);
    this.groupIds.get(this.groupKey(topic.streamId, topic.id))?.release(group.id);
    this.forgetGroup(group);
    this.persist();
    return group;
  }

  /** Adds the connection as a member and rebalances; already a member is a no-op. Throws 1009, 2010, 5000. */
  joinConsumerGroup(streamId: Identifier, topicId: Identifier, groupId: Identifier, clientId: number): ConsumerGroup {
    const group = this.requireConsumerGroup(streamId, topicId, groupId);
    addMember(group, clientId, this.partitionsCountOf(group), this.clock());
    return group;
  }

  /** Removes the connection's membership and rebalances. Throws 1009, 2010, 5000, 5006 (not a member). */
  leaveConsumerGroup(streamId: Identifier, topicId: Identifier, groupId: Identifier, clientId: number): ConsumerGroup {
    const group = this.requireConsumerGroup(streamId, topicId, groupId);
    if (!removeMember(group, clientId, this.partitionsCountOf(group), this.clock())) {
      throw new IggyError(ErrorCode.ConsumerGroupMemberNotFound);
    }
    return group;
  }

  /** A connection closed: leaves every group it had joined; returns those groups. */
  removeClient(clientId: number): ConsumerGroup[] {
    const left: ConsumerGroup[] = [];
    const nowMs = this.clock();
    for (const stream of this.streams.values()) {
      for (const topic of stream.topics.values()) {
        for (const group of topic.consumerGroups.values()) {
          if (removeMember(group, clientId, topic.partitions.length, nowMs)) left.push(group);
        }
      }
    }
    return left;
  }

  /**
   * The partition a group consumer uses (reference §10.4): `requestedPartitionId` must be owned by
   * the member (revoking away included), else the member's round-robin slot over its non-revoking
   * partitions. Purpose 'poll' (default) advances the slot, ends the member's pending revocations
   * (except the requested partition) and counts the poll as in flight: report its end with
   * `notePolled`. Purpose 'offset' (Store/DeleteConsumerOffset) reads the slot without side effects.
   * Throws 5000 (group deleted), 5006 (not a member), 3022 (nothing owned / not owned; for
   * PollMessages the router replies with the empty header instead).
   */
  resolveGroupPartition(
    group: ConsumerGroup,
    clientId: number,
    requestedPartitionId?: number,
    purpose: GroupPartitionPurpose = 'poll',
  ): number {
    return resolvePartition(group, clientId, requestedPartitionId, purpose);
  }

  /**
   * End of a poll resolved by `resolveGroupPartition(..., 'poll')`; `lastOffset` = offset of the
   * last message returned, `null` when none (or the poll failed). Call exactly once per resolution.
   * `clientId` is the polling connection; a poll that outlived its client's ownership (timeout,
   * leave) no longer counts as in flight.
   */
  notePolled(group: ConsumerGroup, clientId: number, partitionId: number, lastOffset: bigint | null): void {
    notePolled(group, clientId, partitionId, lastOffset);
  }

  /**
   * The group's stored offset for a partition changed (StoreConsumerOffset, auto-commit): `offset`,
   * or `null` after DeleteConsumerOffset. May complete a pending revocation.
   */
  noteCommitted(group: ConsumerGroup, clientId: number, partitionId: number, offset: bigint | null): void {
    void clientId;
    noteCommitted(group, partitionId, offset);
  }

  /**
   * Periodic task (every few seconds): completes revocations older than the rebalancing timeout.
   * Returns how many completed.
   */
  tick(nowMs: number = this.clock()): number {
    let completed = 0;
    for (const stream of this.streams.values()) {
      for (const topic of stream.topics.values()) {
        for (const group of topic.consumerGroups.values()) {
          if (group.revocations.size > 0) completed += expireRevocations(group, nowMs, this.rebalancingTimeoutMs);
        }
      }
    }
    return completed;
  }

  /** Checks every group's ownership invariants (tests, debugging); throws on a violation. */
  checkInvariants(): void {
    for (const stream of this.streams.values()) {
      for (const topic of stream.topics.values()) {
        for (const group of topic.consumerGroups.values()) checkGroupInvariants(group, topic.partitions.length);
      }
    }
  }

  // ------------------------------------------------------------------ users

  /** The user, or `undefined` (GetUser replies empty OK). A string is always a username. */
  getUser(userId: Identifier): User | undefined {
    return isId(userId) ? this.users.get(userId) : this.usersByName.get(userId);
  }

  /** All users, ascending id. */
  getUsers(): User[] {
    return byId(this.users.values());
  }

  /** The user; throws 20. */
  requireUser(userId: Identifier): User {
    const user = this.getUser(userId);
    if (user === undefined) throw new IggyError(ErrorCode.ResourceNotFound);
    return user;
  }

  /** Throws 43 (username 3..50 bytes), 44 (password 3..100 bytes), 3 (status), 46 (username taken). */
  async createUser(options: CreateUserOptions): Promise<User> {
    this.ensureWritable();
    const { username, password, status } = options;
    if (!validUsername(username)) throw new IggyError(ErrorCode.InvalidUsername);
    if (!validPassword(password)) throw new IggyError(ErrorCode.InvalidPassword);
    if (!validStatus(status)) throw new IggyError(ErrorCode.InvalidCommand);
    if (this.usersByName.has(username)) throw new IggyError(ErrorCode.UserAlreadyExists);
    const passwordHash = await hashPassword(password, this.passwordParams);
    // Another call may have taken the name or failed the store while we hashed.
    this.ensureWritable();
    if (this.usersByName.has(username)) throw new IggyError(ErrorCode.UserAlreadyExists);
    const user: User = {
      id: this.userIds.allocate(),
      username,
      passwordHash,
      status,
      permissions: clonePermissions(options.permissions),
      createdAtUs: this.nowUs(),
    };
    this.insertUser(user);
    this.persist();
    return user;
  }

  /** Removes the user and its tokens; returns it (the router logs out its sessions). Throws 20, 48 (root). */
  deleteUser(userId: Identifier): User {
    this.ensureWritable();
    const user = this.requireUser(userId);
    if (user.id === ROOT_USER_ID) throw new IggyError(ErrorCode.CannotDeleteUser);
    this.users.delete(user.id);
    this.usersByName.delete(user.username);
    this.userIds.release(user.id);
    for (const token of this.tokensByUser.get(user.id)?.values() ?? []) this.tokensByHash.delete(token.tokenHash);
    this.tokensByUser.delete(user.id);
    this.persist();
    return user;
  }

  /** Changes username and/or status. Throws 43, 3 (status), 20, 46 (username taken by another user). */
  updateUser(userId: Identifier, options: UpdateUserOptions): User {
    this.ensureWritable();
    const { username, status } = options;
    if (username !== undefined && !validUsername(username)) throw new IggyError(ErrorCode.InvalidUsername);
    if (status !== undefined && !validStatus(status)) throw new IggyError(ErrorCode.InvalidCommand);
    const user = this.requireUser(userId);
    if (username !== undefined) {
      const holder = this.usersByName.get(username);
      if (holder !== undefined && holder !== user) throw new IggyError(ErrorCode.UserAlreadyExists);
    }
    if (username !== undefined && username !== user.username) {
      this.usersByName.delete(user.username);
      user.username = username;
      this.usersByName.set(username, user);
    }
    if (status !== undefined) user.status = status;
    this.persist();
    return user;
  }

  /** Replaces the permissions (`null` clears them). Throws 20, 49 (root). */
  updatePermissions(userId: Identifier, permissions: ReadonlyPermissions | null): User {
    this.ensureWritable();
    const user = this.requireUser(userId);
    if (user.id === ROOT_USER_ID) throw new IggyError(ErrorCode.CannotChangePermissions);
    user.permissions = clonePermissions(permissions);
    this.persist();
    return user;
  }

  /**
   * Changes `target`'s password on behalf of user `callerId`. Check order of 0.8: 44 (either
   * password length), 20 (unknown target), 41 (target is not the caller and the caller lacks
   * manage_users), 42 (current password wrong, also when an admin changes someone else's).
   */
  async changePassword(callerId: number, target: Identifier, currentPassword: string, newPassword: string): Promise<void> {
    this.ensureWritable();
    if (!validPassword(currentPassword) || !validPassword(newPassword)) throw new IggyError(ErrorCode.InvalidPassword);
    const user = this.requireUser(target);
    if (user.id !== callerId && !canManageUsers(this.users.get(callerId)?.permissions ?? null)) {
      throw new IggyError(ErrorCode.Unauthorized);
    }
    if (!(await verifyPassword(currentPassword, user.passwordHash))) throw new IggyError(ErrorCode.InvalidCredentials);
    const passwordHash = await hashPassword(newPassword, this.passwordParams);
    this.ensureWritable();
    if (this.users.get(user.id) !== user) throw new IggyError(ErrorCode.ResourceNotFound);
    user.passwordHash = passwordHash;
    this.persist();
  }

  /**
   * LoginUser: the user, by exact username. Throws 43 / 44 (lengths), 42 (unknown user or wrong
   * password), 47 (inactive; checked before the password, as 0.8 does).
   */
  async authenticate(username: string, password: string): Promise<User> {
    if (!validUsername(username)) throw new IggyError(ErrorCode.InvalidUsername);
    if (!validPassword(password)) throw new IggyError(ErrorCode.InvalidPassword);
    const user = this.usersByName.get(username);
    if (user === undefined) {
      // Spend the same work as a real check, so timing does not reveal which usernames exist.
      await verifyPassword(password, await this.dummyPasswordHash());
      throw new IggyError(ErrorCode.InvalidCredentials);
    }
    if (user.status === UserStatus.Inactive) throw new IggyError(ErrorCode.UserInactive);
    const matches = await verifyPassword(password, user.passwordHash);
    if (!matches || this.users.get(user.id) !== user) throw new IggyError(ErrorCode.InvalidCredentials);
    // The status may have changed while the hash was verified.
    if ((user.status as UserStatus) === UserStatus.Inactive) throw new IggyError(ErrorCode.UserInactive);
    return user;
  }

  // ------------------------------------------------- personal access tokens

  /** The user's tokens, by name. Throws 20 when the user is missing. */
  getPersonalAccessTokens(userId: number): PersonalAccessToken[] {
    this.requireUser(userId);
    return [...(this.tokensByUser.get(userId)?.values() ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * Creates a token (50 random bytes, base64 with padding) and stores only its SHA-256.
   * `expiryUs`: 0 or `U64_MAX` = never, else a duration from now (capped at the largest safe µs).
   * Throws 50 (name 3..30 bytes), 20, 52 (limit per user), 51 (name taken).
   */
  createPersonalAccessToken(userId: number, name: string, expiryUs: bigint): CreatedPersonalAccessToken {
    this.ensureWritable();
    const nameSize = sizeBytes(name);
    if (nameSize < METADATA_LIMITS.tokenNameSizeBytesMin || nameSize > METADATA_LIMITS.tokenNameSizeBytesMax) {
      throw new IggyError(ErrorCode.InvalidPersonalAccessTokenName);
    }
    this.requireUser(userId);
    const tokens = this.tokensByUser.get(userId);
    if ((tokens?.size ?? 0) >= this.maxTokensPerUser) throw new IggyError(ErrorCode.PersonalAccessTokensLimitReached);
    if (tokens?.has(name) === true) throw new IggyError(ErrorCode.PersonalAccessTokenAlreadyExists);
    let expiryAtUs: number | null = null;
    if (expiryUs !== 0n && expiryUs !== U64_MAX) {
      const at = BigInt(this.nowUs()) + expiryUs;
      expiryAtUs = at > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(at);
    }
    let token: string;
    let tokenHash: string;
    do {
      token = randomBytes(METADATA_LIMITS.tokenSizeBytes).toString('base64');
      tokenHash = hashToken(token);
    } while (this.tokensByHash.has(tokenHash));
    const personalAccessToken: PersonalAccessToken = { userId, name, tokenHash, expiryAtUs };
    this.insertToken(personalAccessToken);
    this.persist();
    return { token, personalAccessToken };
  }

  /** Throws 20 (unknown user or token name). */
  deletePersonalAccessToken(userId: number, name: string): void {
    this.ensureWritable();
    const token = this.tokensByUser.get(userId)?.get(name);
    if (token === undefined) throw new IggyError(ErrorCode.ResourceNotFound);
    this.removeToken(token);
    this.persist();
  }

  /** LoginWithPersonalAccessToken: the owner. Throws 20 (unknown token), 54 (expired), 47 (owner inactive). */
  loginWithPersonalAccessToken(token: string): User {
    const personalAccessToken = this.tokensByHash.get(hashToken(token));
    if (personalAccessToken === undefined) throw new IggyError(ErrorCode.ResourceNotFound);
    if (personalAccessToken.expiryAtUs !== null && personalAccessToken.expiryAtUs <= this.nowUs()) {
      throw new IggyError(ErrorCode.PersonalAccessTokenExpired);
    }
    const user = this.users.get(personalAccessToken.userId);
    if (user === undefined) throw new IggyError(ErrorCode.ResourceNotFound);
    if (user.status === UserStatus.Inactive) throw new IggyError(ErrorCode.UserInactive);
    return user;
  }

  /** The cleaner: deletes tokens with `expiryAtUs <= nowUs`; returns them. */
  deleteExpiredTokens(nowUs: number = this.nowUs()): PersonalAccessToken[] {
    this.ensureWritable();
    const expired = [...this.tokensByHash.values()].filter((token) => token.expiryAtUs !== null && token.expiryAtUs <= nowUs);
    if (expired.length === 0) return expired;
    for (const token of expired) this.removeToken(token);
    this.persist();
    return expired;
  }

  // --------------------------------------------------------------- internals

  private groupKey(streamId: number, topicId: number): string {
    return `${streamId}/${topicId}`;
  }

  private partitionsCountOf(group: ConsumerGroup): number {
    return this.requireTopic(group.streamId, group.topicId).partitions.length;
  }

  private rebalanceTopicGroups(topic: Topic): void {
    const nowMs = this.clock();
    for (const group of topic.consumerGroups.values()) rebalanceGroup(group, topic.partitions.length, nowMs);
  }

  private forgetGroup(group: ConsumerGroup): void {
    group.deleted = true;
    group.members.clear();
    group.revocations.clear();
    group.pollsInFlight.clear();
  }

  private forgetTopicGroups(topic: Topic): void {
    this.groupIds.delete(this.groupKey(topic.streamId, topic.id));
    for (const group of topic.consumerGroups.values()) this.forgetGroup(group);
  }

  private validateTopicOptions(options: UpdateTopicOptions): void {
    if (!validCompression(options.compressionAlgorithm)) throw new IggyError(ErrorCode.InvalidCommand);
    if (!validName(options.name)) throw new IggyError(ErrorCode.InvalidTopicName);
    const factor = options.replicationFactor;
    if (!Number.isInteger(factor) || factor < 0 || factor > METADATA_LIMITS.replicationFactorMax) {
      throw new IggyError(ErrorCode.InvalidReplicationFactor);
    }
    for (const value of [options.messageExpiryUs, options.maxTopicSizeBytes]) {
      if (value < 0n || value > U64_MAX) throw new IggyError(ErrorCode.InvalidCommand);
    }
  }

  private resolveMessageExpiry(messageExpiryUs: bigint): bigint {
    return messageExpiryUs === 0n ? this.defaults.messageExpiryUs : messageExpiryUs;
  }

  private resolveMaxTopicSize(maxTopicSizeBytes: bigint): bigint {
    return maxTopicSizeBytes === 0n ? this.defaults.maxTopicSizeBytes : maxTopicSizeBytes;
  }

  private insertUser(user: User): void {
    this.users.set(user.id, user);
    this.usersByName.set(user.username, user);
  }

  private insertToken(token: PersonalAccessToken): void {
    this.tokensByHash.set(token.tokenHash, token);
    let tokens = this.tokensByUser.get(token.userId);
    if (tokens === undefined) {
      tokens = new Map();
      this.tokensByUser.set(token.userId, tokens);
    }
    tokens.set(token.name, token);
  }

  private removeToken(token: PersonalAccessToken): void {
    this.tokensByHash.delete(token.tokenHash);
    const tokens = this.tokensByUser.get(token.userId);
    tokens?.delete(token.name);
    if (tokens?.size === 0) this.tokensByUser.delete(token.userId);
  }

  private dummyPasswordHash(): Promise<string> {
    this.dummyHash ??= hashPassword(randomBytes(16).toString('hex'), this.passwordParams);
    return this.dummyHash;
  }

  private ensureWritable(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  /** Writes the snapshot; a failure is kept and makes every later mutation throw it. */
  private persist(): void {
    this.ensureWritable();
    try {
      this.store.save(this.snapshot());
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
      throw this.failure;
    }
  }

  /** Everything persistent as plain records (ascending ids). */
  private snapshot(): PersistedState {
    const streams: StreamRecord[] = this.getStreams().map((stream) => ({
      id: stream.id,
      name: stream.name,
      createdAtUs: stream.createdAtUs,
      topics: byId(stream.topics.values()).map((topic) => ({
        id: topic.id,
        name: topic.name,
        createdAtUs: topic.createdAtUs,
        partitions: topic.partitions.map((partition) => ({ id: partition.id, createdAtUs: partition.createdAtUs })),
        compressionAlgorithm: topic.compressionAlgorithm,
        messageExpiryUs: topic.messageExpiryUs.toString(),
        maxTopicSizeBytes: topic.maxTopicSizeBytes.toString(),
        replicationFactor: topic.replicationFactor,
        consumerGroups: byId(topic.consumerGroups.values()).map((group) => ({ id: group.id, name: group.name })),
      })),
    }));
    const users: UserRecord[] = this.getUsers().map((user) => ({
      id: user.id,
      username: user.username,
      passwordHash: user.passwordHash,
      status: user.status,
      createdAtUs: user.createdAtUs,
      permissions: permissionsToRecord(user.permissions),
    }));
    const tokens = [...this.tokensByHash.values()].map((token) => ({ ...token }));
    return { streams, users, tokens };
  }

  /** Rebuilds the model from a loaded snapshot; a semantically inconsistent one is corrupt. */
  private restore(state: PersistedState): void {
    const corrupt = (reason: string): IggyError =>
      new IggyError(
        ErrorCode.StateFileCorrupted,
        `metadata state file ${this.store.filePath} is inconsistent (${reason}); refusing to start`,
      );
    for (const record of state.streams) {
      if (this.streams.has(record.id)) throw corrupt(`duplicate stream id ${record.id}`);
      if (this.streamsByName.has(record.name)) throw corrupt(`duplicate stream name ${record.name}`);
      const stream: Stream = {
        id: record.id,
        name: record.name,
        createdAtUs: record.createdAtUs,
        topics: new Map(),
        topicsByName: new Map(),
      };
      for (const topicRecord of record.topics) {
        if (stream.topics.has(topicRecord.id)) throw corrupt(`duplicate topic id ${record.id}/${topicRecord.id}`);
        if (stream.topicsByName.has(topicRecord.name)) throw corrupt(`duplicate topic name ${topicRecord.name}`);
        if (!validCompression(topicRecord.compressionAlgorithm)) throw corrupt(`bad compression of topic ${topicRecord.id}`);
        const topic: Topic = {
          id: topicRecord.id,
          streamId: stream.id,
          name: topicRecord.name,
          createdAtUs: topicRecord.createdAtUs,
          partitions: topicRecord.partitions.map((partition) => ({ id: partition.id, createdAtUs: partition.createdAtUs })),
          compressionAlgorithm: topicRecord.compressionAlgorithm,
          messageExpiryUs: BigInt(topicRecord.messageExpiryUs),
          maxTopicSizeBytes: BigInt(topicRecord.maxTopicSizeBytes),
          replicationFactor: topicRecord.replicationFactor,
          consumerGroups: new Map(),
          consumerGroupsByName: new Map(),
          balancedCounter: 0,
        };
        for (const groupRecord of topicRecord.consumerGroups) {
          if (topic.consumerGroups.has(groupRecord.id)) throw corrupt(`duplicate group id ${groupRecord.id}`);
          if (topic.consumerGroupsByName.has(groupRecord.name)) throw corrupt(`duplicate group name ${groupRecord.name}`);
          const group = newConsumerGroup(groupRecord.id, groupRecord.name, stream.id, topic.id);
          topic.consumerGroups.set(group.id, group);
          topic.consumerGroupsByName.set(group.name, group);
        }
        stream.topics.set(topic.id, topic);
        stream.topicsByName.set(topic.name, topic);
        this.groupIds.set(this.groupKey(stream.id, topic.id), IdAllocator.fromUsed(topic.consumerGroups.keys()));
      }
      this.streams.set(stream.id, stream);
      this.streamsByName.set(stream.name, stream);
      this.topicIds.set(stream.id, IdAllocator.fromUsed(stream.topics.keys()));
    }
    this.streamIds = IdAllocator.fromUsed(this.streams.keys());
    for (const record of state.users) {
      if (this.users.has(record.id)) throw corrupt(`duplicate user id ${record.id}`);
      if (this.usersByName.has(record.username)) throw corrupt(`duplicate username ${record.username}`);
      if (!validStatus(record.status)) throw corrupt(`bad status of user ${record.id}`);
      this.insertUser({
        id: record.id,
        username: record.username,
        passwordHash: record.passwordHash,
        status: record.status,
        createdAtUs: record.createdAtUs,
        permissions: permissionsFromRecord(record.permissions),
      });
    }
    this.userIds = IdAllocator.fromUsed(this.users.keys());
    for (const record of state.tokens) {
      if (!this.users.has(record.userId)) throw corrupt(`token ${record.name} of missing user ${record.userId}`);
      if (this.tokensByHash.has(record.tokenHash)) throw corrupt('duplicate token hash');
      if (this.tokensByUser.get(record.userId)?.has(record.name) === true) throw corrupt(`duplicate token name ${record.name}`);
      this.insertToken({ ...record });
    }
  }
}

function permissionsToRecord(permissions: Permissions | null): PermissionsRecord | null {
  if (permissions === null) return null;
  return {
    global: { ...permissions.global },
    streams: [...permissions.streams.entries()]
      .sort(([a], [b]) => a - b)
      .map(([id, stream]) => ({
        id,
        manageStream: stream.manageStream,
        readStream: stream.readStream,
        manageTopics: stream.manageTopics,
        readTopics: stream.readTopics,
        pollMessages: stream.pollMessages,
        sendMessages: stream.sendMessages,
        topics: [...stream.topics.entries()].sort(([a], [b]) => a - b).map(([topicId, topic]) => ({
            id: topicId,
            manageTopic: topic.manageTopic,
            readTopic: topic.readTopic,
            pollMessages: topic.pollMessages,
            sendMessages: topic.sendMessages,
          })),
      })),
  };
}

function permissionsFromRecord(record: PermissionsRecord | null): Permissions | null {
  if (record === null) return null;
  const streams = new Map<number, StreamPermissions>();
  for (const { id, topics, ...flags } of record.streams) {
    const topicMap = new Map<number, TopicPermissions>();
    for (const { id: topicId, ...topicFlags } of topics) topicMap.set(topicId, topicFlags);
    streams.set(id, { ...flags, topics: topicMap });
  }
  return { global: { ...record.global }, streams };
}
