/**
 * Messages, consumer offsets and consumer groups (0.8 `http/messages.rs`, `consumer_offsets.rs`,
 * `consumer_groups.rs`). Over HTTP, polling and offsets always act as an individual consumer (kind 1);
 * there are no join/leave routes (reference 9.3).
 */
import {
  CommandCode,
  ConsumerKind,
  ErrorCode,
  PartitioningKind,
  PollingKind,
  decodeCreateConsumerGroupResponse,
  decodeDeleteConsumerGroupResponse,
  decodeDeleteConsumerOffsetResponse,
  decodeFlushUnsavedBufferResponse,
  decodeGetConsumerGroupResponse,
  decodeGetConsumerGroupsResponse,
  decodeGetConsumerOffsetResponse,
  decodePollMessagesResponse,
  decodeSendMessagesResponse,
  decodeStoreConsumerOffsetResponse,
  encodeCreateConsumerGroupRequest,
  encodeDeleteConsumerGroupRequest,
  encodeDeleteConsumerOffsetRequest,
  encodeFlushUnsavedBufferRequest,
  encodeGetConsumerGroupRequest,
  encodeGetConsumerGroupsRequest,
  encodeGetConsumerOffsetRequest,
  encodePollMessagesRequest,
  encodeSendMessagesRequest,
  encodeStoreConsumerOffsetRequest,
  type Identifier,
  type PollingKindValue,
  type SendMessage,
} from '@iggy-ts/protocol';
import { ConsumerGroup, ConsumerGroupDetails, ConsumerOffsetInfo, PolledMessages, SendMessages, bodies, identifierParam, uint32Param } from '../components.js';
import { HttpProblem, iggyProblem, invalidFormatProblem, notFoundProblem } from '../errors.js';
import { defineRoute, json, noContent, type AnyRoute, type HttpApi, type RouteContext } from '../route.js';
import { HeaderFormatError, consumerGroupDetailsJson, consumerGroupJson, consumerOffsetJson, polledMessagesJson, userHeadersFromJson } from '../views.js';
import { noBody, parseIdentifier, requireNameBytes } from './common.js';

const topicParams = { stream_id: identifierParam, topic_id: identifierParam };
const streamIdOf = (context: RouteContext<unknown, unknown>) => parseIdentifier(context.params.stream_id!, 'stream_id');
const topicIdOf = (context: RouteContext<unknown, unknown>) => parseIdentifier(context.params.topic_id!, 'topic_id');

const POLLING_KINDS: Readonly<Record<string, PollingKindValue>> = {
  o: PollingKind.Offset,
  offset: PollingKind.Offset,
  t: PollingKind.Timestamp,
  timestamp: PollingKind.Timestamp,
  f: PollingKind.First,
  first: PollingKind.First,
  l: PollingKind.Last,
  last: PollingKind.Last,
  n: PollingKind.Next,
  next: PollingKind.Next,
};

const PARTITIONING_KINDS = { balanced: PartitioningKind.Balanced, partition_id: PartitioningKind.PartitionId, messages_key: PartitioningKind.MessagesKey } as const;

interface SendMessagesBody {
  partitioning: { kind: keyof typeof PARTITIONING_KINDS; value: string };
  messages: { id?: number | bigint | string; payload: string; user_headers?: unknown }[];
}

const U128_MAX = (1n << 128n) - 1n;

/** 0.8 `parse_message_id`: a number, decimal text, or 32 hex digits with optional dashes (UUID). */
function messageIdOf(value: number | bigint | string | undefined, index: number): bigint {
  if (value === undefined) return 0n;
  if (typeof value !== 'string') return BigInt(value);
  const id = /^\d+$/.test(value) ? BigInt(value) : BigInt(`0x${value.replace(/-/g, '')}`);
  if (id > U128_MAX) throw invalidFormatProblem(`field messages[${index}].id must fit in u128`, `messages[${index}].id`);
  return id;
}

/** Stream and topic ids for the traffic metrics (undefined if the topic vanished meanwhile). */
function topicIdsOf(api: HttpApi, streamId: Identifier, topicId: Identifier): { streamId: number; topicId: number } | undefined {
  const topic = api.state.metadata.getTopic(streamId, topicId);
  return topic === undefined ? undefined : { streamId: topic.streamId, topicId: topic.id };
}

export function messageRoutes(): AnyRoute[] {
  return [
    defineRoute<
      unknown,
      { consumer_id: string; partition_id: number; kind: string; value: number; count: number; auto_commit: boolean }
    >({
      method: 'GET',
      path: '/streams/{stream_id}/topics/{topic_id}/messages',
      operationId: 'pollMessages',
      summary: 'Poll messages as an individual consumer',
      tag: 'messages',
      params: topicParams,
      query: {
        type: 'object',
        properties: {
          consumer_id: { type: 'string', minLength: 1, maxLength: 255, default: '1', description: 'Numeric id or name of the individual consumer.' },
          partition_id: { type: 'integer', format: 'uint32', default: 0 },
          kind: { type: 'string', enum: Object.keys(POLLING_KINDS), default: 'offset' },
          value: { type: 'integer', format: 'uint64', maximum: Number.MAX_SAFE_INTEGER, default: 0, description: 'Offset (kind offset) or µs timestamp (kind timestamp).' },
          count: { type: 'integer', format: 'uint32', default: 10 },
          auto_commit: { type: 'boolean', default: false },
        },
      },
      responses: { 200: { description: 'PolledMessages', schema: PolledMessages } },
      handle: async (context) => {
        const streamId = streamIdOf(context);
        const topicId = topicIdOf(context);
        const query = context.query;
        const payload = encodePollMessagesRequest({
          consumer: { kind: ConsumerKind.Consumer, id: parseIdentifier(query.consumer_id, 'consumer_id') },
          streamId,
          topicId,
          partitionId: query.partition_id,
          strategy: { kind: POLLING_KINDS[query.kind]!, value: query.value },
          count: query.count,
          autoCommit: query.auto_commit,
        });
        const polled = await context.call(CommandCode.PollMessages, payload, decodePollMessagesResponse);
        const ids = topicIdsOf(context.api, streamId, topicId);
        if (ids !== undefined) {
          let bytes = 0;
          for (const message of polled.messages) bytes += message.payload.length + message.userHeaders.length;
          context.api.metrics.recordPolled(ids.streamId, ids.topicId, polled.messages.length, bytes);
        }
        return json(200, polledMessagesJson(polled));
      },
    }),
    defineRoute<SendMessagesBody>({
      method: 'POST',
      path: '/streams/{stream_id}/topics/{topic_id}/messages',
      operationId: 'sendMessages',
      summary: 'Append messages',
      tag: 'messages',
      params: topicParams,
      body: SendMessages,
      responses: { 201: noBody('Appended') },
      handle: async (context) => {
        const streamId = streamIdOf(context);
        const topicId = topicIdOf(context);
        const { partitioning, messages } = context.body;
        const kind = PARTITIONING_KINDS[partitioning.kind];
        let value = Buffer.from(partitioning.value ?? '', 'base64');
        // 0.8 `SendMessages::validate`: a key is 1..255 bytes; balanced ignores the value.
        if (value.length > 255 || (kind !== PartitioningKind.Balanced && value.length === 0)) throw iggyProblem(ErrorCode.InvalidKeyValueLength, undefined, 'partitioning.value');
        if (kind === PartitioningKind.Balanced) value = Buffer.alloc(0);
        if (kind === PartitioningKind.PartitionId && value.length !== 4) {
          throw invalidFormatProblem('field partitioning.value must be 4 bytes (u32 little-endian) for kind partition_id', 'partitioning.value');
        }
        const originTimestamp = Date.now() * 1000;
        let bytes = 0;
        const batch: SendMessage[] = messages.map((message, index) => {
          const payload = Buffer.from(message.payload, 'base64');
          let userHeaders: Buffer | undefined;
          try {
            userHeaders = userHeadersFromJson(message.user_headers, `messages[${index}].user_headers`);
          } catch (error) {
            if (error instanceof HeaderFormatError) throw iggyProblem(error.isKey ? ErrorCode.InvalidHeaderKey : ErrorCode.InvalidHeaderValue, error.message, error.field);
            throw error;
          }
          bytes += payload.length + (userHeaders?.length ?? 0);
          return { id: messageIdOf(message.id, index), payload, userHeaders, originTimestamp };
        });
        const payload = encodeSendMessagesRequest({ streamId, topicId, partitioning: { kind, value }, messages: batch });
        await context.call(CommandCode.SendMessages, payload, decodeSendMessagesResponse);
        const ids = topicIdsOf(context.api, streamId, topicId);
        if (ids !== undefined) context.api.metrics.recordSent(ids.streamId, ids.topicId, batch.length, bytes);
        return noContent(201);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/streams/{stream_id}/topics/{topic_id}/messages/flush/{partition_id}/{fsync}',
      operationId: 'flushUnsavedBuffer',
      summary: 'Write a partition\'s buffered messages to disk, optionally with fsync',
      tag: 'messages',
      params: { ...topicParams, partition_id: uint32Param, fsync: { type: 'boolean' } },
      responses: { 200: noBody('Flushed') },
      handle: async (context) => {
        const payload = encodeFlushUnsavedBufferRequest({
          streamId: streamIdOf(context),
          topicId: topicIdOf(context),
          partitionId: Number(context.params.partition_id),
          fsync: context.params.fsync === 'true',
        });
        await context.call(CommandCode.FlushUnsavedBuffer, payload, decodeFlushUnsavedBufferResponse);
        return noContent(200);
      },
    }),
  ];
}

export function consumerOffsetRoutes(): AnyRoute[] {
  return [
    defineRoute<unknown, { consumer_id: string; partition_id?: number }>({
      method: 'GET',
      path: '/streams/{stream_id}/topics/{topic_id}/consumer-offsets',
      operationId: 'getConsumerOffset',
      summary: 'The offset stored by an individual consumer',
      tag: 'consumer-offsets',
      params: topicParams,
      query: {
        type: 'object',
        properties: {
          consumer_id: { type: 'string', minLength: 1, maxLength: 255, default: '1', description: 'Numeric id or name of the individual consumer.' },
          partition_id: { type: 'integer', format: 'uint32', description: 'Default 0.' },
        },
      },
      responses: { 200: { description: 'ConsumerOffsetInfo', schema: ConsumerOffsetInfo } },
      handle: async (context) => {
        const payload = encodeGetConsumerOffsetRequest({
          consumer: { kind: ConsumerKind.Consumer, id: parseIdentifier(context.query.consumer_id, 'consumer_id') },
          streamId: streamIdOf(context),
          topicId: topicIdOf(context),
          partitionId: context.query.partition_id,
        });
        let offset;
        try {
          offset = await context.call(CommandCode.GetConsumerOffset, payload, decodeGetConsumerOffsetResponse);
        } catch (error) {
          // 0.8: permission and topic lookup errors pass through; any other failure is "not found".
          if (error instanceof HttpProblem && (error.status === 401 || error.status === 403 || error.status === 404)) throw error;
          throw notFoundProblem();
        }
        if (offset === undefined) throw notFoundProblem();
        return json(200, consumerOffsetJson(offset));
      },
    }),
    defineRoute<{ consumer_id: number | string; partition_id?: number | null; offset: number | bigint }>({
      method: 'PUT',
      path: '/streams/{stream_id}/topics/{topic_id}/consumer-offsets',
      operationId: 'storeConsumerOffset',
      summary: 'Store an individual consumer\'s offset',
      tag: 'consumer-offsets',
      params: topicParams,
      body: bodies.storeConsumerOffset,
      responses: { 204: noBody('Stored') },
      handle: async (context) => {
        const { consumer_id: consumerId, partition_id: partitionId, offset } = context.body;
        if (typeof offset === 'bigint') throw invalidFormatProblem(`field offset must be at most ${Number.MAX_SAFE_INTEGER}`, 'offset');
        const payload = encodeStoreConsumerOffsetRequest({
          consumer: { kind: ConsumerKind.Consumer, id: typeof consumerId === 'number' ? consumerId : parseIdentifier(consumerId, 'consumer_id') },
          streamId: streamIdOf(context),
          topicId: topicIdOf(context),
          partitionId: partitionId ?? undefined,
          offset,
        });
        await context.call(CommandCode.StoreConsumerOffset, payload, decodeStoreConsumerOffsetResponse);
        return noContent();
      },
    }),
    defineRoute<unknown, { partition_id?: number }>({
      method: 'DELETE',
      path: '/streams/{stream_id}/topics/{topic_id}/consumer-offsets/{consumer_id}',
      operationId: 'deleteConsumerOffset',
      summary: 'Delete an individual consumer\'s stored offset',
      tag: 'consumer-offsets',
      params: { ...topicParams, consumer_id: identifierParam },
      query: { type: 'object', properties: { partition_id: { type: 'integer', format: 'uint32', description: 'Default 0.' } } },
      responses: { 204: noBody('Deleted') },
      handle: async (context) => {
        const payload = encodeDeleteConsumerOffsetRequest({
          consumer: { kind: ConsumerKind.Consumer, id: parseIdentifier(context.params.consumer_id!, 'consumer_id') },
          streamId: streamIdOf(context),
          topicId: topicIdOf(context),
          partitionId: context.query.partition_id,
        });
        await context.call(CommandCode.DeleteConsumerOffset, payload, decodeDeleteConsumerOffsetResponse);
        return noContent();
      },
    }),
  ];
}

export function consumerGroupRoutes(): AnyRoute[] {
  const groupParams = { ...topicParams, group_id: identifierParam };
  return [
    defineRoute({
      method: 'GET',
      path: '/streams/{stream_id}/topics/{topic_id}/consumer-groups',
      operationId: 'getConsumerGroups',
      summary: 'List the consumer groups of a topic',
      tag: 'consumer-groups',
      params: topicParams,
      responses: { 200: { description: 'Groups, ascending id', schema: { type: 'array', items: ConsumerGroup } } },
      handle: async (context) => {
        const streamId = streamIdOf(context);
        const topicId = topicIdOf(context);
        const groups = await context.call(CommandCode.GetConsumerGroups, encodeGetConsumerGroupsRequest({ streamId, topicId }), decodeGetConsumerGroupsResponse);
        // GetConsumerGroups answers an empty list for a missing topic; 0.8's HTTP route answers 404.
        if (groups.length === 0 && context.api.state.metadata.getTopic(streamId, topicId) === undefined) throw notFoundProblem();
        return json(200, [...groups].sort((a, b) => a.id - b.id).map(consumerGroupJson));
      },
    }),
    defineRoute<{ name: string }>({
      method: 'POST',
      path: '/streams/{stream_id}/topics/{topic_id}/consumer-groups',
      operationId: 'createConsumerGroup',
      summary: 'Create a consumer group',
      tag: 'consumer-groups',
      params: topicParams,
      body: bodies.createConsumerGroup,
      responses: { 201: { description: 'The new group', schema: ConsumerGroupDetails } },
      handle: async (context) => {
        const name = requireNameBytes(context.body.name, ErrorCode.InvalidConsumerGroupName);
        const payload = encodeCreateConsumerGroupRequest({ streamId: streamIdOf(context), topicId: topicIdOf(context), name });
        return json(201, consumerGroupDetailsJson(await context.call(CommandCode.CreateConsumerGroup, payload, decodeCreateConsumerGroupResponse)));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/streams/{stream_id}/topics/{topic_id}/consumer-groups/{group_id}',
      operationId: 'getConsumerGroup',
      summary: 'One consumer group with its members',
      tag: 'consumer-groups',
      params: groupParams,
      responses: { 200: { description: 'ConsumerGroupDetails', schema: ConsumerGroupDetails } },
      handle: async (context) => {
        const payload = encodeGetConsumerGroupRequest({ streamId: streamIdOf(context), topicId: topicIdOf(context), groupId: parseIdentifier(context.params.group_id!, 'group_id') });
        const group = await context.call(CommandCode.GetConsumerGroup, payload, decodeGetConsumerGroupResponse);
        if (group === undefined) throw notFoundProblem();
        return json(200, consumerGroupDetailsJson(group));
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/streams/{stream_id}/topics/{topic_id}/consumer-groups/{group_id}',
      operationId: 'deleteConsumerGroup',
      summary: 'Delete a consumer group',
      tag: 'consumer-groups',
      params: groupParams,
      responses: { 204: noBody('Deleted') },
      handle: async (context) => {
        const payload = encodeDeleteConsumerGroupRequest({ streamId: streamIdOf(context), topicId: topicIdOf(context), groupId: parseIdentifier(context.params.group_id!, 'group_id') });
        await context.call(CommandCode.DeleteConsumerGroup, payload, decodeDeleteConsumerGroupResponse);
        return noContent();
      },
    }),
  ];
}
