/**
 * Encryption at rest: AES-256-GCM of each message's payload and user headers, and the key-check
 * record that makes a start with the wrong key (or none) fail instead of serving garbage.
 *
 * A sealed message keeps the Iggy frame layout, so segment files, indexes, recovery and checksums
 * work on it unchanged and without the key:
 *
 *   [header:64]  checksum, id, offset, timestamp, origin_timestamp, reserved as usual;
 *                user_headers_length = 0, payload_length = p + h + 32 (the blob below)
 *   [nonce:12][ciphertext:4+p+h][tag:16]
 *                ciphertext of [user_headers_length = h:u32 LE][payload:p][user_headers:h]
 *
 * - The nonce is 96 random bits per message; the additional authenticated data is the message's
 *   offset (header bytes 24..32), so a blob copied to another offset does not open.
 * - The id stays in clear (deduplication reads it from disk); so do the timestamps and lengths of
 *   the sealed frame (which reveal p + h, not the split between them).
 * - The stored checksum covers the stored (sealed) bytes: recovery validates without the key. A poll
 *   opens each message, rebuilds the plaintext frame (original lengths) and recomputes its checksum,
 *   so clients see exactly what an unencrypted server sends.
 *
 * `MessageCipher` is owned by one thread and used synchronously; its scratch buffers are reused
 * across calls (a sealed batch is valid until the next `sealBatch`).
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomFillSync, type KeyObject } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync, constants as fsConstants } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, IggyError, MessageHeader, checksumBatch } from '@iggy-ts/protocol';
import { assert } from './assert.js';
import { isSegmentLogFileName } from './segment.js';

const U32 = 0x1_0000_0000;
const ALGORITHM = 'aes-256-gcm';
export const ENCRYPTION_KEY_SIZE_BYTES = 32;
const NONCE_SIZE_BYTES = 12;
const TAG_SIZE_BYTES = 16;
const LENGTH_PREFIX_SIZE_BYTES = 4;
/** Bytes a sealed message has more than its plaintext frame: nonce, user-headers length, tag. */
export const SEALED_OVERHEAD_BYTES = NONCE_SIZE_BYTES + LENGTH_PREFIX_SIZE_BYTES + TAG_SIZE_BYTES;
/** Scratch buffers up to this size are kept between calls; larger batches get a one-off buffer. */
const SCRATCH_RETAINED_BYTES_MAX = 4 * 1024 * 1024;
const SCRATCH_BYTES_MIN = 64 * 1024;
const NONCES_PER_REFILL = 4096;

/** Decodes a base64 key (the form the server config accepts) and checks that it is 32 bytes. */
export function parseEncryptionKey(base64: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (!/^[A-Za-z0-9+/]{43}=$/.test(base64) || key.byteLength !== ENCRYPTION_KEY_SIZE_BYTES) {
    throw new RangeError(`encryption key must be the base64 of ${ENCRYPTION_KEY_SIZE_BYTES} bytes (44 characters ending in "=")`);
  }
  return key;
}

function notSealed(offset: number): IggyError {
  return new IggyError(ErrorCode.CannotDecryptData, `message at offset ${offset} is not an encrypted message`);
}

/** Grow-only scratch with a retention cap. */
class Scratch {
  private bytes = Buffer.allocUnsafeSlow(0);

  /** A view of exactly `sizeBytes`, valid until the next call. */
  take(sizeBytes: number): Buffer {
    if (sizeBytes > SCRATCH_RETAINED_BYTES_MAX) return Buffer.allocUnsafeSlow(sizeBytes);
    if (sizeBytes > this.bytes.byteLength) {
      let capacity = Math.max(SCRATCH_BYTES_MIN, this.bytes.byteLength);
      while (capacity < sizeBytes) capacity *= 2;
      this.bytes = Buffer.allocUnsafeSlow(Math.min(capacity, SCRATCH_RETAINED_BYTES_MAX));
    }
    return this.bytes.subarray(0, sizeBytes);
  }
}

export interface MessageCipherOptions {
  /** Fills a buffer with random bytes (nonces). Injectable for tests; default `crypto.randomFillSync`. */
  fillRandom?: (target: Buffer) => void;
}

export class MessageCipher {
  private readonly key: KeyObject;
  private readonly fillRandom: (target: Buffer) => void;
  private readonly nonces = Buffer.allocUnsafeSlow(NONCES_PER_REFILL * NONCE_SIZE_BYTES);
  private noncePosition = this.nonces.byteLength;
  private readonly lengthPrefix = Buffer.allocUnsafeSlow(LENGTH_PREFIX_SIZE_BYTES);
  private readonly sealScratch = new Scratch();
  private readonly readScratch = new Scratch();

  constructor(key: Uint8Array, options: MessageCipherOptions = {}) {
    if (key.byteLength !== ENCRYPTION_KEY_SIZE_BYTES) throw new RangeError(`encryption key must be ${ENCRYPTION_KEY_SIZE_BYTES} bytes, got ${key.byteLength}`);
    this.key = createSecretKey(key);
    this.fillRandom = options.fillRandom ?? ((target) => void randomFillSync(target));
  }

  /** Size of `count` messages of `plainSizeBytes` in all once sealed. */
  static sealedSizeOf(plainSizeBytes: number, count: number): number {
    return plainSizeBytes + count * SEALED_OVERHEAD_BYTES;
  }

  /**
   * Seals `count` plaintext messages (exactly `messages`, structure already validated) that will get
   * offsets `firstOffset`, `firstOffset + 1`, … Returns the sealed block, which carries those offsets
   * (the stamper writes the same values again) and no checksums yet; valid until the next call.
   */
  sealBatch(messages: Buffer, count: number, firstOffset: number): Buffer {
    const length = messages.byteLength;
    const sealed = this.sealScratch.take(length + count * SEALED_OVERHEAD_BYTES);
    const view = new DataView(messages.buffer, messages.byteOffset, length);
    const sealedView = new DataView(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    let read = 0;
    let write = 0;
    for (let i = 0; i < count; i += 1) {
      assert(read + MessageHeader.size <= length, `message ${i} header beyond the batch`);
      const payloadLength = view.getUint32(read + MessageHeader.payloadLength, true);
      const userHeadersLength = view.getUint32(read + MessageHeader.userHeadersLength, true);
      const bodyStart = read + MessageHeader.size;
      const end = bodyStart + payloadLength + userHeadersLength;
      assert(end <= length, `message ${i} ends at ${end}, batch has ${length} bytes`);
      const blobLength = payloadLength + userHeadersLength + SEALED_OVERHEAD_BYTES;
      messages.copy(sealed, write, read, bodyStart);
      const offset = firstOffset + i;
      sealedView.setUint32(write + MessageHeader.offset, offset >>> 0, true);
      sealedView.setUint32(write + MessageHeader.offset + 4, Math.floor(offset / U32), true);
      sealedView.setUint32(write + MessageHeader.userHeadersLength, 0, true);
      sealedView.setUint32(write + MessageHeader.payloadLength, blobLength, true);
      const nonceAt = write + MessageHeader.size;
      this.writeNonce(sealed, nonceAt);
      const cipher = createCipheriv(ALGORITHM, this.key, sealed.subarray(nonceAt, nonceAt + NONCE_SIZE_BYTES), { authTagLength: TAG_SIZE_BYTES });
      cipher.setAAD(sealed.subarray(write + MessageHeader.offset, write + MessageHeader.offset + 8));
      this.lengthPrefix.writeUInt32LE(userHeadersLength, 0);
      let at = nonceAt + NONCE_SIZE_BYTES;
      at += cipher.update(this.lengthPrefix).copy(sealed, at);
      at += cipher.update(messages.subarray(bodyStart, end)).copy(sealed, at);
      at += cipher.final().copy(sealed, at);
      at += cipher.getAuthTag().copy(sealed, at);
      assert(at === write + MessageHeader.size + blobLength, `sealed message ${i} fills ${at - write} bytes`);
      read = end;
      write = at;
    }
    assert(read === length && write === sealed.byteLength, `sealed ${count} messages: read ${read} of ${length}, wrote ${write} of ${sealed.byteLength}`);
    return sealed;
  }

  /** A scratch buffer of `sizeBytes` for sealed bytes about to be opened; valid until the next call. */
  readBuffer(sizeBytes: number): Buffer {
    return this.readScratch.take(sizeBytes);
  }

  /**
   * Opens `count` sealed messages of `sealed[from, to)` (offsets from `firstOffset`, for messages)
   * into plaintext frames at `target[targetOffset..]`, which must hold exactly
   * `to − from − count · SEALED_OVERHEAD_BYTES` bytes from there, and computes their checksums.
   * A message that is not sealed, or does not authenticate, throws CannotDecryptData (72).
   */
  openBatch(sealed: Buffer, from: number, to: number, count: number, firstOffset: number, target: Buffer, targetOffset: number): void {
    const view = new DataView(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    const targetView = new DataView(target.buffer, target.byteOffset, target.byteLength);
    const targetEnd = targetOffset + (to - from) - count * SEALED_OVERHEAD_BYTES;
    assert(targetEnd <= target.byteLength, `open target holds ${target.byteLength - targetOffset} of ${targetEnd - targetOffset} bytes`);
    let read = from;
    let write = targetOffset;
    for (let i = 0; i < count; i += 1) {
      const nonceAt = read + MessageHeader.size;
      if (nonceAt > to) throw notSealed(firstOffset + i);
      const blobLength = view.getUint32(read + MessageHeader.payloadLength, true);
      if (view.getUint32(read + MessageHeader.userHeadersLength, true) !== 0 || blobLength < SEALED_OVERHEAD_BYTES || nonceAt + blobLength > to) throw notSealed(firstOffset + i);
      const tagAt = nonceAt + blobLength - TAG_SIZE_BYTES;
      const decipher = createDecipheriv(ALGORITHM, this.key, sealed.subarray(nonceAt, nonceAt + NONCE_SIZE_BYTES), { authTagLength: TAG_SIZE_BYTES });
      decipher.setAAD(sealed.subarray(read + MessageHeader.offset, read + MessageHeader.offset + 8));
      decipher.setAuthTag(sealed.subarray(tagAt, tagAt + TAG_SIZE_BYTES));
      const plain = decipher.update(sealed.subarray(nonceAt + NONCE_SIZE_BYTES, tagAt));
      try {
        decipher.final();
      } catch {
        throw new IggyError(ErrorCode.CannotDecryptData, `message at offset ${firstOffset + i} does not authenticate (wrong key or altered data)`);
      }
      const userHeadersLength = plain.readUInt32LE(0);
      const bodyLength = plain.byteLength - LENGTH_PREFIX_SIZE_BYTES;
      if (userHeadersLength > bodyLength) throw new IggyError(ErrorCode.CannotDecryptData, `message at offset ${firstOffset + i} has ${userHeadersLength} header bytes in a ${bodyLength}-byte body`);
      sealed.copy(target, write, read, nonceAt);
      targetView.setUint32(write + MessageHeader.userHeadersLength, userHeadersLength, true);
      targetView.setUint32(write + MessageHeader.payloadLength, bodyLength - userHeadersLength, true);
      plain.copy(target, write + MessageHeader.size, LENGTH_PREFIX_SIZE_BYTES);
      read = tagAt + TAG_SIZE_BYTES;
      write += MessageHeader.size + bodyLength;
    }
    if (read !== to) throw new IggyError(ErrorCode.CannotDecryptData, `encrypted messages end at ${read - from}, index says ${to - from}`);
    assert(write === targetEnd, `opened messages fill ${write - targetOffset} of ${targetEnd - targetOffset} bytes`);
    // Checksums of the plaintext frames, as an unencrypted server would store and send them.
    assert(checksumBatch(target.subarray(targetOffset, targetEnd), count), 'opened batch checksums computed');
  }

  private writeNonce(target: Buffer, at: number): void {
    if (this.noncePosition === this.nonces.byteLength) {
      this.fillRandom(this.nonces);
      this.noncePosition = 0;
    }
    this.nonces.copy(target, at, this.noncePosition, this.noncePosition + NONCE_SIZE_BYTES);
    this.noncePosition += NONCE_SIZE_BYTES;
  }
}

// -------------------------------------------------------------------------------------------------
// Key check

/** Name of the key-check record in the data directory. */
export const ENCRYPTION_CHECK_FILE_NAME = 'encryption.check';
/**
 * `encryption.check` (70 bytes): [magic "IGGYTSEK":8][version = 1:u8][algorithm = 1 (AES-256-GCM):u8]
 * [nonce:12][ciphertext of KEY_CHECK_PLAINTEXT:32][tag:16]; the additional data is bytes 0..10.
 */
const KEY_CHECK_MAGIC = Buffer.from('IGGYTSEK', 'latin1');
const KEY_CHECK_VERSION = 1;
const KEY_CHECK_ALGORITHM_AES_256_GCM = 1;
const KEY_CHECK_PLAINTEXT = Buffer.from('iggy-ts encryption-at-rest check', 'latin1');
const KEY_CHECK_HEADER_SIZE_BYTES = KEY_CHECK_MAGIC.byteLength + 2;
const KEY_CHECK_SIZE_BYTES = KEY_CHECK_HEADER_SIZE_BYTES + NONCE_SIZE_BYTES + KEY_CHECK_PLAINTEXT.byteLength + TAG_SIZE_BYTES;

/** The start must not go on: the configured key (or its absence) does not fit the data directory. */
export class EncryptionKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncryptionKeyError';
  }
}

export interface EncryptionCheckParameters {
  /** Data directory; the key-check record lives at its top. */
  dataPath: string;
  /** The configured key, or undefined when encryption is disabled. */
  key: Uint8Array | undefined;
  /** Directory searched for non-empty segment logs when encryption is first enabled. */
  messagesPath: string;
}

export type EncryptionCheckResult = 'disabled' | 'created' | 'verified';

/**
 * Compares the configured key with the data directory and throws EncryptionKeyError when they do
 * not fit. No key and no record: 'disabled'. A key and a record that opens with it: 'verified'.
 * A key, no record and no stored message: the record is written ('created'). Refused: a record
 * without a key, a record that does not open with the key, a key while unencrypted messages exist.
 */
export function checkEncryptionKey(parameters: EncryptionCheckParameters): EncryptionCheckResult {
  const { dataPath, key } = parameters;
  const checkPath = join(dataPath, ENCRYPTION_CHECK_FILE_NAME);
  const recorded = existsSync(checkPath);
  if (key === undefined) {
    if (!recorded) return 'disabled';
    throw new EncryptionKeyError(
      `the data directory ${dataPath} holds messages encrypted at rest (${checkPath} exists) but encryption is disabled: ` +
        'set encryption.enabled = true and encryption.key to the key the data was written with',
    );
  }
  if (key.byteLength !== ENCRYPTION_KEY_SIZE_BYTES) throw new EncryptionKeyError(`encryption key must be ${ENCRYPTION_KEY_SIZE_BYTES} bytes, got ${key.byteLength}`);
  if (recorded) {
    if (!keyCheckOpens(readFileSync(checkPath), key, checkPath)) {
      throw new EncryptionKeyError(
        `encryption.key is not the key the data in ${dataPath} was encrypted with (${checkPath} does not decrypt with it): ` +
          'start with the original key',
      );
    }
    return 'verified';
  }
  const unencrypted = firstNonEmptySegmentLog(parameters.messagesPath);
  if (unencrypted !== undefined) {
    throw new EncryptionKeyError(
      `encryption is enabled but the data directory ${dataPath} already holds unencrypted messages (${unencrypted}); ` +
        'encrypted and unencrypted messages cannot be mixed: start with encryption disabled, or with an empty data directory',
    );
  }
  writeKeyCheck(dataPath, checkPath, key);
  return 'created';
}

function keyCheckOpens(record: Buffer, key: Uint8Array, checkPath: string): boolean {
  if (
    record.byteLength !== KEY_CHECK_SIZE_BYTES ||
    !record.subarray(0, KEY_CHECK_MAGIC.byteLength).equals(KEY_CHECK_MAGIC) ||
    record[KEY_CHECK_MAGIC.byteLength] !== KEY_CHECK_VERSION ||
    record[KEY_CHECK_MAGIC.byteLength + 1] !== KEY_CHECK_ALGORITHM_AES_256_GCM
  ) {
    throw new EncryptionKeyError(`${checkPath} is not an iggy-ts encryption key-check record (${record.byteLength} bytes, expected ${KEY_CHECK_SIZE_BYTES}, magic IGGYTSEK version 1)`);
  }
  const nonceAt = KEY_CHECK_HEADER_SIZE_BYTES;
  const tagAt = KEY_CHECK_SIZE_BYTES - TAG_SIZE_BYTES;
  const decipher = createDecipheriv(ALGORITHM, key, record.subarray(nonceAt, nonceAt + NONCE_SIZE_BYTES), { authTagLength: TAG_SIZE_BYTES });
  decipher.setAAD(record.subarray(0, KEY_CHECK_HEADER_SIZE_BYTES));
  decipher.setAuthTag(record.subarray(tagAt));
  const plain = decipher.update(record.subarray(nonceAt + NONCE_SIZE_BYTES, tagAt));
  try {
    decipher.final();
  } catch {
    return false;
  }
  return plain.equals(KEY_CHECK_PLAINTEXT);
}

/** Writes the record atomically (temporary file, fsync, rename, directory fsync). */
function writeKeyCheck(dataPath: string, checkPath: string, key: Uint8Array): void {
  const record = Buffer.alloc(KEY_CHECK_SIZE_BYTES);
  KEY_CHECK_MAGIC.copy(record, 0);
  record[KEY_CHECK_MAGIC.byteLength] = KEY_CHECK_VERSION;
  record[KEY_CHECK_MAGIC.byteLength + 1] = KEY_CHECK_ALGORITHM_AES_256_GCM;
  const nonceAt = KEY_CHECK_HEADER_SIZE_BYTES;
  randomFillSync(record, nonceAt, NONCE_SIZE_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, record.subarray(nonceAt, nonceAt + NONCE_SIZE_BYTES), { authTagLength: TAG_SIZE_BYTES });
  cipher.setAAD(record.subarray(0, KEY_CHECK_HEADER_SIZE_BYTES));
  let at = nonceAt + NONCE_SIZE_BYTES;
  at += cipher.update(KEY_CHECK_PLAINTEXT).copy(record, at);
  at += cipher.final().copy(record, at);
  at += cipher.getAuthTag().copy(record, at);
  assert(at === KEY_CHECK_SIZE_BYTES, `key-check record of ${at} bytes`);
  const temporaryPath = `${checkPath}.tmp`;
  writeFileSync(temporaryPath, record, { mode: 0o600 });
  syncPath(temporaryPath);
  renameSync(temporaryPath, checkPath);
  syncPath(dataPath);
}

function syncPath(path: string): void {
  const fd = openSync(path, fsConstants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Path of some non-empty segment log under `directory` (searched recursively), or undefined. */
function firstNonEmptySegmentLog(directory: string): string | undefined {
  let entries;
  try {
    entries = readdirSync(directory, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  for (const entry of entries) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      const found = firstNonEmptySegmentLog(path);
      if (found !== undefined) return found;
    } else if (entry.isFile() && isSegmentLogFileName(entry.name) && statSync(path).size > 0) {
      return path;
    }
  }
  return undefined;
}
