/**
 * Recovery of a partition directory at open.
 *
 * Sealed segments (all but the last): the index is trusted when it is consistent with the log, checked
 * in O(1) from its size and its first and last records (relative offsets 0 and n − 1, last end position
 * = log size). Otherwise the index is rebuilt from the log with full validation (lengths, offsets,
 * checksums), and the log is truncated at the first invalid message. Sealed segments left empty are
 * removed.
 *
 * The last (active) segment: its index is loaded into memory and cut to its longest consistent prefix
 * (relative offsets 0, 1, 2…, end positions increasing by ≥ 64 bytes and within the log, timestamps
 * non-decreasing). The end of that prefix minus `recoveryVerifyTailBytes` is the last durable point:
 * every message after it, whether the index covers it or not, is validated (bounds, offset sequence,
 * checksum) and re-indexed; the log and the index are truncated at the first invalid message.
 *
 * Every repair is reported through the logger and counted in the returned `RecoveryReport`.
 */
import { closeSync, fdatasyncSync, ftruncateSync, rmSync, writeSync } from 'node:fs';
import { ErrorCode, IggyError, MessageHeader } from '@iggy-ts/protocol';
import { assert } from './assert.js';
import { scanLog } from './log-scanner.js';
import type { StorageLogger } from './options.js';
import { DIRECT_IO_BLOCK_SIZE_BYTES } from './log-writer.js';
import { ActiveIndex, IndexRecord, fileSizeBytes, listSegmentFiles, newSegment, openReadWrite, readExactly, segmentIndexPath, type Segment } from './segment.js';

const U32 = 0x1_0000_0000;

/** What `open` found and repaired. */
export interface RecoveryReport {
  /** Segments of the partition after recovery. */
  segments: number;
  /** Log bytes cut off torn or corrupt tails, all segments together. */
  truncatedBytes: number;
  /** Zero padding after the last message, left by direct I/O block writes (not damage). */
  trimmedPaddingBytes: number;
  /** Index files rebuilt or repaired (missing, short, inconsistent with the log). */
  rebuiltIndexes: number;
  /** Messages whose checksum was verified during recovery. */
  validatedMessages: number;
  /** Files removed: index files without a log, sealed segments left empty. */
  removedFiles: number;
}

export interface RecoveredPartition {
  segments: Segment[];
  report: RecoveryReport;
}

export interface RecoveryParameters {
  directory: string;
  recoveryVerifyTailBytes: number;
  /** Verify every message of every segment; a corrupt sealed segment throws. */
  validateChecksumsOnOpen: boolean;
  logger: StorageLogger | undefined;
}

function writeAllAt(fd: number, source: Buffer, position: number): void {
  let done = 0;
  while (done < source.byteLength) done += writeSync(fd, source, done, source.byteLength - done, position + done);
}

function recordU64(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * U32;
}

/** Recovers every segment of `directory` and loads the last one's index into `activeIndex`. */
export function recoverPartition(parameters: RecoveryParameters, activeIndex: ActiveIndex): RecoveredPartition {
  const { directory, logger } = parameters;
  const report: RecoveryReport = { segments: 0, truncatedBytes: 0, trimmedPaddingBytes: 0, rebuiltIndexes: 0, validatedMessages: 0, removedFiles: 0 };
  const { logStartOffsets, indexStartOffsets } = listSegmentFiles(directory);

  const logs = new Set(logStartOffsets);
  for (const start of indexStartOffsets) {
    if (logs.has(start)) continue;
    const path = segmentIndexPath(directory, start);
    logger?.warn({ path }, 'removing index file without a log file');
    rmSync(path, { force: true });
    report.removedFiles += 1;
  }

  const segments: Segment[] = [];
  for (let i = 0; i < logStartOffsets.length - 1; i += 1) {
    const segment = newSegment(directory, logStartOffsets[i]!);
    recoverSealedSegment(segment, report, parameters);
    if (segment.messagesCount === 0) {
      logger?.warn({ path: segment.logPath }, 'removing empty sealed segment');
      rmSync(segment.logPath, { force: true });
      rmSync(segment.indexPath, { force: true });
      report.removedFiles += 2;
      continue;
    }
    segments.push(segment);
  }
  const activeStart = logStartOffsets.length === 0 ? 0 : logStartOffsets[logStartOffsets.length - 1]!;
  const active = newSegment(directory, activeStart);
  recoverActiveSegment(active, activeIndex, parameters, report);
  segments.push(active);

  for (let i = 1; i < segments.length; i += 1) {
    const previous = segments[i - 1]!;
    const next = segments[i]!;
    if (previous.startOffset + previous.messagesCount > next.startOffset) {
      throw new Error(`segments overlap: ${previous.logPath} holds offsets up to ${previous.startOffset + previous.messagesCount - 1}, ${next.logPath} starts at ${next.startOffset}`);
    }
    if (previous.startOffset + previous.messagesCount < next.startOffset) {
      logger?.warn({ after: previous.logPath, missingFrom: previous.startOffset + previous.messagesCount, missingTo: next.startOffset - 1 }, 'offset gap between segments');
    }
  }
  report.segments = segments.length;
  if (report.truncatedBytes > 0 || report.rebuiltIndexes > 0 || report.removedFiles > 0) {
    logger?.warn({ directory, ...report }, 'partition recovered with repairs');
  } else {
    logger?.info({ directory, ...report }, 'partition recovered');
  }
  return { segments, report };
}

/** Index consistency in O(1): size, first and last records agree with the log. */
function sealedIndexIsConsistent(indexFd: number, logSizeBytes: number, indexSizeBytes: number, segment: Segment): boolean {
  if (indexSizeBytes % IndexRecord.size !== 0) return false;
  const count = indexSizeBytes / IndexRecord.size;
  if (logSizeBytes === 0) return count === 0;
  if (count === 0 || logSizeBytes < count * MessageHeader.size) return false;
  const records = Buffer.allocUnsafe(2 * IndexRecord.size);
  readExactly(indexFd, records, 0, IndexRecord.size, 0);
  readExactly(indexFd, records, IndexRecord.size, IndexRecord.size, (count - 1) * IndexRecord.size);
  const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
  const firstRelative = view.getUint32(IndexRecord.relativeOffset, true);
  const firstEnd = view.getUint32(IndexRecord.endPosition, true);
  const lastRelative = view.getUint32(IndexRecord.size + IndexRecord.relativeOffset, true);
  const lastEnd = view.getUint32(IndexRecord.size + IndexRecord.endPosition, true);
  if (firstRelative !== 0 || firstEnd < MessageHeader.size || lastRelative !== count - 1 || lastEnd !== logSizeBytes) return false;
  segment.messagesCount = count;
  segment.sizeBytes = logSizeBytes;
  segment.firstTimestampUs = recordU64(view, IndexRecord.timestamp);
  segment.lastTimestampUs = recordU64(view, IndexRecord.size + IndexRecord.timestamp);
  return true;
}

function recoverSealedSegment(segment: Segment, report: RecoveryReport, parameters: RecoveryParameters): void {
  const { logger } = parameters;
  const logFd = openReadWrite(segment.logPath);
  const indexFd = openReadWrite(segment.indexPath);
  try {
    const logSizeBytes = fileSizeBytes(logFd);
    const indexSizeBytes = fileSizeBytes(indexFd);
    if (sealedIndexIsConsistent(indexFd, logSizeBytes, indexSizeBytes, segment)) {
      if (parameters.validateChecksumsOnOpen) validateSealedSegment(logFd, logSizeBytes, segment, report);
      return;
    }
    const index = new ActiveIndex(Math.max(IndexRecord.size, Math.min(indexSizeBytes, 64 * 1024 * 1024)));
    const scan = scanLog(
      { fd: logFd, fileSizeBytes: logSizeBytes, fromPosition: 0, firstOffset: segment.startOffset, segmentStartOffset: segment.startOffset, verifyChecksums: true },
      index,
    );
    report.validatedMessages += scan.messagesCount;
    if (scan.endPosition < logSizeBytes) {
      ftruncateSync(logFd, scan.endPosition);
      report.truncatedBytes += logSizeBytes - scan.endPosition;
      logger?.warn(
        { path: segment.logPath, reason: scan.stopReason, validMessages: scan.messagesCount, truncatedBytes: logSizeBytes - scan.endPosition },
        'truncated sealed segment log at its last valid message',
      );
    }
    writeAllAt(indexFd, index.bytes.subarray(0, index.count * IndexRecord.size), 0);
    ftruncateSync(indexFd, index.count * IndexRecord.size);
    fdatasyncSync(logFd);
    fdatasyncSync(indexFd);
    report.rebuiltIndexes += 1;
    logger?.warn({ path: segment.indexPath, records: index.count, previousSizeBytes: indexSizeBytes }, 'rebuilt sealed segment index from its log');
    segment.messagesCount = index.count;
    segment.sizeBytes = scan.endPosition;
    segment.firstTimestampUs = index.count > 0 ? index.timestampAt(0) : 0;
    segment.lastTimestampUs = index.count > 0 ? index.timestampAt(index.count - 1) : 0;
  } finally {
    closeSync(logFd);
    closeSync(indexFd);
  }
}

/** Full check of a sealed segment whose index is consistent; corruption there is not repaired but refused. */
function validateSealedSegment(logFd: number, logSizeBytes: number, segment: Segment, report: RecoveryReport): void {
  const index = new ActiveIndex(IndexRecord.size * 1024);
  let position = 0;
  let checked = 0;
  while (position < logSizeBytes) {
    // Scan in slices of records so that the temporary index stays small.
    index.truncate(0);
    const scan = scanLog(
      {
        fd: logFd,
        fileSizeBytes: logSizeBytes,
        fromPosition: position,
        firstOffset: segment.startOffset + checked,
        segmentStartOffset: segment.startOffset,
        verifyChecksums: true,
        messagesCountMax: 1024,
      },
      index,
    );
    report.validatedMessages += scan.messagesCount;
    checked += scan.messagesCount;
    if (scan.stopReason !== 'end' && scan.stopReason !== 'limit') {
      throw new IggyError(
        scan.stopReason === 'offset mismatch' ? ErrorCode.InvalidOffset : ErrorCode.InvalidMessageChecksum,
        `sealed segment ${segment.logPath} is corrupt at position ${scan.endPosition} (${scan.stopReason})`,
      );
    }
    position = scan.endPosition;
  }
  if (checked !== segment.messagesCount) {
    throw new IggyError(ErrorCode.InvalidMessageChecksum, `sealed segment ${segment.logPath} holds ${checked} messages, its index ${segment.messagesCount}`);
  }
}

/** Length of the longest prefix of `index` whose records are consistent with each other and the log. */
function consistentPrefixLength(index: ActiveIndex, logSizeBytes: number): number {
  let previousEnd = 0;
  let previousTimestamp = 0;
  for (let record = 0; record < index.count; record += 1) {
    const end = index.endPositionAt(record);
    const timestamp = index.timestampAt(record);
    if (index.relativeOffsetAt(record) !== record || end < previousEnd + MessageHeader.size || end > logSizeBytes || timestamp < previousTimestamp) return record;
    previousEnd = end;
    previousTimestamp = timestamp;
  }
  return index.count;
}

/** True when [from, to) is shorter than a block, ends on a block boundary and holds only zeros. */
function isBlockPadding(fd: number, from: number, to: number): boolean {
  if (to - from >= DIRECT_IO_BLOCK_SIZE_BYTES || to % DIRECT_IO_BLOCK_SIZE_BYTES !== 0) return false;
  const tail = Buffer.alloc(to - from);
  readExactly(fd, tail, 0, tail.length, from);
  for (let i = 0; i < tail.length; i += 1) if (tail[i] !== 0) return false;
  return true;
}

function recoverActiveSegment(segment: Segment, index: ActiveIndex, parameters: RecoveryParameters, report: RecoveryReport): void {
  const { logger } = parameters;
  const logFd = openReadWrite(segment.logPath);
  const indexFd = openReadWrite(segment.indexPath);
  try {
    const logSizeBytes = fileSizeBytes(logFd);
    const indexSizeBytes = fileSizeBytes(indexFd);
    const fileRecords = Math.floor(indexSizeBytes / IndexRecord.size);
    index.loadFromFile(indexFd, fileRecords);
    const trusted = consistentPrefixLength(index, logSizeBytes);
    const coveredEnd = trusted === 0 ? 0 : index.endPositionAt(trusted - 1);

    // First record at or after the last durable point: re-validate from the message it describes.
    const verifyFrom = parameters.validateChecksumsOnOpen ? 0 : Math.max(0, coveredEnd - parameters.recoveryVerifyTailBytes);
    let low = 0;
    let high = trusted;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const start = middle === 0 ? 0 : index.endPositionAt(middle - 1);
      if (start < verifyFrom) low = middle + 1;
      else high = middle;
    }
    const firstChecked = low;
    index.truncate(firstChecked);
    const fromPosition = firstChecked === 0 ? 0 : index.endPositionAt(firstChecked - 1);
    const scan = scanLog(
      { fd: logFd, fileSizeBytes: logSizeBytes, fromPosition, firstOffset: segment.startOffset + firstChecked, segmentStartOffset: segment.startOffset, verifyChecksums: true },
      index,
    );
    report.validatedMessages += scan.messagesCount;
    let changed = false;
    if (scan.endPosition < logSizeBytes && isBlockPadding(logFd, scan.endPosition, logSizeBytes)) {
      // Zeros up to a block boundary after the last message: what a direct write leaves before the
      // segment is trimmed (log-writer.ts). Not damage; trimmed quietly.
      ftruncateSync(logFd, scan.endPosition);
      report.trimmedPaddingBytes += logSizeBytes - scan.endPosition;
      changed = true;
      logger?.info({ path: segment.logPath, atPosition: scan.endPosition, paddingBytes: logSizeBytes - scan.endPosition }, 'trimmed direct I/O block padding');
    } else if (scan.endPosition < logSizeBytes) {
      ftruncateSync(logFd, scan.endPosition);
      report.truncatedBytes += logSizeBytes - scan.endPosition;
      changed = true;
      logger?.warn(
        { path: segment.logPath, reason: scan.stopReason, atPosition: scan.endPosition, validMessages: index.count, truncatedBytes: logSizeBytes - scan.endPosition },
        'truncated torn or corrupt tail of the active segment log',
      );
    }
    if (indexSizeBytes !== index.count * IndexRecord.size || trusted !== fileRecords) {
      // Records before firstChecked are the file's own, unchanged; rewrite from there on.
      writeAllAt(indexFd, index.bytes.subarray(firstChecked * IndexRecord.size, index.count * IndexRecord.size), firstChecked * IndexRecord.size);
      ftruncateSync(indexFd, index.count * IndexRecord.size);
      report.rebuiltIndexes += 1;
      changed = true;
      logger?.warn(
        { path: segment.indexPath, records: index.count, previousRecords: fileRecords, previousSizeBytes: indexSizeBytes, trustedRecords: trusted },
        'repaired active segment index from its log',
      );
    }
    if (changed) {
      fdatasyncSync(logFd);
      fdatasyncSync(indexFd);
    }
    assert(index.count === 0 || index.endPositionAt(index.count - 1) === scan.endPosition, 'recovered index ends where the valid log ends');
    segment.messagesCount = index.count;
    segment.sizeBytes = scan.endPosition;
    segment.firstTimestampUs = index.count > 0 ? index.timestampAt(0) : 0;
    segment.lastTimestampUs = index.count > 0 ? index.timestampAt(index.count - 1) : 0;
  } finally {
    closeSync(logFd);
    closeSync(indexFd);
  }
}
