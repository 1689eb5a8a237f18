/**
 * One conformance suite, run unchanged over every transport: TCP, TCP over TLS, TCP over mutual TLS,
 * WebSocket, QUIC and HTTP (the Iggy 0.8 REST API, through the SDK's HttpTransport), each through the SDK transport of the same name against a real in-process
 * server. The table below is a session: login, streams, topics, sends, polls with every strategy,
 * consumer offsets and the error answers; each step runs on the connection the previous steps used.
 * A 1 MiB batch makes frames span WebSocket messages and QUIC chunks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CommandCode,
  ConsumerKind,
  ErrorCode,
  NO_USER_ID,
  decodeCreateStreamResponse,
  decodeCreateTopicResponse,
  decodeGetConsumerOffsetResponse,
  decodeGetMeResponse,
  decodeGetStreamsResponse,
  decodeLoginUserResponse,
  decodePollMessagesResponse,
  encodeCreateStreamRequest,
  encodeCreateTopicRequest,
  encodeDeleteConsumerOffsetRequest,
  encodeGetConsumerOffsetRequest,
  encodeLoginUserRequest,
  encodePollMessagesRequest,
  encodeSendMessagesRequest,
  encodeStoreConsumerOffsetRequest,
  partitionId,
  pollingStrategy,
  type Identifier,
  type PolledMessages,
  type PollingStrategy,
  type SendMessage,
} from '@iggy-ts/protocol';
import type { RawResponse, Transport } from '@iggy-ts/sdk';
import { startTransportServers, type TransportCase, type TransportServers } from './harness.js';

let directory: string;
let servers: TransportServers;

beforeAll(async () => {
  directory = mkdtempSync(path.join(os.tmpdir(), 'iggy-ts-transports-'));
  servers = await startTransportServers(directory);
});

afterAll(async () => {
  await servers?.stop();
  rmSync(directory, { recursive: true, force: true });
});

/** State one transport's session builds up as the table runs. */
interface Context {
  readonly transport: Transport;
  readonly transportCode: number;
  readonly streamName: string;
  streamId: number;
  topicId: number;
  sentBeforeTimestampUs: number;
  largePayload: Buffer;
}

interface Step {
  readonly name: string;
  /**
   * Transports on which Iggy 0.8 offers no such command (HTTP requests belong to no connection, so
   * there is no GetMe route): there the step checks for the FeatureUnavailable answer instead.
   */
  readonly unavailableOver?: readonly string[];
  readonly unavailableCommand?: number;
  run(context: Context): Promise<void>;
}

const MESSAGE_COUNT = 10;
const LARGE_PAYLOAD_SIZE_BYTES = 1024 * 1024;
const CONSUMER = { kind: ConsumerKind.Consumer, id: 7 } as const;

async function ok(context: Context, code: number, payload: Uint8Array = Buffer.alloc(0)): Promise<Buffer> {
  const response = await context.transport.request(code, payload);
  expect(response.status, `status of command ${code}`).toBe(0);
  return response.payload;
}

async function status(context: Context, code: number, payload: Uint8Array = Buffer.alloc(0)): Promise<number> {
  const response: RawResponse = await context.transport.request(code, payload);
  return response.status;
}

/** Partition ids are 0-based at 0.8: the small messages go to 0, the 1 MiB one to 1. */
const SMALL_PARTITION = 0;
const LARGE_PARTITION = 1;

function poll(context: Context, strategy: PollingStrategy, count: number, autoCommit = false, partition = SMALL_PARTITION): Promise<PolledMessages> {
  const payload = encodePollMessagesRequest({ consumer: CONSUMER, streamId: context.streamId, topicId: context.topicId, partitionId: partition, strategy, count, autoCommit });
  return ok(context, CommandCode.PollMessages, payload).then(decodePollMessagesResponse);
}

function offsets(polled: PolledMessages): number[] {
  return polled.messages.map((message) => message.offset);
}

function offsetRequest(context: Context, topicId: Identifier = context.topicId) {
  return { consumer: CONSUMER, streamId: context.streamId, topicId, partitionId: SMALL_PARTITION };
}

const STEPS: readonly Step[] = [
  {
    name: 'answers Ping before login',
    run: async (context) => {
      expect((await ok(context, CommandCode.Ping)).length).toBe(0);
    },
  },
  {
    name: 'refuses commands before login with Unauthenticated',
    run: async (context) => {
      expect(await status(context, CommandCode.GetStreams)).toBe(ErrorCode.Unauthenticated);
    },
  },
  {
    name: 'refuses a wrong password with InvalidCredentials',
    run: async (context) => {
      expect(await status(context, CommandCode.LoginUser, encodeLoginUserRequest({ username: 'iggy', password: 'wrong' }))).toBe(ErrorCode.InvalidCredentials);
    },
  },
  {
    name: 'logs in as root',
    run: async (context) => {
      const login = decodeLoginUserResponse(await ok(context, CommandCode.LoginUser, encodeLoginUserRequest({ username: 'iggy', password: 'iggy' })));
      expect(login.userId).toBe(0);
    },
  },
  {
    name: 'reports its own transport in GetMe',
    unavailableOver: ['http'],
    unavailableCommand: CommandCode.GetMe,
    run: async (context) => {
      const me = decodeGetMeResponse(await ok(context, CommandCode.GetMe));
      expect(me.transport).toBe(context.transportCode);
      expect(me.userId).not.toBe(NO_USER_ID);
    },
  },
  {
    name: 'creates a stream and a topic with two partitions',
    run: async (context) => {
      const stream = decodeCreateStreamResponse(await ok(context, CommandCode.CreateStream, encodeCreateStreamRequest({ name: context.streamName })));
      expect(stream.name).toBe(context.streamName);
      context.streamId = stream.id;
      const topic = decodeCreateTopicResponse(
        await ok(
          context,
          CommandCode.CreateTopic,
          encodeCreateTopicRequest({ streamId: stream.id, name: 'events', partitionsCount: 2, compressionAlgorithm: 1, messageExpiry: 0n, maxTopicSize: 0n, replicationFactor: 1 }),
        ),
      );
      context.topicId = topic.id;
      expect(topic.partitionsCount).toBe(2);
      const streams = decodeGetStreamsResponse(await ok(context, CommandCode.GetStreams));
      expect(streams.map((entry) => entry.name)).toContain(context.streamName);
    },
  },
  {
    name: 'refuses a duplicate stream name with StreamNameAlreadyExists',
    run: async (context) => {
      expect(await status(context, CommandCode.CreateStream, encodeCreateStreamRequest({ name: context.streamName }))).toBe(ErrorCode.StreamNameAlreadyExists);
    },
  },
  {
    name: 'sends messages to a partition',
    run: async (context) => {
      context.sentBeforeTimestampUs = Date.now() * 1000 - 1_000_000;
      const messages: SendMessage[] = Array.from({ length: MESSAGE_COUNT }, (_, index) => ({ id: BigInt(index + 1), payload: Buffer.from(`message ${index}`) }));
      await ok(context, CommandCode.SendMessages, encodeSendMessagesRequest({ streamId: context.streamId, topicId: context.topicId, partitioning: partitionId(SMALL_PARTITION), messages }));
    },
  },
  {
    name: 'polls by offset',
    run: async (context) => {
      const polled = await poll(context, pollingStrategy.offset(2), 3);
      expect(offsets(polled)).toEqual([2, 3, 4]);
      expect(polled.messages.map((message) => message.payload.toString())).toEqual(['message 2', 'message 3', 'message 4']);
      expect(polled.currentOffset).toBe(MESSAGE_COUNT - 1);
    },
  },
  {
    name: 'polls first and last',
    run: async (context) => {
      expect(offsets(await poll(context, pollingStrategy.first(), 2))).toEqual([0, 1]);
      expect(offsets(await poll(context, pollingStrategy.last(), 3))).toEqual([7, 8, 9]);
    },
  },
  {
    name: 'polls by timestamp',
    run: async (context) => {
      const polled = await poll(context, pollingStrategy.timestamp(context.sentBeforeTimestampUs), MESSAGE_COUNT);
      expect(offsets(polled)).toEqual(Array.from({ length: MESSAGE_COUNT }, (_, index) => index));
      expect(offsets(await poll(context, pollingStrategy.timestamp(Date.now() * 1000 + 60_000_000), MESSAGE_COUNT))).toEqual([]);
    },
  },
  {
    name: 'polls next with auto-commit',
    run: async (context) => {
      expect(offsets(await poll(context, pollingStrategy.next(), 4, true))).toEqual([0, 1, 2, 3]);
      expect(offsets(await poll(context, pollingStrategy.next(), 4, true))).toEqual([4, 5, 6, 7]);
      const stored = decodeGetConsumerOffsetResponse(await ok(context, CommandCode.GetConsumerOffset, encodeGetConsumerOffsetRequest(offsetRequest(context))));
      expect(stored?.storedOffset).toBe(7);
    },
  },
  {
    name: 'stores, reads and deletes a consumer offset',
    run: async (context) => {
      await ok(context, CommandCode.StoreConsumerOffset, encodeStoreConsumerOffsetRequest({ ...offsetRequest(context), offset: 2 }));
      const stored = decodeGetConsumerOffsetResponse(await ok(context, CommandCode.GetConsumerOffset, encodeGetConsumerOffsetRequest(offsetRequest(context))));
      expect(stored).toMatchObject({ partitionId: SMALL_PARTITION, currentOffset: MESSAGE_COUNT - 1, storedOffset: 2 });
      expect(offsets(await poll(context, pollingStrategy.next(), 2))).toEqual([3, 4]);
      await ok(context, CommandCode.DeleteConsumerOffset, encodeDeleteConsumerOffsetRequest(offsetRequest(context)));
      expect(decodeGetConsumerOffsetResponse(await ok(context, CommandCode.GetConsumerOffset, encodeGetConsumerOffsetRequest(offsetRequest(context))))).toBeUndefined();
    },
  },
  {
    name: 'polls an empty partition as zero messages',
    run: async (context) => {
      const polled = await poll(context, pollingStrategy.offset(0), 10, false, LARGE_PARTITION);
      expect(polled.messages).toHaveLength(0);
    },
  },
  {
    name: 'answers a missing topic with TopicIdNotFound',
    run: async (context) => {
      const payload = encodeStoreConsumerOffsetRequest({ ...offsetRequest(context, 99), offset: 1 });
      expect(await status(context, CommandCode.StoreConsumerOffset, payload)).toBe(ErrorCode.TopicIdNotFound);
    },
  },
  {
    name: 'round-trips a 1 MiB message',
    run: async (context) => {
      await ok(context, CommandCode.SendMessages, encodeSendMessagesRequest({ streamId: context.streamId, topicId: context.topicId, partitioning: partitionId(LARGE_PARTITION), messages: [{ payload: context.largePayload }] }));
      const polled = await poll(context, pollingStrategy.offset(0), 1, false, LARGE_PARTITION);
      expect(polled.messages).toHaveLength(1);
      expect(Buffer.compare(polled.messages[0]!.payload, context.largePayload)).toBe(0);
    },
  },
  {
    name: 'answers pipelined requests in order',
    run: async (context) => {
      const results = await Promise.all(Array.from({ length: 20 }, (_, index) => poll(context, pollingStrategy.offset(index % MESSAGE_COUNT), 1)));
      expect(results.map((polled) => offsets(polled)[0])).toEqual(Array.from({ length: 20 }, (_, index) => index % MESSAGE_COUNT));
    },
  },
  {
    name: 'answers an unknown command code with InvalidCommand',
    run: async (context) => {
      expect(await status(context, 9999)).toBe(ErrorCode.InvalidCommand);
      // The connection is still usable.
      await ok(context, CommandCode.Ping);
    },
  },
  {
    name: 'logs out, after which commands are Unauthenticated',
    run: async (context) => {
      await ok(context, CommandCode.LogoutUser);
      expect(await status(context, CommandCode.GetStreams)).toBe(ErrorCode.Unauthenticated);
    },
  },
];

describe.each(['tcp', 'tls', 'mutual tls', 'websocket', 'quic', 'http'])('conformance over %s', (name) => {
  let context: Context;
  let transportCase: TransportCase;

  beforeAll(async () => {
    transportCase = servers.cases.find((entry) => entry.name === name)!;
    const transport = transportCase.create();
    await transport.connect();
    const largePayload = Buffer.alloc(LARGE_PAYLOAD_SIZE_BYTES);
    for (let index = 0; index < largePayload.length; index += 1) largePayload[index] = (index * 31 + 7) & 0xff;
    context = { transport, transportCode: transportCase.transportCode, streamName: `conformance-${name.replace(' ', '-')}`, streamId: 0, topicId: 0, sentBeforeTimestampUs: 0, largePayload };
  });

  afterAll(async () => {
    await context?.transport.close();
  });

  it.each(STEPS.map((step) => [step.name, step] as const))('%s', async (_name, step) => {
    expect(context.transport.connected).toBe(true);
    if (step.unavailableOver?.includes(name) === true) {
      await expect(context.transport.request(step.unavailableCommand!, Buffer.alloc(0))).rejects.toMatchObject({ code: ErrorCode.FeatureUnavailable });
      return;
    }
    await step.run(context);
  });
});
