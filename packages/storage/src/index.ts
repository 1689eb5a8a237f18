/**
 * @iggy-ts/storage: the segmented partition log of iggy-ts (segments, indexes, ring-buffer cache,
 * durability, recovery, consumer offsets, deduplication). See docs/on-disk-format.md.
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
