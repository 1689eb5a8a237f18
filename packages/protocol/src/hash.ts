/**
 * Hashes of the Iggy 0.8 protocol.
 *
 * - XXH32 (seed 0): MessagesKey partitioning, string consumer ids, client ids (reference 2.3, 2.5, 3.1).
 *   Pure 32-bit integer arithmetic (Math.imul), so it is implemented here without a dependency.
 * - XXH3-64 (seed 0): message checksums over bytes 8..end of each message (reference 5.5).
 *   Computed by hash-wasm's WASM build, which runs wherever Node runs. It needs one async
 *   initialisation (`initHashes()`), after which every call is synchronous.
 */
import { createXXHash3, type IHasher } from 'hash-wasm';

const PRIME32_1 = 0x9e3779b1;
const PRIME32_2 = 0x85ebca77;
const PRIME32_3 = 0xc2b2ae3d;
const PRIME32_4 = 0x27d4eb2f;
const PRIME32_5 = 0x165667b1;

function rotl32(value: number, bits: number): number {
  return ((value << bits) | (value >>> (32 - bits))) >>> 0;
}

function round32(accumulator: number, lane: number): number {
  accumulator = (accumulator + Math.imul(lane, PRIME32_2)) >>> 0;
  accumulator = rotl32(accumulator, 13);
  return Math.imul(accumulator, PRIME32_1) >>> 0;
}

function readU32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>> 0;
}

/** XXH32 with seed 0 (or the given seed) of `bytes`, as an unsigned 32-bit integer. */
export function xxh32(bytes: Uint8Array, seed = 0): number {
  const length = bytes.length;
  let offset = 0;
  let hash: number;
  if (length >= 16) {
    let v1 = (seed + PRIME32_1 + PRIME32_2) >>> 0;
    let v2 = (seed + PRIME32_2) >>> 0;
    let v3 = seed >>> 0;
    let v4 = (seed - PRIME32_1) >>> 0;
    const limit = length - 16;
    while (offset <= limit) {
      v1 = round32(v1, readU32(bytes, offset));
      v2 = round32(v2, readU32(bytes, offset + 4));
      v3 = round32(v3, readU32(bytes, offset + 8));
      v4 = round32(v4, readU32(bytes, offset + 12));
      offset += 16;
    }
    hash = (rotl32(v1, 1) + rotl32(v2, 7) + rotl32(v3, 12) + rotl32(v4, 18)) >>> 0;
  } else {
    hash = (seed + PRIME32_5) >>> 0;
  }
  hash = (hash + length) >>> 0;
  while (offset + 4 <= length) {
    hash = (hash + Math.imul(readU32(bytes, offset), PRIME32_3)) >>> 0;
    hash = Math.imul(rotl32(hash, 17), PRIME32_4) >>> 0;
    offset += 4;
  }
  while (offset < length) {
    hash = (hash + Math.imul(bytes[offset]!, PRIME32_5)) >>> 0;
    hash = Math.imul(rotl32(hash, 11), PRIME32_1) >>> 0;
    offset += 1;
  }
  hash ^= hash >>> 15;
  hash = Math.imul(hash, PRIME32_2) >>> 0;
  hash ^= hash >>> 13;
  hash = Math.imul(hash, PRIME32_3) >>> 0;
  hash ^= hash >>> 16;
  return hash >>> 0;
}

let xxh3Hasher: IHasher | undefined;

/** Loads the WASM hashers once per thread. Safe to call many times. */
export async function initHashes(): Promise<void> {
  if (xxh3Hasher === undefined) xxh3Hasher = await createXXHash3(0, 0);
}

function hasher(): IHasher {
  if (xxh3Hasher === undefined) throw new Error('initHashes() must be awaited before computing XXH3 checksums');
  return xxh3Hasher;
}

/**
 * Writes XXH3-64 (seed 0) of `source[start, end)` as a u64 little-endian into `target[targetOffset..+8]`.
 * Avoids BigInt: the digest arrives big-endian (canonical form) and is byte-reversed in place.
 */
export function writeXxh3Le(source: Uint8Array, start: number, end: number, target: Uint8Array, targetOffset: number): void {
  const h = hasher();
  h.init();
  h.update(source.subarray(start, end));
  const digest = h.digest('binary');
  for (let i = 0; i < 8; i += 1) target[targetOffset + i] = digest[7 - i]!;
}

/** True when the u64 LE at `stored[storedOffset..+8]` equals XXH3-64 of `source[start, end)`. */
export function xxh3LeEquals(source: Uint8Array, start: number, end: number, stored: Uint8Array, storedOffset: number): boolean {
  const h = hasher();
  h.init();
  h.update(source.subarray(start, end));
  const digest = h.digest('binary');
  for (let i = 0; i < 8; i += 1) if (stored[storedOffset + i] !== digest[7 - i]) return false;
  return true;
}

/** XXH3-64 (seed 0) as a bigint, for tests and cold paths. */
export function xxh3(bytes: Uint8Array): bigint {
  const h = hasher();
  h.init();
  h.update(bytes);
  return BigInt('0x' + h.digest('hex'));
}
