/**
 * @iggy-ts/storage: the segmented partition log of iggy-ts (segments, indexes, ring-buffer cache,
 * durability, recovery, consumer offsets, deduplication, encryption at rest). See docs/on-disk-format.md.
 */
export { PartitionLog, type AppendResult, type PollResult, type SealedSegmentInfo, type ConsumerKind } from './partition-log.js';
export type { RecoveryReport } from './recovery.js';
export {
  PARTITION_LOG_DEFAULTS,
  SEGMENT_SIZE_BYTES_MAX,
  systemClockUs,
  type DedupOptions,
  type DurabilityMode,
  type DurabilityOptions,
  type PartitionLogOptions,
  type ResolvedPartitionLogOptions,
  type StorageLogger,
} from './options.js';
export { IndexRecord, segmentFileStem, segmentIndexPath, segmentLogPath } from './segment.js';
export { AssertionError } from './assert.js';
export {
  ENCRYPTION_CHECK_FILE_NAME,
  ENCRYPTION_KEY_SIZE_BYTES,
  EncryptionKeyError,
  MessageCipher,
  SEALED_OVERHEAD_BYTES,
  checkEncryptionKey,
  parseEncryptionKey,
  type EncryptionCheckParameters,
  type EncryptionCheckResult,
  type MessageCipherOptions,
} from './encryption.js';
