/** Streams, topics, partitions and segments (0.8 `http/streams.rs`, `topics.rs`, `partitions.rs`, `segments.rs`). */
import {
  CommandCode,
  CompressionAlgorithm,
  ErrorCode,
  MAX_TOPIC_SIZE_UNLIMITED,
  decodeCreatePartitionsResponse,
  decodeCreateStreamResponse,
  decodeCreateTopicResponse,
  decodeDeletePartitionsResponse,
  decodeDeleteSegmentsResponse,
  decodeDeleteStreamResponse,
  decodeDeleteTopicResponse,
  decodeGetStreamResponse,
  decodeGetStreamsResponse,
  decodeGetTopicResponse,
  decodeGetTopicsResponse,
  decodePurgeStreamResponse,
  decodePurgeTopicResponse,
  decodeUpdateStreamResponse,
  decodeUpdateTopicResponse,
  encodeCreatePartitionsRequest,
  encodeCreateStreamRequest,
  encodeCreateTopicRequest,
  encodeDeletePartitionsRequest,
  encodeDeleteSegmentsRequest,
  encodeDeleteStreamRequest,
  encodeDeleteTopicRequest,
  encodeGetStreamRequest,
  encodeGetStreamsRequest,
  encodeGetTopicRequest,
  encodeGetTopicsRequest,
  encodePurgeStreamRequest,
  encodePurgeTopicRequest,
  encodeUpdateStreamRequest,
  encodeUpdateTopicRequest,
} from '@iggy-ts/protocol';
import { trySize } from '../../config/units.js';
import { Stream, StreamDetails, Topic, TopicDetails, bodies, identifierParam, uint32Param } from '../components.js';
import { iggyProblem, invalidFormatProblem, notFoundProblem } from '../errors.js';
import { defineRoute, json, noContent, type AnyRoute, type RouteContext } from '../route.js';
import { streamDetailsJson, streamJson, topicDetailsJson, topicJson } from '../views.js';
import { noBody, parseIdentifier, requireNameBytes } from './common.js';

const streamParams = { stream_id: identifierParam };
const topicParams = { stream_id: identifierParam, topic_id: identifierParam };

const streamIdOf = (context: RouteContext<unknown, unknown>) => parseIdentifier(context.params.stream_id!, 'stream_id');
const topicIdOf = (context: RouteContext<unknown, unknown>) => parseIdentifier(context.params.topic_id!, 'topic_id');

interface TopicSettingsBody {
  name: string;
  compression_algorithm: string;
  message_expiry: number | bigint;
  max_topic_size: number | bigint | string;
  replication_factor?: number | null;
}

const U64_MAX = 0xffff_ffff_ffff_ffffn;

/** `max_topic_size` as 0.8 accepts it: bytes, or text ("10 GB", "unlimited", "server_default"). */
function maxTopicSizeOf(value: number | bigint | string): bigint {
  if (typeof value !== 'string') return BigInt(value);
  const textValue = value.trim().toLowerCase();
  if (textValue === 'server_default' || textValue === 'default') return 0n;
  if (/^\d+$/.test(textValue)) {
    const bytes = BigInt(textValue);
    if (bytes > U64_MAX) throw invalidFormatProblem('field max_topic_size must fit in u64', 'max_topic_size');
    return bytes;
  }
  const parsed = trySize(value, { unlimited: true });
  if (!parsed.ok) throw invalidFormatProblem(`field max_topic_size ${parsed.reason}`, 'max_topic_size');
  return parsed.value === null ? MAX_TOPIC_SIZE_UNLIMITED : BigInt(parsed.value);
}

function topicSettings(body: TopicSettingsBody) {
  const replicationFactor = body.replication_factor ?? undefined;
  // 0.8 validation: an explicit replication factor of 0 is refused (absent means 1).
  if (replicationFactor === 0) throw iggyProblem(ErrorCode.InvalidReplicationFactor);
  return {
    name: requireNameBytes(body.name, ErrorCode.InvalidTopicName),
    compressionAlgorithm: body.compression_algorithm.toLowerCase() === 'gzip' ? CompressionAlgorithm.Gzip : CompressionAlgorithm.None,
    messageExpiry: BigInt(body.message_expiry),
    maxTopicSize: maxTopicSizeOf(body.max_topic_size),
    replicationFactor: replicationFactor ?? 0,
  };
}

export function streamRoutes(): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/streams',
      operationId: 'getStreams',
      summary: 'List streams',
      tag: 'streams',
      responses: { 200: { description: 'Streams, ascending id', schema: { type: 'array', items: Stream } } },
      handle: async (context) => {
        const streams = await context.call(CommandCode.GetStreams, encodeGetStreamsRequest(), decodeGetStreamsResponse);
        return json(200, [...streams].sort((a, b) => a.id - b.id).map(streamJson));
      },
    }),
    defineRoute<{ name: string }>({
      method: 'POST',
      path: '/streams',
      operationId: 'createStream',
      summary: 'Create a stream',
      tag: 'streams',
      body: bodies.createStream,
      responses: { 200: { description: 'The new stream', schema: StreamDetails } },
      handle: async (context) => {
        const name = requireNameBytes(context.body.name, ErrorCode.InvalidStreamName);
        return json(200, streamDetailsJson(await context.call(CommandCode.CreateStream, encodeCreateStreamRequest({ name }), decodeCreateStreamResponse)));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/streams/{stream_id}',
      operationId: 'getStream',
      summary: 'One stream with its topics',
      tag: 'streams',
      params: streamParams,
      responses: { 200: { description: 'StreamDetails', schema: StreamDetails } },
      handle: async (context) => {
        const stream = await context.call(CommandCode.GetStream, encodeGetStreamRequest({ streamId: streamIdOf(context) }), decodeGetStreamResponse);
        if (stream === undefined) throw notFoundProblem();
        return json(200, streamDetailsJson(stream));
      },
    }),
    defineRoute<{ name: string }>({
      method: 'PUT',
      path: '/streams/{stream_id}',
      operationId: 'updateStream',
      summary: 'Rename a stream',
      tag: 'streams',
      params: streamParams,
      body: bodies.updateStream,
      responses: { 204: noBody('Renamed') },
      handle: async (context) => {
        const name = requireNameBytes(context.body.name, ErrorCode.InvalidStreamName);
        await context.call(CommandCode.UpdateStream, encodeUpdateStreamRequest({ streamId: streamIdOf(context), name }), decodeUpdateStreamResponse);
        return noContent();
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/streams/{stream_id}',
      operationId: 'deleteStream',
      summary: 'Delete a stream with its topics and messages',
      tag: 'streams',
      params: streamParams,
      responses: { 204: noBody('Deleted') },
      handle: async (context) => {
        await context.call(CommandCode.DeleteStream, encodeDeleteStreamRequest({ streamId: streamIdOf(context) }), decodeDeleteStreamResponse);
        return noContent();
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/streams/{stream_id}/purge',
      operationId: 'purgeStream',
      summary: 'Delete every message of a stream',
      tag: 'streams',
      params: streamParams,
      responses: { 204: noBody('Purged') },
      handle: async (context) => {
        await context.call(CommandCode.PurgeStream, encodePurgeStreamRequest({ streamId: streamIdOf(context) }), decodePurgeStreamResponse);
        return noContent();
      },
    }),
  ];
}

export function topicRoutes(): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/streams/{stream_id}/topics',
      operationId: 'getTopics',
      summary: 'List the topics of a stream',
      tag: 'topics',
      params: streamParams,
      responses: { 200: { description: 'Topics, ascending id', schema: { type: 'array', items: Topic } } },
      handle: async (context) => {
        const streamId = streamIdOf(context);
        const topics = await context.call(CommandCode.GetTopics, encodeGetTopicsRequest({ streamId }), decodeGetTopicsResponse);
        // GetTopics answers an empty list for a missing stream; 0.8's HTTP route answers 404.
        if (topics.length === 0 && context.api.state.metadata.getStream(streamId) === undefined) throw notFoundProblem();
        return json(200, [...topics].sort((a, b) => a.id - b.id).map(topicJson));
      },
    }),
    defineRoute<TopicSettingsBody & { partitions_count: number }>({
      method: 'POST',
      path: '/streams/{stream_id}/topics',
      operationId: 'createTopic',
      summary: 'Create a topic',
      tag: 'topics',
      params: streamParams,
      body: bodies.createTopic,
      responses: { 200: { description: 'The new topic', schema: TopicDetails } },
      handle: async (context) => {
        const payload = encodeCreateTopicRequest({ streamId: streamIdOf(context), partitionsCount: context.body.partitions_count, ...topicSettings(context.body) });
        return json(200, topicDetailsJson(await context.call(CommandCode.CreateTopic, payload, decodeCreateTopicResponse)));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/streams/{stream_id}/topics/{topic_id}',
      operationId: 'getTopic',
      summary: 'One topic with its partitions',
      tag: 'topics',
      params: topicParams,
      responses: { 200: { description: 'TopicDetails', schema: TopicDetails } },
      handle: async (context) => {
        const topic = await context.call(CommandCode.GetTopic, encodeGetTopicRequest({ streamId: streamIdOf(context), topicId: topicIdOf(context) }), decodeGetTopicResponse);
        if (topic === undefined) throw notFoundProblem();
        return json(200, topicDetailsJson(topic));
      },
    }),
    defineRoute<TopicSettingsBody>({
      method: 'PUT',
      path: '/streams/{stream_id}/topics/{topic_id}',
      operationId: 'updateTopic',
      summary: 'Change a topic\'s name, compression, expiry, maximum size and replication factor',
      tag: 'topics',
      params: topicParams,
      body: bodies.updateTopic,
      responses: { 204: noBody('Updated') },
      handle: async (context) => {
        const payload = encodeUpdateTopicRequest({ streamId: streamIdOf(context), topicId: topicIdOf(context), ...topicSettings(context.body) });
        await context.call(CommandCode.UpdateTopic, payload, decodeUpdateTopicResponse);
        return noContent();
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/streams/{stream_id}/topics/{topic_id}',
      operationId: 'deleteTopic',
      summary: 'Delete a topic with its messages',
      tag: 'topics',
      params: topicParams,
      responses: { 204: noBody('Deleted') },
      handle: async (context) => {
        await context.call(CommandCode.DeleteTopic, encodeDeleteTopicRequest({ streamId: streamIdOf(context), topicId: topicIdOf(context) }), decodeDeleteTopicResponse);
        return noContent();
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/streams/{stream_id}/topics/{topic_id}/purge',
      operationId: 'purgeTopic',
      summary: 'Delete every message of a topic',
      tag: 'topics',
      params: topicParams,
      responses: { 204: noBody('Purged') },
      handle: async (context) => {
        await context.call(CommandCode.PurgeTopic, encodePurgeTopicRequest({ streamId: streamIdOf(context), topicId: topicIdOf(context) }), decodePurgeTopicResponse);
        return noContent();
      },
    }),
    defineRoute<{ partitions_count: number }>({
      method: 'POST',
      path: '/streams/{stream_id}/topics/{topic_id}/partitions',
      operationId: 'createPartitions',
      summary: 'Add partitions to a topic',
      tag: 'partitions',
      params: topicParams,
      body: bodies.createPartitions,
      responses: { 201: noBody('Created') },
      handle: async (context) => {
        const partitionsCount = context.body.partitions_count;
        if (partitionsCount < 1) throw iggyProblem(ErrorCode.TooManyPartitions);
        await context.call(CommandCode.CreatePartitions, encodeCreatePartitionsRequest({ streamId: streamIdOf(context), topicId: topicIdOf(context), partitionsCount }), decodeCreatePartitionsResponse);
        return noContent(201);
      },
    }),
    defineRoute<unknown, { partitions_count: number }>({
      method: 'DELETE',
      path: '/streams/{stream_id}/topics/{topic_id}/partitions',
      operationId: 'deletePartitions',
      summary: 'Remove the last partitions of a topic',
      tag: 'partitions',
      params: topicParams,
      query: { type: 'object', properties: { partitions_count: { type: 'integer', format: 'uint32', description: 'How many partitions to remove.' } }, required: ['partitions_count'] },
      responses: { 204: noBody('Deleted') },
      handle: async (context) => {
        const partitionsCount = context.query.partitions_count;
        if (partitionsCount < 1) throw iggyProblem(ErrorCode.TooManyPartitions);
        await context.call(CommandCode.DeletePartitions, encodeDeletePartitionsRequest({ streamId: streamIdOf(context), topicId: topicIdOf(context), partitionsCount }), decodeDeletePartitionsResponse);
        return noContent();
      },
    }),
    defineRoute<unknown, { segments_count: number }>({
      method: 'DELETE',
      path: '/streams/{stream_id}/topics/{topic_id}/partitions/{partition_id}',
      operationId: 'deleteSegments',
      summary: 'Delete the oldest segments of a partition',
      tag: 'segments',
      params: { ...topicParams, partition_id: uint32Param },
      query: { type: 'object', properties: { segments_count: { type: 'integer', format: 'uint32', description: 'How many of the oldest segments to delete.' } }, required: ['segments_count'] },
      responses: { 204: noBody('Deleted') },
      handle: async (context) => {
        const payload = encodeDeleteSegmentsRequest({
          streamId: streamIdOf(context),
          topicId: topicIdOf(context),
          partitionId: Number(context.params.partition_id),
          segmentsCount: context.query.segments_count,
        });
        await context.call(CommandCode.DeleteSegments, payload, decodeDeleteSegmentsResponse);
        return noContent();
      },
    }),
  ];
}
