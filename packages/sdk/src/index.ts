/**
 * @iggy-ts/sdk: a TypeScript client for iggy-ts and Apache Iggy 0.8 servers.
 *
 * IggyClient is the low-level client (one method per command); Producer and Consumer are the
 * high-level batching producer and polling consumer; messages.ts builds and reads messages.
 * The protocol types a user needs are re-exported here; the whole protocol package is available
 * as the `protocol` namespace.
 */
export * from './transports/transport.js';
export * from './transports/tcp.js';
export * from './transports/http.js';
export * from './transports/websocket.js';
export * from './transports/quic.js';
export * from './encryption.js';
export * from './client.js';
export * from './errors.js';
export * from './wire-consumer.js';
export * from './messages.js';
export * from './producer.js';
export * from './consumer.js';
export * from './uuid.js';

export * as protocol from '@iggy-ts/protocol';
export {
  type ClientConsumerGroup,
  type ClientDetails,
  type ClientInfo,
  type ClusterMetadata,
  type ClusterNode,
  ClusterNodeRole,
  ClusterNodeStatus,
  CommandCode,
  type CommandName,
  CompressionAlgorithm,
  type Consumer as WireConsumer,
  type ConsumerGroupDetails,
  type ConsumerGroupInfo,
  type ConsumerGroupMember,
  ConsumerKind,
  type ConsumerOffsetInfo,
  ErrorCode,
  EXPIRY_NEVER,
  EXPIRY_SERVER_DEFAULT,
  type GlobalPermissions,
  type HeaderField,
  HeaderKind,
  type Identifier,
  IggyError,
  MAX_TOPIC_SIZE_SERVER_DEFAULT,
  MAX_TOPIC_SIZE_UNLIMITED,
  type PartitionInfo,
  type Partitioning,
  PartitioningKind,
  type Permissions,
  type PersonalAccessTokenInfo,
  PollingKind,
  type PollingStrategy,
  type SendMessage,
  SnapshotCompression,
  SnapshotType,
  type Stats,
  type CacheMetric,
  type StreamDetails,
  type StreamInfo,
  type StreamPermissions,
  type TopicDetails,
  type TopicInfo,
  type TopicPermissions,
  type UserDetails,
  type UserHeader,
  type UserInfo,
  UserStatus,
  Transport as TransportKind,
  NO_USER_ID,
  balanced,
  commandName,
  errorInfo,
  headerField,
  messagesKey,
  partitionForKey,
  partitionId,
  pollingStrategy,
} from '@iggy-ts/protocol';
