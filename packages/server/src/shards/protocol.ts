/**
 * Messages between the router thread and the shard workers.
 *
 * Every request carries a numeric `requestId`; the worker answers each with exactly one reply of the
 * same id. Partition work for one partition always goes to the same worker (its owner), and a worker
 * handles its messages in arrival order, so per-partition operations are serialised without locks.
 * Payload bytes travel as transferred ArrayBuffers (moved, not cloned): the router gives up the
 * SendMessages frame, the worker gives up the poll response it built.
 */

/** Identifies a partition across the whole server. */
export interface PartitionAddress {
  streamId: number;
  topicId: number;
  partitionId: number;
}

/** Figures the router mirrors for stream/topic/partition listings and stats. */
export interface PartitionStats {
  currentOffset: number;
  messagesCount: number;
  sizeBytes: number;
  segmentsCount: number;
  /** True when the partition has never held a message since its last purge. */
  empty: boolean;
  cacheHits: number;
  cacheMisses: number;
}

export type ConsumerKindName = 'consumer' | 'group';

export type ShardRequest =
  | { op: 'open'; requestId: number; partition: PartitionAddress; createdAtUs: number }
  | { op: 'append'; requestId: number; partition: PartitionAddress; buffer: ArrayBuffer; byteOffset: number; byteLength: number; count: number }
  | {
      op: 'poll';
      requestId: number;
      partition: PartitionAddress;
      consumerKind: ConsumerKindName;
      consumerId: number;
      strategyKind: number;
      strategyValue: number;
      count: number;
      autoCommit: boolean;
      /** Bytes left free in front of the messages for the response frame and poll headers. */
      headerReserveBytes: number;
    }
  | { op: 'flush'; requestId: number; partition: PartitionAddress; fsync: boolean }
  | { op: 'flushAll'; requestId: number; fsync: boolean }
  | { op: 'getOffset'; requestId: number; partition: PartitionAddress; consumerKind: ConsumerKindName; consumerId: number }
  | { op: 'storeOffset'; requestId: number; partition: PartitionAddress; consumerKind: ConsumerKindName; consumerId: number; offset: number }
  | { op: 'deleteOffset'; requestId: number; partition: PartitionAddress; consumerKind: ConsumerKindName; consumerId: number }
  | { op: 'deleteGroupOffsets'; requestId: number; partition: PartitionAddress; groupId: number }
  | { op: 'deleteSegments'; requestId: number; partition: PartitionAddress; count: number }
  | { op: 'purge'; requestId: number; partition: PartitionAddress }
  | { op: 'destroy'; requestId: number; partition: PartitionAddress }
  | { op: 'retention'; requestId: number; partition: PartitionAddress; messageExpiryUs: number | null; maxSizeBytes: number | null }
  | { op: 'close'; requestId: number };

export type ShardReply =
  | {
      requestId: number;
      ok: true;
      stats?: PartitionStats;
      value?: number | null;
      /** A poll response frame, moved to the router. */
      buffer?: ArrayBuffer;
      byteLength?: number;
      count?: number;
      firstOffset?: number;
      /** The SendMessages frame buffer, moved back to the router's pool after the append. */
      returned?: ArrayBuffer;
    }
  | { requestId: number; ok: false; errorCode: number; message: string };

/** What a worker receives in `workerData`. */
export interface ShardWorkerData {
  shardId: number;
  dataPath: string;
  segmentSizeBytes: number;
  cacheSizeBytes: number;
  durabilityMode: 'fsync' | 'buffered';
  flushMessagesCount: number;
  flushSizeBytes: number;
  flushIntervalMs: number;
  enforceFsyncOnInterval: boolean;
  verifyChecksumsOnRead: boolean;
  directIo: boolean;
  /** Verify every message checksum of every segment when a partition opens (refuse to start on corruption). */
  validateChecksumsOnOpen: boolean;
  pollResponseSizeBytesMax: number;
  dedup: { enabled: boolean; maxEntries: number; expiryMs: number };
  logLevel: string;
  /** The configured log file, which the workers append to as well. */
  logFile: string | null;
  /** Encryption at rest: base64 of the AES-256-GCM key (checked against the data by server.ts first); null when off. */
  encryptionKey: string | null;
}

/**
 * Stable owner of a partition. The stream and topic ids are hashed to a starting shard and the
 * partition id is added to it, so every start maps a partition to the same shard and the partitions of
 * one topic land on different shards (they are written in parallel).
 */
export function shardOf(partition: PartitionAddress, shardsCount: number): number {
  let h = Math.imul(partition.streamId ^ 0x9e3779b1, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 15) ^ partition.topicId, 0xc2b2ae3d);
  h ^= h >>> 16;
  return ((h >>> 0) + partition.partitionId) % shardsCount;
}

/** Directory of a partition under the data path (same layout as Iggy 0.8). */
export function partitionDirectory(dataPath: string, partition: PartitionAddress): string {
  return `${dataPath}/streams/${partition.streamId}/topics/${partition.topicId}/partitions/${partition.partitionId}`;
}
