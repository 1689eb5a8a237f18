/**
 * Hashes of the Iggy 0.8 protocol.
 *
 * - XXH32 (seed 0): MessagesKey partitioning, string consumer ids, client ids (reference 2.3, 2.5, 3.1).
 *   Pure 32-bit integer arithmetic (Math.imul), so it is implemented here without a dependency.
 * - XXH3-64 (seed 0): message checksums over bytes 8..end of each message (reference 5.5).
 *   Computed by a small WebAssembly build of xxHash (wasm/xxh3batch.c, embedded in
 *   xxh3-wasm.generated.ts), which runs wherever Node runs. A whole batch is hashed in one call
 *   (`checksumBatch`, `verifyBatch`): per-message calls into WASM cost more than the hashing.
 */
import { XXH3_BATCH_WASM_BASE64 } from './xxh3-wasm.generated.js';

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

interface Xxh3Exports {
  memory: WebAssembly.Memory;
  checksum_batch(base: number, length: number, count: number, out: number): number;
  verify_batch(base: number, length: number, count: number): number;
  xxh3_into(pointer: number, length: number, out: number): void;
  heap_base(): number;
}

const WASM_PAGE_SIZE_BYTES = 65_536;
const WALK_FAILED = 0xffff_ffff;

let wasm: Xxh3Exports | undefined;
/** First byte of linear memory that this module uses for input (8-aligned, after the WASM stack). */
let scratchBase = 0;
let memoryBytes = new Uint8Array(0);
let memoryView = new DataView(new ArrayBuffer(0));

function instance(): Xxh3Exports {
  if (wasm === undefined) {
    // Synchronous compilation of a 5 KB module is allowed in Node on every thread and takes < 1 ms.
    const module = new WebAssembly.Module(Buffer.from(XXH3_BATCH_WASM_BASE64, 'base64'));
    wasm = new WebAssembly.Instance(module, {}).exports as unknown as Xxh3Exports;
    scratchBase = (wasm.heap_base() + 7) & ~7;
    refreshViews();
  }
  return wasm;
}

function refreshViews(): void {
  memoryBytes = new Uint8Array(wasm!.memory.buffer);
  memoryView = new DataView(wasm!.memory.buffer);
}

/** Makes linear memory hold `sizeBytes` from the scratch base; returns the scratch base. */
function reserve(sizeBytes: number): number {
  const exports = instance();
  const needed = scratchBase + sizeBytes;
  const have = exports.memory.buffer.byteLength;
  if (needed > have) {
    exports.memory.grow(Math.ceil((needed - have) / WASM_PAGE_SIZE_BYTES));
    refreshViews();
  } else if (memoryBytes.byteLength !== have) {
    refreshViews();
  }
  return scratchBase;
}

/** Prepares the hash module of this thread. Kept async for callers; compilation is synchronous. */
export async function initHashes(): Promise<void> {
  instance();
}

/**
 * Writes XXH3-64 (seed 0) of `source[start, end)` as a u64 little-endian into `target[targetOffset..+8]`.
 * No BigInt: the digest is copied out of linear memory byte for byte.
 */
export function writeXxh3Le(source: Uint8Array, start: number, end: number, target: Uint8Array, targetOffset: number): void {
  const length = end - start;
  const base = reserve(length + 8);
  memoryBytes.set(source.subarray(start, end), base);
  instance().xxh3_into(base, length, base + length);
  const digestAt = base + length;
  for (let i = 0; i < 8; i += 1) target[targetOffset + i] = memoryBytes[digestAt + i]!;
}

/** True when the u64 LE at `stored[storedOffset..+8]` equals XXH3-64 of `source[start, end)`. */
export function xxh3LeEquals(source: Uint8Array, start: number, end: number, stored: Uint8Array, storedOffset: number): boolean {
  const length = end - start;
  const base = reserve(length + 8);
  memoryBytes.set(source.subarray(start, end), base);
  instance().xxh3_into(base, length, base + length);
  const digestAt = base + length;
  for (let i = 0; i < 8; i += 1) if (stored[storedOffset + i] !== memoryBytes[digestAt + i]) return false;
  return true;
}

/** XXH3-64 (seed 0) as a bigint, for tests and cold paths. */
export function xxh3(bytes: Uint8Array): bigint {
  const digest = Buffer.alloc(8);
  writeXxh3Le(bytes, 0, bytes.length, digest, 0);
  return digest.readBigUInt64LE(0);
}

/**
 * Computes the checksum of each of `count` messages laid back to back in `messages` (exactly the whole
 * view) and writes it at bytes 0..8 of each message (reference 5.5). One copy of the batch into WASM
 * memory and one call for the batch; the checksums come back as two u32 stores per message.
 * Returns false when the messages do not add up to the view (nothing is written then).
 */
export function checksumBatch(messages: Uint8Array, count: number): boolean {
  const length = messages.byteLength;
  const base = reserve(length + count * 8);
  memoryBytes.set(messages, base);
  const out = base + length;
  if (instance().checksum_batch(base, length, count, out) >>> 0 !== length) return false;
  const target = new DataView(messages.buffer, messages.byteOffset, length);
  let position = 0;
  for (let i = 0; i < count; i += 1) {
    const digest = out + i * 8;
    target.setUint32(position, memoryView.getUint32(digest, true), true);
    target.setUint32(position + 4, memoryView.getUint32(digest + 4, true), true);
    position += 64 + target.getUint32(position + 52, true) + target.getUint32(position + 48, true);
  }
  return true;
}

/**
 * Verifies the stored checksums of `count` messages laid back to back in `messages`: returns -1 when
 * all match, the index of the first bad message otherwise, or `count` when the messages do not fit.
 */
export function verifyBatch(messages: Uint8Array, count: number): number {
  const length = messages.byteLength;
  const base = reserve(length);
  memoryBytes.set(messages, base);
  const result = instance().verify_batch(base, length, count) >>> 0; // u32 from WASM arrives as a signed i32
  if (result === WALK_FAILED) return count;
  return result === count ? -1 : result;
}
