/**
 * The router's mirror of per-partition figures (current offset, counts, sizes). Shards report them
 * in every reply that changes them, so stream/topic listings and stats never ask the shards.
 */
import type { PartitionAddress, PartitionStats } from '../shards/protocol.js';

export function emptyPartitionStats(): PartitionStats {
  return { currentOffset: 0, messagesCount: 0, sizeBytes: 0, segmentsCount: 1, empty: true, cacheHits: 0, cacheMisses: 0 };
}

export class PartitionStatsTable {
  private readonly byTopic = new Map<string, PartitionStats[]>();

  private static topicKey(streamId: number, topicId: number): string {
    return `${streamId}/${topicId}`;
  }

  get(partition: PartitionAddress): PartitionStats {
    return this.byTopic.get(PartitionStatsTable.topicKey(partition.streamId, partition.topicId))?.[partition.partitionId] ?? emptyPartitionStats();
  }

  set(partition: PartitionAddress, stats: PartitionStats): void {
    const key = PartitionStatsTable.topicKey(partition.streamId, partition.topicId);
    let list = this.byTopic.get(key);
    if (list === undefined) {
      list = [];
      this.byTopic.set(key, list);
    }
    list[partition.partitionId] = stats;
  }

  /** Forgets partitions from `fromPartitionId` on (DeletePartitions) or the whole topic. */
  removeTopic(streamId: number, topicId: number, fromPartitionId = 0): void {
    const key = PartitionStatsTable.topicKey(streamId, topicId);
    const list = this.byTopic.get(key);
    if (list === undefined) return;
    if (fromPartitionId === 0) this.byTopic.delete(key);
    else list.length = Math.min(list.length, fromPartitionId);
  }

  removeStream(streamId: number): void {
    for (const key of [...this.byTopic.keys()]) if (key.startsWith(`${streamId}/`)) this.byTopic.delete(key);
  }

  topicTotals(streamId: number, topicId: number, partitionsCount: number): { sizeBytes: number; messagesCount: number } {
    let sizeBytes = 0;
    let messagesCount = 0;
    for (let partitionId = 0; partitionId < partitionsCount; partitionId += 1) {
      const stats = this.get({ streamId, topicId, partitionId });
      sizeBytes += stats.sizeBytes;
      messagesCount += stats.messagesCount;
    }
    return { sizeBytes, messagesCount };
  }

  all(): IterableIterator<[string, PartitionStats[]]> {
    return this.byTopic.entries();
  }
}
