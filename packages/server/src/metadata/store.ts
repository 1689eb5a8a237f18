/**
 * Durable metadata: one atomic snapshot of everything persistent, rewritten after every mutation.
 * The single writer (router thread) calls `save` synchronously before it answers the client.
 *
 * File `<dataPath>/metadata/state.bin`:
 *   [magic:8 "IGTSMETA"][version:u32 LE][body_size:u32 LE][sha256(body):32][body:body_size]
 * body = msgpack of `PersistedState` (u64 values as decimal strings, maps as arrays).
 *
 * Write path: body → `state.bin.tmp` → fsync → rename over `state.bin` → fsync the directory, so a
 * crash leaves either the old or the new snapshot, never a torn one. Read path: a missing file means
 * "first start"; anything else that is not a valid snapshot (bad magic, version, size, checksum,
 * shape) refuses to start with an `IggyError` naming the file: metadata is never silently dropped.
 * Consumer-group membership is not here: members are connections and die with the process.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, IggyError } from '@iggy-ts/protocol';
import { Packr, Unpackr } from 'msgpackr';
import type { GlobalPermissions, PersonalAccessToken, TopicPermissions } from './model.js';
import { U64_MAX } from './model.js';

export const STATE_FILE_MAGIC = 'IGTSMETA';
export const STATE_FILE_VERSION = 1;
/** Header layout: offsets of each field. */
export const STATE_FILE_HEADER = {
  magicOffset: 0,
  versionOffset: 8,
  bodySizeOffset: 12,
  checksumOffset: 16,
  sizeBytes: 48,
} as const;
const CHECKSUM_SIZE_BYTES = 32;

export interface PartitionRecord {
  id: number;
  createdAtUs: number;
}

export interface ConsumerGroupRecord {
  id: number;
  name: string;
}

export interface TopicRecord {
  id: number;
  name: string;
  createdAtUs: number;
  partitions: PartitionRecord[];
  compressionAlgorithm: number;
  /** u64 as a decimal string. */
  messageExpiryUs: string;
  /** u64 as a decimal string. */
  maxTopicSizeBytes: string;
  replicationFactor: number;
  consumerGroups: ConsumerGroupRecord[];
}

export interface StreamRecord {
  id: number;
  name: string;
  createdAtUs: number;
  topics: TopicRecord[];
}

export interface TopicPermissionsRecord extends TopicPermissions {
  id: number;
}

export interface StreamPermissionsRecord {
  id: number;
  manageStream: boolean;
  readStream: boolean;
  manageTopics: boolean;
  readTopics: boolean;
  pollMessages: boolean;
  sendMessages: boolean;
  topics: TopicPermissionsRecord[];
}

export interface PermissionsRecord {
  global: GlobalPermissions;
  streams: StreamPermissionsRecord[];
}

export interface UserRecord {
  id: number;
  username: string;
  passwordHash: string;
  status: number;
  createdAtUs: number;
  permissions: PermissionsRecord | null;
}

export type TokenRecord = PersonalAccessToken;

/** Everything persistent, in plain records. */
export interface PersistedState {
  streams: StreamRecord[];
  users: UserRecord[];
  tokens: TokenRecord[];
}

const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

function sha256(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

/** The complete file image of `state`. */
export function encodeStateFile(state: PersistedState): Buffer {
  const body = packr.pack(state);
  const file = Buffer.alloc(STATE_FILE_HEADER.sizeBytes + body.length);
  file.write(STATE_FILE_MAGIC, STATE_FILE_HEADER.magicOffset, 'ascii');
  file.writeUInt32LE(STATE_FILE_VERSION, STATE_FILE_HEADER.versionOffset);
  file.writeUInt32LE(body.length, STATE_FILE_HEADER.bodySizeOffset);
  sha256(body).copy(file, STATE_FILE_HEADER.checksumOffset);
  body.copy(file, STATE_FILE_HEADER.sizeBytes);
  return file;
}

function corrupted(filePath: string, reason: string, code: number = ErrorCode.StateFileCorrupted): IggyError {
  return new IggyError(
    code,
    `metadata state file ${filePath} is corrupted (${reason}); refusing to start. ` +
      'Restore it from a backup, or move it away to start with empty metadata.',
  );
}

/** Parses and validates a file image; throws `IggyError` 15/16 naming `filePath` on any defect. */
export function decodeStateFile(file: Buffer, filePath: string): PersistedState {
  if (file.length < STATE_FILE_HEADER.sizeBytes) {
    throw corrupted(filePath, `${file.length} bytes, shorter than the ${STATE_FILE_HEADER.sizeBytes}-byte header`);
  }
  const magic = file.toString('ascii', STATE_FILE_HEADER.magicOffset, STATE_FILE_HEADER.magicOffset + 8);
  if (magic !== STATE_FILE_MAGIC) throw corrupted(filePath, 'bad magic');
  const version = file.readUInt32LE(STATE_FILE_HEADER.versionOffset);
  if (version !== STATE_FILE_VERSION) {
    throw corrupted(filePath, `format version ${version}, this server reads version ${STATE_FILE_VERSION}`);
  }
  const bodySize = file.readUInt32LE(STATE_FILE_HEADER.bodySizeOffset);
  const have = file.length - STATE_FILE_HEADER.sizeBytes;
  if (bodySize !== have) throw corrupted(filePath, `body size ${bodySize} in header, ${have} bytes present`);
  const body = file.subarray(STATE_FILE_HEADER.sizeBytes);
  const expected = file.subarray(STATE_FILE_HEADER.checksumOffset, STATE_FILE_HEADER.checksumOffset + CHECKSUM_SIZE_BYTES);
  if (!sha256(body).equals(expected)) {
    throw corrupted(filePath, 'checksum mismatch', ErrorCode.InvalidStateEntryChecksum);
  }
  let raw: unknown;
  try {
    raw = unpackr.unpack(body);
  } catch (error) {
    throw corrupted(filePath, `undecodable body: ${(error as Error).message}`);
  }
  try {
    return validateState(raw);
  } catch (error) {
    if (error instanceof ShapeError) throw corrupted(filePath, error.message);
    throw error;
  }
}

/** Reads and writes `<dataPath>/metadata/state.bin`. */
export class MetadataStore {
  readonly directory: string;
  readonly filePath: string;
  private readonly temporaryPath: string;

  constructor(dataPath: string) {
    this.directory = join(dataPath, 'metadata');
    this.filePath = join(this.directory, 'state.bin');
    this.temporaryPath = `${this.filePath}.tmp`;
    try {
      mkdirSync(this.directory, { recursive: true });
    } catch (error) {
      throw new IggyError(
        ErrorCode.CannotCreateStateDirectory,
        `cannot create metadata directory ${this.directory}: ${(error as Error).message}`,
      );
    }
  }

  /** The stored state, or `undefined` when none was ever saved (first start). */
  load(): PersistedState | undefined {
    let file: Buffer;
    try {
      file = readFileSync(this.filePath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new IggyError(ErrorCode.CannotReadFile, `cannot read metadata state file ${this.filePath}: ${(error as Error).message}`);
    }
    return decodeStateFile(file, this.filePath);
  }

  /** Atomically replaces the stored state; durable when it returns. */
  save(state: PersistedState): void {
    const file = encodeStateFile(state);
    try {
      const fd = openSync(this.temporaryPath, 'w', 0o600);
      try {
        let written = 0;
        while (written < file.length) written += writeSync(fd, file, written, file.length - written);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(this.temporaryPath, this.filePath);
      const directoryFd = openSync(this.directory, 'r');
      try {
        fsyncSync(directoryFd);
      } finally {
        closeSync(directoryFd);
      }
    } catch (error) {
      throw new IggyError(ErrorCode.CannotWriteToFile, `cannot write metadata state file ${this.filePath}: ${(error as Error).message}`);
    }
  }
}

// ---- Shape validation of a decoded body. A checksum-valid body of the wrong shape is a bug or a
// file from elsewhere; either way it must not start the server.

class ShapeError extends Error {}

function fail(path: string, what: string): never {
  throw new ShapeError(`${path}: expected ${what}`);
}

function object(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'an object');
  return value as Record<string, unknown>;
}

function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, 'an array');
  return value;
}

function integer(value: unknown, path: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
    fail(path, `an integer in 0..${max}`);
  }
  return value;
}

function string(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, 'a string');
  return value;
}

function boolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') fail(path, 'a boolean');
  return value;
}

function u64String(value: unknown, path: string): string {
  if (typeof value !== 'string' || !/^(0|[1-9][0-9]*)$/.test(value) || BigInt(value) > U64_MAX) {
    fail(path, 'a u64 decimal string');
  }
  return value;
}

const U32_MAX = 0xffff_ffff;
const GLOBAL_FLAGS = [
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
] as const;
const STREAM_FLAGS = ['manageStream', 'readStream', 'manageTopics', 'readTopics', 'pollMessages', 'sendMessages'] as const;
const TOPIC_FLAGS = ['manageTopic', 'readTopic', 'pollMessages', 'sendMessages'] as const;

function flags<K extends string>(source: Record<string, unknown>, keys: readonly K[], path: string): Record<K, boolean> {
  const result = {} as Record<K, boolean>;
  for (const key of keys) result[key] = boolean(source[key], `${path}.${key}`);
  return result;
}

function validatePermissions(value: unknown, path: string): PermissionsRecord | null {
  if (value === null) return null;
  const source = object(value, path);
  const global = flags(object(source.global, `${path}.global`), GLOBAL_FLAGS, `${path}.global`);
  const streams = array(source.streams, `${path}.streams`).map((entry, i): StreamPermissionsRecord => {
    const at = `${path}.streams[${i}]`;
    const stream = object(entry, at);
    return {
      id: integer(stream.id, `${at}.id`, U32_MAX),
      ...flags(stream, STREAM_FLAGS, at),
      topics: array(stream.topics, `${at}.topics`).map((topicEntry, j): TopicPermissionsRecord => {
        const topicAt = `${at}.topics[${j}]`;
        const topic = object(topicEntry, topicAt);
        return { id: integer(topic.id, `${topicAt}.id`, U32_MAX), ...flags(topic, TOPIC_FLAGS, topicAt) };
      }),
    };
  });
  return { global, streams };
}

function validateState(raw: unknown): PersistedState {
  const root = object(raw, 'state');
  const streams = array(root.streams, 'streams').map((entry, i): StreamRecord => {
    const at = `streams[${i}]`;
    const stream = object(entry, at);
    return {
      id: integer(stream.id, `${at}.id`, U32_MAX),
      name: string(stream.name, `${at}.name`),
      createdAtUs: integer(stream.createdAtUs, `${at}.createdAtUs`),
      topics: array(stream.topics, `${at}.topics`).map((topicEntry, j): TopicRecord => {
        const topicAt = `${at}.topics[${j}]`;
        const topic = object(topicEntry, topicAt);
        return {
          id: integer(topic.id, `${topicAt}.id`, U32_MAX),
          name: string(topic.name, `${topicAt}.name`),
          createdAtUs: integer(topic.createdAtUs, `${topicAt}.createdAtUs`),
          partitions: array(topic.partitions, `${topicAt}.partitions`).map((partitionEntry, k) => {
            const partitionAt = `${topicAt}.partitions[${k}]`;
            const partition = object(partitionEntry, partitionAt);
            const id = integer(partition.id, `${partitionAt}.id`, U32_MAX);
            if (id !== k) fail(`${partitionAt}.id`, `dense partition id ${k}`);
            return { id, createdAtUs: integer(partition.createdAtUs, `${partitionAt}.createdAtUs`) };
          }),
          compressionAlgorithm: integer(topic.compressionAlgorithm, `${topicAt}.compressionAlgorithm`, 255),
          messageExpiryUs: u64String(topic.messageExpiryUs, `${topicAt}.messageExpiryUs`),
          maxTopicSizeBytes: u64String(topic.maxTopicSizeBytes, `${topicAt}.maxTopicSizeBytes`),
          replicationFactor: integer(topic.replicationFactor, `${topicAt}.replicationFactor`, 255),
          consumerGroups: array(topic.consumerGroups, `${topicAt}.consumerGroups`).map((groupEntry, k) => {
            const groupAt = `${topicAt}.consumerGroups[${k}]`;
            const group = object(groupEntry, groupAt);
            return { id: integer(group.id, `${groupAt}.id`, U32_MAX), name: string(group.name, `${groupAt}.name`) };
          }),
        };
      }),
    };
  });
  const users = array(root.users, 'users').map((entry, i): UserRecord => {
    const at = `users[${i}]`;
    const user = object(entry, at);
    return {
      id: integer(user.id, `${at}.id`, U32_MAX),
      username: string(user.username, `${at}.username`),
      passwordHash: string(user.passwordHash, `${at}.passwordHash`),
      status: integer(user.status, `${at}.status`, 255),
      createdAtUs: integer(user.createdAtUs, `${at}.createdAtUs`),
      permissions: validatePermissions(user.permissions, `${at}.permissions`),
    };
  });
  const tokens = array(root.tokens, 'tokens').map((entry, i): TokenRecord => {
    const at = `tokens[${i}]`;
    const token = object(entry, at);
    return {
      userId: integer(token.userId, `${at}.userId`, U32_MAX),
      name: string(token.name, `${at}.name`),
      tokenHash: string(token.tokenHash, `${at}.tokenHash`),
      expiryAtUs: token.expiryAtUs === null ? null : integer(token.expiryAtUs, `${at}.expiryAtUs`),
    };
  });
  return { streams, users, tokens };
}
