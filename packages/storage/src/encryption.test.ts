import { createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { IggyError, MessageHeader, initHashes } from '@iggy-ts/protocol';
import {
  ENCRYPTION_CHECK_FILE_NAME,
  EncryptionKeyError,
  MessageCipher,
  SEALED_OVERHEAD_BYTES,
  checkEncryptionKey,
  parseEncryptionKey,
} from './encryption.js';
import { PartitionLog } from './partition-log.js';
import type { PartitionLogOptions } from './options.js';
import { ManualClock, buildBatch, numberedMessages, parseMessages, temporaryDirectory, type TestMessage } from './testing.js';

beforeAll(async () => {
  await initHashes();
});

const KEY = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
const OTHER_KEY = Buffer.alloc(32, 7);
const SECRET = 'top-secret-payload';
const HEADER_SECRET = 'header-secret';

/** A user-header block with one string pair (key "k", value HEADER_SECRET). */
function headerBlock(): Buffer {
  const value = Buffer.from(HEADER_SECRET);
  const block = Buffer.alloc(1 + 4 + 1 + 1 + 4 + value.byteLength);
  block.writeUInt8(2, 0);
  block.writeUInt32LE(1, 1);
  block.write('k', 5);
  block.writeUInt8(2, 6);
  block.writeUInt32LE(value.byteLength, 7);
  value.copy(block, 11);
  return block;
}

function secretMessages(count: number): TestMessage[] {
  const list: TestMessage[] = [];
  for (let i = 0; i < count; i += 1) {
    list.push({ payload: `${SECRET}-${i}`, id: BigInt(i + 1), originTimestampUs: 1000 + i, userHeaders: i % 2 === 0 ? headerBlock() : undefined });
  }
  return list;
}

function codeOf(action: () => unknown): number {
  try {
    action();
  } catch (error) {
    return error instanceof IggyError ? error.code : -1;
  }
  return 0;
}

/** Every byte of every file under `directory`, concatenated. */
function allFileBytes(directory: string): Buffer {
  const parts: Buffer[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) parts.push(readFileSync(join(entry.parentPath, entry.name)));
  }
  return Buffer.concat(parts);
}

function openPair(overrides: Partial<PartitionLogOptions> = {}): { plain: PartitionLog; sealed: PartitionLog; clock: ManualClock } {
  const clock = new ManualClock();
  const common = { durability: { mode: 'buffered' as const }, clock: clock.now, ...overrides };
  return {
    plain: PartitionLog.open({ directory: temporaryDirectory(), ...common }),
    sealed: PartitionLog.open({ directory: temporaryDirectory(), ...common, encryption: new MessageCipher(KEY) }),
    clock,
  };
}

describe('MessageCipher', () => {
  it('seals each message as documented: nonce, AES-256-GCM of [h:u32][payload][headers] with the offset as AAD, tag', () => {
    const cipher = new MessageCipher(KEY, { fillRandom: (target) => void target.fill(0xab) });
    const plain = buildBatch([{ payload: 'hello', id: 9n, userHeaders: headerBlock() }]);
    const sealed = cipher.sealBatch(plain, 1, 5);
    const h = headerBlock().byteLength;
    expect(sealed.byteLength).toBe(plain.byteLength + SEALED_OVERHEAD_BYTES);
    expect(sealed.readUInt32LE(MessageHeader.userHeadersLength)).toBe(0);
    expect(sealed.readUInt32LE(MessageHeader.payloadLength)).toBe(5 + h + 32);
    expect(sealed.readBigUInt64LE(MessageHeader.offset)).toBe(5n);
    expect(sealed.subarray(MessageHeader.id, MessageHeader.offset)).toEqual(plain.subarray(MessageHeader.id, MessageHeader.offset)); // id in clear
    const nonce = sealed.subarray(64, 76);
    expect(nonce).toEqual(Buffer.alloc(12, 0xab));
    const decipher = createDecipheriv('aes-256-gcm', KEY, nonce);
    decipher.setAAD(sealed.subarray(24, 32));
    decipher.setAuthTag(sealed.subarray(sealed.byteLength - 16));
    const opened = Buffer.concat([decipher.update(sealed.subarray(76, sealed.byteLength - 16)), decipher.final()]);
    expect(opened.readUInt32LE(0)).toBe(h);
    expect(opened.subarray(4, 9).toString()).toBe('hello');
    expect(opened.subarray(9)).toEqual(headerBlock());
  });

  it('opens sealed messages back into the original frames with plaintext checksums', () => {
    const cipher = new MessageCipher(KEY);
    const messages = [...secretMessages(3), { payload: '' }, { payload: Buffer.alloc(0), userHeaders: headerBlock() }];
    const plain = buildBatch(messages);
    const sealed = Buffer.from(cipher.sealBatch(plain, messages.length, 0));
    const target = Buffer.alloc(8 + plain.byteLength);
    cipher.openBatch(sealed, 0, sealed.byteLength, messages.length, 0, target, 8);
    const opened = parseMessages(target, 8, messages.length);
    const original = parseMessages(plain, 0, messages.length);
    for (let i = 0; i < messages.length; i += 1) {
      expect(opened[i]!.payload).toEqual(original[i]!.payload);
      expect(opened[i]!.userHeaders).toEqual(original[i]!.userHeaders);
      expect(opened[i]!.id).toBe(original[i]!.id);
      expect(opened[i]!.originTimestampUs).toBe(original[i]!.originTimestampUs);
      expect(opened[i]!.offset).toBe(i);
    }
    expect(target.subarray(0, 8).every((byte) => byte === 0)).toBe(true);
  });

  it('refuses a blob moved to another offset, a wrong key and an unencrypted message with 72', () => {
    const cipher = new MessageCipher(KEY);
    const sealed = Buffer.from(cipher.sealBatch(buildBatch([{ payload: SECRET }]), 1, 0));
    const target = Buffer.alloc(sealed.byteLength - SEALED_OVERHEAD_BYTES);
    expect(codeOf(() => new MessageCipher(OTHER_KEY).openBatch(sealed, 0, sealed.byteLength, 1, 0, target, 0))).toBe(72);
    const moved = Buffer.from(sealed);
    moved.writeBigUInt64LE(1n, MessageHeader.offset);
    expect(codeOf(() => cipher.openBatch(moved, 0, moved.byteLength, 1, 1, target, 0))).toBe(72);
    const unencrypted = buildBatch([{ payload: SECRET.repeat(3) }]);
    expect(codeOf(() => cipher.openBatch(unencrypted, 0, unencrypted.byteLength, 1, 0, Buffer.alloc(unencrypted.byteLength), 0))).toBe(72);
  });

  it('parses only the base64 of exactly 32 bytes', () => {
    expect(parseEncryptionKey(KEY.toString('base64'))).toEqual(KEY);
    expect(() => parseEncryptionKey(Buffer.alloc(16).toString('base64'))).toThrow(RangeError);
    expect(() => parseEncryptionKey('not base64 at all, not at all, not at all!!')).toThrow(RangeError);
    expect(() => new MessageCipher(Buffer.alloc(31))).toThrow(RangeError);
  });
});

describe('PartitionLog with encryption', () => {
  it('polls from the cache exactly what an unencrypted log returns', () => {
    const { plain, sealed } = openPair();
    for (const log of [plain, sealed]) {
      log.append(buildBatch(secretMessages(5)), 5);
      log.append(buildBatch(secretMessages(3)), 3);
    }
    const expected = plain.poll(0, 100, 24);
    const actual = sealed.poll(0, 100, 24);
    expect(actual.messagesCount).toBe(8);
    expect(actual.bytes).toEqual(expected.bytes); // same lengths, payloads, headers and checksums
    expect(sealed.cacheHits).toBe(1);
    expect(sealed.cacheMisses).toBe(0);
    expect(sealed.poll(3, 2, 0).bytes).toEqual(plain.poll(3, 2, 0).bytes);
    expect(sealed.sizeBytes).toBe(plain.sizeBytes + 8 * SEALED_OVERHEAD_BYTES);
    plain.destroy();
    sealed.destroy();
  });

  it('polls from disk (across segments, by timestamp, after a reopen) and never writes the plaintext', () => {
    const { plain, sealed, clock } = openPair({ cacheSizeBytes: 0, segmentSizeBytes: 600 });
    for (let batch = 0; batch < 6; batch += 1) {
      for (const log of [plain, sealed]) log.append(buildBatch(secretMessages(3)), 3);
      clock.advance(100);
    }
    expect(sealed.segmentsCount).toBeGreaterThan(2);
    expect(sealed.poll(0, 100, 0).bytes).toEqual(plain.poll(0, 100, 0).bytes);
    expect(sealed.pollByTimestamp(clock.nowUs - 250, 4, 0).bytes).toEqual(plain.pollByTimestamp(clock.nowUs - 250, 4, 0).bytes);
    expect(sealed.cacheMisses).toBe(2);
    const directory = sealed.options.directory;
    sealed.close();
    const onDisk = allFileBytes(directory);
    expect(onDisk.includes(SECRET)).toBe(false);
    expect(onDisk.includes(HEADER_SECRET)).toBe(false);
    expect(allFileBytes(plain.options.directory).includes(SECRET)).toBe(true); // the search itself works

    const reopened = PartitionLog.open({ directory, clock: clock.now, encryption: new MessageCipher(KEY) });
    expect(reopened.poll(0, 100, 0).bytes).toEqual(plain.poll(0, 100, 0).bytes);
    plain.destroy();
    reopened.destroy();
  });

  it('seals batches larger than the ring (written straight to the file) and the buffered journal alike', () => {
    const { plain, sealed } = openPair({ cacheSizeBytes: 1024 });
    const big = secretMessages(40);
    for (const log of [plain, sealed]) {
      log.append(buildBatch(big), 40);
      log.append(buildBatch(secretMessages(2)), 2);
    }
    expect(sealed.pendingMessagesCount).toBe(2);
    expect(sealed.poll(0, 100, 0).bytes).toEqual(plain.poll(0, 100, 0).bytes);
    expect(sealed.poll(40, 2, 0).bytes).toEqual(plain.poll(40, 2, 0).bytes);
    plain.destroy();
    sealed.destroy();
  });

  it('recovers without the key: validation and torn-tail truncation work on the stored bytes', () => {
    const directory = temporaryDirectory();
    const clock = new ManualClock();
    const log = PartitionLog.open({ directory, clock: clock.now, durability: { mode: 'fsync' }, directIo: false, encryption: new MessageCipher(KEY) });
    log.append(buildBatch(secretMessages(4)), 4);
    log.append(buildBatch(secretMessages(2)), 2);
    log.abandon();
    const logPath = join(directory, '00000000000000000000.log');
    truncateSync(logPath, readFileSync(logPath).byteLength - 10); // tear the last message

    const keyless = PartitionLog.open({ directory, clock: clock.now, validateChecksumsOnOpen: true });
    expect(keyless.recovery.truncatedBytes).toBeGreaterThan(0);
    expect(keyless.messagesCount).toBe(5);
    expect(keyless.recovery.validatedMessages).toBeGreaterThanOrEqual(5);
    expect(codeOf(() => keyless.poll(0, 1, 0))).toBe(0); // serves stored (sealed) frames, checksums valid
    expect(keyless.poll(0, 1, 0).bytes.includes(SECRET)).toBe(false);
    keyless.close();

    const keyed = PartitionLog.open({ directory, clock: clock.now, encryption: new MessageCipher(KEY) });
    const messages = parseMessages(keyed.poll(0, 10, 0).bytes, 0, 5);
    expect(messages.map((message) => message.payload.toString())).toEqual([0, 1, 2, 3, 0].map((i) => `${SECRET}-${i}`));
    expect(keyed.append(buildBatch(secretMessages(1)), 1).firstOffset).toBe(5);
    keyed.destroy();
  });

  it('refuses to serve with a wrong key (72) and keeps ids in clear for deduplication across a reopen', () => {
    const directory = temporaryDirectory();
    const log = PartitionLog.open({ directory, encryption: new MessageCipher(KEY), dedup: { enabled: true } });
    log.append(buildBatch(secretMessages(3)), 3);
    log.close();
    const wrong = PartitionLog.open({ directory, encryption: new MessageCipher(OTHER_KEY) });
    expect(codeOf(() => wrong.poll(0, 3, 0))).toBe(72);
    wrong.close();
    const again = PartitionLog.open({ directory, encryption: new MessageCipher(KEY), dedup: { enabled: true } });
    expect(again.append(buildBatch(secretMessages(4)), 4)).toMatchObject({ messagesCount: 1, duplicatesCount: 3, firstOffset: 3 });
    expect(parseMessages(again.poll(3, 1, 0).bytes, 0, 1)[0]!.payload.toString()).toBe(`${SECRET}-3`);
    again.destroy();
  });

  it('refuses unencrypted messages when opened with a cipher (72)', () => {
    const directory = temporaryDirectory();
    const log = PartitionLog.open({ directory });
    log.append(buildBatch(secretMessages(2)), 2);
    log.close();
    const keyed = PartitionLog.open({ directory, encryption: new MessageCipher(KEY) });
    expect(codeOf(() => keyed.poll(0, 2, 0))).toBe(72);
    keyed.destroy();
  });
});

describe('checkEncryptionKey', () => {
  function dataDirectory(): { dataPath: string; messagesPath: string } {
    const dataPath = temporaryDirectory();
    return { dataPath, messagesPath: join(dataPath, 'streams') };
  }

  function refusal(action: () => unknown): string {
    try {
      action();
    } catch (error) {
      expect(error).toBeInstanceOf(EncryptionKeyError);
      return (error as Error).message;
    }
    throw new Error('expected an EncryptionKeyError');
  }

  it('creates the record at the first start with a key and verifies it at the next', () => {
    const paths = dataDirectory();
    expect(checkEncryptionKey({ ...paths, key: undefined })).toBe('disabled');
    expect(existsSync(join(paths.dataPath, ENCRYPTION_CHECK_FILE_NAME))).toBe(false);
    expect(checkEncryptionKey({ ...paths, key: KEY })).toBe('created');
    const record = readFileSync(join(paths.dataPath, ENCRYPTION_CHECK_FILE_NAME));
    expect(record.byteLength).toBe(70);
    expect(record.subarray(0, 8).toString('latin1')).toBe('IGGYTSEK');
    expect(record.includes(KEY)).toBe(false);
    expect(checkEncryptionKey({ ...paths, key: KEY })).toBe('verified');
  });

  it('refuses a different key, a missing key and a damaged record with precise messages', () => {
    const paths = dataDirectory();
    checkEncryptionKey({ ...paths, key: KEY });
    expect(refusal(() => checkEncryptionKey({ ...paths, key: OTHER_KEY }))).toMatch(/encryption\.key is not the key the data in .* was encrypted with/);
    expect(refusal(() => checkEncryptionKey({ ...paths, key: undefined }))).toMatch(/holds messages encrypted at rest .* but encryption is disabled/);
    writeFileSync(join(paths.dataPath, ENCRYPTION_CHECK_FILE_NAME), randomBytes(20));
    expect(refusal(() => checkEncryptionKey({ ...paths, key: KEY }))).toMatch(/is not an iggy-ts encryption key-check record/);
  });

  it('refuses a key when the data directory already holds unencrypted messages, and accepts empty partitions', () => {
    const paths = dataDirectory();
    const empty = PartitionLog.open({ directory: join(paths.messagesPath, '1', 'topics', '1', 'partitions', '1') });
    empty.close();
    const withData = dataDirectory();
    const log = PartitionLog.open({ directory: join(withData.messagesPath, '1', 'topics', '1', 'partitions', '1') });
    log.append(buildBatch(numberedMessages(1)), 1);
    log.close();
    expect(refusal(() => checkEncryptionKey({ ...withData, key: KEY }))).toMatch(/already holds unencrypted messages \(.*00000000000000000000\.log\)/);
    expect(existsSync(join(withData.dataPath, ENCRYPTION_CHECK_FILE_NAME))).toBe(false);
    expect(checkEncryptionKey({ ...paths, key: KEY })).toBe('created');
  });
});
