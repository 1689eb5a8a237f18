/**
 * UUID v7 message ids (RFC 9562): 48-bit Unix time in ms, version 7, a 12-bit counter that keeps ids
 * from one process increasing within a millisecond (method 1), variant 0b10, 62 random bits.
 *
 * Iggy message ids are u128. The 0.8 server stores the 16 bytes of a UUID in their usual (string)
 * order and reads them as a little-endian u128 (reference 5.3.4); these helpers use that same
 * convention, so an id made here prints as the same UUID in every Iggy tool.
 */
import { randomFillSync } from 'node:crypto';

const RANDOM_POOL_SIZE_BYTES = 4096;
const randomPool = Buffer.allocUnsafe(RANDOM_POOL_SIZE_BYTES);
let randomPoolOffset = RANDOM_POOL_SIZE_BYTES;
const scratch = Buffer.allocUnsafe(16);

let lastTimeMs = -1;
let counter = 0;

/** Takes `count` random bytes from a pool refilled 4 KiB at a time (one syscall per ~400 ids). */
function randomBytesAt(count: number): number {
  if (randomPoolOffset + count > RANDOM_POOL_SIZE_BYTES) {
    randomFillSync(randomPool);
    randomPoolOffset = 0;
  }
  const at = randomPoolOffset;
  randomPoolOffset += count;
  return at;
}

/**
 * Writes a new UUID v7 into `target` at `at` (16 bytes, string order) and returns `at + 16`.
 * `nowMs` (Unix time in ms) is injectable for tests.
 */
export function writeUuidV7(target: Buffer, at: number, nowMs: number = Date.now()): number {
  const random = randomBytesAt(10);
  let timeMs = nowMs;
  if (timeMs > lastTimeMs) {
    lastTimeMs = timeMs;
    counter = randomPool.readUInt16LE(random) & 0x07ff; // leave headroom before the 12-bit counter overflows
  } else {
    timeMs = lastTimeMs;
    counter += 1;
    if (counter > 0x0fff) {
      // Counter exhausted within one ms: borrow the next millisecond (RFC 9562 6.2).
      lastTimeMs += 1;
      timeMs = lastTimeMs;
      counter = 0;
    }
  }
  target.writeUIntBE(timeMs, at, 6);
  target[at + 6] = 0x70 | (counter >>> 8);
  target[at + 7] = counter & 0xff;
  target[at + 8] = 0x80 | (randomPool[random + 2]! & 0x3f);
  randomPool.copy(target, at + 9, random + 3, random + 10);
  return at + 16;
}

/** The 16 bytes of a UUID (string order) as the u128 Iggy stores: a little-endian read. */
export function uuidBytesToId(bytes: Uint8Array, at = 0): bigint {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset + at, 16);
  return view.readBigUInt64LE(0) | (view.readBigUInt64LE(8) << 64n);
}

/** The u128 id as the 16 UUID bytes (string order). */
export function idToUuidBytes(id: bigint): Buffer {
  if (id < 0n || id >> 128n !== 0n) throw new RangeError(`message id out of u128 range: ${id}`);
  const bytes = Buffer.allocUnsafe(16);
  bytes.writeBigUInt64LE(id & 0xffff_ffff_ffff_ffffn, 0);
  bytes.writeBigUInt64LE(id >> 64n, 8);
  return bytes;
}

/** A new UUID v7 as an Iggy message id (u128, little-endian reading of the UUID bytes). */
export function uuidV7(nowMs: number = Date.now()): bigint {
  writeUuidV7(scratch, 0, nowMs);
  return uuidBytesToId(scratch);
}

/** Formats a message id as a UUID string, e.g. `0190a5c2-7b1e-7c3d-8e4f-0123456789ab`. */
export function idToUuidString(id: bigint): string {
  const hex = idToUuidBytes(id).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Parses a UUID string (any version, with or without dashes) into a message id. */
export function uuidStringToId(uuid: string): bigint {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new RangeError(`not a UUID: ${uuid}`);
  return uuidBytesToId(Buffer.from(hex, 'hex'));
}

/** Unix time in ms embedded in a UUID v7 message id. */
export function uuidV7TimeMs(id: bigint): number {
  return idToUuidBytes(id).readUIntBE(0, 6);
}
