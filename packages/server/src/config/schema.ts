// The server configuration: its TypeScript shape, its defaults, and one table (`CONFIG_FIELDS`)
// that ties every value to its key in the files (snake_case), its environment variable, its type,
// its allowed range and its documentation. The loader, the rendered config files and the docs are
// all driven by that table; a test checks that the table and `DEFAULT_SERVER_CONFIG` cover exactly
// the same leaves.
//
// Units are part of every TypeScript name (`sizeBytes`, `intervalMs`). A `null` size means
// "unlimited" and a `null` duration means "never"; a `null` string means "not set".
// Defaults follow the default `config.toml` of Apache Iggy 0.8 where Iggy has the same setting.

import { DAY_MS, GiB, HOUR_MS, KiB, MINUTE_MS, MiB, SECOND_MS } from './units.js';

export type DurabilityMode = 'buffered' | 'fsync';
export const DURABILITY_MODES: readonly DurabilityMode[] = ['buffered', 'fsync'];

export type HttpEngine = 'auto' | 'uws' | 'node';
export const HTTP_ENGINES: readonly HttpEngine[] = ['auto', 'uws', 'node'];

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface MessageDeduplicationConfig {
  readonly enabled: boolean;
  /** Message ids remembered per partition. */
  readonly entryCountMax: number;
  /** How long an id is remembered. */
  readonly expiryMs: number;
}

export interface SystemConfig {
  /** Data directory; relative paths are relative to the working directory. */
  readonly path: string;
  /** Shard worker count; 0 = one per CPU. */
  readonly shardCount: number;
  readonly messageDeduplication: MessageDeduplicationConfig;
}

export interface TlsConfig {
  readonly enabled: boolean;
  /** PEM certificate chain; required when enabled and not self-signed. */
  readonly certFile: string | null;
  /** PEM private key; required when enabled and not self-signed. */
  readonly keyFile: string | null;
  /** Generate a self-signed certificate at start (development only). */
  readonly selfSigned: boolean;
  /** PEM CA bundle used to verify client certificates. */
  readonly caFile: string | null;
  /** Require and verify client certificates (needs `caFile`). */
  readonly clientAuth: boolean;
}

export interface TcpConfig {
  readonly enabled: boolean;
  /** `host:port`; port 0 picks a free port. */
  readonly address: string;
  readonly tls: TlsConfig;
  readonly socket: { readonly noDelay: boolean };
}

export interface QuicConfig {
  readonly enabled: boolean;
  readonly address: string;
  readonly certFile: string | null;
  readonly keyFile: string | null;
  readonly selfSigned: boolean;
  /** A connection silent this long is closed; `null` = never. */
  readonly idleTimeoutMs: number | null;
  /** Period of keep-alive pings to every client; `null` = none. */
  readonly keepAliveIntervalMs: number | null;
  /** Flow-control window of one request stream (bytes a client may send before the server reads). */
  readonly streamWindowSizeBytes: number;
  /** Flow-control window of a whole connection. */
  readonly connectionWindowSizeBytes: number;
  /** Request streams a client may have open at once. */
  readonly bidiStreamCountMax: number;
  /** Size of the buffer each stream is read into (one copy per chunk). */
  readonly readChunkSizeBytes: number;
  /** Largest UDP payload sent (QUIC's minimum is 1200). */
  readonly datagramSizeBytesMax: number;
  /** SO_RCVBUF / SO_SNDBUF of the UDP socket (the kernel caps it at net.core.rmem_max / wmem_max). */
  readonly socketBufferSizeBytes: number;
}

export interface HttpCorsConfig {
  readonly enabled: boolean;
  readonly allowedOrigins: readonly string[];
  readonly allowedMethods: readonly string[];
  readonly allowedHeaders: readonly string[];
  readonly exposedHeaders: readonly string[];
  readonly allowCredentials: boolean;
}

export interface HttpJwtConfig {
  /** HS256 signing secret; `null` = a random secret per start (tokens do not survive restarts). */
  readonly secret: string | null;
  readonly accessTokenExpiryMs: number;
}

export interface HttpMetricsConfig {
  /** Serve Prometheus metrics at `/metrics`. */
  readonly enabled: boolean;
}

export interface HttpConfig {
  readonly enabled: boolean;
  readonly address: string;
  /** "auto": uWebSockets.js, or node:http when its addon cannot load; "uws" or "node" to force one. */
  readonly engine: HttpEngine;
  readonly requestSizeBytesMax: number;
  readonly cors: HttpCorsConfig;
  readonly jwt: HttpJwtConfig;
  readonly metrics: HttpMetricsConfig;
  readonly tls: TlsConfig;
}

export interface WebSocketConfig {
  readonly enabled: boolean;
  readonly address: string;
  readonly tls: TlsConfig;
}

export interface SegmentConfig {
  /** A segment is sealed and a new one started once it holds this many bytes. */
  readonly sizeBytes: number;
  /** Ring-buffer cache of recent messages, per partition; 0 disables it. */
  readonly cacheSizeBytes: number;
  readonly verifyChecksumsOnRead: boolean;
  readonly directIo: boolean;
  readonly validateChecksumsOnStart: boolean;
}

export interface DurabilityConfig {
  /** "buffered": write when a threshold is reached; "fsync": write and fsync every batch. */
  readonly mode: DurabilityMode;
  /** Pending messages per partition that trigger a write. */
  readonly saveThresholdMessageCount: number;
  /** Pending bytes per partition that trigger a write. */
  readonly saveThresholdSizeBytes: number;
  /** Period of the background save of pending messages. */
  readonly flushIntervalMs: number;
  /** fsync after each background save. */
  readonly enforceFsyncOnInterval: boolean;
}

export interface LimitsConfig {
  /** Largest payload of any command other than SendMessages. */
  readonly controlPayloadSizeBytesMax: number;
  readonly sendMessagesPayloadSizeBytesMax: number;
  readonly pollResponseSizeBytesMax: number;
  /** Per CreateTopic / CreatePartitions and in total per topic. */
  readonly partitionCountPerTopicMax: number;
}

export interface TopicConfig {
  /** Default message expiry of new topics; `null` = never. */
  readonly messageExpiryMs: number | null;
  /** Default maximum size of new topics; `null` = unlimited. */
  readonly sizeBytesMax: number | null;
  readonly retention: { readonly enabled: boolean; readonly intervalMs: number };
}

export interface HeartbeatConfig {
  readonly enabled: boolean;
  readonly intervalMs: number;
}

export interface PersonalAccessTokenConfig {
  readonly tokenCountPerUserMax: number;
  readonly cleaner: { readonly enabled: boolean; readonly intervalMs: number };
}

export interface EncryptionConfig {
  readonly enabled: boolean;
  /** Base64 of a 32-byte AES-256-GCM key; required when enabled. */
  readonly key: string;
}

export interface LoggingConfig {
  readonly level: LogLevel;
  /** Also append JSON lines to this file. */
  readonly file: string | null;
}

export interface RootCredentialsConfig {
  /** Root user created at first start; both or neither. Unset: "iggy" and a random password. */
  readonly username: string | null;
  readonly password: string | null;
}

export interface ServerConfig {
  readonly system: SystemConfig;
  readonly tcp: TcpConfig;
  readonly quic: QuicConfig;
  readonly http: HttpConfig;
  readonly websocket: WebSocketConfig;
  readonly segment: SegmentConfig;
  readonly durability: DurabilityConfig;
  readonly limits: LimitsConfig;
  readonly topic: TopicConfig;
  readonly heartbeat: HeartbeatConfig;
  readonly personalAccessToken: PersonalAccessTokenConfig;
  readonly encryption: EncryptionConfig;
  readonly logging: LoggingConfig;
  readonly root: RootCredentialsConfig;
}

/** Freezes an object and everything reachable from it; returns it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

type Leaf = string | number | boolean | null | readonly string[];

/** Any part of a `ServerConfig`, for programmatic overrides. */
export type DeepPartial<T> = { readonly [K in keyof T]?: T[K] extends Leaf ? T[K] : DeepPartial<T[K]> };
export type ServerConfigOverrides = DeepPartial<ServerConfig>;

/** Dotted camelCase path of every leaf value, e.g. `"segment.sizeBytes"`. */
export type ConfigPath<T = ServerConfig> = {
  [K in keyof T & string]: T[K] extends Leaf ? K : `${K}.${ConfigPath<T[K]>}`;
}[keyof T & string];

const TLS_DISABLED: TlsConfig = {
  enabled: false,
  certFile: null,
  keyFile: null,
  selfSigned: false,
  caFile: null,
  clientAuth: false,
};

export const DEFAULT_SERVER_CONFIG: ServerConfig = deepFreeze({
  system: {
    path: 'local_data',
    shardCount: 0,
    messageDeduplication: { enabled: false, entryCountMax: 10_000, expiryMs: 1 * MINUTE_MS },
  },
  tcp: { enabled: true, address: '127.0.0.1:8090', tls: TLS_DISABLED, socket: { noDelay: true } },
  quic: {
    enabled: false,
    address: '127.0.0.1:8080',
    certFile: null,
    keyFile: null,
    selfSigned: true,
    idleTimeoutMs: 10 * SECOND_MS,
    keepAliveIntervalMs: 5 * SECOND_MS,
    streamWindowSizeBytes: 16 * MiB,
    connectionWindowSizeBytes: 64 * MiB,
    bidiStreamCountMax: 10_000,
    readChunkSizeBytes: 64 * KiB,
    datagramSizeBytesMax: 1350,
    socketBufferSizeBytes: 4 * MiB,
  },
  http: {
    enabled: false,
    address: '127.0.0.1:3000',
    engine: 'auto',
    requestSizeBytesMax: 2_000_000,
    cors: {
      enabled: true,
      allowedOrigins: ['*'],
      allowedMethods: ['GET', 'POST', 'PUT', 'DELETE'],
      allowedHeaders: ['content-type', 'authorization'],
      exposedHeaders: [],
      allowCredentials: false,
    },
    jwt: { secret: null, accessTokenExpiryMs: 1 * HOUR_MS },
    metrics: { enabled: true },
    tls: TLS_DISABLED,
  },
  websocket: { enabled: false, address: '127.0.0.1:8092', tls: TLS_DISABLED },
  segment: {
    sizeBytes: 1 * GiB,
    cacheSizeBytes: 16 * MiB,
    verifyChecksumsOnRead: true,
    directIo: true,
    validateChecksumsOnStart: false,
  },
  durability: {
    mode: 'buffered',
    saveThresholdMessageCount: 1024,
    saveThresholdSizeBytes: 1 * MiB,
    flushIntervalMs: 30 * SECOND_MS,
    enforceFsyncOnInterval: true,
  },
  limits: {
    controlPayloadSizeBytesMax: 10 * MiB,
    sendMessagesPayloadSizeBytesMax: 64 * MiB,
    pollResponseSizeBytesMax: 64 * MiB,
    partitionCountPerTopicMax: 1000,
  },
  topic: { messageExpiryMs: null, sizeBytesMax: null, retention: { enabled: true, intervalMs: 1 * MINUTE_MS } },
  heartbeat: { enabled: false, intervalMs: 5 * SECOND_MS },
  personalAccessToken: { tokenCountPerUserMax: 100, cleaner: { enabled: true, intervalMs: 1 * MINUTE_MS } },
  encryption: { enabled: false, key: '' },
  logging: { level: 'info', file: null },
  root: { username: null, password: null },
});

/** The largest delay a Node timer honours (2^31 − 1 ms, rounded down to whole days). */
export const TIMER_INTERVAL_MS_MAX = 24 * DAY_MS;
/** Upper bound of payload and request limits: frame lengths are u32 and Node buffers are finite. */
export const PAYLOAD_SIZE_BYTES_MAX = 2 * GiB;
/** Segment positions in the index are u32. */
export const SEGMENT_SIZE_BYTES_MAX = 4 * GiB;

export type FieldType =
  | { readonly kind: 'boolean' }
  | { readonly kind: 'integer'; readonly min: number; readonly max: number }
  | {
      readonly kind: 'string';
      /** `null` allowed (written as an absent key, `null` in JSON, or ""). */
      readonly nullable: boolean;
      readonly lengthBytesMin: number;
      readonly lengthBytesMax: number;
    }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'size'; readonly min: number; readonly max: number; readonly unlimited: boolean }
  | { readonly kind: 'duration'; readonly min: number; readonly max: number; readonly none: boolean }
  | { readonly kind: 'address' }
  | { readonly kind: 'stringList' };

export interface ConfigField {
  /** Dotted snake_case key in the config files, e.g. "segment.size". */
  readonly key: string;
  /** Dotted camelCase path in `ServerConfig`, e.g. "segment.sizeBytes". */
  readonly path: ConfigPath;
  /** Environment variable overriding it, e.g. "IGGY_SEGMENT_SIZE". */
  readonly envVar: string;
  readonly type: FieldType;
  /** Value is a secret: never echoed in errors. */
  readonly secret: boolean;
  /** One or two sentences for the config files and the docs. */
  readonly doc: string;
}

export interface ConfigSection {
  readonly key: string;
  readonly doc: string;
}

/** Every section of the files, in file order, with a line of documentation. */
export const CONFIG_SECTIONS: readonly ConfigSection[] = [
  { key: 'system', doc: 'Data directory and shard workers.' },
  { key: 'system.message_deduplication', doc: 'Drop messages whose id was seen recently in the same partition.' },
  { key: 'tcp', doc: 'Binary protocol over TCP, the main transport.' },
  { key: 'tcp.tls', doc: 'TLS for the TCP listener (same port).' },
  { key: 'tcp.socket', doc: 'Options of accepted TCP sockets.' },
  { key: 'quic', doc: 'Binary protocol over QUIC: one bidirectional stream per request (docs/transports.md).' },
  { key: 'http', doc: 'HTTP REST API of Iggy 0.8 (docs/http-api.md).' },
  { key: 'http.cors', doc: 'CORS headers of the HTTP API.' },
  { key: 'http.jwt', doc: 'JSON Web Tokens issued by the HTTP API.' },
  { key: 'http.metrics', doc: 'Prometheus metrics of the HTTP API, the server and the process.' },
  { key: 'http.tls', doc: 'TLS for the HTTP listener.' },
  { key: 'websocket', doc: 'Binary protocol over WebSocket: binary messages read as one byte stream (docs/transports.md).' },
  { key: 'websocket.tls', doc: 'TLS for the WebSocket listener.' },
  { key: 'segment', doc: 'Partition log segments.' },
  { key: 'durability', doc: 'When appended messages reach the disk.' },
  { key: 'limits', doc: 'Request and response size limits.' },
  { key: 'topic', doc: 'Defaults for new topics, and retention.' },
  { key: 'topic.retention', doc: 'Background deletion of expired segments and of segments over a topic\'s maximum size.' },
  { key: 'heartbeat', doc: 'Client heartbeats: disconnect clients that stay silent too long.' },
  { key: 'personal_access_token', doc: 'Personal access tokens (PATs).' },
  { key: 'personal_access_token.cleaner', doc: 'Background deletion of expired PATs.' },
  { key: 'encryption', doc: 'Server-side encryption of message payloads at rest.' },
  { key: 'logging', doc: 'JSON logs (pino) to stdout, optionally also to a file.' },
  {
    key: 'root',
    doc: 'Root user created at the first start (ignored once a root user exists). Unset: username "iggy" and a random password printed once.',
  },
];

// Field constructors: they keep the table below short and every type spelled the same way.
const boolean = (): FieldType => ({ kind: 'boolean' });
const integer = (min: number, max: number): FieldType => ({ kind: 'integer', min, max });
const string = (): FieldType => ({ kind: 'string', nullable: false, lengthBytesMin: 1, lengthBytesMax: Number.MAX_SAFE_INTEGER });
const optionalString = (lengthBytesMin = 1, lengthBytesMax = Number.MAX_SAFE_INTEGER): FieldType => ({
  kind: 'string',
  nullable: true,
  lengthBytesMin,
  lengthBytesMax,
});
const size = (min: number, max: number, unlimited = false): FieldType => ({ kind: 'size', min, max, unlimited });
const duration = (min: number, max: number, none = false): FieldType => ({ kind: 'duration', min, max, none });
const address = (): FieldType => ({ kind: 'address' });
const stringList = (): FieldType => ({ kind: 'stringList' });
const oneOf = (values: readonly string[]): FieldType => ({ kind: 'enum', values });

/** IGGY_ + the file key with dots as underscores, upper case: `tcp.tls.enabled` → `IGGY_TCP_TLS_ENABLED`. */
export function envVarName(key: string): string {
  return `IGGY_${key.replace(/\./g, '_').toUpperCase()}`;
}

function field(key: string, path: ConfigPath, type: FieldType, doc: string, secret = false): ConfigField {
  return { key, path, envVar: envVarName(key), type, secret, doc };
}

function tlsFields(section: 'tcp' | 'http' | 'websocket'): ConfigField[] {
  const key = `${section}.tls`;
  return [
    field(`${key}.enabled`, `${section}.tls.enabled`, boolean(), 'Serve TLS.'),
    field(`${key}.cert_file`, `${section}.tls.certFile`, optionalString(), 'PEM certificate chain; required when enabled and not self-signed.'),
    field(`${key}.key_file`, `${section}.tls.keyFile`, optionalString(), 'PEM private key; required when enabled and not self-signed.'),
    field(`${key}.self_signed`, `${section}.tls.selfSigned`, boolean(), 'Generate a self-signed certificate at start (development only).'),
    field(`${key}.ca_file`, `${section}.tls.caFile`, optionalString(), 'PEM CA bundle that client certificates must chain to.'),
    field(`${key}.client_auth`, `${section}.tls.clientAuth`, boolean(), 'Require and verify client certificates (needs ca_file).'),
  ];
}

/** Every configuration value, in file order. */
export const CONFIG_FIELDS: readonly ConfigField[] = [
  field('system.path', 'system.path', string(), 'Data directory; a relative path is relative to the working directory.'),
  field('system.shards', 'system.shardCount', integer(0, 1024), 'Number of shard worker threads; 0 = one per CPU.'),
  field('system.message_deduplication.enabled', 'system.messageDeduplication.enabled', boolean(), 'Drop a message whose id was already seen in its partition.'),
  field('system.message_deduplication.max_entries', 'system.messageDeduplication.entryCountMax', integer(1, 10_000_000), 'Message ids remembered per partition.'),
  field('system.message_deduplication.expiry', 'system.messageDeduplication.expiryMs', duration(1, 365 * DAY_MS), 'How long a message id is remembered.'),

  field('tcp.enabled', 'tcp.enabled', boolean(), 'Serve the binary protocol over TCP.'),
  field('tcp.address', 'tcp.address', address(), 'Listen address host:port (IPv6 as [::1]:8090); port 0 picks a free port.'),
  ...tlsFields('tcp'),
  field('tcp.socket.nodelay', 'tcp.socket.noDelay', boolean(), 'Disable Nagle\'s algorithm on accepted sockets (lower latency).'),

  field('quic.enabled', 'quic.enabled', boolean(), 'Serve the binary protocol over QUIC.'),
  field('quic.address', 'quic.address', address(), 'Listen address host:port (UDP).'),
  field('quic.cert_file', 'quic.certFile', optionalString(), 'PEM certificate chain; required when not self-signed.'),
  field('quic.key_file', 'quic.keyFile', optionalString(), 'PEM private key; required when not self-signed.'),
  field('quic.self_signed', 'quic.selfSigned', boolean(), 'Generate a self-signed certificate at start (QUIC always uses TLS).'),
  field('quic.max_idle_timeout', 'quic.idleTimeoutMs', duration(1, TIMER_INTERVAL_MS_MAX, true), 'Close a connection silent this long; "none" = never.'),
  field('quic.keep_alive_interval', 'quic.keepAliveIntervalMs', duration(1, TIMER_INTERVAL_MS_MAX, true), 'Period of keep-alive pings to clients; "none" = no pings.'),
  field('quic.stream_window', 'quic.streamWindowSizeBytes', size(64 * KiB, GiB), 'Flow-control window of one request stream; a request larger than this waits for a window update.'),
  field('quic.connection_window', 'quic.connectionWindowSizeBytes', size(64 * KiB, 4 * GiB), 'Flow-control window of a whole connection.'),
  field('quic.max_concurrent_bidi_streams', 'quic.bidiStreamCountMax', integer(1, 1_000_000), 'Request streams a client may have open at once.'),
  field('quic.read_chunk_size', 'quic.readChunkSizeBytes', size(KiB, 16 * MiB), 'Buffer each stream is read into, one copy per chunk; larger = fewer chunks per request.'),
  field('quic.max_datagram_size', 'quic.datagramSizeBytesMax', size(1200, 65_527), 'Largest UDP payload sent; keep it under the path MTU (1350 suits Ethernet).'),
  field('quic.socket_buffer_size', 'quic.socketBufferSizeBytes', size(64 * KiB, GiB), 'UDP socket receive/send buffer; small buffers drop bursts (the kernel caps it at net.core.rmem_max).'),

  field('http.enabled', 'http.enabled', boolean(), 'Serve the HTTP REST API.'),
  field('http.address', 'http.address', address(), 'Listen address host:port.'),
  field('http.engine', 'http.engine', oneOf(HTTP_ENGINES), '"auto": uWebSockets.js, falling back to node:http (with a warning) where its native addon cannot load; "uws" or "node" to force one.'),
  field('http.max_request_size', 'http.requestSizeBytesMax', size(KiB, PAYLOAD_SIZE_BYTES_MAX), 'Largest accepted request body.'),
  field('http.cors.enabled', 'http.cors.enabled', boolean(), 'Send CORS headers.'),
  field('http.cors.allowed_origins', 'http.cors.allowedOrigins', stringList(), 'Allowed origins ("*" = any).'),
  field('http.cors.allowed_methods', 'http.cors.allowedMethods', stringList(), 'Allowed methods.'),
  field('http.cors.allowed_headers', 'http.cors.allowedHeaders', stringList(), 'Allowed request headers.'),
  field('http.cors.exposed_headers', 'http.cors.exposedHeaders', stringList(), 'Response headers exposed to scripts.'),
  field('http.cors.allow_credentials', 'http.cors.allowCredentials', boolean(), 'Allow credentials (cookies, authorization) in cross-origin requests.'),
  field('http.jwt.secret', 'http.jwt.secret', optionalString(32), 'HS256 signing secret, at least 32 bytes; unset = a random secret per start (tokens do not survive restarts).', true),
  field('http.jwt.access_token_expiry', 'http.jwt.accessTokenExpiryMs', duration(SECOND_MS, 365 * DAY_MS), 'Lifetime of an access token.'),
  field('http.metrics.enabled', 'http.metrics.enabled', boolean(), 'Serve Prometheus metrics at /metrics (public, as in Iggy 0.8).'),
  ...tlsFields('http'),

  field('websocket.enabled', 'websocket.enabled', boolean(), 'Serve the binary protocol over WebSocket.'),
  field('websocket.address', 'websocket.address', address(), 'Listen address host:port.'),
  ...tlsFields('websocket'),

  field('segment.size', 'segment.sizeBytes', size(1, SEGMENT_SIZE_BYTES_MAX), 'A segment is sealed and a new one started once it holds this many bytes (at most 4 GiB: index positions are u32).'),
  field('segment.cache_size', 'segment.cacheSizeBytes', size(0, SEGMENT_SIZE_BYTES_MAX), 'Ring-buffer cache of recent messages per partition, served to polls without reading the disk; 0 disables it.'),
  field('segment.verify_checksums_on_read', 'segment.verifyChecksumsOnRead', boolean(), 'Verify each message checksum when reading it from disk.'),
  field('segment.direct_io', 'segment.directIo', boolean(), 'Write segment logs with O_DIRECT (bypassing the page cache, which is slow for new data on many VMs); falls back to the page cache where the file system refuses it.'),
  field('segment.validate_checksums_on_start', 'segment.validateChecksumsOnStart', boolean(), 'Verify every stored message checksum at start (slow on large data).'),

  field('durability.mode', 'durability.mode', oneOf(DURABILITY_MODES), '"buffered": write to disk when a threshold below is reached or on the flush interval; "fsync": write and fsync every batch before replying.'),
  field('durability.messages_required_to_save', 'durability.saveThresholdMessageCount', integer(1, 10_000_000), 'Pending messages in a partition that trigger a write.'),
  field('durability.size_of_messages_required_to_save', 'durability.saveThresholdSizeBytes', size(1, GiB), 'Pending bytes in a partition that trigger a write.'),
  field('durability.flush_interval', 'durability.flushIntervalMs', duration(1, TIMER_INTERVAL_MS_MAX), 'Period of the background save of pending messages.'),
  field('durability.enforce_fsync_on_interval', 'durability.enforceFsyncOnInterval', boolean(), 'fsync after each background save.'),

  field('limits.control_payload_size_max', 'limits.controlPayloadSizeBytesMax', size(KiB, PAYLOAD_SIZE_BYTES_MAX), 'Largest payload of any command other than SendMessages; larger frames are rejected with InvalidCommand (3).'),
  field('limits.send_messages_payload_size_max', 'limits.sendMessagesPayloadSizeBytesMax', size(KiB, PAYLOAD_SIZE_BYTES_MAX), 'Largest SendMessages payload.'),
  field('limits.poll_response_size_max', 'limits.pollResponseSizeBytesMax', size(KiB, PAYLOAD_SIZE_BYTES_MAX), 'Largest PollMessages response payload.'),
  field('limits.partitions_per_topic_max', 'limits.partitionCountPerTopicMax', integer(1, 100_000), 'Most partitions in one topic (CreateTopic / CreatePartitions fail with 2015 above it).'),

  field('topic.message_expiry', 'topic.messageExpiryMs', duration(1, Number.MAX_SAFE_INTEGER, true), 'Message expiry of topics created with expiry 0 (server default); "none" = never.'),
  field('topic.max_size', 'topic.sizeBytesMax', size(1, Number.MAX_SAFE_INTEGER, true), 'Maximum size of topics created with max size 0 (server default); "unlimited" or at least segment.size.'),
  field('topic.retention.enabled', 'topic.retention.enabled', boolean(), 'Delete expired segments and the oldest segments of topics over their maximum size.'),
  field('topic.retention.interval', 'topic.retention.intervalMs', duration(1, TIMER_INTERVAL_MS_MAX), 'Period of the retention check.'),

  field('heartbeat.enabled', 'heartbeat.enabled', boolean(), 'Disconnect clients that stay silent (no request, not even Ping) for longer than the interval.'),
  field('heartbeat.interval', 'heartbeat.intervalMs', duration(1, TIMER_INTERVAL_MS_MAX), 'Expected heartbeat period of clients.'),

  field('personal_access_token.max_tokens_per_user', 'personalAccessToken.tokenCountPerUserMax', integer(1, 10_000), 'Most PATs one user may hold (error 52 above it).'),
  field('personal_access_token.cleaner.enabled', 'personalAccessToken.cleaner.enabled', boolean(), 'Delete expired PATs in the background.'),
  field('personal_access_token.cleaner.interval', 'personalAccessToken.cleaner.intervalMs', duration(1, TIMER_INTERVAL_MS_MAX), 'Period of the PAT cleaner.'),

  field('encryption.enabled', 'encryption.enabled', boolean(), 'Encrypt message payloads at rest with AES-256-GCM.'),
  field('encryption.key', 'encryption.key', { kind: 'string', nullable: false, lengthBytesMin: 0, lengthBytesMax: 1024 }, 'Base64 of a 32-byte key; required when enabled.', true),

  field('logging.level', 'logging.level', oneOf(LOG_LEVELS), 'Least severe level written.'),
  field('logging.file', 'logging.file', optionalString(), 'Also append the JSON log lines to this file (its directory is created).'),

  field('root.username', 'root.username', optionalString(3, 50), 'Root username, 3 to 50 bytes; set together with root.password.'),
  field('root.password', 'root.password', optionalString(3, 100), 'Root password, 3 to 100 bytes; set together with root.username.', true),
];

/** The field whose file key is `key`, or undefined. */
export function findConfigField(key: string): ConfigField | undefined {
  return FIELDS_BY_KEY.get(key);
}

const FIELDS_BY_KEY: ReadonlyMap<string, ConfigField> = new Map(CONFIG_FIELDS.map((entry) => [entry.key, entry]));

/** The value at a dotted camelCase path of a config (or of overrides). */
export function getConfigValue(config: unknown, path: string): unknown {
  let node: unknown = config;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}
