/**
 * The permissions blob (reference 2.12), self-delimited by "has next" flags:
 *
 *   [global:10 × bool8][has_streams:u8]
 *   stream entry: [stream_id:u32][manage_stream][read_stream][manage_topics][read_topics][poll_messages]
 *                 [send_messages][has_topics:u8][topic entry × k][has_next_stream:u8]
 *   topic entry:  [topic_id:u32][manage_topic][read_topic][poll_messages][send_messages][has_next_topic:u8]
 *
 * Sizes: no streams → 11 bytes; one stream without topics → 23 bytes.
 * The encoder is strict (every flag written, entries sorted by id like the Rust encoder). The decoder
 * is lenient: it parses within `perm_len` and treats a missing trailing flag (has_streams, has_topics,
 * has_next_*) as 0, so blobs from the Node SDK (which omits has_next bytes) decode when they are
 * unambiguous. Truncation inside an entry → 3; bytes left over inside perm_len → 4 (length mismatch).
 */
import { Reader, Writer, invalidFormat } from './reader.js';

export interface GlobalPermissions {
  readonly manageServers: boolean;
  readonly readServers: boolean;
  readonly manageUsers: boolean;
  readonly readUsers: boolean;
  readonly manageStreams: boolean;
  readonly readStreams: boolean;
  readonly manageTopics: boolean;
  readonly readTopics: boolean;
  readonly pollMessages: boolean;
  readonly sendMessages: boolean;
}

export interface TopicPermissions {
  readonly manageTopic: boolean;
  readonly readTopic: boolean;
  readonly pollMessages: boolean;
  readonly sendMessages: boolean;
}

export interface StreamPermissions {
  readonly manageStream: boolean;
  readonly readStream: boolean;
  readonly manageTopics: boolean;
  readonly readTopics: boolean;
  readonly pollMessages: boolean;
  readonly sendMessages: boolean;
  /** Topic-level grants by topic id. */
  readonly topics: ReadonlyMap<number, TopicPermissions>;
}

export interface Permissions {
  readonly global: GlobalPermissions;
  /** Stream-level grants by stream id. */
  readonly streams: ReadonlyMap<number, StreamPermissions>;
}

const GLOBAL_KEYS = [
  'manageServers',
  'readServers',
  'manageUsers',
  'readUsers',
  'manageStreams',
  'readStreams',
  'manageTopics',
  'readTopics',
  'pollMessages',
  'sendMessages',
] as const satisfies readonly (keyof GlobalPermissions)[];

const STREAM_KEYS = ['manageStream', 'readStream', 'manageTopics', 'readTopics', 'pollMessages', 'sendMessages'] as const satisfies readonly (keyof StreamPermissions)[];
const TOPIC_KEYS = ['manageTopic', 'readTopic', 'pollMessages', 'sendMessages'] as const satisfies readonly (keyof TopicPermissions)[];

/** Every global flag false (a user created with "no permissions" has no blob at all, see users.ts). */
export function noGlobalPermissions(): GlobalPermissions {
  return {
    manageServers: false,
    readServers: false,
    manageUsers: false,
    readUsers: false,
    manageStreams: false,
    readStreams: false,
    manageTopics: false,
    readTopics: false,
    pollMessages: false,
    sendMessages: false,
  };
}

/** Every global flag true (what the root user holds). */
export function allGlobalPermissions(): GlobalPermissions {
  return {
    manageServers: true,
    readServers: true,
    manageUsers: true,
    readUsers: true,
    manageStreams: true,
    readStreams: true,
    manageTopics: true,
    readTopics: true,
    pollMessages: true,
    sendMessages: true,
  };
}

const GLOBAL_SIZE_BYTES = 10;
const STREAM_ENTRY_SIZE_BYTES = 4 + 6 + 1 + 1;
const TOPIC_ENTRY_SIZE_BYTES = 4 + 4 + 1;

/** Exact size of the strict encoding. */
export function permissionsSize(permissions: Permissions): number {
  let size = GLOBAL_SIZE_BYTES + 1;
  for (const stream of permissions.streams.values()) size += STREAM_ENTRY_SIZE_BYTES + TOPIC_ENTRY_SIZE_BYTES * stream.topics.size;
  return size;
}

function sortedIds(map: ReadonlyMap<number, unknown>): number[] {
  return [...map.keys()].sort((a, b) => a - b);
}

/** Strict encoding: all flags, stream and topic entries in ascending id order. */
export function writePermissions(writer: Writer, permissions: Permissions): void {
  for (const key of GLOBAL_KEYS) writer.bool8(permissions.global[key]);
  const streamIds = sortedIds(permissions.streams);
  writer.u8(streamIds.length > 0 ? 1 : 0);
  for (let s = 0; s < streamIds.length; s += 1) {
    const streamId = streamIds[s]!;
    const stream = permissions.streams.get(streamId)!;
    writer.u32(streamId, 'permissions stream id');
    for (const key of STREAM_KEYS) writer.bool8(stream[key]);
    const topicIds = sortedIds(stream.topics);
    writer.u8(topicIds.length > 0 ? 1 : 0);
    for (let t = 0; t < topicIds.length; t += 1) {
      const topicId = topicIds[t]!;
      const topic = stream.topics.get(topicId)!;
      writer.u32(topicId, 'permissions topic id');
      for (const key of TOPIC_KEYS) writer.bool8(topic[key]);
      writer.u8(t + 1 < topicIds.length ? 1 : 0);
    }
    writer.u8(s + 1 < streamIds.length ? 1 : 0);
  }
}

export function encodePermissions(permissions: Permissions): Buffer {
  const writer = new Writer(permissionsSize(permissions));
  writePermissions(writer, permissions);
  return writer.finish();
}

/** A flag that may be missing at the end of the blob (lenient: missing = 0). */
function trailingFlag(reader: Reader, field: string): boolean {
  return reader.remaining === 0 ? false : reader.bool8(field);
}

/**
 * Decodes a blob occupying exactly `reader.buffer[reader.offset, end)`. Advances the reader to `end`.
 */
export function readPermissions(reader: Reader, end: number): Permissions {
  const blob = new Reader(reader.buffer, reader.offset, end);
  const flags: boolean[] = [];
  blob.need(GLOBAL_SIZE_BYTES, 'global permissions');
  for (let i = 0; i < GLOBAL_SIZE_BYTES; i += 1) flags.push(blob.bool8());
  const global = Object.fromEntries(GLOBAL_KEYS.map((key, i) => [key, flags[i]!])) as unknown as GlobalPermissions;
  const streams = new Map<number, StreamPermissions>();
  let hasStream = trailingFlag(blob, 'has streams');
  while (hasStream) {
    const streamId = blob.u32('permissions stream id');
    blob.need(6, 'stream permissions');
    const manageStream = blob.bool8();
    const readStream = blob.bool8();
    const manageTopics = blob.bool8();
    const readTopics = blob.bool8();
    const pollMessages = blob.bool8();
    const sendMessages = blob.bool8();
    const topics = new Map<number, TopicPermissions>();
    let hasTopic = trailingFlag(blob, 'has topics');
    while (hasTopic) {
      const topicId = blob.u32('permissions topic id');
      blob.need(4, 'topic permissions');
      topics.set(topicId, { manageTopic: blob.bool8(), readTopic: blob.bool8(), pollMessages: blob.bool8(), sendMessages: blob.bool8() });
      hasTopic = trailingFlag(blob, 'has next topic');
    }
    streams.set(streamId, { manageStream, readStream, manageTopics, readTopics, pollMessages, sendMessages, topics });
    hasStream = trailingFlag(blob, 'has next stream');
  }
  if (blob.remaining !== 0) throw invalidFormat('permissions length', blob.offset, end - reader.offset, blob.offset - reader.offset);
  reader.offset = end;
  return { global, streams };
}

/** Decodes a whole buffer as one blob. */
export function decodePermissions(blob: Buffer): Permissions {
  return readPermissions(new Reader(blob), blob.length);
}
