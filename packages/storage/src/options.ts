/**
 * Options of a partition log, their defaults and their validation. Every limit carries its unit
 * last in its name; `resolvePartitionLogOptions` turns the caller's partial options into a complete,
 * checked set once, at open.
 */
import type { MessageCipher } from './encryption.js';

/** pino-compatible logger subset: `(object, message)`. */
export interface StorageLogger {
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
}

export type DurabilityMode = 'fsync' | 'buffered';

export interface DurabilityOptions {
  /**
   * 'fsync': every append writes the log bytes and index records and fdatasyncs both before it
   * returns (acknowledged ⇒ durable). 'buffered': appends stay in the in-memory journal until a
   * threshold below is reached or `flush()` is called.
   */
  mode: DurabilityMode;
  /** Buffered mode: write the journal once this many messages are pending. Default 1024. */
  flushMessagesCount?: number;
  /** Buffered mode: write the journal once this many bytes are pending. Default 1 MiB. */
  flushSizeBytes?: number;
}

export interface DedupOptions {
  enabled: boolean;
  /** Most ids remembered per partition. Default 10 000. */
  maxEntries?: number;
  /** How long an id is remembered, in ms. Default 60 000. */
  expiryMs?: number;
}

export interface PartitionLogOptions {
  /** Partition directory; created when missing. */
  directory: string;
  /** Soft rollover threshold of a segment (the batch crossing it is written whole). Default 1 GiB, max 4 GiB. */
  segmentSizeBytes?: number;
  durability?: DurabilityOptions;
  /** Size of the ring-buffer cache holding the newest bytes of the active segment. Default 8 MiB, max 4 GiB; 0 disables it. */
  cacheSizeBytes?: number;
  /** Verify checksum and offset of every message read from the segment files. Default true. */
  verifyChecksumsOnRead?: boolean;
  /**
   * Write segment logs with O_DIRECT from page-aligned staging memory (default true); falls back to
   * the page cache where the file system refuses O_DIRECT. See log-writer.ts.
   */
  directIo?: boolean;
  /** Largest message block a poll returns (at least one message is always returned). Default 64 MiB. */
  maxPollBytes?: number;
  /**
   * At open, the last segment's messages from this many bytes before the end of its index-covered
   * part onwards are re-validated (checksum, offsets), in addition to every message the index does
   * not cover. Default: the buffered flush threshold (1 MiB).
   */
  recoveryVerifyTailBytes?: number;
  /**
   * At open, verify every message of every segment (Iggy's `validate_checksum`): a corrupt sealed
   * segment makes `open` throw; the active segment is validated whole and truncated at the first
   * invalid message. Slow on large partitions. Default false.
   */
  validateChecksumsOnOpen?: boolean;
  /** Sealed segments whose files stay open for reads (least recently used are closed). Default 8. */
  sealedSegmentReadersMax?: number;
  /** Consumer-offset files kept open for writing (least recently used are closed). Default 64. */
  consumerOffsetFilesOpenMax?: number;
  /** Current time in µs since the Unix epoch. Injectable for tests. */
  clock?: () => number;
  logger?: StorageLogger;
  dedup?: DedupOptions;
  /**
   * Encryption at rest: appends are sealed with this cipher and polls opened with it (see
   * encryption.ts). Absent: messages are stored as sent. A cipher may be shared by the logs of one
   * thread. The key must match the partition's data (the server checks it at start).
   */
  encryption?: MessageCipher;
}

export interface ResolvedPartitionLogOptions {
  directory: string;
  segmentSizeBytes: number;
  durabilityMode: DurabilityMode;
  flushMessagesCount: number;
  flushSizeBytes: number;
  cacheSizeBytes: number;
  verifyChecksumsOnRead: boolean;
  directIo: boolean;
  maxPollBytes: number;
  recoveryVerifyTailBytes: number;
  validateChecksumsOnOpen: boolean;
  sealedSegmentReadersMax: number;
  consumerOffsetFilesOpenMax: number;
  clock: () => number;
  logger: StorageLogger | undefined;
  dedupEnabled: boolean;
  dedupMaxEntries: number;
  dedupExpiryMs: number;
  encryption: MessageCipher | undefined;
}

export const KIB = 1024;
export const MIB = 1024 * KIB;
export const GIB = 1024 * MIB;

/** Index positions are u32: a segment's log can never exceed this many bytes. */
export const SEGMENT_SIZE_BYTES_MAX = 4 * GIB;
export const SEGMENT_LOG_POSITION_MAX = 0xffff_ffff;

export const PARTITION_LOG_DEFAULTS = {
  segmentSizeBytes: GIB,
  flushMessagesCount: 1024,
  flushSizeBytes: MIB,
  cacheSizeBytes: 8 * MIB,
  maxPollBytes: 64 * MIB,
  sealedSegmentReadersMax: 8,
  consumerOffsetFilesOpenMax: 64,
  dedupMaxEntries: 10_000,
  dedupExpiryMs: 60_000,
} as const;

/** µs since the Unix epoch, with sub-millisecond resolution. */
export function systemClockUs(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

function positiveInteger(name: string, value: number, max = Number.MAX_SAFE_INTEGER, min = 1): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`partition log option ${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

export function resolvePartitionLogOptions(options: PartitionLogOptions): ResolvedPartitionLogOptions {
  if (typeof options.directory !== 'string' || options.directory.length === 0) {
    throw new RangeError('partition log option directory must be a non-empty path');
  }
  const durability = options.durability ?? { mode: 'buffered' };
  if (durability.mode !== 'fsync' && durability.mode !== 'buffered') {
    throw new RangeError(`partition log option durability.mode must be 'fsync' or 'buffered', got ${String(durability.mode)}`);
  }
  const flushSizeBytes = positiveInteger('durability.flushSizeBytes', durability.flushSizeBytes ?? PARTITION_LOG_DEFAULTS.flushSizeBytes);
  const dedup = options.dedup;
  return {
    directory: options.directory,
    segmentSizeBytes: positiveInteger('segmentSizeBytes', options.segmentSizeBytes ?? PARTITION_LOG_DEFAULTS.segmentSizeBytes, SEGMENT_SIZE_BYTES_MAX),
    durabilityMode: durability.mode,
    flushMessagesCount: positiveInteger('durability.flushMessagesCount', durability.flushMessagesCount ?? PARTITION_LOG_DEFAULTS.flushMessagesCount),
    flushSizeBytes,
    // A Buffer (the ring's view) holds at most 4 GiB in Node 20.
    cacheSizeBytes: positiveInteger('cacheSizeBytes', options.cacheSizeBytes ?? PARTITION_LOG_DEFAULTS.cacheSizeBytes, 4 * GIB, 0),
    verifyChecksumsOnRead: options.verifyChecksumsOnRead ?? true,
    directIo: options.directIo ?? true,
    maxPollBytes: positiveInteger('maxPollBytes', options.maxPollBytes ?? PARTITION_LOG_DEFAULTS.maxPollBytes, 2 * GIB - 1),
    recoveryVerifyTailBytes: positiveInteger('recoveryVerifyTailBytes', options.recoveryVerifyTailBytes ?? flushSizeBytes, Number.MAX_SAFE_INTEGER, 0),
    validateChecksumsOnOpen: options.validateChecksumsOnOpen ?? false,
    sealedSegmentReadersMax: positiveInteger('sealedSegmentReadersMax', options.sealedSegmentReadersMax ?? PARTITION_LOG_DEFAULTS.sealedSegmentReadersMax, 1024),
    consumerOffsetFilesOpenMax: positiveInteger('consumerOffsetFilesOpenMax', options.consumerOffsetFilesOpenMax ?? PARTITION_LOG_DEFAULTS.consumerOffsetFilesOpenMax, 65_536),
    clock: options.clock ?? systemClockUs,
    logger: options.logger,
    dedupEnabled: dedup?.enabled === true,
    dedupMaxEntries: positiveInteger('dedup.maxEntries', dedup?.maxEntries ?? PARTITION_LOG_DEFAULTS.dedupMaxEntries),
    dedupExpiryMs: positiveInteger('dedup.expiryMs', dedup?.expiryMs ?? PARTITION_LOG_DEFAULTS.dedupExpiryMs),
    encryption: options.encryption,
  };
}
