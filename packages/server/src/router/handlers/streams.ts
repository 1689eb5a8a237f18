/** Streams, topics, partitions and segments (reference 4.6–4.9). */
import {
  CommandCode,
  ErrorCode,
  IggyError,
  decodeCreatePartitionsRequest,
  decodeCreateStreamRequest,
  decodeCreateTopicRequest,
  decodeDeletePartitionsRequest,
  decodeDeleteSegmentsRequest,
  decodeDeleteStreamRequest,
  decodeDeleteTopicRequest,
  decodeGetStreamRequest,
  decodeGetStreamsRequest,
  decodeGetTopicRequest,
  decodeGetTopicsRequest,
  decodePurgeStreamRequest,
  decodePurgeTopicRequest,
  decodeUpdateStreamRequest,
  decodeUpdateTopicRequest,
  encodeCreateStreamResponse,
  encodeCreateTopicResponse,
  encodeGetStreamResponse,
  encodeGetStreamsResponse,
  encodeGetTopicResponse,
  encodeGetTopicsResponse,
} from '@iggy-ts/protocol';
import {
  canCreateStream,
  canCreateTopic,
  canManageStream,
  canManageTopic,
  canReadStream,
  canReadStreams,
  canReadTopic,
  canReadTopics,
  ensurePermitted,
} from '../../metadata/permissions.js';
import type { CompressionAlgorithm, Stream, Topic } from '../../metadata/model.js';
import { command, type Command } from '../command.js';
import type { Context } from '../context.js';
import { destroyPartitions, openPartitions, purgePartitions, removeEmptyDirectories, streamDirectories, topicDirectory } from '../partition-ops.js';
import { streamDetails, streamInfo, topicDetails, topicInfo } from '../views.js';
import { permissionsOf } from './auth.js';

/** Drops a deleted stream's or topic's groups from the sessions that had joined them. */
function forgetJoinedGroups(context: Context, streamId: number, topicId?: number, groupId?: number): void {
  for (const session of context.state.sessions.all()) {
    for (let i = session.joinedGroups.length - 1; i >= 0; i -= 1) {
      const joined = session.joinedGroups[i]!;
      if (joined.streamId !== streamId) continue;
      if (topicId !== undefined && joined.topicId !== topicId) continue;
      if (groupId !== undefined && joined.groupId !== groupId) continue;
      session.joinedGroups.splice(i, 1);
    }
  }
}

async function deleteTopicData(context: Context, topic: Topic): Promise<void> {
  const { state } = context;
  await destroyPartitions(state, topic.streamId, topic.id, topic.partitions.map((partition) => partition.id));
  state.stats.removeTopic(topic.streamId, topic.id);
  removeEmptyDirectories([`${topicDirectory(state.config.system.path, topic.streamId, topic.id)}/partitions`, topicDirectory(state.config.system.path, topic.streamId, topic.id)]);
}

function requireTopicManager(context: Context, topic: Topic): void {
  ensurePermitted(canManageTopic(permissionsOf(context), topic.streamId, topic.id));
}

export { forgetJoinedGroups };

export const streamCommands: Command<unknown>[] = [
  command(CommandCode.GetStream, decodeGetStreamRequest, (context, request) => {
    const stream = context.state.metadata.getStream(request.streamId);
    if (stream === undefined) return undefined;
    ensurePermitted(canReadStream(permissionsOf(context), stream.id));
    return encodeGetStreamResponse(streamDetails(stream, context.state.stats));
  }),
  command(CommandCode.GetStreams, decodeGetStreamsRequest, (context) => {
    ensurePermitted(canReadStreams(permissionsOf(context)));
    const streams = context.state.metadata.getStreams().sort((a, b) => a.id - b.id);
    return encodeGetStreamsResponse(streams.map((stream) => streamInfo(stream, context.state.stats)));
  }),
  command(CommandCode.CreateStream, decodeCreateStreamRequest, (context, request) => {
    ensurePermitted(canCreateStream(permissionsOf(context)));
    const stream = context.state.metadata.createStream(request.name);
    return encodeCreateStreamResponse(streamDetails(stream, context.state.stats));
  }),
  command(CommandCode.UpdateStream, decodeUpdateStreamRequest, (context, request) => {
    const stream = context.state.metadata.requireStream(request.streamId);
    ensurePermitted(canManageStream(permissionsOf(context), stream.id));
    context.state.metadata.updateStream(stream.id, request.name);
    return undefined;
  }),
  command(CommandCode.DeleteStream, decodeDeleteStreamRequest, async (context, request) => {
    const { state } = context;
    const stream = state.metadata.requireStream(request.streamId);
    ensurePermitted(canManageStream(permissionsOf(context), stream.id));
    const topics = [...stream.topics.values()];
    state.metadata.deleteStream(stream.id);
    forgetJoinedGroups(context, stream.id);
    await Promise.all(topics.map((topic) => deleteTopicData(context, topic)));
    state.stats.removeStream(stream.id);
    removeEmptyDirectories(streamDirectories(state.config.system.path, stream.id));
    return undefined;
  }),
  command(CommandCode.PurgeStream, decodePurgeStreamRequest, async (context, request) => {
    const stream: Stream = context.state.metadata.requireStream(request.streamId);
    ensurePermitted(canManageStream(permissionsOf(context), stream.id));
    await Promise.all([...stream.topics.values()].map((topic) => purgePartitions(context.state, topic)));
    context.state.metadata.notePurged(stream.id);
    return undefined;
  }),
  command(CommandCode.GetTopic, decodeGetTopicRequest, (context, request) => {
    const topic = context.state.metadata.getTopic(request.streamId, request.topicId);
    if (topic === undefined) return undefined;
    ensurePermitted(canReadTopic(permissionsOf(context), topic.streamId, topic.id));
    return encodeGetTopicResponse(topicDetails(topic, context.state.stats));
  }),
  command(CommandCode.GetTopics, decodeGetTopicsRequest, (context, request) => {
    const stream = context.state.metadata.getStream(request.streamId);
    if (stream === undefined) return undefined;
    ensurePermitted(canReadTopics(permissionsOf(context), stream.id));
    const topics = [...stream.topics.values()].sort((a, b) => a.id - b.id);
    return encodeGetTopicsResponse(topics.map((topic) => topicInfo(topic, context.state.stats)));
  }),
  command(CommandCode.CreateTopic, decodeCreateTopicRequest, async (context, request) => {
    const { state } = context;
    const stream = state.metadata.requireStream(request.streamId);
    ensurePermitted(canCreateTopic(permissionsOf(context), stream.id));
    if (request.partitionsCount > state.config.limits.partitionCountPerTopicMax) throw new IggyError(ErrorCode.TooManyPartitions);
    const topic = state.metadata.createTopic(stream.id, {
      name: request.name,
      partitionsCount: request.partitionsCount,
      compressionAlgorithm: request.compressionAlgorithm as CompressionAlgorithm,
      messageExpiryUs: request.messageExpiry,
      maxTopicSizeBytes: request.maxTopicSize,
      replicationFactor: request.replicationFactor,
    });
    await openPartitions(state, topic, topic.partitions.map((partition) => partition.id));
    return encodeCreateTopicResponse(topicDetails(topic, state.stats));
  }),
  command(CommandCode.UpdateTopic, decodeUpdateTopicRequest, (context, request) => {
    const topic = context.state.metadata.requireTopic(request.streamId, request.topicId);
    requireTopicManager(context, topic);
    context.state.metadata.updateTopic(topic.streamId, topic.id, {
      name: request.name,
      compressionAlgorithm: request.compressionAlgorithm as CompressionAlgorithm,
      messageExpiryUs: request.messageExpiry,
      maxTopicSizeBytes: request.maxTopicSize,
      replicationFactor: request.replicationFactor,
    });
    return undefined;
  }),
  command(CommandCode.DeleteTopic, decodeDeleteTopicRequest, async (context, request) => {
    const topic = context.state.metadata.requireTopic(request.streamId, request.topicId);
    requireTopicManager(context, topic);
    context.state.metadata.deleteTopic(topic.streamId, topic.id);
    forgetJoinedGroups(context, topic.streamId, topic.id);
    await deleteTopicData(context, topic);
    return undefined;
  }),
  command(CommandCode.PurgeTopic, decodePurgeTopicRequest, async (context, request) => {
    const topic = context.state.metadata.requireTopic(request.streamId, request.topicId);
    requireTopicManager(context, topic);
    await purgePartitions(context.state, topic);
    context.state.metadata.notePurged(topic.streamId, topic.id);
    return undefined;
  }),
  command(CommandCode.CreatePartitions, decodeCreatePartitionsRequest, async (context, request) => {
    const topic = context.state.metadata.requireTopic(request.streamId, request.topicId);
    requireTopicManager(context, topic);
    const added = context.state.metadata.createPartitions(topic.streamId, topic.id, request.partitionsCount);
    await openPartitions(context.state, topic, added);
    return undefined;
  }),
  command(CommandCode.DeletePartitions, decodeDeletePartitionsRequest, async (context, request) => {
    const topic = context.state.metadata.requireTopic(request.streamId, request.topicId);
    requireTopicManager(context, topic);
    const removed = context.state.metadata.deletePartitions(topic.streamId, topic.id, request.partitionsCount);
    await destroyPartitions(context.state, topic.streamId, topic.id, removed);
    context.state.stats.removeTopic(topic.streamId, topic.id, topic.partitions.length);
    return undefined;
  }),
  command(CommandCode.DeleteSegments, decodeDeleteSegmentsRequest, async (context, request) => {
    const topic = context.state.metadata.requireTopic(request.streamId, request.topicId);
    requireTopicManager(context, topic);
    if (topic.partitions[request.partitionId] === undefined) throw new IggyError(ErrorCode.PartitionNotFound);
    const partition = { streamId: topic.streamId, topicId: topic.id, partitionId: request.partitionId };
    const reply = await context.state.shards.forPartition({ op: 'deleteSegments', partition, count: request.segmentsCount });
    if (reply.stats !== undefined) context.state.stats.set(partition, reply.stats);
    return undefined;
  }),
];
