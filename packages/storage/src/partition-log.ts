/**
 * The log of one partition: segments on disk, the active segment's index in memory, a ring-buffer
 * cache of the newest bytes (which also holds the buffered-mode journal), consumer offsets, the
 * optional deduplication window and optional encryption at rest (the files and the ring hold sealed
 * messages; append seals, poll opens — encryption.ts).
 *
 * Owned by exactly one thread (the shard worker that owns the partition): every method is
 * synchronous and no method may run concurrently with another.
 *
 * Invariants (asserted after every mutation):
 * - offsets are dense: the active segment holds offsets [start, start + messagesCount) and
 *   nextOffset = start + messagesCount; segments never overlap;
 * - the in-memory index has exactly one record per message of the active segment, and its last end
 *   position is the active segment's size;
 * - flushed ≤ written, for bytes and for index records;
 * - every unflushed byte is in the ring: ring.startPosition ≤ flushedSizeBytes and
 *   ring.endPosition = written size (a batch larger than the ring is written at once, and the ring
 *   restarts empty after it).
 *
 * Call `await initHashes()` (from @iggy-ts/protocol) once per thread before `open`.
 */
import { closeSync, fdatasyncSync, fsyncSync, mkdirSync, openSync, rmSync, unlinkSync, writeSync, constants as fsConstants } from 'node:fs';
import { SegmentLogWriter } from './log-writer.js';
import { ErrorCode, IggyError, MessageHeader, verifyBatch } from '@iggy-ts/protocol';
import { assert } from './assert.js';
import { ConsumerOffsetStore, type ConsumerKind } from './consumer-offsets.js';
import { DedupWindow } from './dedup.js';
import { SEALED_OVERHEAD_BYTES } from './encryption.js';
import { RandomIdPool, stampBatch } from './message-stamper.js';
import { resolvePartitionLogOptions, SEGMENT_LOG_POSITION_MAX, type PartitionLogOptions, type ResolvedPartitionLogOptions } from './options.js';
import { recoverPartition, type RecoveryReport } from './recovery.js';
import { RingCache } from './ring-cache.js';
import {
  ActiveIndex,
  IndexRecord,
  SealedIndexFile,
  firstRecordAtOrAfter,
  lastRecordEndingBy,
  newSegment,
  openReadWrite,
  readExactly,
  startPositionOf,
  type IndexAccess,
  type Segment,
} from './segment.js';

const U32 = 0x1_0000_0000;

export interface AppendResult {
  /** Offset of the first appended message; undefined when deduplication removed every message. */
  firstOffset: number | undefined;
  /** Offset of the last appended message; undefined when nothing was appended. */
  lastOffset: number | undefined;
  /** Server timestamp (µs) stamped on every message of the batch. */
  timestampUs: number;
  /** Messages appended (count minus duplicates). */
  messagesCount: number;
  /** Messages removed as duplicates (0 unless deduplication is enabled). */
  duplicatesCount: number;
  /** Bytes appended to the log. */
  sizeBytes: number;
}

export interface PollResult {
  /**
   * `headerReserveBytes` zero bytes, then `messagesCount` contiguous messages. The buffer owns its whole
   * ArrayBuffer (byteOffset 0, exact length), so it can be transferred to another thread.
   */
  bytes: Buffer;
  messagesCount: number;
  /** Offset of the first returned message (the clamped start offset when none is returned). */
  firstOffset: number;
}

export interface SealedSegmentInfo {
  startOffset: number;
  /** Offset of its last message. */
  endOffset: number;
  messagesCount: number;
  sizeBytes: number;
  firstTimestampUs: number;
  lastTimestampUs: number;
}

export type { ConsumerKind } from './consumer-offsets.js';

function writeAllAt(fd: number, source: Uint8Array, position: number): void {
  let done = 0;
  while (done < source.byteLength) done += writeSync(fd, source, done, source.byteLength - done, position + done);
}

/** Sealed segment files waiting for the next flush(true), at most (2 per segment). */
const SEALED_UNSYNCED_MAX = 32;

/** fdatasync of a file by path; a file deleted meanwhile needs no sync. */
function syncFile(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, fsConstants.O_RDONLY);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDirectory(path: string): void {
  const fd = openSync(path, fsConstants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export class PartitionLog {
  readonly options: ResolvedPartitionLogOptions;
  /** What `open` found and repaired. */
  readonly recovery: RecoveryReport;

  /** Oldest first; the last one is the active segment. */
  private segments: Segment[];
  private active: Segment;
  private activeLogFd = -1;
  private activeIndexFd = -1;
  /** Writes the active log (direct I/O or page cache); reads go through activeLogFd. */
  private logWriter!: SegmentLogWriter;
  private readonly activeIndex = new ActiveIndex();
  /** Active segment bytes and index records written to the files (the rest is the journal in the ring). */
  private flushedSizeBytes = 0;
  private flushedMessagesCount = 0;
  /** Written to the files since the last fdatasync. */
  private logUnsynced = false;
  private indexUnsynced = false;
  /**
   * Files of segments sealed with unsynced writes, synced by the next flush(true). Paths, not open
   * descriptors: on Linux fdatasync through a new descriptor writes back the file's dirty pages.
   */
  private sealedUnsyncedPaths: string[] = [];
  /** Buffered mode: segment files created or removed since the last directory fsync. */
  private directoryUnsynced = false;
  private nextOffsetValue = 0;
  private lastTimestampValue = 0;
  private totalSizeBytes = 0;
  private totalMessagesCount = 0;
  private readonly ring: RingCache;
  /** Open sealed segments, least recently used first. */
  private readers: SealedIndexFile[] = [];
  private readonly ids = new RandomIdPool();
  private readonly consumerOffsetStore: ConsumerOffsetStore;
  private readonly dedup: DedupWindow | undefined;
  private readonly idScratch = Buffer.allocUnsafeSlow(16);
  private closed = false;
  /** Set by fail(): the log refuses every further operation. */
  private failure: unknown = undefined;
  private cacheHitsCount = 0;
  private cacheMissesCount = 0;
  // Poll plan, reused across polls: one entry per segment a poll reads from.
  private readonly planSegments: Segment[] = [];
  private readonly planNumbers: number[] = []; // [startPosition, endPosition, firstOffset, messagesCount] per part

  private constructor(options: ResolvedPartitionLogOptions) {
    this.options = options;
    mkdirSync(options.directory, { recursive: true });
    const recovered = recoverPartition(
      {
        directory: options.directory,
        recoveryVerifyTailBytes: options.recoveryVerifyTailBytes,
        validateChecksumsOnOpen: options.validateChecksumsOnOpen,
        logger: options.logger,
      },
      this.activeIndex,
    );
    this.recovery = recovered.report;
    this.segments = recovered.segments;
    this.active = this.segments[this.segments.length - 1]!;
    for (const segment of this.segments) {
      this.totalSizeBytes += segment.sizeBytes;
      this.totalMessagesCount += segment.messagesCount;
      if (segment.messagesCount > 0) this.lastTimestampValue = Math.max(this.lastTimestampValue, segment.lastTimestampUs);
    }
    this.nextOffsetValue = this.active.startOffset + this.active.messagesCount;
    this.activeLogFd = openReadWrite(this.active.logPath);
    this.activeIndexFd = openReadWrite(this.active.indexPath);
    this.logWriter = new SegmentLogWriter(this.activeLogFd, this.active.logPath, this.active.sizeBytes, options.directIo);
    this.flushedSizeBytes = this.active.sizeBytes;
    this.flushedMessagesCount = this.active.messagesCount;
    this.ring = new RingCache(options.cacheSizeBytes);
    this.ring.reset(this.active.sizeBytes);
    this.consumerOffsetStore = ConsumerOffsetStore.open(options.directory, options.durabilityMode === 'fsync', options.consumerOffsetFilesOpenMax, options.logger);
    if (options.dedupEnabled) {
      this.dedup = new DedupWindow(options.dedupMaxEntries, options.dedupExpiryMs * 1000);
      this.rebuildDedupWindow();
    }
    if (this.active.sizeBytes >= options.segmentSizeBytes) this.rollover();
    this.checkInvariants();
  }

  /** Creates or opens the partition directory and recovers it (see recovery.ts). */
  static open(options: PartitionLogOptions): PartitionLog {
    return new PartitionLog(resolvePartitionLogOptions(options));
  }

  // ---------------------------------------------------------------------------------------------
  // Offsets and sizes

  /** Offset of the oldest retained message (start of the oldest segment); 0 for a new partition. */
  get firstOffset(): number {
    return this.segments[0]!.startOffset;
  }

  /** Offset of the newest message; 0 when the partition never held a message (Iggy semantics). */
  get lastOffset(): number {
    return this.nextOffsetValue === 0 ? 0 : this.nextOffsetValue - 1;
  }

  /** Same as lastOffset: the partition's "current offset" of the protocol. */
  get currentOffset(): number {
    return this.lastOffset;
  }

  /** Offset the next appended message gets. */
  get nextOffset(): number {
    return this.nextOffsetValue;
  }

  /** True when no message was ever appended (since creation or the last purge). */
  get isEmpty(): boolean {
    return this.nextOffsetValue === 0;
  }

  /** Messages retained (deleted segments excluded, unflushed journal included). */
  get messagesCount(): number {
    return this.totalMessagesCount;
  }

  /** Log bytes retained (unflushed journal included). */
  get sizeBytes(): number {
    return this.totalSizeBytes;
  }

  get segmentsCount(): number {
    return this.segments.length;
  }

  /** Timestamp of the newest message (µs); 0 when none. */
  get lastTimestampUs(): number {
    return this.lastTimestampValue;
  }

  /** Polls served entirely from the ring-buffer cache. */
  get cacheHits(): number {
    return this.cacheHitsCount;
  }

  /** Polls that read at least part of their bytes from the segment files. */
  get cacheMisses(): number {
    return this.cacheMissesCount;
  }

  /** Messages appended but not yet written to the files (buffered mode journal). */
  get pendingMessagesCount(): number {
    return this.activeIndex.count - this.flushedMessagesCount;
  }

  get pendingSizeBytes(): number {
    return this.active.sizeBytes - this.flushedSizeBytes;
  }

  // ---------------------------------------------------------------------------------------------
  // Append

  /**
   * Appends `count` messages (an already validated block in the Iggy layout, exactly `messages`).
   * Stamps them in place (offset, timestamp, id when zero, checksum), then persists them according
   * to the durability mode. With `encryption`, a sealed copy is stamped and stored instead. The
   * caller's buffer is not retained after the call returns.
   */
  append(messages: Buffer, count: number): AppendResult {
    this.checkOpen();
    assert(Number.isInteger(count) && count >= 1, `append count ${count}`);
    assert(messages.byteLength >= count * MessageHeader.size, `append of ${count} messages in ${messages.byteLength} bytes`);
    try {
      return this.appendBatch(messages, count);
    } catch (error) {
      throw this.fail(error);
    }
  }

  private appendBatch(messages: Buffer, count: number): AppendResult {
    const timestampUs = Math.max(Math.floor(this.options.clock()), this.lastTimestampValue);
    let batch = messages;
    let messagesCount = count;
    let duplicatesCount = 0;
    if (this.dedup !== undefined) {
      const filtered = this.dedup.filter(messages, count, timestampUs, this.ids);
      duplicatesCount = filtered.duplicatesCount;
      if (filtered.messagesCount === 0) {
        return { firstOffset: undefined, lastOffset: undefined, timestampUs, messagesCount: 0, duplicatesCount, sizeBytes: 0 };
      }
      messagesCount = filtered.messagesCount;
      batch = messages.subarray(0, filtered.sizeBytes);
    }
    // The rollover and journal writes below do not move the next offset.
    const firstOffset = this.nextOffsetValue;
    const cipher = this.options.encryption;
    if (cipher !== undefined) batch = cipher.sealBatch(batch, messagesCount, firstOffset);
    const sizeBytes = batch.byteLength;
    assert(sizeBytes <= SEGMENT_LOG_POSITION_MAX, `batch of ${sizeBytes} bytes exceeds a segment`);
    // Index positions are u32: a batch that would end past 4 GiB starts a new segment first.
    if (this.active.messagesCount > 0 && this.active.sizeBytes + sizeBytes > SEGMENT_LOG_POSITION_MAX) this.rollover();

    const bypassRing = !this.ring.fits(sizeBytes);
    if (bypassRing) {
      this.writeJournal(false);
    } else if (this.ring.startAfterAppend(sizeBytes) > this.flushedSizeBytes) {
      // The ring would overwrite unflushed journal bytes: write them out first.
      this.writeJournal(false);
    }

    const segment = this.active;
    const position = segment.sizeBytes;
    assert(firstOffset === this.nextOffsetValue, 'the next offset did not move before stamping');
    stampBatch(batch, messagesCount, { firstOffset, timestampUs, segmentStartOffset: segment.startOffset, segmentPosition: position }, this.activeIndex, this.ids);

    segment.sizeBytes = position + sizeBytes;
    if (segment.messagesCount === 0) segment.firstTimestampUs = timestampUs;
    segment.messagesCount += messagesCount;
    segment.lastTimestampUs = timestampUs;
    this.nextOffsetValue = firstOffset + messagesCount;
    this.lastTimestampValue = timestampUs;
    this.totalSizeBytes += sizeBytes;
    this.totalMessagesCount += messagesCount;

    const fsync = this.options.durabilityMode === 'fsync';
    if (bypassRing) {
      this.logWriter.write(batch, undefined, position);
      this.logUnsynced = true;
      this.ring.reset(segment.sizeBytes);
      this.flushedSizeBytes = segment.sizeBytes;
      this.writeIndexRecords(fsync);
    } else {
      this.ring.append(batch, 0, sizeBytes);
      if (fsync || this.pendingMessagesCount >= this.options.flushMessagesCount || this.pendingSizeBytes >= this.options.flushSizeBytes) {
        this.writeJournal(fsync);
      }
    }
    if (segment.sizeBytes >= this.options.segmentSizeBytes) this.rollover();
    this.checkInvariants();
    return { firstOffset, lastOffset: firstOffset + messagesCount - 1, timestampUs, messagesCount, duplicatesCount, sizeBytes };
  }

  /**
   * Writes the journal to the segment files; with `fsync`, also fdatasyncs them (and segments sealed
   * since the last sync). The shard calls it on its flush interval, on FlushUnsavedBuffer and at shutdown.
   */
  flush(fsync: boolean): void {
    this.checkOpen();
    try {
      this.writeJournal(fsync);
      if (fsync) {
        this.syncSealed();
        this.consumerOffsetStore.sync();
      }
      this.checkInvariants();
    } catch (error) {
      throw this.fail(error);
    }
  }

  /**
   * Fail-stop: after an I/O error (or a broken invariant) while appending or flushing, the in-memory
   * state may be ahead of the files, so every later call throws until the partition is reopened,
   * which recovers from what the files hold.
   */
  private fail(error: unknown): unknown {
    if (this.failure === undefined) {
      this.failure = error;
      this.options.logger?.warn({ directory: this.options.directory, err: error }, 'partition log failed; reopen it to recover');
    }
    return error;
  }

  /** Writes the ring's unflushed bytes, then the unwritten index records; fdatasync log before index. */
  private writeJournal(fsync: boolean): void {
    const from = this.flushedSizeBytes;
    const to = this.active.sizeBytes;
    if (to > from) {
      const { first, second } = this.ring.view(from, to);
      this.logWriter.write(first, second, from);
      this.flushedSizeBytes = to;
      this.logUnsynced = true;
    }
    this.writeIndexRecords(fsync);
  }

  /**
   * Writes index records not yet in the file. With fsync, the log is synced first, so an index record
   * on disk always describes durable log bytes (recovery relies on it in fsync mode).
   */
  private writeIndexRecords(fsync: boolean): void {
    if (fsync && this.logUnsynced) {
      fdatasyncSync(this.activeLogFd);
      this.logUnsynced = false;
    }
    const from = this.flushedMessagesCount;
    const to = this.activeIndex.count;
    if (to > from) {
      writeAllAt(this.activeIndexFd, this.activeIndex.bytes.subarray(from * IndexRecord.size, to * IndexRecord.size), from * IndexRecord.size);
      this.flushedMessagesCount = to;
      this.indexUnsynced = true;
    }
    if (fsync && this.indexUnsynced) {
      fdatasyncSync(this.activeIndexFd);
      this.indexUnsynced = false;
    }
  }

  /** Syncs segments sealed since the last sync and the directory entries of created or removed segments. */
  private syncSealed(): void {
    for (const path of this.sealedUnsyncedPaths) syncFile(path);
    this.sealedUnsyncedPaths = [];
    if (this.directoryUnsynced) {
      fsyncDirectory(this.options.directory);
      this.directoryUnsynced = false;
    }
  }

  /** Seals the active segment and starts a new one named by the next offset. */
  private rollover(): void {
    this.writeJournal(this.options.durabilityMode === 'fsync');
    const sealed = this.active;
    this.trimLog();
    this.logWriter.close();
    closeSync(this.activeLogFd);
    closeSync(this.activeIndexFd);
    if (this.logUnsynced || this.indexUnsynced) {
      // Buffered mode: the next flush(true) syncs this segment too, so that a sync covers every
      // segment, not only the active one. Sealing itself does not wait for the disk; the list is
      // bounded by syncing the oldest entries at once when it grows past SEALED_UNSYNCED_MAX.
      this.sealedUnsyncedPaths.push(sealed.logPath, sealed.indexPath);
      while (this.sealedUnsyncedPaths.length > SEALED_UNSYNCED_MAX) syncFile(this.sealedUnsyncedPaths.shift()!);
    }
    this.logUnsynced = false;
    this.indexUnsynced = false;
    this.options.logger?.info({ path: sealed.logPath, messagesCount: sealed.messagesCount, sizeBytes: sealed.sizeBytes }, 'segment sealed');
    this.startActiveSegment(this.nextOffsetValue);
  }

  /** Creates the files of a new, empty active segment at `startOffset` and appends it to the list. */
  private startActiveSegment(startOffset: number): void {
    const segment = newSegment(this.options.directory, startOffset);
    this.activeLogFd = openReadWrite(segment.logPath);
    this.activeIndexFd = openReadWrite(segment.indexPath);
    this.logWriter = new SegmentLogWriter(this.activeLogFd, segment.logPath, 0, this.options.directIo);
    if (this.options.durabilityMode === 'fsync') fsyncDirectory(this.options.directory);
    else this.directoryUnsynced = true;
    this.segments.push(segment);
    this.active = segment;
    this.activeIndex.truncate(0);
    this.flushedSizeBytes = 0;
    this.flushedMessagesCount = 0;
    this.ring.reset(0);
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  /**
   * Up to `count` messages from `startOffset` (clamped to the first retained offset), contiguous,
   * spanning segments as needed, capped at `maxPollBytes` (at least one message is always returned).
   * Nothing when `startOffset` is beyond the last offset. Bytes read from the segment files are
   * verified (offsets, checksums) when `verifyChecksumsOnRead`: a corrupt message throws 4027 / 4100.
   * With `encryption`, the stored messages are opened into plaintext frames (original lengths,
   * checksums recomputed over the plaintext); one that does not authenticate throws 72.
   */
  poll(startOffset: number, count: number, headerReserveBytes: number): PollResult {
    this.checkOpen();
    assert(Number.isSafeInteger(startOffset) && startOffset >= 0, `poll start offset ${startOffset}`);
    assert(Number.isSafeInteger(count) && count >= 0, `poll count ${count}`);
    assert(Number.isSafeInteger(headerReserveBytes) && headerReserveBytes >= 0, `poll header reserve ${headerReserveBytes}`);
    const segments = this.segments;
    let offset = Math.max(startOffset, this.firstOffset);
    if (count === 0 || offset >= this.nextOffsetValue) return this.emptyPoll(offset, headerReserveBytes);

    // Plan: which byte ranges of which segments, so that one buffer of the exact size is allocated.
    const planSegments = this.planSegments;
    const planNumbers = this.planNumbers;
    planSegments.length = 0;
    planNumbers.length = 0;
    let remaining = count;
    let totalBytes = 0;
    const maxBytes = this.options.maxPollBytes;
    for (let s = this.segmentIndexFor(offset); s < segments.length && remaining > 0; s += 1) {
      const segment = segments[s]!;
      if (offset < segment.startOffset) offset = segment.startOffset; // offset gap left by recovery
      const firstRecord = offset - segment.startOffset;
      if (firstRecord >= segment.messagesCount) continue;
      const index = this.indexOf(segment, s);
      const lastRecord = Math.min(segment.messagesCount - 1, firstRecord + remaining - 1);
      const startPosition = startPositionOf(index, firstRecord);
      const endPositionMax = startPosition + (maxBytes - totalBytes);
      if (totalBytes > 0 && index.endPositionAt(firstRecord) > endPositionMax) break;
      const fitRecord = lastRecordEndingBy(index, firstRecord, lastRecord, endPositionMax);
      const endPosition = index.endPositionAt(fitRecord);
      const partCount = fitRecord - firstRecord + 1;
      planSegments.push(segment);
      planNumbers.push(startPosition, endPosition, offset, partCount);
      totalBytes += endPosition - startPosition;
      remaining -= partCount;
      offset += partCount;
      if (fitRecord < lastRecord) break; // byte cap reached
    }
    if (planSegments.length === 0) return this.emptyPoll(offset, headerReserveBytes);

    // Unencrypted, the stored bytes are the result; encrypted, they go to a scratch buffer and are
    // opened into the result below (cache hits too: the ring holds stored bytes).
    const cipher = this.options.encryption;
    let bytes: Buffer;
    let at: number;
    if (cipher === undefined) {
      bytes = Buffer.allocUnsafeSlow(headerReserveBytes + totalBytes);
      bytes.fill(0, 0, headerReserveBytes);
      at = headerReserveBytes;
    } else {
      bytes = cipher.readBuffer(totalBytes);
      at = 0;
    }
    let fromDisk = false;
    let messagesCount = 0;
    for (let p = 0; p < planSegments.length; p += 1) {
      const segment = planSegments[p]!;
      const startPosition = planNumbers[p * 4]!;
      const endPosition = planNumbers[p * 4 + 1]!;
      const partFirstOffset = planNumbers[p * 4 + 2]!;
      const partCount = planNumbers[p * 4 + 3]!;
      const length = endPosition - startPosition;
      let partFromDisk: boolean;
      if (segment === this.active) {
        partFromDisk = this.readActive(startPosition, endPosition, bytes, at);
      } else {
        const reader = this.readerFor(segment);
        readExactly(reader.logFd, bytes, at, length, startPosition);
        partFromDisk = true;
      }
      if (partFromDisk && this.options.verifyChecksumsOnRead) this.verifyMessages(bytes, at, at + length, partFirstOffset, partCount);
      fromDisk ||= partFromDisk;
      at += length;
      messagesCount += partCount;
    }
    assert(at === bytes.byteLength, `poll filled ${at} of ${bytes.byteLength} bytes`);
    if (fromDisk) this.cacheMissesCount += 1;
    else this.cacheHitsCount += 1;
    const firstOffset = planNumbers[2]!;
    if (cipher === undefined) return { bytes, messagesCount, firstOffset };
    const plain = Buffer.allocUnsafeSlow(headerReserveBytes + totalBytes - messagesCount * SEALED_OVERHEAD_BYTES);
    plain.fill(0, 0, headerReserveBytes);
    cipher.openBatch(bytes, 0, totalBytes, messagesCount, firstOffset, plain, headerReserveBytes);
    return { bytes: plain, messagesCount, firstOffset };
  }

  /** Up to `count` messages from the first one whose server timestamp is ≥ `timestampUs`. */
  pollByTimestamp(timestampUs: number, count: number, headerReserveBytes: number): PollResult {
    this.checkOpen();
    const offset = this.offsetAtTimestamp(timestampUs);
    if (offset === undefined) return this.emptyPoll(this.nextOffsetValue, headerReserveBytes);
    return this.poll(offset, count, headerReserveBytes);
  }

  /** Offset of the first message whose timestamp is ≥ `timestampUs`; undefined when none is. Never scans the log. */
  offsetAtTimestamp(timestampUs: number): number | undefined {
    this.checkOpen();
    const segments = this.segments;
    // Segments' last timestamps are non-decreasing; only the active segment can be empty (it is last).
    let low = 0;
    let high = segments.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const segment = segments[middle]!;
      if (segment.messagesCount > 0 && segment.lastTimestampUs < timestampUs) low = middle + 1;
      else high = middle;
    }
    if (low === segments.length) return undefined;
    const segment = segments[low]!;
    if (segment.messagesCount === 0) return undefined;
    const record = firstRecordAtOrAfter(this.indexOf(segment, low), timestampUs);
    assert(record < segment.messagesCount, 'a segment whose last timestamp is ≥ t holds a message at or after t');
    return segment.startOffset + record;
  }

  private emptyPoll(offset: number, headerReserveBytes: number): PollResult {
    const bytes = Buffer.allocUnsafeSlow(headerReserveBytes);
    bytes.fill(0);
    return { bytes, messagesCount: 0, firstOffset: offset };
  }

  /** Index of the segment holding `offset`: the last one starting at or before it (0 if none does). */
  private segmentIndexFor(offset: number): number {
    const segments = this.segments;
    let low = 0;
    let high = segments.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (segments[middle]!.startOffset <= offset) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  private indexOf(segment: Segment, position: number): IndexAccess {
    return position === this.segments.length - 1 ? this.activeIndex : this.readerFor(segment);
  }

  /** Reads active segment bytes [from, to): the ring part from the ring, the rest from the file. Returns true when the file was read. */
  private readActive(from: number, to: number, target: Buffer, targetOffset: number): boolean {
    const ring = this.ring;
    if (ring.holds(from, to)) {
      ring.copyTo(from, to, target, targetOffset);
      return false;
    }
    const ringFrom = ring.capacityBytes > 0 ? Math.max(from, Math.min(ring.startPosition, to)) : to;
    // Bytes below the ring's start are flushed (unflushed bytes are never evicted from the ring).
    assert(ringFrom <= this.flushedSizeBytes || ringFrom === to, 'bytes read from the file were flushed');
    readExactly(this.activeLogFd, target, targetOffset, ringFrom - from, from);
    if (ringFrom < to) ring.copyTo(ringFrom, to, target, targetOffset + (ringFrom - from));
    return true;
  }

  /** Read-side check of bytes that came from a file: structure, dense offsets, checksums. */
  private verifyMessages(bytes: Buffer, from: number, to: number, firstOffset: number, count: number): void {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let position = from;
    for (let i = 0; i < count; i += 1) {
      if (position + MessageHeader.size > to) throw new IggyError(ErrorCode.InvalidMessageChecksum, `message at offset ${firstOffset + i} is truncated`);
      const size = MessageHeader.size + view.getUint32(position + MessageHeader.payloadLength, true) + view.getUint32(position + MessageHeader.userHeadersLength, true);
      const end = position + size;
      if (end > to) throw new IggyError(ErrorCode.InvalidMessageChecksum, `message at offset ${firstOffset + i} has lengths beyond its index entry`);
      const offset = view.getUint32(position + MessageHeader.offset, true) + view.getUint32(position + MessageHeader.offset + 4, true) * U32;
      if (offset !== firstOffset + i) throw new IggyError(ErrorCode.InvalidOffset, `expected offset ${firstOffset + i}, read ${offset}`);
      position = end;
    }
    if (position !== to) throw new IggyError(ErrorCode.InvalidMessageChecksum, `messages end at ${position}, index says ${to}`);
    // One WASM call for the whole range once the structure is known to be sound.
    const bad = verifyBatch(bytes.subarray(from, to), count);
    if (bad !== -1) throw new IggyError(ErrorCode.InvalidMessageChecksum, `checksum mismatch at offset ${firstOffset + bad}`);
  }

  /** The open reader of a sealed segment, from a small LRU (least recently used closed first). */
  private readerFor(segment: Segment): SealedIndexFile {
    const readers = this.readers;
    for (let i = readers.length - 1; i >= 0; i -= 1) {
      const reader = readers[i]!;
      if (reader.segment === segment) {
        if (i !== readers.length - 1) {
          readers.splice(i, 1);
          readers.push(reader);
        }
        return reader;
      }
    }
    const reader = new SealedIndexFile(segment);
    readers.push(reader);
    if (readers.length > this.options.sealedSegmentReadersMax) readers.shift()!.close();
    return reader;
  }

  private closeReaderOf(segment: Segment): void {
    const at = this.readers.findIndex((reader) => reader.segment === segment);
    if (at >= 0) this.readers.splice(at, 1)[0]!.close();
  }

  // ---------------------------------------------------------------------------------------------
  // Retention and lifecycle

  /** Sealed segments, oldest first, for retention decisions. The active segment is never listed. */
  sealedSegments(): SealedSegmentInfo[] {
    const list: SealedSegmentInfo[] = [];
    for (let s = 0; s < this.segments.length - 1; s += 1) {
      const segment = this.segments[s]!;
      list.push({
        startOffset: segment.startOffset,
        endOffset: segment.startOffset + segment.messagesCount - 1,
        messagesCount: segment.messagesCount,
        sizeBytes: segment.sizeBytes,
        firstTimestampUs: segment.firstTimestampUs,
        lastTimestampUs: segment.lastTimestampUs,
      });
    }
    return list;
  }

  /**
   * Deletes up to `count` of the oldest sealed segments whose last offset is ≤ `maxDeletableEndOffset`,
   * stopping at the first that is not; the active segment is never deleted. Returns how many were.
   */
  deleteOldestSegments(count: number, maxDeletableEndOffset: number): number {
    this.checkOpen();
    let deleted = 0;
    while (deleted < count && this.segments.length > 1) {
      const segment = this.segments[0]!;
      if (segment.startOffset + segment.messagesCount - 1 > maxDeletableEndOffset) break;
      this.closeReaderOf(segment);
      unlinkSync(segment.logPath);
      unlinkSync(segment.indexPath);
      this.segments.shift();
      this.totalSizeBytes -= segment.sizeBytes;
      this.totalMessagesCount -= segment.messagesCount;
      deleted += 1;
      this.options.logger?.info({ path: segment.logPath, messagesCount: segment.messagesCount, sizeBytes: segment.sizeBytes }, 'segment deleted');
    }
    if (deleted > 0 && this.options.durabilityMode === 'fsync') fsyncDirectory(this.options.directory);
    else if (deleted > 0) this.directoryUnsynced = true;
    this.checkInvariants();
    return deleted;
  }

  /** Deletes every segment and consumer offset and starts over with an empty segment at offset 0. */
  purge(): void {
    this.checkOpen();
    this.closeFiles();
    for (const segment of this.segments) {
      rmSync(segment.logPath, { force: true });
      rmSync(segment.indexPath, { force: true });
    }
    this.sealedUnsyncedPaths = [];
    this.consumerOffsetStore.clear();
    this.dedup?.clear();
    this.segments = [];
    this.nextOffsetValue = 0;
    this.totalSizeBytes = 0;
    this.totalMessagesCount = 0;
    this.startActiveSegment(0);
    this.options.logger?.info({ directory: this.options.directory }, 'partition purged');
    this.checkInvariants();
  }

  /** Writes and fsyncs the journal, then closes every file (a failed log just closes). Idempotent. */
  close(): void {
    if (this.closed) return;
    if (this.failure !== undefined) {
      this.abandon();
      return;
    }
    this.writeJournal(true);
    this.trimLog();
    if (this.logUnsynced) fdatasyncSync(this.activeLogFd);
    this.syncSealed();
    this.consumerOffsetStore.sync();
    this.closeFiles();
    this.consumerOffsetStore.closeAll();
    this.closed = true;
  }

  /** Closes without flushing and removes the partition directory. */
  destroy(): void {
    if (!this.closed) {
      this.closeFiles();
      this.consumerOffsetStore.closeAll();
      this.closed = true;
    }
    rmSync(this.options.directory, { recursive: true, force: true });
  }

  /**
   * Closes every file without writing the journal: exactly what a process crash leaves on disk (the
   * page cache keeps what was written). For fault-injection tests; the log is unusable afterwards.
   */
  abandon(): void {
    if (this.closed) return;
    this.closeFiles();
    this.consumerOffsetStore.closeAll();
    this.closed = true;
  }

  /**
   * Direct writes leave zero padding up to the next block boundary; a sealed or closed segment ends
   * exactly where its log ends. In fsync mode the new size is synced at once.
   */
  private trimLog(): void {
    if (!this.logWriter.direct) return;
    this.logWriter.finish();
    if (this.options.durabilityMode === 'fsync') fdatasyncSync(this.activeLogFd);
    else this.logUnsynced = true;
  }

  /** True when the active segment is written with O_DIRECT. */
  get directIo(): boolean {
    return this.logWriter.direct;
  }

  private closeFiles(): void {
    for (const reader of this.readers) reader.close();
    this.readers = [];
    if (this.activeLogFd >= 0) this.logWriter.close();
    if (this.activeLogFd >= 0) closeSync(this.activeLogFd);
    if (this.activeIndexFd >= 0) closeSync(this.activeIndexFd);
    this.activeLogFd = -1;
    this.activeIndexFd = -1;
    this.logUnsynced = false;
    this.indexUnsynced = false;
  }

  private checkOpen(): void {
    if (this.closed) throw new Error(`partition log ${this.options.directory} is closed`);
    if (this.failure !== undefined) {
      throw new Error(`partition log ${this.options.directory} failed earlier and must be reopened: ${String((this.failure as Error).message ?? this.failure)}`, { cause: this.failure });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Consumer offsets

  /** Stores (and persists at once) the offset of a consumer or consumer group. */
  storeConsumerOffset(kind: ConsumerKind, id: number, offset: number): void {
    this.checkOpen();
    this.consumerOffsetStore.store(kind, id, offset);
  }

  getConsumerOffset(kind: ConsumerKind, id: number): number | undefined {
    return this.consumerOffsetStore.get(kind, id);
  }

  /** Deletes a stored offset and its file; false when none was stored. */
  deleteConsumerOffset(kind: ConsumerKind, id: number): boolean {
    this.checkOpen();
    return this.consumerOffsetStore.delete(kind, id);
  }

  /** Stored offsets of one kind, by consumer or group id. */
  consumerOffsets(kind: ConsumerKind): ReadonlyMap<number, number> {
    return this.consumerOffsetStore.entries(kind);
  }

  /** Lowest offset stored by any consumer or group (DeleteSegments keeps what it still needs). */
  lowestStoredOffset(): number | undefined {
    return this.consumerOffsetStore.lowest();
  }

  // ---------------------------------------------------------------------------------------------
  // Deduplication and invariants

  /** Refills the dedup window from the newest messages of the log (newest first, then replayed oldest first). */
  private rebuildDedupWindow(): void {
    const dedup = this.dedup!;
    const nowUs = this.options.clock();
    const keys: string[] = [];
    const timestamps: number[] = [];
    const id = this.idScratch;
    outer: for (let s = this.segments.length - 1; s >= 0; s -= 1) {
      const segment = this.segments[s]!;
      if (segment.messagesCount === 0) continue;
      const index = this.indexOf(segment, s);
      const fd = s === this.segments.length - 1 ? this.activeLogFd : this.readerFor(segment).logFd;
      for (let record = segment.messagesCount - 1; record >= 0; record -= 1) {
        const timestampUs = index.timestampAt(record);
        if (keys.length >= dedup.maxEntries || timestampUs + dedup.expiryUs <= nowUs) break outer;
        readExactly(fd, id, 0, 16, startPositionOf(index, record) + MessageHeader.id);
        keys.push(id.toString('latin1', 0, 16));
        timestamps.push(timestampUs);
      }
    }
    for (let i = keys.length - 1; i >= 0; i -= 1) dedup.remember(keys[i]!, timestamps[i]!);
    if (keys.length > 0) this.options.logger?.info({ directory: this.options.directory, ids: keys.length }, 'deduplication window rebuilt');
  }

  private checkInvariants(): void {
    const active = this.active;
    assert(this.segments[this.segments.length - 1] === active, 'the last segment is the active one');
    assert(this.nextOffsetValue === active.startOffset + active.messagesCount, 'offsets are dense in the active segment');
    assert(this.activeIndex.count === active.messagesCount, 'one index record per active message');
    assert(active.messagesCount === 0 ? active.sizeBytes === 0 : this.activeIndex.endPositionAt(active.messagesCount - 1) === active.sizeBytes, 'the last index position is the log size');
    assert(this.flushedSizeBytes <= active.sizeBytes && this.flushedMessagesCount <= active.messagesCount, 'flushed ≤ written');
    assert(this.flushedSizeBytes === active.sizeBytes || (this.ring.endPosition === active.sizeBytes && this.ring.startPosition <= this.flushedSizeBytes), 'unflushed bytes are in the ring');
  }
}
