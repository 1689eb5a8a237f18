/**
 * The in-memory metadata model owned by the router thread (the single writer). Plain objects,
 * mutated only by `Metadata`; everything else reads them. Ids are 0-based (reference 3.1).
 *
 * Persisted: streams, topics, partitions (id, creation time), consumer groups (id, name), users, PATs.
 * Runtime only: consumer-group membership, assignments, revocations and poll bookkeeping (members are
 * connections), and the topic's balanced-partitioning counter.
 */

/** A stream, topic, consumer group or user as a client names it: a number is an id, a string an exact name. */
export type Identifier = number | string;

/** `u64::MAX`: "never expire" for message expiry, "unlimited" for topic size. */
export const U64_MAX = 0xffff_ffff_ffff_ffffn;

export const CompressionAlgorithm = { None: 1, Gzip: 2 } as const;
export type CompressionAlgorithm = (typeof CompressionAlgorithm)[keyof typeof CompressionAlgorithm];

export const UserStatus = { Active: 1, Inactive: 2 } as const;
export type UserStatus = (typeof UserStatus)[keyof typeof UserStatus];

export interface GlobalPermissions {
  manageServers: boolean;
  readServers: boolean;
  manageUsers: boolean;
  readUsers: boolean;
  manageStreams: boolean;
  readStreams: boolean;
  manageTopics: boolean;
  readTopics: boolean;
  pollMessages: boolean;
  sendMessages: boolean;
}

export interface TopicPermissions {
  manageTopic: boolean;
  readTopic: boolean;
  pollMessages: boolean;
  sendMessages: boolean;
}

export interface StreamPermissions {
  manageStream: boolean;
  readStream: boolean;
  manageTopics: boolean;
  readTopics: boolean;
  pollMessages: boolean;
  sendMessages: boolean;
  /** Keyed by topic id. */
  topics: Map<number, TopicPermissions>;
}

export interface Permissions {
  global: GlobalPermissions;
  /** Keyed by stream id. */
  streams: Map<number, StreamPermissions>;
}

/**
 * Read-only view of `Permissions`, accepted wherever permissions are only read or copied, so a
 * decoded wire blob (protocol's readonly `Permissions`) can be passed in directly.
 */
export interface ReadonlyPermissions {
  readonly global: Readonly<GlobalPermissions>;
  readonly streams: ReadonlyMap<
    number,
    Readonly<Omit<StreamPermissions, 'topics'>> & { readonly topics: ReadonlyMap<number, Readonly<TopicPermissions>> }
  >;
}

export interface Partition {
  id: number;
  createdAtUs: number;
}

export interface Topic {
  id: number;
  streamId: number;
  name: string;
  createdAtUs: number;
  /** Dense: `partitions[i].id === i`. */
  partitions: Partition[];
  compressionAlgorithm: CompressionAlgorithm;
  /** Microseconds; `U64_MAX` = never expire. Always resolved (never 0) by this implementation. */
  messageExpiryUs: bigint;
  /** Bytes; `U64_MAX` = unlimited. Always resolved (never 0) by this implementation. */
  maxTopicSizeBytes: bigint;
  /** 1..255 (0 from a client is stored as 1). */
  replicationFactor: number;
  consumerGroups: Map<number, ConsumerGroup>;
  /** Derived index of `consumerGroups` by name. */
  consumerGroupsByName: Map<string, ConsumerGroup>;
  /** Round-robin counter for balanced partitioning of SendMessages. Runtime only, starts at 0. */
  balancedCounter: number;
}

export interface Stream {
  id: number;
  name: string;
  createdAtUs: number;
  topics: Map<number, Topic>;
  /** Derived index of `topics` by name. */
  topicsByName: Map<string, Topic>;
}

export interface User {
  id: number;
  username: string;
  /** Self-describing scrypt hash (passwords.ts); never the password. */
  passwordHash: string;
  status: UserStatus;
  /** `null`: the user has no grants at all. */
  permissions: Permissions | null;
  createdAtUs: number;
}

export interface PersonalAccessToken {
  userId: number;
  name: string;
  /** SHA-256 hex digest of the raw token; the raw token is never stored. */
  tokenHash: string;
  /** Epoch microseconds; `null` = never expires. */
  expiryAtUs: number | null;
}

export interface ConsumerGroupMember {
  /** Logical id reported by GetConsumerGroup: (highest member id) + 1 on join, 0 for the first. */
  memberId: number;
  clientId: number;
  /**
   * Partitions this member owns, ascending, including those it is revoking away (still owned until
   * the revocation completes). A partition id appears in at most one member's list.
   */
  partitions: number[];
  /** Round-robin position over the member's non-revoking partitions. */
  partitionCounter: number;
}

/** A partition moving from one member to another; the source keeps it until the revocation completes. */
export interface PendingRevocation {
  partitionId: number;
  fromClientId: number;
  toClientId: number;
  createdAtMs: number;
  /** Set by the source's next poll while a poll of this partition was still in flight. */
  releaseWhenIdle: boolean;
}

export interface ConsumerGroup {
  id: number;
  name: string;
  streamId: number;
  topicId: number;
  /** Keyed by client (connection) id; insertion order = join order = ascending member id. */
  members: Map<number, ConsumerGroupMember>;
  /** Keyed by partition id. Runtime only. */
  revocations: Map<number, PendingRevocation>;
  /** Offset of the last message a poll returned to the group, per partition. Runtime only. */
  lastPolledOffsets: Map<number, bigint>;
  /** Last group offset committed, per partition, as reported by the router. Runtime only. */
  committedOffsets: Map<number, bigint>;
  /**
   * Polls resolved but not yet reported back through `notePolled`, per partition, with the client
   * that issued them (only a partition's owner polls it). Runtime only.
   */
  pollsInFlight: Map<number, { clientId: number; count: number }>;
  /** `true` once the group was deleted (or its topic/stream): late hooks on this object are ignored. */
  deleted: boolean;
}
