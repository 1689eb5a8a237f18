/**
 * SendMessages, PollMessages, FlushUnsavedBuffer and consumer offsets (reference 4.4, 4.5, 5, 10.4).
 * The hot path: SendMessages is validated here without allocating per message, then its frame's
 * ArrayBuffer is transferred to the partition's shard; a poll comes back from the shard as a complete
 * response frame and is written to the socket as is.
 */
import {
  CommandCode,
  ConsumerKind,
  ErrorCode,
  IggyError,
  PartitioningKind,
  decodeDeleteConsumerOffsetRequest,
  decodeFlushUnsavedBufferRequest,
  decodeGetConsumerOffsetRequest,
  decodePollMessagesRequest,
  decodeSendMessagesHeader,
  decodeStoreConsumerOffsetRequest,
  encodeGetConsumerOffsetResponse,
  partitionForKey,
  validateSendMessages,
  xxh32,
  type Consumer,
  type Identifier,
} from '@iggy-ts/protocol';
import { canPollMessages, canSendMessages, ensurePermitted } from '../../metadata/permissions.js';
import type { ConsumerGroup, Topic } from '../../metadata/model.js';
import type { ConsumerKindName, PartitionAddress } from '../../shards/protocol.js';
import { POLL_RESERVE_BYTES, writePollHeaders } from '../../shards/buffers.js';
import { command, type Command } from '../command.js';
import { FramedResponse, type Context } from '../context.js';
import { permissionsOf } from './auth.js';

/** An individual consumer named by a string is keyed by XXH32 of its UTF-8 bytes (reference 2.3). */
function consumerIdOf(id: Identifier): number {
  return typeof id === 'number' ? id : xxh32(Buffer.from(id, 'utf8'));
}

function requirePartition(topic: Topic, partitionId: number): PartitionAddress {
  if (topic.partitions[partitionId] === undefined) throw new IggyError(ErrorCode.PartitionNotFound);
  return { streamId: topic.streamId, topicId: topic.id, partitionId };
}

function emptyPollFrame(): FramedResponse {
  const buffer = new ArrayBuffer(POLL_RESERVE_BYTES);
  writePollHeaders(buffer, POLL_RESERVE_BYTES, 0, 0, 0);
  return new FramedResponse(new Uint8Array(buffer));
}

interface ResolvedConsumer {
  partition: PartitionAddress;
  kind: ConsumerKindName;
  id: number;
  group: ConsumerGroup | undefined;
}

/**
 * Partition and offset key of a consumer for Store/DeleteConsumerOffset: an individual consumer uses
 * the given partition or 0; a group member must own the partition (3022) or gets its current slot.
 */
function resolveOffsetConsumer(context: Context, topic: Topic, consumer: Consumer, partitionId: number | undefined): ResolvedConsumer {
  if (consumer.kind === ConsumerKind.Consumer) {
    return { partition: requirePartition(topic, partitionId ?? 0), kind: 'consumer', id: consumerIdOf(consumer.id), group: undefined };
  }
  const group = context.state.metadata.requireConsumerGroup(topic.streamId, topic.id, consumer.id);
  const resolved = context.state.metadata.resolveGroupPartition(group, context.session.clientId, partitionId, 'offset');
  return { partition: requirePartition(topic, resolved), kind: 'group', id: group.id, group };
}

export const messageCommands: Command<unknown>[] = [
  command(CommandCode.SendMessages, decodeSendMessagesHeader, async (context, header, payload) => {
    const invalid = validateSendMessages(payload, header);
    if (invalid !== 0) throw new IggyError(invalid);
    const { state } = context;
    const topic = state.metadata.requireTopic(header.streamId, header.topicId);
    ensurePermitted(canSendMessages(permissionsOf(context), topic.streamId, topic.id));
    let partitionId: number;
    const partitioning = header.partitioning;
    if (partitioning.kind === PartitioningKind.Balanced) {
      const next = state.metadata.nextBalancedPartitionId(topic);
      if (next === undefined) throw new IggyError(ErrorCode.TopicIdNotFound);
      partitionId = next;
    } else if (partitioning.kind === PartitioningKind.PartitionId) {
      partitionId = partitioning.value.readUInt32LE(0);
    } else {
      if (topic.partitions.length === 0) throw new IggyError(ErrorCode.NoPartitions);
      partitionId = partitionForKey(partitioning.value, topic.partitions.length);
    }
    const partition = requirePartition(topic, partitionId);
    const blockLength = payload.length - header.messagesStart;
    const pool = state.shards.buffers;
    let buffer: ArrayBuffer;
    let byteOffset: number;
    if (payload.byteOffset === 0 && pool.owns(payload.buffer)) {
      // The frame was assembled in a pooled buffer: move it to the shard, no copy; it comes back after the append.
      buffer = payload.buffer;
      byteOffset = header.messagesStart;
    } else {
      // A small frame inside a socket chunk: copy its messages so the chunk itself is never detached.
      const copy = pool.acquire(blockLength);
      copy.set(payload.subarray(header.messagesStart));
      buffer = copy.buffer as ArrayBuffer;
      byteOffset = 0;
    }
    const reply = await state.shards.forPartition(
      { op: 'append', partition, buffer, byteOffset, byteLength: blockLength, count: header.messagesCount },
      [buffer],
    );
    if (reply.stats !== undefined) state.stats.set(partition, reply.stats);
    state.counters.writtenBytes += blockLength;
    state.counters.messagesSent += header.messagesCount;
    state.topicTraffic.noteSent(topic.streamId, topic.id, header.messagesCount, blockLength);
    return undefined;
  }),
  command(CommandCode.PollMessages, decodePollMessagesRequest, async (context, request) => {
    const { state } = context;
    const topic = state.metadata.requireTopic(request.streamId, request.topicId);
    ensurePermitted(canPollMessages(permissionsOf(context), topic.streamId, topic.id));
    let resolved: ResolvedConsumer;
    if (request.consumer.kind === ConsumerKind.Consumer) {
      resolved = { partition: requirePartition(topic, request.partitionId ?? 0), kind: 'consumer', id: consumerIdOf(request.consumer.id), group: undefined };
    } else {
      const group = state.metadata.requireConsumerGroup(topic.streamId, topic.id, request.consumer.id);
      let partitionId: number;
      try {
        partitionId = state.metadata.resolveGroupPartition(group, context.session.clientId, request.partitionId, 'poll');
      } catch (error) {
        // Nothing assignable to this member: an empty poll, as 0.8 answers (reference 10.4).
        if (error instanceof IggyError && error.code === ErrorCode.NotResolvedConsumer) return emptyPollFrame();
        throw error;
      }
      resolved = { partition: { streamId: topic.streamId, topicId: topic.id, partitionId }, kind: 'group', id: group.id, group };
    }
    const group = resolved.group;
    let lastOffset: bigint | null = null;
    try {
      if (topic.partitions[resolved.partition.partitionId] === undefined) throw new IggyError(ErrorCode.PartitionNotFound);
      const reply = await state.shards.forPartition({
        op: 'poll',
        partition: resolved.partition,
        consumerKind: resolved.kind,
        consumerId: resolved.id,
        strategyKind: request.strategy.kind,
        strategyValue: request.strategy.value,
        count: request.count,
        autoCommit: request.autoCommit,
        headerReserveBytes: POLL_RESERVE_BYTES,
      });
      if (reply.stats !== undefined) state.stats.set(resolved.partition, reply.stats);
      const count = reply.count ?? 0;
      if (count > 0 && reply.firstOffset !== undefined) lastOffset = BigInt(reply.firstOffset + count - 1);
      state.counters.readBytes += reply.byteLength ?? 0;
      state.counters.messagesPolled += count;
      state.topicTraffic.notePolled(topic.streamId, topic.id, count, Math.max(0, (reply.byteLength ?? 0) - POLL_RESERVE_BYTES));
      return new FramedResponse(new Uint8Array(reply.buffer!));
    } finally {
      if (group !== undefined) {
        state.metadata.notePolled(group, context.session.clientId, resolved.partition.partitionId, lastOffset);
        if (request.autoCommit && lastOffset !== null) state.metadata.noteCommitted(group, context.session.clientId, resolved.partition.partitionId, lastOffset);
      }
    }
  }),
  command(CommandCode.FlushUnsavedBuffer, decodeFlushUnsavedBufferRequest, async (context, request) => {
    const topic = context.state.metadata.requireTopic(request.streamId, request.topicId);
    ensurePermitted(canSendMessages(permissionsOf(context), topic.streamId, topic.id));
    const partition = requirePartition(topic, request.partitionId);
    const reply = await context.state.shards.forPartition({ op: 'flush', partition, fsync: request.fsync });
    if (reply.stats !== undefined) context.state.stats.set(partition, reply.stats);
    return undefined;
  }),
  command(CommandCode.GetConsumerOffset, decodeGetConsumerOffsetRequest, async (context, request) => {
    const { state } = context;
    const topic = state.metadata.getTopic(request.streamId, request.topicId);
    if (topic === undefined) return undefined;
    ensurePermitted(canPollMessages(permissionsOf(context), topic.streamId, topic.id));
    let kind: ConsumerKindName = 'consumer';
    let consumerId: number;
    if (request.consumer.kind === ConsumerKind.Consumer) {
      consumerId = consumerIdOf(request.consumer.id);
    } else {
      const group = state.metadata.getConsumerGroup(topic.streamId, topic.id, request.consumer.id);
      if (group === undefined) return undefined;
      kind = 'group';
      consumerId = group.id;
    }
    const partitionId = request.partitionId ?? 0;
    if (topic.partitions[partitionId] === undefined) return undefined;
    const partition = { streamId: topic.streamId, topicId: topic.id, partitionId };
    const reply = await state.shards.forPartition({ op: 'getOffset', partition, consumerKind: kind, consumerId });
    if (reply.value === null || reply.value === undefined) return undefined;
    const stats = reply.stats ?? state.stats.get(partition);
    return encodeGetConsumerOffsetResponse({ partitionId, currentOffset: stats.empty ? 0 : stats.currentOffset, storedOffset: reply.value });
  }),
  command(CommandCode.StoreConsumerOffset, decodeStoreConsumerOffsetRequest, async (context, request) => {
    const topic = context.state.metadata.requireTopic(request.streamId, request.topicId);
    ensurePermitted(canPollMessages(permissionsOf(context), topic.streamId, topic.id));
    const resolved = resolveOffsetConsumer(context, topic, request.consumer, request.partitionId);
    await context.state.shards.forPartition({ op: 'storeOffset', partition: resolved.partition, consumerKind: resolved.kind, consumerId: resolved.id, offset: request.offset });
    if (resolved.group !== undefined) {
      context.state.metadata.noteCommitted(resolved.group, context.session.clientId, resolved.partition.partitionId, BigInt(request.offset));
    }
    return undefined;
  }),
  command(CommandCode.DeleteConsumerOffset, decodeDeleteConsumerOffsetRequest, async (context, request) => {
    const topic = context.state.metadata.requireTopic(request.streamId, request.topicId);
    ensurePermitted(canPollMessages(permissionsOf(context), topic.streamId, topic.id));
    const resolved = resolveOffsetConsumer(context, topic, request.consumer, request.partitionId);
    await context.state.shards.forPartition({ op: 'deleteOffset', partition: resolved.partition, consumerKind: resolved.kind, consumerId: resolved.id });
    if (resolved.group !== undefined) context.state.metadata.noteCommitted(resolved.group, context.session.clientId, resolved.partition.partitionId, null);
    return undefined;
  }),
];
