/**
 * The JSON side of HttpTransport: a JSON codec that keeps u64/u128 values exact, and the 0.8 JSON
 * shapes (reference 9.4) read into the protocol's wire structures, so that http.ts can encode them
 * with `encode<Command>Response`. Request-side pieces that need more than a field copy (user
 * headers, permissions) are written here too.
 *
 * Every reader failure is IggyError InvalidJsonResponse (302) naming the field.
 */
import {
  type ClientDetails,
  type ClientInfo,
  type ClusterMetadata,
  type ConsumerGroupDetails,
  type ConsumerGroupInfo,
  type ConsumerOffsetInfo,
  EMPTY_BUFFER,
  ErrorCode,
  HeaderKind,
  IggyError,
  MAX_TOPIC_SIZE_UNLIMITED,
  NO_USER_ID,
  type PartitionInfo,
  type PersonalAccessTokenInfo,
  type PolledMessage,
  type Stats,
  type StreamDetails,
  type StreamInfo,
  type TopicDetails,
  type TopicInfo,
  type UserDetails,
  type UserInfo,
  UserStatus,
  permissionsFromJson,
} from '@iggy-ts/protocol';

const U32_MAX = 0xffff_ffff;

/** Header kind code → 0.8 JSON name (`"string"`, `"uint32"`); index = kind. */
const HEADER_KIND_NAMES: readonly string[] = ['', ...Object.entries(HeaderKind).sort((a, b) => a[1] - b[1]).map(([name]) => name.toLowerCase())];
const HEADER_KIND_CODES: ReadonlyMap<string, number> = new Map(HEADER_KIND_NAMES.map((name, kind) => [name, kind]));

// ---------------------------------------------------------------------------------------------
// JSON with exact 64- and 128-bit integers.

/**
 * Parses a response body. Integer literals outside the safe range are turned into strings of their
 * exact digits before the platform parser sees them (string contents are skipped, so a name or a
 * base64 payload is never touched); the readers below accept such text wherever a number is due.
 */
export function parseJsonLossless(body: string): unknown {
  try {
    return JSON.parse(quoteUnsafeIntegers(body)) as unknown;
  } catch (error) {
    throw new IggyError(ErrorCode.InvalidJsonResponse, `invalid JSON in the HTTP response: ${(error as Error).message}`);
  }
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** `{"id":340282366920938463463374607431768211455}` → `{"id":"340282366920938463463374607431768211455"}`. */
function quoteUnsafeIntegers(json: string): string {
  let parts: string[] | undefined;
  let copiedUpTo = 0;
  let at = 0;
  const length = json.length;
  while (at < length) {
    const code = json.charCodeAt(at);
    if (code === 0x22) {
      // Skip the string: find the closing quote that is not escaped.
      let end = at + 1;
      for (;;) {
        end = json.indexOf('"', end);
        if (end < 0) return json; // unterminated: JSON.parse reports it
        let backslashes = 0;
        while (json.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes += 1;
        if (backslashes % 2 === 0) break;
        end += 1;
      }
      at = end + 1;
    } else if (code === 0x2d || isDigit(code)) {
      const start = at;
      at += code === 0x2d ? 1 : 0;
      while (at < length && isDigit(json.charCodeAt(at))) at += 1;
      const next = json.charCodeAt(at);
      const integer = next !== 0x2e && next !== 0x65 && next !== 0x45;
      // 16+ characters may exceed 2^53 - 1 (9007199254740991, 16 digits).
      if (integer && at - start >= 16 && !Number.isSafeInteger(Number(json.slice(start, at)))) {
        parts ??= [];
        parts.push(json.slice(copiedUpTo, start), '"', json.slice(start, at), '"');
        copiedUpTo = at;
      }
      while (at < length && /[0-9.eE+-]/.test(json[at]!)) at += 1;
    } else {
      at += 1;
    }
  }
  if (parts === undefined) return json;
  parts.push(json.slice(copiedUpTo));
  return parts.join('');
}

/** Compact JSON for request bodies: bigints as exact numbers, undefined fields left out. */
export function stringifyJson(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : stringifyJson(item))).join(',')}]`;
  const fields: string[] = [];
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (item !== undefined) fields.push(`${JSON.stringify(key)}:${stringifyJson(item)}`);
  }
  return `{${fields.join(',')}}`;
}

// ---------------------------------------------------------------------------------------------
// JSON readers: every failure is InvalidJsonResponse (302) naming the field.

type JsonRecord = Readonly<Record<string, unknown>>;

function invalid(field: string, expected: string, value: unknown): IggyError {
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : String(value);
  return new IggyError(ErrorCode.InvalidJsonResponse, `invalid HTTP response: ${field} should be ${expected}, got ${shown}`);
}

export function record(value: unknown, field: string): JsonRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(field, 'an object', value);
  return value as JsonRecord;
}

export function list(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw invalid(field, 'an array', value);
  return value;
}

export function text(value: unknown, field: string): string {
  if (typeof value !== 'string') throw invalid(field, 'a string', value);
  return value;
}

/** An exact integer of any size: a JSON number, or the digits of one kept exact by the parser. */
function bigInteger(value: unknown, field: string): bigint {
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  throw invalid(field, 'an integer', value);
}

/** An integer that fits a JS number exactly (ids, counts, offsets, µs timestamps). */
export function integer(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  throw invalid(field, 'an integer below 2^53', value);
}

function float(value: unknown, field: string): number {
  if (typeof value === 'number') return value;
  throw invalid(field, 'a number', value);
}

const BYTE_UNIT_FACTORS: Readonly<Record<string, bigint>> = {
  b: 1n,
  kb: 10n ** 3n,
  mb: 10n ** 6n,
  gb: 10n ** 9n,
  tb: 10n ** 12n,
  pb: 10n ** 15n,
  eb: 10n ** 18n,
  kib: 1n << 10n,
  mib: 1n << 20n,
  gib: 1n << 30n,
  tib: 1n << 40n,
  pib: 1n << 50n,
  eib: 1n << 60n,
};

/** A byte quantity: a number of bytes, or byte-unit text as 0.8 writes it (`"0 B"`, `"1.5 KB"`, `"2 MiB"`). */
function byteSize(value: unknown, field: string): number {
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))) return integer(typeof value === 'string' ? Number(value) : value, field);
  if (typeof value !== 'string') throw invalid(field, 'a byte size', value);
  const match = /^\s*(\d+)(?:\.(\d+))?\s*([a-zA-Z]*)\s*$/.exec(value);
  const factor = BYTE_UNIT_FACTORS[(match?.[3] ?? '').toLowerCase() || 'b'];
  if (match === null || factor === undefined) throw invalid(field, 'a byte size', value);
  const fraction = match[2] ?? '';
  const scale = 10n ** BigInt(fraction.length);
  const bytes = (BigInt(match[1]! + fraction) * factor) / scale;
  return integer(Number(bytes), field);
}

const U64_MAX = 0xffff_ffff_ffff_ffffn;

/** `message_expiry`: µs (0 = server default, u64::MAX = never), or 0.8's words for those. */
function expiryOf(value: unknown, field: string): bigint {
  if (value === 'never_expire' || value === 'unlimited') return U64_MAX;
  if (value === 'server_default' || value === null) return 0n;
  return bigInteger(value, field);
}

/** `max_topic_size`: bytes (0 = server default, u64::MAX = unlimited), byte-unit text, or 0.8's words. */
function maxTopicSizeOf(value: unknown, field: string): bigint {
  if (value === 'unlimited') return MAX_TOPIC_SIZE_UNLIMITED;
  if (value === 'server_default' || value === null) return 0n;
  if (typeof value === 'string' && !/^-?\d+$/.test(value)) return BigInt(byteSize(value, field));
  return bigInteger(value, field);
}

function compressionOf(value: unknown): number {
  return typeof value === 'string' && value.toLowerCase() === 'gzip' ? 2 : 1;
}

// ---------------------------------------------------------------------------------------------
// JSON views (reference 9.4) → wire structures.

export function streamInfoOf(value: unknown): StreamInfo {
  const json = record(value, 'Stream');
  return {
    id: integer(json.id, 'stream id'),
    createdAt: integer(json.created_at, 'created_at'),
    topicsCount: integer(json.topics_count, 'topics_count'),
    sizeBytes: byteSize(json.size, 'size'),
    messagesCount: integer(json.messages_count, 'messages_count'),
    name: text(json.name, 'stream name'),
  };
}

export function streamDetailsOf(value: unknown): StreamDetails {
  const topics = list(record(value, 'StreamDetails').topics ?? [], 'topics').map(topicInfoOf);
  return { ...streamInfoOf(value), topicsCount: topics.length, topics };
}

export function topicInfoOf(value: unknown): TopicInfo {
  const json = record(value, 'Topic');
  return {
    id: integer(json.id, 'topic id'),
    createdAt: integer(json.created_at, 'created_at'),
    partitionsCount: integer(json.partitions_count, 'partitions_count'),
    messageExpiry: expiryOf(json.message_expiry, 'message_expiry'),
    compressionAlgorithm: compressionOf(json.compression_algorithm),
    maxTopicSize: maxTopicSizeOf(json.max_topic_size, 'max_topic_size'),
    replicationFactor: integer(json.replication_factor ?? 1, 'replication_factor'),
    sizeBytes: byteSize(json.size, 'size'),
    messagesCount: integer(json.messages_count, 'messages_count'),
    name: text(json.name, 'topic name'),
  };
}

function partitionInfoOf(value: unknown): PartitionInfo {
  const json = record(value, 'Partition');
  return {
    id: integer(json.id, 'partition id'),
    createdAt: integer(json.created_at, 'created_at'),
    segmentsCount: integer(json.segments_count, 'segments_count'),
    currentOffset: integer(json.current_offset, 'current_offset'),
    sizeBytes: byteSize(json.size, 'size'),
    messagesCount: integer(json.messages_count, 'messages_count'),
  };
}

export function topicDetailsOf(value: unknown): TopicDetails {
  const partitions = list(record(value, 'TopicDetails').partitions ?? [], 'partitions').map(partitionInfoOf);
  return { ...topicInfoOf(value), partitionsCount: partitions.length, partitions };
}

export function consumerGroupInfoOf(value: unknown): ConsumerGroupInfo {
  const json = record(value, 'ConsumerGroup');
  return {
    id: integer(json.id, 'consumer group id'),
    partitionsCount: integer(json.partitions_count, 'partitions_count'),
    membersCount: integer(json.members_count, 'members_count'),
    name: text(json.name, 'consumer group name'),
  };
}

export function consumerGroupDetailsOf(value: unknown): ConsumerGroupDetails {
  const members = list(record(value, 'ConsumerGroupDetails').members ?? [], 'members').map((item) => {
    const member = record(item, 'member');
    const partitions = list(member.partitions, 'member partitions').map((partition) => integer(partition, 'member partition'));
    return { id: integer(member.id, 'member id'), partitionsCount: partitions.length, partitions };
  });
  return { ...consumerGroupInfoOf(value), membersCount: members.length, members };
}

export function consumerOffsetOf(value: unknown): ConsumerOffsetInfo {
  const json = record(value, 'ConsumerOffsetInfo');
  return {
    partitionId: integer(json.partition_id, 'partition_id'),
    currentOffset: integer(json.current_offset, 'current_offset'),
    storedOffset: integer(json.stored_offset, 'stored_offset'),
  };
}

function userStatusOf(value: unknown): number {
  return value === 'inactive' ? UserStatus.Inactive : UserStatus.Active;
}

export function userInfoOf(value: unknown): UserInfo {
  const json = record(value, 'UserInfo');
  return { id: integer(json.id, 'user id'), createdAt: integer(json.created_at, 'created_at'), status: userStatusOf(json.status), username: text(json.username, 'username') };
}

export function userDetailsOf(value: unknown): UserDetails {
  const permissions = record(value, 'UserInfoDetails').permissions;
  return { ...userInfoOf(value), permissions: permissionsFromJson(permissions, ErrorCode.InvalidJsonResponse) };
}

export function personalAccessTokenOf(value: unknown): PersonalAccessTokenInfo {
  const json = record(value, 'PersonalAccessTokenInfo');
  return { name: text(json.name, 'token name'), expiryAt: json.expiry_at === null || json.expiry_at === undefined ? 0 : integer(json.expiry_at, 'expiry_at') };
}

const TRANSPORT_CODES: Readonly<Record<string, number>> = { tcp: 1, quic: 2, http: 3, ws: 4, websocket: 4 };

export function clientInfoOf(value: unknown): ClientInfo {
  const json = record(value, 'ClientInfo');
  return {
    clientId: integer(json.client_id, 'client_id'),
    userId: json.user_id === null || json.user_id === undefined ? NO_USER_ID : integer(json.user_id, 'user_id'),
    transport: TRANSPORT_CODES[String(json.transport).toLowerCase()] ?? 1,
    address: text(json.address, 'address'),
    consumerGroupsCount: integer(json.consumer_groups_count, 'consumer_groups_count'),
  };
}

export function clientDetailsOf(value: unknown): ClientDetails {
  const groups = list(record(value, 'ClientInfoDetails').consumer_groups ?? [], 'consumer_groups').map((item) => {
    const group = record(item, 'consumer group');
    return { streamId: integer(group.stream_id, 'stream_id'), topicId: integer(group.topic_id, 'topic_id'), groupId: integer(group.group_id, 'group_id') };
  });
  return { ...clientInfoOf(value), consumerGroupsCount: groups.length, consumerGroups: groups };
}

const NODE_ROLE_CODES: Readonly<Record<string, number>> = { leader: 0, follower: 1 };
const NODE_STATUS_CODES: Readonly<Record<string, number>> = { healthy: 0, starting: 1, stopping: 2, unreachable: 3, maintenance: 4, unknown: 5 };

export function clusterMetadataOf(value: unknown): ClusterMetadata {
  const json = record(value, 'ClusterMetadata');
  const nodes = list(json.nodes, 'nodes').map((item) => {
    const node = record(item, 'node');
    const endpoints = record(node.endpoints ?? {}, 'endpoints');
    const port = (name: string): number => (endpoints[name] === null || endpoints[name] === undefined ? 0 : integer(endpoints[name], `endpoints.${name}`));
    return {
      name: text(node.name, 'node name'),
      ip: text(node.ip, 'node ip'),
      tcpPort: port('tcp'),
      quicPort: port('quic'),
      httpPort: port('http'),
      websocketPort: port('websocket'),
      role: NODE_ROLE_CODES[String(node.role).toLowerCase()] ?? 0,
      status: NODE_STATUS_CODES[String(node.status).toLowerCase()] ?? NODE_STATUS_CODES.unknown!,
    };
  });
  return { name: text(json.name, 'cluster name'), nodes };
}

export function statsOf(value: unknown): Stats {
  const json = record(value, 'Stats');
  const cacheMetrics = Object.entries(record(json.cache_metrics ?? {}, 'cache_metrics')).map(([key, item]) => {
    const [streamId, topicId, partitionId] = key.split('-').map(Number);
    const metric = record(item, `cache_metrics.${key}`);
    return {
      streamId: integer(streamId, 'cache metric stream id'),
      topicId: integer(topicId, 'cache metric topic id'),
      partitionId: integer(partitionId, 'cache metric partition id'),
      hits: integer(metric.hits, 'hits'),
      misses: integer(metric.misses, 'misses'),
      hitRatio: float(metric.hit_ratio, 'hit_ratio'),
    };
  });
  return {
    processId: integer(json.process_id, 'process_id'),
    cpuUsage: float(json.cpu_usage, 'cpu_usage'),
    totalCpuUsage: float(json.total_cpu_usage, 'total_cpu_usage'),
    memoryUsage: byteSize(json.memory_usage, 'memory_usage'),
    totalMemory: byteSize(json.total_memory, 'total_memory'),
    availableMemory: byteSize(json.available_memory, 'available_memory'),
    runTime: integer(json.run_time, 'run_time'),
    startTime: integer(json.start_time, 'start_time'),
    readBytes: byteSize(json.read_bytes, 'read_bytes'),
    writtenBytes: byteSize(json.written_bytes, 'written_bytes'),
    messagesSizeBytes: byteSize(json.messages_size_bytes, 'messages_size_bytes'),
    streamsCount: integer(json.streams_count, 'streams_count'),
    topicsCount: integer(json.topics_count, 'topics_count'),
    partitionsCount: integer(json.partitions_count, 'partitions_count'),
    segmentsCount: integer(json.segments_count, 'segments_count'),
    messagesCount: integer(json.messages_count, 'messages_count'),
    clientsCount: integer(json.clients_count, 'clients_count'),
    consumerGroupsCount: integer(json.consumer_groups_count, 'consumer_groups_count'),
    hostname: text(json.hostname, 'hostname'),
    osName: text(json.os_name, 'os_name'),
    osVersion: text(json.os_version, 'os_version'),
    kernelVersion: text(json.kernel_version, 'kernel_version'),
    iggyServerVersion: text(json.iggy_server_version, 'iggy_server_version'),
    iggyServerSemver: json.iggy_server_semver === null || json.iggy_server_semver === undefined ? 0 : integer(json.iggy_server_semver, 'iggy_server_semver'),
    cacheMetrics,
    threadsCount: integer(json.threads_count ?? 0, 'threads_count'),
    freeDiskSpace: byteSize(json.free_disk_space ?? 0, 'free_disk_space'),
    totalDiskSpace: byteSize(json.total_disk_space ?? 0, 'total_disk_space'),
  };
}

export function polledMessagesOf(value: unknown): { partitionId: number; currentOffset: number; count: number; messages: PolledMessage[] } {
  const json = record(value, 'PolledMessages');
  const messages = list(json.messages, 'messages').map((item, index): PolledMessage => {
    const message = record(item, `messages[${index}]`);
    const header = record(message.header, `messages[${index}].header`);
    return {
      checksum: bigInteger(header.checksum, 'checksum'),
      id: bigInteger(header.id, 'message id'),
      offset: integer(header.offset, 'offset'),
      timestamp: integer(header.timestamp, 'timestamp'),
      originTimestamp: integer(header.origin_timestamp, 'origin_timestamp'),
      payload: Buffer.from(text(message.payload, 'payload'), 'base64'),
      userHeaders: userHeadersFromJson(message.user_headers, `messages[${index}].user_headers`),
    };
  });
  return { partitionId: integer(json.partition_id, 'partition_id'), currentOffset: integer(json.current_offset, 'current_offset'), count: messages.length, messages };
}

// ---------------------------------------------------------------------------------------------
// User headers: wire TLV block ([kind:u8][length:u32 LE][value] for each key and value) ↔ 0.8 JSON.

interface HeaderFieldJson {
  kind: string;
  value: string;
}

/** The block as `[{key: {kind, value}, value: {kind, value}}]` (values base64); an unparsable block as one base64 string. */
export function userHeadersToJson(block: Buffer): unknown {
  const entries: { key: HeaderFieldJson; value: HeaderFieldJson }[] = [];
  let at = 0;
  const readField = (): HeaderFieldJson | undefined => {
    if (block.length - at < 5) return undefined;
    const kind = HEADER_KIND_NAMES[block[at]!];
    const length = block.readUInt32LE(at + 1);
    if (kind === undefined || kind === '' || block.length - at - 5 < length) return undefined;
    const value = block.subarray(at + 5, at + 5 + length).toString('base64');
    at += 5 + length;
    return { kind, value };
  };
  while (at < block.length) {
    const key = readField();
    const value = key === undefined ? undefined : readField();
    if (key === undefined || value === undefined) return block.toString('base64');
    entries.push({ key, value });
  }
  return entries;
}

/** 0.8 JSON user headers (entries, a base64 block, `[]` or null) → the wire TLV block. */
function userHeadersFromJson(value: unknown, field: string): Buffer {
  if (value === null || value === undefined) return EMPTY_BUFFER;
  if (typeof value === 'string') return Buffer.from(value, 'base64');
  const entries = list(value, field);
  if (entries.length === 0) return EMPTY_BUFFER;
  const parts: Buffer[] = [];
  entries.forEach((item, index) => {
    const entry = record(item, `${field}[${index}]`);
    for (const side of ['key', 'value'] as const) {
      const headerField = record(entry[side], `${field}[${index}].${side}`);
      const kind = HEADER_KIND_CODES.get(text(headerField.kind, `${field}[${index}].${side}.kind`));
      if (kind === undefined || kind === 0) throw invalid(`${field}[${index}].${side}.kind`, 'a header kind', headerField.kind);
      const bytes = Buffer.from(text(headerField.value, `${field}[${index}].${side}.value`), 'base64');
      const prefix = Buffer.allocUnsafe(5);
      prefix[0] = kind;
      prefix.writeUInt32LE(bytes.length, 1);
      parts.push(prefix, bytes);
    }
  });
  // A deliberate copy: the block is rebuilt from JSON once per polled message.
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------------------------------------
// Error bodies.

export interface ErrorBody {
  readonly id: number;
  readonly code: string;
  readonly reason: string;
}

/** The 0.8 error body `{id, code, reason, field}`, or undefined when the text is not one. */
export function parseErrorBody(body: string): ErrorBody | undefined {
  if (body.trim() === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const { id, code, reason } = json as Record<string, unknown>;
  if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0 || id > U32_MAX) return undefined;
  return { id, code: typeof code === 'string' ? code : '', reason: typeof reason === 'string' ? reason : '' };
}
