/**
 * Writes the active segment's log bytes, through the page cache or with direct I/O.
 *
 * Why direct I/O: on this project's VMs new data goes through the page cache at only ≈ 0.5 GB/s
 * sustained (freed guest memory is handed back to the host and faulting it in again is slow), while
 * O_DIRECT writes of 4 KiB-aligned blocks run at ≈ 1.5–1.9 GB/s (../shared/PERFORMANCE.md). Direct
 * I/O needs the memory address, the file offset and the length aligned to the block size; Node Buffers
 * give no control over their address, but WebAssembly linear memory is page-aligned, so the bytes are
 * staged there (one copy into warm memory, ≈ 0.03 ms per MiB).
 *
 * The log is append-only, so a write covers [headStart, end) rounded up to whole blocks: the partial
 * block left by the previous write (kept in `head`) is written again together with the new bytes, and
 * the rest of the last block is zero padding. The file may therefore be longer than the log until
 * `finish` trims it (at rollover and close); after a crash, recovery cuts the zero padding like any
 * torn tail (a zero header never passes the checksum). Reads use the ordinary descriptor: Linux keeps
 * the page cache coherent with direct writes.
 *
 * When the file system refuses O_DIRECT (tmpfs, some network file systems) the writer falls back to
 * the page cache and says so through `direct`.
 */
import { closeSync, constants as fsConstants, fstatSync, ftruncateSync, openSync, writeSync, writevSync } from 'node:fs';
import { assert } from './assert.js';
import { readExactly } from './segment.js';

/** Alignment of direct writes: the largest logical block size in common use. */
export const DIRECT_IO_BLOCK_SIZE_BYTES = 4096;
const WASM_PAGE_SIZE_BYTES = 65_536;

function writeAllAt(fd: number, source: Uint8Array, position: number): void {
  let done = 0;
  while (done < source.byteLength) done += writeSync(fd, source, done, source.byteLength - done, position + done);
}

/** Page-aligned scratch memory of this thread, shared by every direct writer (writes are sequential). */
class AlignedStaging {
  private memory: WebAssembly.Memory | undefined;
  private view = Buffer.alloc(0);

  /** A page-aligned Buffer of at least `sizeBytes` (contents unspecified). */
  reserve(sizeBytes: number): Buffer {
    if (this.memory === undefined) {
      this.memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(sizeBytes / WASM_PAGE_SIZE_BYTES)) });
      this.view = Buffer.from(this.memory.buffer);
    } else if (this.view.byteLength < sizeBytes) {
      this.memory.grow(Math.ceil((sizeBytes - this.view.byteLength) / WASM_PAGE_SIZE_BYTES));
      this.view = Buffer.from(this.memory.buffer);
    }
    return this.view;
  }
}

const staging = new AlignedStaging();

/** Opens `path` for direct writes, or returns -1 when the file system does not support O_DIRECT. */
function openDirect(path: string): number {
  const flag = (fsConstants as { O_DIRECT?: number }).O_DIRECT;
  if (flag === undefined) return -1;
  try {
    return openSync(path, fsConstants.O_WRONLY | flag);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EINVAL' || code === 'EOPNOTSUPP') return -1;
    throw error;
  }
}

export class SegmentLogWriter {
  private readonly directFd: number;
  /** File position of the first byte of `head` (block-aligned). */
  private headStart: number;
  /** Bytes of the last, partial block already written (rewritten with the next write). */
  private readonly head: Buffer;
  private headLength: number;
  /** One past the last log byte written. */
  private endPosition: number;

  /**
   * @param fd the segment's ordinary read-write descriptor (owned by the caller)
   * @param sizeBytes the log's current size (after recovery)
   * @param direct whether to try O_DIRECT
   */
  constructor(private readonly fd: number, path: string, sizeBytes: number, direct: boolean) {
    this.directFd = direct ? openDirect(path) : -1;
    this.endPosition = sizeBytes;
    this.headStart = sizeBytes - (sizeBytes % DIRECT_IO_BLOCK_SIZE_BYTES);
    this.headLength = sizeBytes - this.headStart;
    this.head = Buffer.alloc(this.directFd >= 0 ? DIRECT_IO_BLOCK_SIZE_BYTES : 0);
    if (this.directFd >= 0 && this.headLength > 0) readExactly(fd, this.head, 0, this.headLength, this.headStart);
  }

  /** True when writes bypass the page cache. */
  get direct(): boolean {
    return this.directFd >= 0;
  }

  /** Appends `first` then `second` at `position`, which must be the end of the log. */
  write(first: Uint8Array, second: Uint8Array | undefined, position: number): void {
    assert(position === this.endPosition, 'log writes are appends');
    const length = first.byteLength + (second?.byteLength ?? 0);
    if (this.directFd < 0) {
      if (second === undefined) writeAllAt(this.fd, first, position);
      else {
        const written = writevSync(this.fd, [first, second], position);
        if (written < length) {
          const joined = Buffer.concat([first, second]).subarray(written); // rare partial writev: cold path
          writeAllAt(this.fd, joined, position + written);
        }
      }
      this.endPosition += length;
      return;
    }
    const block = DIRECT_IO_BLOCK_SIZE_BYTES;
    const used = this.headLength + length;
    const padded = Math.ceil(used / block) * block;
    const area = staging.reserve(padded);
    this.head.copy(area, 0, 0, this.headLength);
    area.set(first, this.headLength);
    if (second !== undefined) area.set(second, this.headLength + first.byteLength);
    area.fill(0, used, padded);
    writeAllAt(this.directFd, area.subarray(0, padded), this.headStart);
    const fullBlocks = used - (used % block);
    this.headStart += fullBlocks;
    this.headLength = used - fullBlocks;
    area.copy(this.head, 0, fullBlocks, used);
    this.endPosition += length;
  }

  /** Trims block padding so the file ends where the log ends (before sealing or closing). */
  finish(): void {
    if (this.directFd >= 0 && fstatSync(this.fd).size > this.endPosition) ftruncateSync(this.fd, this.endPosition);
  }

  close(): void {
    if (this.directFd >= 0) closeSync(this.directFd);
  }
}
