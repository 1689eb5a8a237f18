/**
 * The named JSON schemas of the HTTP API (OpenAPI `components.schemas`), shared by the route
 * declarations: request bodies (validated) and responses (documented). Field names and types are
 * those of Iggy 0.8's serde models (reference 9.4).
 */
import { SchemaRegistry, type Schema } from './schema.js';
import { HEADER_KIND_NAMES } from './views.js';

export const schemas = new SchemaRegistry();

const uint8: Schema = { type: 'integer', format: 'uint8' };
const uint32: Schema = { type: 'integer', format: 'uint32' };
const uint64: Schema = { type: 'integer', format: 'uint64' };
const uint128: Schema = { type: 'integer', format: 'uint128' };
const boolean: Schema = { type: 'boolean' };
const base64: Schema = { type: 'string', contentEncoding: 'base64' };
/** Names of streams, topics, groups: 1..255 bytes (the byte limit is checked on encoding). */
const name: Schema = { type: 'string', minLength: 1, maxLength: 255 };
const byteSize: Schema = { type: 'string', description: 'Byte size as the Rust byte-unit crate writes it, e.g. "1.5 KB".', examples: ['0 B', '1.5 KB'] };
const timestampUs: Schema = { type: 'integer', format: 'uint64', description: 'Microseconds since the Unix epoch.' };

/** A `{stream_id}`-like path segment: decimal text is a numeric id, anything else a name. */
export const identifierParam: Schema = { type: 'string', minLength: 1, maxLength: 255, description: 'Numeric id (decimal u32) or name.' };
export const uint32Param: Schema = uint32;

export const ErrorResponse = schemas.define('ErrorResponse', {
  type: 'object',
  description: 'Error body: id = Iggy error code (or 404 for a missing resource), code = snake_case name.',
  properties: { id: uint32, code: { type: 'string' }, reason: { type: 'string' }, field: { type: ['string', 'null'] } },
  required: ['id', 'code', 'reason', 'field'],
});

export const IdentityInfo = schemas.define('IdentityInfo', {
  type: 'object',
  properties: {
    user_id: uint32,
    access_token: {
      type: ['object', 'null'],
      properties: { token: { type: 'string' }, expiry: { type: 'integer', format: 'uint64', description: 'JWT exp, seconds since epoch.' } },
      required: ['token', 'expiry'],
    },
  },
  required: ['user_id', 'access_token'],
});

const topicProperties = {
  id: uint32,
  created_at: timestampUs,
  name: { type: 'string' },
  size: byteSize,
  message_expiry: { ...uint64, description: 'Microseconds; 0 = server default, 18446744073709551615 = never.' },
  compression_algorithm: { type: 'string', enum: ['none', 'gzip'] },
  max_topic_size: { ...uint64, description: 'Bytes; 0 = server default, 18446744073709551615 = unlimited.' },
  replication_factor: uint8,
  messages_count: uint64,
  partitions_count: uint32,
} as const satisfies Record<string, Schema>;

export const Topic = schemas.define('Topic', { type: 'object', properties: topicProperties, required: Object.keys(topicProperties) });

export const Partition = schemas.define('Partition', {
  type: 'object',
  properties: { id: uint32, created_at: timestampUs, segments_count: uint32, current_offset: uint64, size: byteSize, messages_count: uint64 },
  required: ['id', 'created_at', 'segments_count', 'current_offset', 'size', 'messages_count'],
});

export const TopicDetails = schemas.define('TopicDetails', {
  type: 'object',
  properties: { ...topicProperties, partitions: { type: 'array', items: Partition } },
  required: [...Object.keys(topicProperties), 'partitions'],
});

const streamProperties = { id: uint32, created_at: timestampUs, name: { type: 'string' }, size: byteSize, messages_count: uint64, topics_count: uint32 } as const satisfies Record<string, Schema>;
export const Stream = schemas.define('Stream', { type: 'object', properties: streamProperties, required: Object.keys(streamProperties) });
export const StreamDetails = schemas.define('StreamDetails', {
  type: 'object',
  properties: { ...streamProperties, topics: { type: 'array', items: Topic } },
  required: [...Object.keys(streamProperties), 'topics'],
});

const groupProperties = { id: uint32, name: { type: 'string' }, partitions_count: uint32, members_count: uint32 } as const satisfies Record<string, Schema>;
export const ConsumerGroup = schemas.define('ConsumerGroup', { type: 'object', properties: groupProperties, required: Object.keys(groupProperties) });
export const ConsumerGroupDetails = schemas.define('ConsumerGroupDetails', {
  type: 'object',
  properties: {
    ...groupProperties,
    members: {
      type: 'array',
      items: { type: 'object', properties: { id: uint32, partitions_count: uint32, partitions: { type: 'array', items: uint32 } }, required: ['id', 'partitions_count', 'partitions'] },
    },
  },
  required: [...Object.keys(groupProperties), 'members'],
});

export const ConsumerOffsetInfo = schemas.define('ConsumerOffsetInfo', {
  type: 'object',
  properties: { partition_id: uint32, current_offset: uint64, stored_offset: uint64 },
  required: ['partition_id', 'current_offset', 'stored_offset'],
});

const globalPermissionNames = ['manage_servers', 'read_servers', 'manage_users', 'read_users', 'manage_streams', 'read_streams', 'manage_topics', 'read_topics', 'poll_messages', 'send_messages'];
const flags = (names: readonly string[]): Record<string, Schema> => Object.fromEntries(names.map((flagName) => [flagName, boolean]));
const TopicPermissions = schemas.define('TopicPermissions', {
  type: 'object',
  properties: flags(['manage_topic', 'read_topic', 'poll_messages', 'send_messages']),
  additionalProperties: false,
});
const StreamPermissions = schemas.define('StreamPermissions', {
  type: 'object',
  properties: {
    ...flags(['manage_stream', 'read_stream', 'manage_topics', 'read_topics', 'poll_messages', 'send_messages']),
    topics: { type: ['object', 'null'], propertyNames: { type: 'string', pattern: '^(0|[1-9][0-9]{0,9})$', description: 'a topic id' }, additionalProperties: TopicPermissions },
  },
  additionalProperties: false,
});
export const Permissions = schemas.define('Permissions', {
  type: 'object',
  description: 'Absent flags are false.',
  properties: {
    global: { type: 'object', properties: flags(globalPermissionNames), additionalProperties: false },
    streams: { type: ['object', 'null'], propertyNames: { type: 'string', pattern: '^(0|[1-9][0-9]{0,9})$', description: 'a stream id' }, additionalProperties: StreamPermissions },
  },
  required: ['global'],
  additionalProperties: false,
});
const nullablePermissions: Schema = { anyOf: [Permissions, { type: 'null' }] };

const userProperties = { id: uint32, created_at: timestampUs, status: { type: 'string', enum: ['active', 'inactive'] }, username: { type: 'string' } } as const satisfies Record<string, Schema>;
export const UserInfo = schemas.define('UserInfo', { type: 'object', properties: userProperties, required: Object.keys(userProperties) });
export const UserInfoDetails = schemas.define('UserInfoDetails', {
  type: 'object',
  properties: { ...userProperties, permissions: nullablePermissions },
  required: [...Object.keys(userProperties), 'permissions'],
});

export const PersonalAccessTokenInfo = schemas.define('PersonalAccessTokenInfo', {
  type: 'object',
  properties: { name: { type: 'string' }, expiry_at: { type: ['integer', 'null'], format: 'uint64', description: 'Microseconds since epoch; null = never.' } },
  required: ['name', 'expiry_at'],
});
export const RawPersonalAccessToken = schemas.define('RawPersonalAccessToken', { type: 'object', properties: { token: { type: 'string' } }, required: ['token'] });

const clientProperties = {
  client_id: uint32,
  user_id: { type: ['integer', 'null'], format: 'uint32' },
  address: { type: 'string' },
  transport: { type: 'string', enum: ['tcp', 'quic', 'http', 'ws'] },
  consumer_groups_count: uint32,
} as const satisfies Record<string, Schema>;
export const ClientInfo = schemas.define('ClientInfo', { type: 'object', properties: clientProperties, required: Object.keys(clientProperties) });
export const ClientInfoDetails = schemas.define('ClientInfoDetails', {
  type: 'object',
  properties: {
    ...clientProperties,
    consumer_groups: { type: 'array', items: { type: 'object', properties: { stream_id: uint32, topic_id: uint32, group_id: uint32 }, required: ['stream_id', 'topic_id', 'group_id'] } },
  },
  required: [...Object.keys(clientProperties), 'consumer_groups'],
});

export const ClusterMetadata = schemas.define('ClusterMetadata', {
  type: 'object',
  properties: {
    name: { type: 'string' },
    nodes: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          ip: { type: 'string' },
          endpoints: { type: 'object', properties: { tcp: uint32, quic: uint32, http: uint32, websocket: uint32 }, required: ['tcp', 'quic', 'http', 'websocket'] },
          role: { type: 'string', enum: ['leader', 'follower'] },
          status: { type: 'string', enum: ['healthy', 'starting', 'stopping', 'unreachable', 'maintenance', 'unknown'] },
        },
        required: ['name', 'ip', 'endpoints', 'role', 'status'],
      },
    },
  },
  required: ['name', 'nodes'],
});

export const Stats = schemas.define('Stats', {
  type: 'object',
  properties: {
    process_id: uint32,
    cpu_usage: { type: 'number' },
    total_cpu_usage: { type: 'number' },
    memory_usage: byteSize,
    total_memory: byteSize,
    available_memory: byteSize,
    run_time: { ...uint64, description: 'Microseconds.' },
    start_time: timestampUs,
    read_bytes: byteSize,
    written_bytes: byteSize,
    messages_size_bytes: byteSize,
    streams_count: uint32,
    topics_count: uint32,
    partitions_count: uint32,
    segments_count: uint32,
    messages_count: uint64,
    clients_count: uint32,
    consumer_groups_count: uint32,
    hostname: { type: 'string' },
    os_name: { type: 'string' },
    os_version: { type: 'string' },
    kernel_version: { type: 'string' },
    iggy_server_version: { type: 'string' },
    iggy_server_semver: { type: ['integer', 'null'], format: 'uint32' },
    cache_metrics: {
      type: 'object',
      description: 'Keyed by "stream_id-topic_id-partition_id".',
      additionalProperties: { type: 'object', properties: { hits: uint64, misses: uint64, hit_ratio: { type: 'number' } }, required: ['hits', 'misses', 'hit_ratio'] },
    },
    threads_count: uint32,
    free_disk_space: byteSize,
    total_disk_space: byteSize,
  },
});

const headerKind: Schema = { type: 'string', enum: HEADER_KIND_NAMES };
export const HeaderField = schemas.define('HeaderField', {
  type: 'object',
  properties: { kind: headerKind, value: { ...base64, description: 'Standard base64 of the raw bytes (numbers little-endian).' } },
  required: ['kind', 'value'],
});
export const HeaderEntry = schemas.define('HeaderEntry', { type: 'object', properties: { key: HeaderField, value: HeaderField }, required: ['key', 'value'] });
const userHeaders: Schema = {
  anyOf: [{ type: 'array', items: HeaderEntry }, { ...base64, description: 'A raw user-header block, base64.' }, { type: 'null' }],
};

export const PolledMessages = schemas.define('PolledMessages', {
  type: 'object',
  properties: {
    partition_id: uint32,
    current_offset: uint64,
    count: uint32,
    messages: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          header: {
            type: 'object',
            properties: {
              checksum: uint64,
              id: uint128,
              offset: uint64,
              timestamp: timestampUs,
              origin_timestamp: uint64,
              user_headers_length: uint32,
              payload_length: uint32,
              reserved: uint64,
            },
            required: ['checksum', 'id', 'offset', 'timestamp', 'origin_timestamp', 'user_headers_length', 'payload_length', 'reserved'],
          },
          payload: base64,
          user_headers: userHeaders,
        },
        required: ['header', 'payload', 'user_headers'],
      },
    },
  },
  required: ['partition_id', 'current_offset', 'count', 'messages'],
});

export const SendMessages = schemas.define('SendMessages', {
  type: 'object',
  properties: {
    partitioning: {
      type: 'object',
      properties: {
        kind: { type: 'string', enum: ['balanced', 'partition_id', 'messages_key'] },
        value: { ...base64, description: 'partition_id: u32 little-endian (partition 0 = "AAAAAA=="); messages_key: 1..255 key bytes; balanced: empty.', default: '' },
      },
      required: ['kind'],
    },
    messages: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: {
            anyOf: [uint128, { type: 'string', pattern: '^([0-9]{1,39}|[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$' }],
            description: 'u128 as a number, decimal text or UUID hex; 0 or absent = assigned by the server.',
          },
          payload: base64,
          user_headers: userHeaders,
        },
        required: ['payload'],
      },
    },
  },
  required: ['partitioning', 'messages'],
});

export const compressionName: Schema = { type: 'string', pattern: '^([Nn][Oo][Nn][Ee]|[Gg][Zz][Ii][Pp])$', description: '"none" or "gzip" (any case).' };
export const maxTopicSize: Schema = {
  anyOf: [uint64, { type: 'string', minLength: 1, description: 'A size such as "10 GB", "unlimited" or "server_default".' }],
  description: 'Bytes; 0 = server default, 18446744073709551615 = unlimited.',
};
export const messageExpiry: Schema = { ...uint64, description: 'Microseconds; 0 = server default, 18446744073709551615 = never.' };

export const bodies = {
  login: schemas.define('LoginUser', {
    type: 'object',
    properties: { username: { type: 'string' }, password: { type: 'string' }, version: { type: ['string', 'null'] }, context: { type: ['string', 'null'] } },
    required: ['username', 'password'],
  }),
  token: schemas.define('TokenRequest', { type: 'object', properties: { token: { type: 'string' } }, required: ['token'] }),
  createUser: schemas.define('CreateUser', {
    type: 'object',
    properties: { username: { type: 'string' }, password: { type: 'string' }, status: { type: 'string', enum: ['active', 'inactive'], default: 'active' }, permissions: nullablePermissions },
    required: ['username', 'password'],
  }),
  updateUser: schemas.define('UpdateUser', {
    type: 'object',
    properties: { username: { type: ['string', 'null'] }, status: { anyOf: [{ type: 'string', enum: ['active', 'inactive'] }, { type: 'null' }] } },
  }),
  updatePermissions: schemas.define('UpdatePermissions', { type: 'object', properties: { permissions: nullablePermissions } }),
  changePassword: schemas.define('ChangePassword', {
    type: 'object',
    properties: { current_password: { type: 'string' }, new_password: { type: 'string' } },
    required: ['current_password', 'new_password'],
  }),
  createPersonalAccessToken: schemas.define('CreatePersonalAccessToken', {
    type: 'object',
    properties: { name: { type: 'string' }, expiry: { ...uint64, description: 'Microseconds; 0 = server default, 18446744073709551615 = never.', default: 0 } },
    required: ['name'],
  }),
  createStream: schemas.define('CreateStream', { type: 'object', properties: { name }, required: ['name'] }),
  updateStream: schemas.define('UpdateStream', { type: 'object', properties: { name }, required: ['name'] }),
  createTopic: schemas.define('CreateTopic', {
    type: 'object',
    properties: {
      name,
      partitions_count: uint32,
      compression_algorithm: { ...compressionName, default: 'none' },
      message_expiry: { ...messageExpiry, default: 0 },
      max_topic_size: { ...maxTopicSize, default: 0 },
      replication_factor: { type: ['integer', 'null'], format: 'uint8' },
    },
    required: ['name', 'partitions_count'],
  }),
  updateTopic: schemas.define('UpdateTopic', {
    type: 'object',
    properties: {
      name,
      compression_algorithm: { ...compressionName, default: 'none' },
      message_expiry: { ...messageExpiry, default: 0 },
      max_topic_size: { ...maxTopicSize, default: 0 },
      replication_factor: { type: ['integer', 'null'], format: 'uint8' },
    },
    required: ['name'],
  }),
  createPartitions: schemas.define('CreatePartitions', { type: 'object', properties: { partitions_count: uint32 }, required: ['partitions_count'] }),
  createConsumerGroup: schemas.define('CreateConsumerGroup', { type: 'object', properties: { name }, required: ['name'] }),
  storeConsumerOffset: schemas.define('StoreConsumerOffset', {
    type: 'object',
    properties: {
      consumer_id: { anyOf: [uint32, { type: 'string', minLength: 1, maxLength: 255 }], default: 1, description: 'Numeric id or name of the individual consumer.' },
      partition_id: { type: ['integer', 'null'], format: 'uint32' },
      offset: uint64,
    },
    required: ['offset'],
  }),
  snapshot: schemas.define('GetSnapshot', {
    type: 'object',
    properties: {
      compression: { type: 'string', enum: ['Stored', 'Deflated', 'Bzip2', 'Zstd', 'Lzma', 'Xz'], default: 'Deflated' },
      snapshot_types: { type: 'array', items: { type: 'string', enum: ['FilesystemOverview', 'ProcessList', 'ResourceUsage', 'Test', 'ServerLogs', 'ServerConfig', 'All'] } },
    },
    required: ['snapshot_types'],
  }),
};
