import { describe, expect, it } from 'vitest';
import { RingCache } from './ring-cache.js';

function bytesOf(from: number, to: number): Buffer {
  const bytes = Buffer.alloc(to - from);
  for (let i = from; i < to; i += 1) bytes[i - from] = i % 251;
  return bytes;
}

describe('RingCache', () => {
  it('holds the newest bytes and copies ranges that wrap around the end', () => {
    const ring = new RingCache(100);
    ring.reset(0);
    for (let position = 0; position < 1000; position += 37) {
      const end = Math.min(position + 37, 1000);
      ring.append(bytesOf(position, end), 0, end - position);
    }
    expect(ring.endPosition).toBe(1000);
    expect(ring.startPosition).toBe(900);
    expect(ring.holds(899, 1000)).toBe(false);
    expect(ring.holds(900, 1000)).toBe(true);
    for (const [from, to] of [
      [900, 1000],
      [950, 999],
      [990, 1000],
      [901, 902],
    ] as const) {
      const target = Buffer.alloc(to - from + 3);
      ring.copyTo(from, to, target, 3);
      expect(target.subarray(3).equals(bytesOf(from, to))).toBe(true);
      const { first, second } = ring.view(from, to);
      expect(Buffer.concat(second === undefined ? [first] : [first, second]).equals(bytesOf(from, to))).toBe(true);
    }
  });

  it('is backed by a SharedArrayBuffer and refuses batches larger than itself', () => {
    const ring = new RingCache(64);
    expect(ring.bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(ring.fits(64)).toBe(true);
    expect(ring.fits(65)).toBe(false);
    expect(new RingCache(0).fits(1)).toBe(false);
  });

  it('restarts empty at a given position', () => {
    const ring = new RingCache(64);
    ring.append(bytesOf(0, 40), 0, 40);
    ring.reset(1000);
    expect(ring.holds(1000, 1000)).toBe(true);
    expect(ring.holds(0, 40)).toBe(false);
    expect(ring.startAfterAppend(30)).toBe(1000);
    ring.append(bytesOf(1000, 1030), 0, 30);
    expect(ring.startAfterAppend(50)).toBe(1016);
  });
});
