/**
 * System commands (reference 4.1): Ping 1, GetStats 10, GetSnapshot 11, GetClusterMetadata 12,
 * GetMe 20, GetClient 21, GetClients 22.
 *
 *   Stats: 108-byte numeric header, then [hostname:Str32][os_name:Str32][os_version:Str32]
 *          [kernel_version:Str32][iggy_server_version:Str32][iggy_server_semver:u32]
 *          [cache_metrics_count:u32][cache metric:32 × k][threads_count:u32][free_disk_space:u64][total_disk_space:u64]
 *   cache metric (32): [stream_id:u32][topic_id:u32][partition_id:u32][hits:u64][misses:u64][hit_ratio:f32]
 *   GetSnapshot request: [compression:u8][types_count:u8][type:u8 × k] → raw ZIP bytes
 *   ClusterMetadata: [name:Str32][nodes_count:u32] node × k;
 *          node: [name:Str32][ip:Str32][tcp:u16][quic:u16][http:u16][websocket:u16][role:u8][status:u8]
 *   client header (17 + a): [client_id:u32][user_id:u32][transport:u8][address:Str32][consumer_groups_count:u32]
 *   ClientDetails = client header + consumer_groups_count × [stream_id:u32][topic_id:u32][group_id:u32]
 *   GetClients = client headers back to back, WITHOUT group entries.
 */
import { EMPTY_BUFFER, Reader, Writer, badDiscriminant, str32Size } from './reader.js';

// Ping (1): empty → empty

export function encodePingRequest(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodePingRequest(_payload: Buffer): undefined {
  return undefined;
}

export function encodePingResponse(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodePingResponse(_payload: Buffer): undefined {
  return undefined;
}

// GetStats (10): empty → Stats

export interface CacheMetric {
  readonly streamId: number;
  readonly topicId: number;
  readonly partitionId: number;
  readonly hits: number;
  readonly misses: number;
  readonly hitRatio: number;
}

export interface Stats {
  readonly processId: number;
  readonly cpuUsage: number;
  readonly totalCpuUsage: number;
  readonly memoryUsage: number;
  readonly totalMemory: number;
  readonly availableMemory: number;
  /** µs. */
  readonly runTime: number;
  /** µs since epoch. */
  readonly startTime: number;
  readonly readBytes: number;
  readonly writtenBytes: number;
  readonly messagesSizeBytes: number;
  readonly streamsCount: number;
  readonly topicsCount: number;
  readonly partitionsCount: number;
  readonly segmentsCount: number;
  readonly messagesCount: number;
  readonly clientsCount: number;
  readonly consumerGroupsCount: number;
  readonly hostname: string;
  readonly osName: string;
  readonly osVersion: string;
  readonly kernelVersion: string;
  readonly iggyServerVersion: string;
  /** major·1 000 000 + minor·1 000 + patch (0.8.0 → 8000); 0 = unknown. */
  readonly iggyServerSemver: number;
  readonly cacheMetrics: readonly CacheMetric[];
  readonly threadsCount: number;
  readonly freeDiskSpace: number;
  readonly totalDiskSpace: number;
}

export const STATS_HEADER_SIZE_BYTES = 108;
const CACHE_METRIC_SIZE_BYTES = 32;

export function encodeGetStatsRequest(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodeGetStatsRequest(_payload: Buffer): undefined {
  return undefined;
}

export function encodeGetStatsResponse(value: Stats): Buffer {
  const size =
    STATS_HEADER_SIZE_BYTES +
    str32Size(value.hostname) +
    str32Size(value.osName) +
    str32Size(value.osVersion) +
    str32Size(value.kernelVersion) +
    str32Size(value.iggyServerVersion) +
    4 + 4 + CACHE_METRIC_SIZE_BYTES * value.cacheMetrics.length + 4 + 8 + 8;
  const writer = new Writer(size)
    .u32(value.processId, 'process id')
    .f32(value.cpuUsage)
    .f32(value.totalCpuUsage)
    .u64(value.memoryUsage, 'memory usage')
    .u64(value.totalMemory, 'total memory')
    .u64(value.availableMemory, 'available memory')
    .u64(value.runTime, 'run time')
    .u64(value.startTime, 'start time')
    .u64(value.readBytes, 'read bytes')
    .u64(value.writtenBytes, 'written bytes')
    .u64(value.messagesSizeBytes, 'messages size bytes')
    .u32(value.streamsCount, 'streams count')
    .u32(value.topicsCount, 'topics count')
    .u32(value.partitionsCount, 'partitions count')
    .u32(value.segmentsCount, 'segments count')
    .u64(value.messagesCount, 'messages count')
    .u32(value.clientsCount, 'clients count')
    .u32(value.consumerGroupsCount, 'consumer groups count')
    .str32(value.hostname)
    .str32(value.osName)
    .str32(value.osVersion)
    .str32(value.kernelVersion)
    .str32(value.iggyServerVersion)
    .u32(value.iggyServerSemver, 'server semver')
    .u32(value.cacheMetrics.length);
  for (const metric of value.cacheMetrics) {
    writer
      .u32(metric.streamId, 'stream id')
      .u32(metric.topicId, 'topic id')
      .u32(metric.partitionId, 'partition id')
      .u64(metric.hits, 'hits')
      .u64(metric.misses, 'misses')
      .f32(metric.hitRatio);
  }
  return writer.u32(value.threadsCount, 'threads count').u64(value.freeDiskSpace, 'free disk space').u64(value.totalDiskSpace, 'total disk space').finish();
}

/**
 * Decodes Stats. Everything after `kernel_version` is optional (a payload ending there, like the part
 * the Node SDK reads, leaves the later fields empty/0); a partially present tail is truncation (3).
 */
export function decodeGetStatsResponse(payload: Buffer): Stats {
  const reader = new Reader(payload);
  const processId = reader.u32('process id');
  const cpuUsage = reader.f32('cpu usage');
  const totalCpuUsage = reader.f32('total cpu usage');
  const memoryUsage = reader.u64('memory usage');
  const totalMemory = reader.u64('total memory');
  const availableMemory = reader.u64('available memory');
  const runTime = reader.u64('run time');
  const startTime = reader.u64('start time');
  const readBytes = reader.u64('read bytes');
  const writtenBytes = reader.u64('written bytes');
  const messagesSizeBytes = reader.u64('messages size bytes');
  const streamsCount = reader.u32('streams count');
  const topicsCount = reader.u32('topics count');
  const partitionsCount = reader.u32('partitions count');
  const segmentsCount = reader.u32('segments count');
  const messagesCount = reader.u64('messages count');
  const clientsCount = reader.u32('clients count');
  const consumerGroupsCount = reader.u32('consumer groups count');
  const hostname = reader.str32('hostname');
  const osName = reader.str32('os name');
  const osVersion = reader.str32('os version');
  const kernelVersion = reader.str32('kernel version');
  let iggyServerVersion = '';
  let iggyServerSemver = 0;
  const cacheMetrics: CacheMetric[] = [];
  let threadsCount = 0;
  let freeDiskSpace = 0;
  let totalDiskSpace = 0;
  if (reader.remaining > 0) {
    iggyServerVersion = reader.str32('server version');
    iggyServerSemver = reader.u32('server semver');
    const metricsCount = reader.u32('cache metrics count');
    reader.need(CACHE_METRIC_SIZE_BYTES * metricsCount, 'cache metrics');
    for (let i = 0; i < metricsCount; i += 1) {
      const streamId = reader.u32('stream id');
      const topicId = reader.u32('topic id');
      const partitionId = reader.u32('partition id');
      const hits = reader.u64('hits');
      const misses = reader.u64('misses');
      const hitRatio = reader.f32('hit ratio');
      cacheMetrics.push({ streamId, topicId, partitionId, hits, misses, hitRatio });
    }
    threadsCount = reader.u32('threads count');
    freeDiskSpace = reader.u64('free disk space');
    totalDiskSpace = reader.u64('total disk space');
  }
  return {
    processId, cpuUsage, totalCpuUsage, memoryUsage, totalMemory, availableMemory, runTime, startTime, readBytes, writtenBytes,
    messagesSizeBytes, streamsCount, topicsCount, partitionsCount, segmentsCount, messagesCount, clientsCount, consumerGroupsCount,
    hostname, osName, osVersion, kernelVersion, iggyServerVersion, iggyServerSemver, cacheMetrics, threadsCount, freeDiskSpace, totalDiskSpace,
  };
}

// GetSnapshot (11): [compression:u8][types_count:u8][type:u8 × k] → raw ZIP bytes

export const SnapshotCompression = { Stored: 1, Deflated: 2, Bzip2: 3, Zstd: 4, Lzma: 5, Xz: 6 } as const;
export const SnapshotType = { FilesystemOverview: 1, ProcessList: 2, ResourceUsage: 3, Test: 4, ServerLogs: 5, ServerConfig: 6, All: 100 } as const;

export interface GetSnapshotRequest {
  readonly compression: number;
  readonly types: readonly number[];
}

function isSnapshotType(value: number): boolean {
  return (value >= 1 && value <= 6) || value === 100;
}

export function encodeGetSnapshotRequest(value: GetSnapshotRequest): Buffer {
  const writer = new Writer(2 + value.types.length).u8(value.compression, 'snapshot compression').u8(value.types.length, 'snapshot types count');
  for (const type of value.types) writer.u8(type, 'snapshot type');
  return writer.finish();
}

/** Unknown compression or type, or `All` (100) combined with other types → 3. */
export function decodeGetSnapshotRequest(payload: Buffer): GetSnapshotRequest {
  const reader = new Reader(payload);
  const compression = reader.u8('snapshot compression');
  if (compression < 1 || compression > 6) throw badDiscriminant('snapshot compression', 0, compression);
  const count = reader.u8('snapshot types count');
  const types: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const at = reader.offset;
    const type = reader.u8('snapshot type');
    if (!isSnapshotType(type)) throw badDiscriminant('snapshot type', at, type);
    types.push(type);
  }
  if (types.length > 1 && types.includes(SnapshotType.All)) throw badDiscriminant('snapshot type combination with All', 1, SnapshotType.All);
  return { compression, types };
}

/** The ZIP archive, as is (a 1-byte archive cannot exist). */
export function encodeGetSnapshotResponse(value: Buffer): Buffer {
  return value;
}

/** The ZIP archive bytes (a view of the payload). */
export function decodeGetSnapshotResponse(payload: Buffer): Buffer {
  return payload;
}

// GetClusterMetadata (12): empty → ClusterMetadata

export const ClusterNodeRole = { Leader: 0, Follower: 1 } as const;
export const ClusterNodeStatus = { Healthy: 0, Starting: 1, Stopping: 2, Unreachable: 3, Maintenance: 4, Unknown: 5 } as const;

export interface ClusterNode {
  readonly name: string;
  readonly ip: string;
  readonly tcpPort: number;
  readonly quicPort: number;
  readonly httpPort: number;
  readonly websocketPort: number;
  readonly role: number;
  readonly status: number;
}

export interface ClusterMetadata {
  readonly name: string;
  /** A single-node server must report exactly one node (the Rust SDK redirects otherwise). */
  readonly nodes: readonly ClusterNode[];
}

export function encodeGetClusterMetadataRequest(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodeGetClusterMetadataRequest(_payload: Buffer): undefined {
  return undefined;
}

export function encodeGetClusterMetadataResponse(value: ClusterMetadata): Buffer {
  let size = str32Size(value.name) + 4;
  for (const node of value.nodes) size += str32Size(node.name) + str32Size(node.ip) + 8 + 2;
  const writer = new Writer(size).str32(value.name).u32(value.nodes.length);
  for (const node of value.nodes) {
    writer
      .str32(node.name)
      .str32(node.ip)
      .u16(node.tcpPort, 'tcp port')
      .u16(node.quicPort, 'quic port')
      .u16(node.httpPort, 'http port')
      .u16(node.websocketPort, 'websocket port')
      .u8(node.role, 'role')
      .u8(node.status, 'status');
  }
  return writer.finish();
}

export function decodeGetClusterMetadataResponse(payload: Buffer): ClusterMetadata {
  const reader = new Reader(payload);
  const name = reader.str32('cluster name');
  const count = reader.u32('nodes count');
  const nodes: ClusterNode[] = [];
  for (let i = 0; i < count; i += 1) {
    const nodeName = reader.str32('node name');
    const ip = reader.str32('node ip');
    const tcpPort = reader.u16('tcp port');
    const quicPort = reader.u16('quic port');
    const httpPort = reader.u16('http port');
    const websocketPort = reader.u16('websocket port');
    const role = reader.u8('role');
    const status = reader.u8('status');
    nodes.push({ name: nodeName, ip, tcpPort, quicPort, httpPort, websocketPort, role, status });
  }
  return { name, nodes };
}

// Clients: GetMe (20), GetClient (21), GetClients (22)

export const Transport = { Tcp: 1, Quic: 2, Http: 3, WebSocket: 4 } as const;
/** user_id of a connection that is not logged in. */
export const NO_USER_ID = 0xffff_ffff;

export interface ClientInfo {
  readonly clientId: number;
  /** NO_USER_ID (u32::MAX) when not logged in. */
  readonly userId: number;
  readonly transport: number;
  /** Peer `ip:port`. */
  readonly address: string;
  readonly consumerGroupsCount: number;
}

export interface ClientConsumerGroup {
  readonly streamId: number;
  readonly topicId: number;
  readonly groupId: number;
}

export interface ClientDetails extends ClientInfo {
  readonly consumerGroups: readonly ClientConsumerGroup[];
}

function clientInfoSize(client: ClientInfo): number {
  return 13 + str32Size(client.address);
}

function writeClientInfo(writer: Writer, client: ClientInfo): void {
  writer
    .u32(client.clientId, 'client id')
    .u32(client.userId, 'user id')
    .u8(client.transport, 'transport')
    .str32(client.address)
    .u32(client.consumerGroupsCount, 'consumer groups count');
}

function readClientInfo(reader: Reader): ClientInfo {
  const clientId = reader.u32('client id');
  const userId = reader.u32('user id');
  const transport = reader.u8('transport');
  const address = reader.str32('address');
  const consumerGroupsCount = reader.u32('consumer groups count');
  return { clientId, userId, transport, address, consumerGroupsCount };
}

function encodeClientDetails(client: ClientDetails): Buffer {
  if (client.consumerGroupsCount !== client.consumerGroups.length) {
    throw new Error(`client ${client.clientId}: consumerGroupsCount ${client.consumerGroupsCount} != ${client.consumerGroups.length} entries`);
  }
  const writer = new Writer(clientInfoSize(client) + 12 * client.consumerGroups.length);
  writeClientInfo(writer, client);
  for (const group of client.consumerGroups) writer.u32(group.streamId, 'stream id').u32(group.topicId, 'topic id').u32(group.groupId, 'group id');
  return writer.finish();
}

function readClientDetails(reader: Reader): ClientDetails {
  const info = readClientInfo(reader);
  reader.need(12 * info.consumerGroupsCount, 'client consumer groups');
  const consumerGroups: ClientConsumerGroup[] = [];
  for (let i = 0; i < info.consumerGroupsCount; i += 1) {
    const streamId = reader.u32('stream id');
    const topicId = reader.u32('topic id');
    const groupId = reader.u32('group id');
    consumerGroups.push({ streamId, topicId, groupId });
  }
  return { ...info, consumerGroups };
}

export function encodeGetMeRequest(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodeGetMeRequest(_payload: Buffer): undefined {
  return undefined;
}

export function encodeGetMeResponse(value: ClientDetails): Buffer {
  return encodeClientDetails(value);
}

export function decodeGetMeResponse(payload: Buffer): ClientDetails {
  return readClientDetails(new Reader(payload));
}

export interface GetClientRequest {
  readonly clientId: number;
}

export function encodeGetClientRequest(value: GetClientRequest): Buffer {
  return new Writer(4).u32(value.clientId, 'client id').finish();
}

export function decodeGetClientRequest(payload: Buffer): GetClientRequest {
  return { clientId: new Reader(payload).u32('client id') };
}

/** undefined (unknown client) encodes as the empty payload. */
export function encodeGetClientResponse(value: ClientDetails | undefined): Buffer {
  return value === undefined ? EMPTY_BUFFER : encodeClientDetails(value);
}

export function decodeGetClientResponse(payload: Buffer): ClientDetails | undefined {
  if (payload.length === 0) return undefined;
  return readClientDetails(new Reader(payload));
}

export function encodeGetClientsRequest(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodeGetClientsRequest(_payload: Buffer): undefined {
  return undefined;
}

/** Client headers only (their consumer_groups_count is kept, the group entries are not sent). */
export function encodeGetClientsResponse(value: readonly ClientInfo[]): Buffer {
  let size = 0;
  for (const client of value) size += clientInfoSize(client);
  const writer = new Writer(size);
  for (const client of value) writeClientInfo(writer, client);
  return writer.finish();
}

export function decodeGetClientsResponse(payload: Buffer): ClientInfo[] {
  const reader = new Reader(payload);
  const clients: ClientInfo[] = [];
  while (reader.remaining > 0) clients.push(readClientInfo(reader));
  return clients;
}
