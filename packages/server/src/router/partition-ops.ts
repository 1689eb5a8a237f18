/**
 * Partition lifecycle across the shards: open, purge and destroy a topic's partitions on their
 * owners, and keep the router's figures in step.
 */
import { rmdirSync } from 'node:fs';
import type { Topic } from '../metadata/model.js';
import type { ServerState } from './context.js';

export async function openPartitions(state: ServerState, topic: Topic, partitionIds: readonly number[]): Promise<void> {
  await Promise.all(
    partitionIds.map(async (partitionId) => {
      const partition = { streamId: topic.streamId, topicId: topic.id, partitionId };
      const createdAtUs = topic.partitions[partitionId]?.createdAtUs ?? Date.now() * 1000;
      const reply = await state.shards.forPartition({ op: 'open', partition, createdAtUs });
      if (reply.stats !== undefined) state.stats.set(partition, reply.stats);
    }),
  );
}

export async function destroyPartitions(state: ServerState, streamId: number, topicId: number, partitionIds: readonly number[]): Promise<void> {
  await Promise.all(
    partitionIds.map((partitionId) => state.shards.forPartition({ op: 'destroy', partition: { streamId, topicId, partitionId } })),
  );
}

export async function purgePartitions(state: ServerState, topic: Topic): Promise<void> {
  await Promise.all(
    topic.partitions.map(async ({ id: partitionId }) => {
      const partition = { streamId: topic.streamId, topicId: topic.id, partitionId };
      const reply = await state.shards.forPartition({ op: 'purge', partition });
      if (reply.stats !== undefined) state.stats.set(partition, reply.stats);
    }),
  );
}

/** Removes now-empty directories left by destroyed partitions; a directory reused meanwhile stays. */
export function removeEmptyDirectories(paths: readonly string[]): void {
  for (const path of paths) {
    try {
      rmdirSync(path);
    } catch {
      // Not empty (an id was reused by a new topic or stream) or already gone: leave it.
    }
  }
}

export function topicDirectory(dataPath: string, streamId: number, topicId: number): string {
  return `${dataPath}/streams/${streamId}/topics/${topicId}`;
}

export function streamDirectories(dataPath: string, streamId: number): string[] {
  return [`${dataPath}/streams/${streamId}/topics`, `${dataPath}/streams/${streamId}`];
}
