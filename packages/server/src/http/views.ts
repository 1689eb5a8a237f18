/**
 * The 0.8 JSON shapes (reference 9.4, Rust `iggy_common` serde): wire structures decoded from the
 * router's binary responses → snake_case JSON objects, and the JSON request pieces that need more
 * than a field copy (permissions, user headers) → wire structures.
 *
 * Byte quantities (`size`, `memory_usage`, ...) are written as the Rust `byte-unit` crate writes an
 * `IggyByteSize`: the largest decimal unit, exact, trailing zeros dropped (`"1.5 KB"`, `"0 B"`).
 */
import {
  HeaderKind,
  NO_USER_ID,
  type ClientDetails,
  type ClientInfo,
  type ClusterMetadata,
  type ConsumerGroupDetails,
  type ConsumerGroupInfo,
  type ConsumerOffsetInfo,
  type PartitionInfo,
  type PersonalAccessTokenInfo,
  type PolledMessage,
  type PolledMessages,
  type Stats,
  type StreamDetails,
  type StreamInfo,
  type TopicDetails,
  type TopicInfo,
  type UserDetails,
  type UserInfo,
  permissionsToJson,
} from '@iggy-ts/protocol';
import type { IssuedToken } from './jwt.js';

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB', 'EB'] as const;

/** `IggyByteSize` as JSON: `"0 B"`, `"999 B"`, `"1 KB"`, `"1.234567 MB"`. */
export function formatByteSize(bytes: number | bigint): string {
  const digits = BigInt(bytes).toString();
  const unitIndex = Math.min(BYTE_UNITS.length - 1, Math.floor((digits.length - 1) / 3));
  if (unitIndex === 0) return `${digits} B`;
  const split = digits.length - unitIndex * 3;
  const fraction = digits.slice(split).replace(/0+$/, '');
  return `${digits.slice(0, split)}${fraction === '' ? '' : `.${fraction}`} ${BYTE_UNITS[unitIndex]}`;
}

export const COMPRESSION_NAMES: Readonly<Record<number, string>> = { 1: 'none', 2: 'gzip' };
export const USER_STATUS_NAMES: Readonly<Record<number, string>> = { 1: 'active', 2: 'inactive' };
const TRANSPORT_NAMES: Readonly<Record<number, string>> = { 1: 'tcp', 2: 'quic', 3: 'http', 4: 'ws' };
const ROLE_NAMES: Readonly<Record<number, string>> = { 0: 'leader', 1: 'follower' };
const NODE_STATUS_NAMES: Readonly<Record<number, string>> = { 0: 'healthy', 1: 'starting', 2: 'stopping', 3: 'unreachable', 4: 'maintenance', 5: 'unknown' };

/** Header kind code → 0.8 JSON name (`HeaderKind` serde, snake_case). */
export const HEADER_KIND_NAMES: readonly string[] = Object.entries(HeaderKind)
  .sort((a, b) => a[1] - b[1])
  .map(([name]) => name.toLowerCase());
const HEADER_KIND_CODES: ReadonlyMap<string, number> = new Map(HEADER_KIND_NAMES.map((name, index) => [name, index + 1]));
/** Value size of each fixed-size header kind (index = kind); 0 = variable (raw, string). */
const HEADER_FIXED_SIZE_BYTES = [0, 0, 0, 1, 1, 2, 4, 8, 16, 1, 2, 4, 8, 16, 4, 8] as const;

export function streamJson(stream: StreamInfo): Record<string, unknown> {
  return {
    id: stream.id,
    created_at: stream.createdAt,
    name: stream.name,
    size: formatByteSize(stream.sizeBytes),
    messages_count: stream.messagesCount,
    topics_count: stream.topicsCount,
  };
}

export function streamDetailsJson(stream: StreamDetails): Record<string, unknown> {
  return { ...streamJson(stream), topics: stream.topics.map(topicJson) };
}

export function topicJson(topic: TopicInfo): Record<string, unknown> {
  return {
    id: topic.id,
    created_at: topic.createdAt,
    name: topic.name,
    size: formatByteSize(topic.sizeBytes),
    message_expiry: topic.messageExpiry,
    compression_algorithm: COMPRESSION_NAMES[topic.compressionAlgorithm] ?? 'none',
    max_topic_size: topic.maxTopicSize,
    replication_factor: topic.replicationFactor,
    messages_count: topic.messagesCount,
    partitions_count: topic.partitionsCount,
  };
}

export function partitionJson(partition: PartitionInfo): Record<string, unknown> {
  return {
    id: partition.id,
    created_at: partition.createdAt,
    segments_count: partition.segmentsCount,
    current_offset: partition.currentOffset,
    size: formatByteSize(partition.sizeBytes),
    messages_count: partition.messagesCount,
  };
}

export function topicDetailsJson(topic: TopicDetails): Record<string, unknown> {
  return { ...topicJson(topic), partitions: topic.partitions.map(partitionJson) };
}

export function consumerGroupJson(group: ConsumerGroupInfo): Record<string, unknown> {
  return { id: group.id, name: group.name, partitions_count: group.partitionsCount, members_count: group.membersCount };
}

export function consumerGroupDetailsJson(group: ConsumerGroupDetails): Record<string, unknown> {
  return {
    ...consumerGroupJson(group),
    members: group.members.map((member) => ({ id: member.id, partitions_count: member.partitionsCount, partitions: [...member.partitions] })),
  };
}

export function consumerOffsetJson(offset: ConsumerOffsetInfo): Record<string, unknown> {
  return { partition_id: offset.partitionId, current_offset: offset.currentOffset, stored_offset: offset.storedOffset };
}

export function userInfoJson(user: UserInfo): Record<string, unknown> {
  return { id: user.id, created_at: user.createdAt, status: USER_STATUS_NAMES[user.status] ?? 'active', username: user.username };
}

export function userDetailsJson(user: UserDetails): Record<string, unknown> {
  return { ...userInfoJson(user), permissions: user.permissions === undefined ? null : permissionsToJson(user.permissions) };
}

export function personalAccessTokenJson(token: PersonalAccessTokenInfo): Record<string, unknown> {
  return { name: token.name, expiry_at: token.expiryAt === 0 ? null : token.expiryAt };
}

export function identityJson(issued: IssuedToken): Record<string, unknown> {
  return { user_id: issued.userId, access_token: { token: issued.token, expiry: issued.expiry } };
}

export function clientInfoJson(client: ClientInfo): Record<string, unknown> {
  return {
    client_id: client.clientId,
    user_id: client.userId === NO_USER_ID ? null : client.userId,
    address: client.address,
    transport: TRANSPORT_NAMES[client.transport] ?? 'tcp',
    consumer_groups_count: client.consumerGroupsCount,
  };
}

export function clientDetailsJson(client: ClientDetails): Record<string, unknown> {
  return {
    ...clientInfoJson(client),
    consumer_groups: client.consumerGroups.map((group) => ({ stream_id: group.streamId, topic_id: group.topicId, group_id: group.groupId })),
  };
}

export function clusterMetadataJson(metadata: ClusterMetadata): Record<string, unknown> {
  return {
    name: metadata.name,
    nodes: metadata.nodes.map((node) => ({
      name: node.name,
      ip: node.ip,
      endpoints: { tcp: node.tcpPort, quic: node.quicPort, http: node.httpPort, websocket: node.websocketPort },
      role: ROLE_NAMES[node.role] ?? 'leader',
      status: NODE_STATUS_NAMES[node.status] ?? 'unknown',
    })),
  };
}

export function statsJson(stats: Stats): Record<string, unknown> {
  const cacheMetrics: Record<string, unknown> = {};
  for (const metric of stats.cacheMetrics) {
    cacheMetrics[`${metric.streamId}-${metric.topicId}-${metric.partitionId}`] = { hits: metric.hits, misses: metric.misses, hit_ratio: metric.hitRatio };
  }
  return {
    process_id: stats.processId,
    cpu_usage: stats.cpuUsage,
    total_cpu_usage: stats.totalCpuUsage,
    memory_usage: formatByteSize(stats.memoryUsage),
    total_memory: formatByteSize(stats.totalMemory),
    available_memory: formatByteSize(stats.availableMemory),
    run_time: stats.runTime,
    start_time: stats.startTime,
    read_bytes: formatByteSize(stats.readBytes),
    written_bytes: formatByteSize(stats.writtenBytes),
    messages_size_bytes: formatByteSize(stats.messagesSizeBytes),
    streams_count: stats.streamsCount,
    topics_count: stats.topicsCount,
    partitions_count: stats.partitionsCount,
    segments_count: stats.segmentsCount,
    messages_count: stats.messagesCount,
    clients_count: stats.clientsCount,
    consumer_groups_count: stats.consumerGroupsCount,
    hostname: stats.hostname,
    os_name: stats.osName,
    os_version: stats.osVersion,
    kernel_version: stats.kernelVersion,
    iggy_server_version: stats.iggyServerVersion,
    iggy_server_semver: stats.iggyServerSemver === 0 ? null : stats.iggyServerSemver,
    cache_metrics: cacheMetrics,
    threads_count: stats.threadsCount,
    free_disk_space: formatByteSize(stats.freeDiskSpace),
    total_disk_space: formatByteSize(stats.totalDiskSpace),
  };
}

/**
 * A stored user-header block as 0.8 JSON: `[{key: {kind, value}, value: {kind, value}}]` with
 * base64 values; a block that does not parse is returned whole as one base64 string (as 0.8 does).
 */
export function userHeadersToJson(block: Buffer): unknown {
  const entries: { key: { kind: string; value: string }; value: { kind: string; value: string } }[] = [];
  let at = 0;
  const readField = (): { kind: string; value: string } | undefined => {
    if (block.length - at < 5) return undefined;
    const kind = block[at]!;
    const length = block.readUInt32LE(at + 1);
    const name = HEADER_KIND_NAMES[kind - 1];
    if (name === undefined || length < 1 || length > 255 || block.length - at - 5 < length) return undefined;
    const value = block.subarray(at + 5, at + 5 + length).toString('base64');
    at += 5 + length;
    return { kind: name, value };
  };
  while (at < block.length) {
    const key = readField();
    const value = key === undefined ? undefined : readField();
    if (key === undefined || value === undefined) return block.toString('base64');
    entries.push({ key, value });
  }
  return entries;
}

export class HeaderFormatError extends Error {
  constructor(message: string, readonly field: string, readonly isKey: boolean) {
    super(message);
  }
}

/**
 * 0.8 JSON user headers (a list of entries, a base64 string of a raw block, or null) → the TLV block.
 * Field sizes are checked (1..255 bytes, exact for fixed-size kinds); the router checks the rest.
 */
export function userHeadersFromJson(value: unknown, path: string): Buffer | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return Buffer.from(value, 'base64');
  const entries = value as readonly { key: { kind: string; value: string }; value: { kind: string; value: string } }[];
  const parts: Buffer[] = [];
  entries.forEach((entry, index) => {
    for (const [side, field] of [['key', entry.key], ['value', entry.value]] as const) {
      const kind = HEADER_KIND_CODES.get(field.kind)!;
      const bytes = Buffer.from(field.value, 'base64');
      const fixed = HEADER_FIXED_SIZE_BYTES[kind]!;
      const name = `${path}[${index}].${side}.value`;
      if (bytes.length < 1 || bytes.length > 255) throw new HeaderFormatError(`field ${name} must hold 1 to 255 bytes, got ${bytes.length}`, name, side === 'key');
      if (fixed !== 0 && bytes.length !== fixed) throw new HeaderFormatError(`field ${name} must hold exactly ${fixed} bytes for kind ${field.kind}, got ${bytes.length}`, name, side === 'key');
      const item = Buffer.allocUnsafe(5);
      item[0] = kind;
      item.writeUInt32LE(bytes.length, 1);
      parts.push(item, bytes);
    }
  });
  // A deliberate copy: the block is small and built once per message.
  return Buffer.concat(parts);
}

export function polledMessageJson(message: PolledMessage): Record<string, unknown> {
  return {
    header: {
      checksum: message.checksum,
      id: message.id,
      offset: message.offset,
      timestamp: message.timestamp,
      origin_timestamp: message.originTimestamp,
      user_headers_length: message.userHeaders.length,
      payload_length: message.payload.length,
      reserved: 0,
    },
    payload: message.payload.toString('base64'),
    user_headers: message.userHeaders.length === 0 ? [] : userHeadersToJson(message.userHeaders),
  };
}

export function polledMessagesJson(polled: PolledMessages): Record<string, unknown> {
  return {
    partition_id: polled.partitionId,
    current_offset: polled.currentOffset,
    count: polled.count,
    messages: polled.messages.map(polledMessageJson),
  };
}
