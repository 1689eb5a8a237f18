import { beforeAll, describe, expect, it } from 'vitest';
import { checksumBatch, initHashes, verifyBatch, writeXxh3Le, xxh3, xxh3LeEquals } from './hash.js';

/** Builds `count` messages with payloads of varying sizes (some empty, one crossing 240 bytes and 1 KiB). */
function batchOf(count: number): Buffer {
  const sizes = Array.from({ length: count }, (_, i) => [0, 1, 17, 129, 241, 1024, 5000][i % 7]!);
  const total = sizes.reduce((sum, size) => sum + 64 + size, 0);
  const batch = Buffer.alloc(total);
  let at = 0;
  sizes.forEach((size, i) => {
    batch.writeUInt32LE(i, at + 24);
    batch.writeUInt32LE(size, at + 52);
    for (let j = 0; j < size; j += 1) batch[at + 64 + j] = (i * 31 + j) & 0xff;
    at += 64 + size;
  });
  return batch;
}

describe('XXH3 checksums', () => {
  beforeAll(async () => {
    await initHashes();
  });

  it('hashes the empty input to the published XXH3-64 vector', () => {
    expect(xxh3(Buffer.alloc(0))).toBe(0x2d06800538d394c2n);
  });

  it('batch checksums equal one XXH3 of bytes 8..end per message', () => {
    const batch = batchOf(50);
    expect(checksumBatch(batch, 50)).toBe(true);
    let at = 0;
    for (let i = 0; i < 50; i += 1) {
      const end = at + 64 + batch.readUInt32LE(at + 52);
      expect(xxh3LeEquals(batch, at + 8, end, batch, at)).toBe(true);
      at = end;
    }
  });

  it('verifies a good batch and points at the first corrupt message', () => {
    const batch = batchOf(20);
    checksumBatch(batch, 20);
    expect(verifyBatch(batch, 20)).toBe(-1);
    let at = 0;
    for (let i = 0; i < 5; i += 1) at += 64 + batch.readUInt32LE(at + 52);
    batch[at + 30] ^= 1;
    expect(verifyBatch(batch, 20)).toBe(5);
  });

  it('refuses a batch whose messages do not fit in the view', () => {
    const batch = batchOf(3);
    expect(checksumBatch(batch.subarray(0, batch.length - 1), 3)).toBe(false);
    expect(checksumBatch(batch, 3)).toBe(true);
    expect(verifyBatch(batch.subarray(0, 100), 3)).toBe(3);
  });

  it('grows its memory for batches larger than the initial linear memory', () => {
    const big = Buffer.alloc(64 + 3_000_000);
    big.writeUInt32LE(3_000_000, 52);
    big.fill(7, 64);
    expect(checksumBatch(big, 1)).toBe(true);
    const expected = Buffer.alloc(8);
    writeXxh3Le(big, 8, big.length, expected, 0);
    expect(big.subarray(0, 8).equals(expected)).toBe(true);
  });
});
