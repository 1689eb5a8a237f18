/**
 * Pool of ArrayBuffers for SendMessages frames. A frame that spans socket chunks is assembled into a
 * pooled buffer, moved to its shard, and moved back after the append, so steady-state sends reuse warm
 * memory instead of faulting in a fresh megabyte per batch (≈ 0.27 ms per MiB on this VM, plus the GC
 * work of external memory: ../shared/PERFORMANCE.md).
 *
 * Buffers come in size classes of whole 64 KiB units (a producer's batches usually have one size, so
 * they hit one class and waste under 64 KiB each); at most `pooledBytesMax` bytes are kept idle.
 */
const SIZE_CLASS_UNIT_BYTES = 64 * 1024;

export class BufferPool {
  private readonly idle = new Map<number, ArrayBuffer[]>();
  private readonly owned = new WeakSet<ArrayBuffer>();
  private idleBytes = 0;

  constructor(private readonly pooledBytesMax: number) {}

  private static classOf(sizeBytes: number): number {
    return Math.max(1, Math.ceil(sizeBytes / SIZE_CLASS_UNIT_BYTES)) * SIZE_CLASS_UNIT_BYTES;
  }

  /** A Buffer of exactly `sizeBytes` at offset 0 of a pooled ArrayBuffer (its contents are stale). */
  acquire(sizeBytes: number): Buffer {
    const sizeClass = BufferPool.classOf(sizeBytes);
    const list = this.idle.get(sizeClass);
    let buffer = list?.pop();
    if (buffer !== undefined) {
      this.idleBytes -= sizeClass;
    } else {
      buffer = new ArrayBuffer(sizeClass);
      this.owned.add(buffer);
    }
    return Buffer.from(buffer, 0, sizeBytes);
  }

  /** True for buffers handed out by this pool (they may be moved to a worker and come back). */
  owns(buffer: ArrayBufferLike): buffer is ArrayBuffer {
    return buffer instanceof ArrayBuffer && this.owned.has(buffer);
  }

  /**
   * Takes a buffer back; dropped (left to the GC) when the pool is full or its size is not a size class.
   * A buffer that travelled to a worker and back is a new ArrayBuffer object on this thread (transfer
   * moves the memory, not the object), so it is recognised by its size and adopted again.
   */
  release(buffer: ArrayBuffer): void {
    const size = buffer.byteLength;
    if (size === 0 || size % SIZE_CLASS_UNIT_BYTES !== 0) return;
    if (this.idleBytes + size > this.pooledBytesMax) return;
    this.owned.add(buffer);
    let list = this.idle.get(buffer.byteLength);
    if (list === undefined) {
      list = [];
      this.idle.set(buffer.byteLength, list);
    }
    list.push(buffer);
    this.idleBytes += buffer.byteLength;
  }

  get idleSizeBytes(): number {
    return this.idleBytes;
  }
}
