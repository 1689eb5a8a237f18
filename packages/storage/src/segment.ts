/**
 * Segments and their indexes.
 *
 * A segment is a pair of files named by its 20-digit zero-padded start offset:
 *   {start}.log   messages in the Iggy 0.8 layout, concatenated, no framing
 *   {start}.index one record per message: [relative_offset:u32 LE][end_position:u32 LE][timestamp_us:u64 LE]
 * Record i describes message start + i: it ends at byte end_position of the log (message 0 starts at
 * byte 0, message i at the end position of record i - 1). The index is both the offset index (record
 * = offset − start) and the time index (timestamps are non-decreasing per partition, so a binary
 * search finds the first message at or after a time). Lookups never scan the log.
 *
 * The active segment's index lives in memory (`ActiveIndex`, the same 16-byte records the file holds,
 * so persisting it is a slice write). Sealed segments' indexes are read on demand from their files
 * (`SealedIndexFile`) through a 4 KiB record window, so memory stays bounded whatever the log size.
 */
import { closeSync, fstatSync, openSync, readdirSync, readSync, constants as fsConstants } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, IggyError } from '@iggy-ts/protocol';
import { assert } from './assert.js';

/** Byte layout of one index record. */
export const IndexRecord = {
  relativeOffset: 0,
  endPosition: 4,
  timestamp: 8,
  size: 16,
} as const;

const U32 = 0x1_0000_0000;
const OFFSET_DIGITS = 20;
const LOG_FILE_PATTERN = /^(\d{20})\.log$/;
const INDEX_FILE_PATTERN = /^(\d{20})\.index$/;

/** A segment of the partition: metadata in memory, files opened on demand. */
export interface Segment {
  readonly startOffset: number;
  /** Messages in the segment (for the active segment: including the unflushed journal). */
  messagesCount: number;
  /** Bytes of its log (for the active segment: including the unflushed journal). */
  sizeBytes: number;
  /** Server timestamp of its first and last message; 0 while empty. */
  firstTimestampUs: number;
  lastTimestampUs: number;
  readonly logPath: string;
  readonly indexPath: string;
}

export function segmentFileStem(startOffset: number): string {
  return String(startOffset).padStart(OFFSET_DIGITS, '0');
}

export function segmentLogPath(directory: string, startOffset: number): string {
  return join(directory, `${segmentFileStem(startOffset)}.log`);
}

export function segmentIndexPath(directory: string, startOffset: number): string {
  return join(directory, `${segmentFileStem(startOffset)}.index`);
}

export function newSegment(directory: string, startOffset: number): Segment {
  return {
    startOffset,
    messagesCount: 0,
    sizeBytes: 0,
    firstTimestampUs: 0,
    lastTimestampUs: 0,
    logPath: segmentLogPath(directory, startOffset),
    indexPath: segmentIndexPath(directory, startOffset),
  };
}

/** True for a segment log file name (`{start_offset:020}.log`). */
export function isSegmentLogFileName(name: string): boolean {
  return LOG_FILE_PATTERN.test(name);
}

/** Start offsets of the `.log` and `.index` files in `directory`, ascending. Other names are ignored. */
export function listSegmentFiles(directory: string): { logStartOffsets: number[]; indexStartOffsets: number[] } {
  const logStartOffsets: number[] = [];
  const indexStartOffsets: number[] = [];
  for (const name of readdirSync(directory)) {
    const log = LOG_FILE_PATTERN.exec(name);
    if (log !== null) {
      const start = Number(log[1]);
      if (Number.isSafeInteger(start)) logStartOffsets.push(start);
      continue;
    }
    const index = INDEX_FILE_PATTERN.exec(name);
    if (index !== null) {
      const start = Number(index[1]);
      if (Number.isSafeInteger(start)) indexStartOffsets.push(start);
    }
  }
  logStartOffsets.sort((a, b) => a - b);
  indexStartOffsets.sort((a, b) => a - b);
  return { logStartOffsets, indexStartOffsets };
}

/** Opens (creating when missing) a file for positional reads and writes. */
export function openReadWrite(path: string): number {
  return openSync(path, fsConstants.O_RDWR | fsConstants.O_CREAT, 0o644);
}

export function openReadOnly(path: string): number {
  return openSync(path, fsConstants.O_RDONLY);
}

export function fileSizeBytes(fd: number): number {
  return fstatSync(fd).size;
}

/** Reads exactly `length` bytes at `position` or throws: a short read means the file shrank under us. */
export function readExactly(fd: number, target: Uint8Array, targetOffset: number, length: number, position: number): void {
  let done = 0;
  while (done < length) {
    const read = readSync(fd, target, targetOffset + done, length - done, position + done);
    if (read === 0) {
      throw new IggyError(ErrorCode.InvalidMessageChecksum, `short read: wanted ${length} bytes at position ${position}, file ended after ${done}`);
    }
    done += read;
  }
}

/** Reads a u64 LE as a number from two u32 halves (values stay below 2^53). */
function u64At(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * U32;
}

/** The index operations polls need, served from memory (active) or from a file (sealed). */
export interface IndexAccess {
  /** Records available. */
  readonly count: number;
  endPositionAt(record: number): number;
  timestampAt(record: number): number;
}

/** Start byte of message `record` in its segment's log. */
export function startPositionOf(index: IndexAccess, record: number): number {
  return record === 0 ? 0 : index.endPositionAt(record - 1);
}

/** First record in [from, count) whose timestamp ≥ `timestampUs`; `count` when none. Binary search. */
export function firstRecordAtOrAfter(index: IndexAccess, timestampUs: number, from = 0): number {
  let low = from;
  let high = index.count;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (index.timestampAt(middle) < timestampUs) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Last record in [first, last] whose end position is ≤ `endPositionMax` (binary search over the
 * increasing end positions); `first` when even the first message is larger (a poll always returns
 * at least one message).
 */
export function lastRecordEndingBy(index: IndexAccess, first: number, last: number, endPositionMax: number): number {
  if (index.endPositionAt(last) <= endPositionMax) return last;
  let low = first;
  let high = last;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if (index.endPositionAt(middle) <= endPositionMax) low = middle;
    else high = middle - 1;
  }
  return low;
}

const ACTIVE_INDEX_INITIAL_BYTES = 64 * 1024;

/**
 * The active segment's index in memory: the exact records of the `.index` file, in a buffer that
 * grows by doubling (amortised O(1) per message). It is reused across rollovers, so it is sized by
 * the largest segment seen: 16 bytes per message of the active segment.
 */
export class ActiveIndex implements IndexAccess {
  bytes: Buffer;
  view: DataView;
  count = 0;

  constructor(initialBytes = ACTIVE_INDEX_INITIAL_BYTES) {
    this.bytes = Buffer.allocUnsafeSlow(initialBytes);
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  }

  /** Makes room for `records` records in total, keeping the current ones. */
  ensureCapacity(records: number): void {
    const needed = records * IndexRecord.size;
    if (needed <= this.bytes.byteLength) return;
    let size = this.bytes.byteLength;
    while (size < needed) size *= 2;
    const grown = Buffer.allocUnsafeSlow(size);
    this.bytes.copy(grown, 0, 0, this.count * IndexRecord.size);
    this.bytes = grown;
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
  }

  /** Writes record `record` (capacity must have been ensured). */
  set(record: number, relativeOffset: number, endPosition: number, timestampUs: number): void {
    const at = record * IndexRecord.size;
    const view = this.view;
    view.setUint32(at + IndexRecord.relativeOffset, relativeOffset, true);
    view.setUint32(at + IndexRecord.endPosition, endPosition, true);
    view.setUint32(at + IndexRecord.timestamp, timestampUs >>> 0, true);
    view.setUint32(at + IndexRecord.timestamp + 4, Math.floor(timestampUs / U32), true);
  }

  push(relativeOffset: number, endPosition: number, timestampUs: number): void {
    this.ensureCapacity(this.count + 1);
    this.set(this.count, relativeOffset, endPosition, timestampUs);
    this.count += 1;
  }

  truncate(count: number): void {
    assert(count >= 0 && count <= this.count, `index truncate to ${count} of ${this.count}`);
    this.count = count;
  }

  relativeOffsetAt(record: number): number {
    return this.view.getUint32(record * IndexRecord.size + IndexRecord.relativeOffset, true);
  }

  endPositionAt(record: number): number {
    return this.view.getUint32(record * IndexRecord.size + IndexRecord.endPosition, true);
  }

  timestampAt(record: number): number {
    return u64At(this.view, record * IndexRecord.size + IndexRecord.timestamp);
  }

  /** Replaces the content with the first `records` records of the index file `fd`. */
  loadFromFile(fd: number, records: number): void {
    this.count = 0;
    this.ensureCapacity(records);
    if (records > 0) readExactly(fd, this.bytes, 0, records * IndexRecord.size, 0);
    this.count = records;
  }
}

const SEALED_WINDOW_RECORDS = 256;

/**
 * Index of a sealed segment read from its file on demand. A 4 KiB window of records is kept, so the
 * last probes of a binary search and the two lookups of a sequential poll usually cost no syscall.
 * Holds the segment's log and index file descriptors while it is in the readers' LRU.
 */
export class SealedIndexFile implements IndexAccess {
  readonly count: number;
  readonly logFd: number;
  readonly indexFd: number;
  private readonly window = Buffer.allocUnsafeSlow(SEALED_WINDOW_RECORDS * IndexRecord.size);
  private readonly windowView = new DataView(this.window.buffer, this.window.byteOffset, this.window.byteLength);
  private windowFirst = 0;
  private windowCount = 0;

  constructor(readonly segment: Segment) {
    this.count = segment.messagesCount;
    this.logFd = openReadOnly(segment.logPath);
    try {
      this.indexFd = openReadOnly(segment.indexPath);
    } catch (error) {
      closeSync(this.logFd);
      throw error;
    }
  }

  close(): void {
    closeSync(this.logFd);
    closeSync(this.indexFd);
  }

  private recordAt(record: number): number {
    assert(record >= 0 && record < this.count, `sealed index record ${record} of ${this.count}`);
    if (record < this.windowFirst || record >= this.windowFirst + this.windowCount) {
      const first = Math.max(0, Math.min(record - (SEALED_WINDOW_RECORDS >>> 1), this.count - SEALED_WINDOW_RECORDS));
      const count = Math.min(SEALED_WINDOW_RECORDS, this.count - first);
      readExactly(this.indexFd, this.window, 0, count * IndexRecord.size, first * IndexRecord.size);
      this.windowFirst = first;
      this.windowCount = count;
    }
    return (record - this.windowFirst) * IndexRecord.size;
  }

  endPositionAt(record: number): number {
    return this.windowView.getUint32(this.recordAt(record) + IndexRecord.endPosition, true);
  }

  timestampAt(record: number): number {
    return u64At(this.windowView, this.recordAt(record) + IndexRecord.timestamp);
  }
}
