import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, IggyError } from '@iggy-ts/protocol';
import { Packr } from 'msgpackr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MetadataStore,
  STATE_FILE_HEADER,
  STATE_FILE_MAGIC,
  STATE_FILE_VERSION,
  decodeStateFile,
  encodeStateFile,
  type PersistedState,
} from './store.js';

const SAMPLE: PersistedState = {
  streams: [
    {
      id: 0,
      name: 'orders',
      createdAtUs: 1_700_000_000_000_000,
      topics: [
        {
          id: 3,
          name: 'eu',
          createdAtUs: 1_700_000_000_000_001,
          partitions: [
            { id: 0, createdAtUs: 1 },
            { id: 1, createdAtUs: 2 },
          ],
          compressionAlgorithm: 2,
          messageExpiryUs: '18446744073709551615',
          maxTopicSizeBytes: '1073741824',
          replicationFactor: 1,
          consumerGroups: [{ id: 0, name: 'billing' }],
        },
      ],
    },
  ],
  users: [
    {
      id: 0,
      username: 'iggy',
      passwordHash: 'scrypt$1024$8$1$AAAA$BBBB',
      status: 1,
      createdAtUs: 5,
      permissions: {
        global: {
          manageServers: true,
          readServers: false,
          manageUsers: true,
          readUsers: false,
          manageStreams: true,
          readStreams: false,
          manageTopics: true,
          readTopics: false,
          pollMessages: true,
          sendMessages: false,
        },
        streams: [
          {
            id: 0,
            manageStream: false,
            readStream: true,
            manageTopics: false,
            readTopics: true,
            pollMessages: false,
            sendMessages: true,
            topics: [{ id: 3, manageTopic: true, readTopic: false, pollMessages: true, sendMessages: false }],
          },
        ],
      },
    },
    { id: 1, username: 'bob', passwordHash: 'h', status: 2, createdAtUs: 6, permissions: null },
  ],
  tokens: [
    { userId: 1, name: 'ci', tokenHash: 'ab'.repeat(32), expiryAtUs: null },
    { userId: 1, name: 'tmp', tokenHash: 'cd'.repeat(32), expiryAtUs: 1_800_000_000_000_000 },
  ],
};

function codeOf(action: () => unknown): number | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof IggyError) return error.code;
    throw error;
  }
  return undefined;
}

describe('state file codec', () => {
  it('round-trips a snapshot', () => {
    expect(decodeStateFile(encodeStateFile(SAMPLE), 'state.bin')).toEqual(SAMPLE);
  });

  it('writes the header: magic, version, body size and the SHA-256 of the body', () => {
    const file = encodeStateFile(SAMPLE);
    const body = file.subarray(STATE_FILE_HEADER.sizeBytes);
    expect(file.subarray(0, 8).toString('ascii')).toBe(STATE_FILE_MAGIC);
    expect(file.readUInt32LE(STATE_FILE_HEADER.versionOffset)).toBe(STATE_FILE_VERSION);
    expect(file.readUInt32LE(STATE_FILE_HEADER.bodySizeOffset)).toBe(body.length);
    expect(file.subarray(16, 48)).toEqual(createHash('sha256').update(body).digest());
    expect(file.subarray(0, 12).toString('hex')).toBe('494754534d455441' + '01000000');
  });

  it('refuses every truncated prefix with a state-file error', () => {
    const file = encodeStateFile(SAMPLE);
    for (let size = 0; size < file.length; size++) {
      const code = codeOf(() => decodeStateFile(file.subarray(0, size), 'state.bin'));
      expect([size, code === ErrorCode.StateFileCorrupted || code === ErrorCode.InvalidStateEntryChecksum]).toEqual([size, true]);
    }
  });

  it('refuses a flipped body byte as a checksum mismatch', () => {
    const file = encodeStateFile(SAMPLE);
    file[file.length - 3]! ^= 0x01;
    expect(codeOf(() => decodeStateFile(file, 'state.bin'))).toBe(ErrorCode.InvalidStateEntryChecksum);
  });

  it('refuses a bad magic, an unknown version and a wrong body size', () => {
    const badMagic = encodeStateFile(SAMPLE);
    badMagic[0] = 0x58;
    expect(codeOf(() => decodeStateFile(badMagic, 'x'))).toBe(ErrorCode.StateFileCorrupted);
    const badVersion = encodeStateFile(SAMPLE);
    badVersion.writeUInt32LE(99, STATE_FILE_HEADER.versionOffset);
    expect(() => decodeStateFile(badVersion, '/data/metadata/state.bin')).toThrow(/state\.bin.*version 99/);
    const badSize = encodeStateFile(SAMPLE);
    badSize.writeUInt32LE(1, STATE_FILE_HEADER.bodySizeOffset);
    expect(codeOf(() => decodeStateFile(badSize, 'x'))).toBe(ErrorCode.StateFileCorrupted);
  });

  it('refuses a checksum-valid body of the wrong shape, naming the field', () => {
    const body = new Packr({ useRecords: false }).pack({ streams: [{ id: -1 }], users: [], tokens: [] });
    const file = Buffer.alloc(STATE_FILE_HEADER.sizeBytes + body.length);
    file.write(STATE_FILE_MAGIC, 0, 'ascii');
    file.writeUInt32LE(STATE_FILE_VERSION, 8);
    file.writeUInt32LE(body.length, 12);
    createHash('sha256').update(body).digest().copy(file, 16);
    body.copy(file, 48);
    expect(codeOf(() => decodeStateFile(file, 'x'))).toBe(ErrorCode.StateFileCorrupted);
    expect(() => decodeStateFile(file, 'x')).toThrow(/streams\[0\]\.id/);
  });
});

describe('MetadataStore', () => {
  let dataPath: string;
  beforeEach(() => {
    dataPath = mkdtempSync(join(tmpdir(), 'iggy-store-'));
  });
  afterEach(() => {
    rmSync(dataPath, { recursive: true, force: true });
  });

  it('reports no state on first start and creates the metadata directory', () => {
    const store = new MetadataStore(dataPath);
    expect(store.load()).toBeUndefined();
    expect(existsSync(join(dataPath, 'metadata'))).toBe(true);
  });

  it('saves atomically to metadata/state.bin and loads it back', () => {
    const store = new MetadataStore(dataPath);
    store.save(SAMPLE);
    expect(store.filePath).toBe(join(dataPath, 'metadata', 'state.bin'));
    expect(existsSync(`${store.filePath}.tmp`)).toBe(false);
    expect(new MetadataStore(dataPath).load()).toEqual(SAMPLE);
    store.save({ streams: [], users: [], tokens: [] });
    expect(store.load()).toEqual({ streams: [], users: [], tokens: [] });
  });

  it('refuses a corrupt file instead of starting empty', () => {
    const store = new MetadataStore(dataPath);
    store.save(SAMPLE);
    const file = readFileSync(store.filePath);
    file[60]! ^= 0xff;
    writeFileSync(store.filePath, file);
    expect(() => store.load()).toThrow(IggyError);
    writeFileSync(store.filePath, Buffer.alloc(0));
    expect(codeOf(() => store.load())).toBe(ErrorCode.StateFileCorrupted);
  });
});
