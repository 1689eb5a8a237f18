import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { BufferPool } from './buffer-pool.js';

describe('BufferPool', () => {
  it('hands out exact-size views at offset 0 of buffers rounded up to 64 KiB units', () => {
    const pool = new BufferPool(1 << 20);
    const buffer = pool.acquire(100_000);
    expect(buffer.length).toBe(100_000);
    expect(buffer.byteOffset).toBe(0);
    expect(buffer.buffer.byteLength).toBe(128 * 1024);
    expect(pool.acquire(1_060_000).buffer.byteLength).toBe(17 * 64 * 1024);
    expect(pool.owns(buffer.buffer)).toBe(true);
  });

  it('reuses a released buffer of the same size class', () => {
    const pool = new BufferPool(1 << 20);
    const first = pool.acquire(70_000).buffer;
    pool.release(first as ArrayBuffer);
    expect(pool.acquire(100_000).buffer).toBe(first);
    pool.release(first as ArrayBuffer);
    expect(pool.acquire(140_000).buffer).not.toBe(first);
  });

  it('keeps no more idle bytes than its limit and ignores buffers that are not a size class', () => {
    const pool = new BufferPool(128 * 1024);
    pool.release(new ArrayBuffer(100_000));
    expect(pool.idleSizeBytes).toBe(0);
    const a = pool.acquire(100_000).buffer as ArrayBuffer;
    const b = pool.acquire(100_000).buffer as ArrayBuffer;
    pool.release(a);
    pool.release(b);
    expect(pool.idleSizeBytes).toBe(128 * 1024);
  });

  it('adopts a buffer that comes back from a worker as a new ArrayBuffer object', async () => {
    const pool = new BufferPool(1 << 20);
    const sent = pool.acquire(100_000).buffer as ArrayBuffer;
    // A transfer through a MessageChannel yields a different ArrayBuffer object for the same memory.
    const { port1, port2 } = new MessageChannel();
    const received = await new Promise<ArrayBuffer>((resolve) => {
      port2.once('message', (message: ArrayBuffer) => resolve(message));
      port1.postMessage(sent, [sent]);
    });
    port1.close();
    port2.close();
    expect(received).not.toBe(sent);
    pool.release(received);
    const again = pool.acquire(100_000);
    expect(again.buffer).toBe(received);
    expect(pool.owns(again.buffer)).toBe(true);
  });
});
