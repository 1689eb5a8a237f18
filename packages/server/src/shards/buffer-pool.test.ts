import { describe, expect, it } from 'vitest';
import { BufferPool } from './buffer-pool.js';

describe('BufferPool', () => {
  it('hands out exact-size views at offset 0 of power-of-two buffers', () => {
    const pool = new BufferPool(1 << 20);
    const buffer = pool.acquire(100_000);
    expect(buffer.length).toBe(100_000);
    expect(buffer.byteOffset).toBe(0);
    expect(buffer.buffer.byteLength).toBe(128 * 1024);
    expect(pool.owns(buffer.buffer)).toBe(true);
  });

  it('reuses a released buffer of the same size class', () => {
    const pool = new BufferPool(1 << 20);
    const first = pool.acquire(70_000).buffer;
    pool.release(first as ArrayBuffer);
    expect(pool.acquire(100_000).buffer).toBe(first);
  });

  it('keeps no more idle bytes than its limit and ignores foreign buffers', () => {
    const pool = new BufferPool(128 * 1024);
    const a = pool.acquire(100_000).buffer as ArrayBuffer;
    const b = pool.acquire(100_000).buffer as ArrayBuffer;
    pool.release(a);
    pool.release(b);
    pool.release(new ArrayBuffer(128 * 1024));
    expect(pool.idleSizeBytes).toBe(128 * 1024);
  });
});
