/**
 * TestClient: a small typed client over a raw Connection and the protocol codecs, with exactly the
 * commands the live-server tests use. A non-zero status becomes a StatusError carrying the code, so
 * tests assert codes with `expectStatus(promise, code)`.
 */
import {
  CommandCode,
  CompressionAlgorithm,
  ConsumerKind,
  decodeCreateConsumerGroupResponse,
  decodeCreatePersonalAccessTokenResponse,
  decodeCreateStreamResponse,
  decodeCreateTopicResponse,
  decodeCreateUserResponse,
  decodeGetConsumerGroupResponse,
  decodeGetConsumerOffsetResponse,
  decodeGetStreamResponse,
  decodeGetStreamsResponse,
  decodeGetTopicResponse,
  decodeGetTopicsResponse,
  decodeGetUserResponse,
  decodeLoginUserResponse,
  encodeCreateConsumerGroupRequest,
  encodeCreatePartitionsRequest,
  encodeCreatePersonalAccessTokenRequest,
  encodeCreateStreamRequest,
  encodeCreateTopicRequest,
  encodeCreateUserRequest,
  encodeDeleteConsumerOffsetRequest,
  encodeDeletePartitionsRequest,
  encodeDeleteSegmentsRequest,
  encodeDeleteStreamRequest,
  encodeDeleteTopicRequest,
  encodeFlushUnsavedBufferRequest,
  encodeGetConsumerGroupRequest,
  encodeGetConsumerOffsetRequest,
  encodeGetStreamRequest,
  encodeGetTopicRequest,
  encodeGetTopicsRequest,
  encodeGetUserRequest,
  encodeJoinConsumerGroupRequest,
  encodeLoginUserRequest,
  encodeLoginWithPersonalAccessTokenRequest,
  encodePollMessagesRequest,
  encodePurgeTopicRequest,
  encodeSendMessagesRequest,
  encodeStoreConsumerOffsetRequest,
  encodeUpdateStreamRequest,
  errorInfo,
  type Consumer,
  type ConsumerGroupDetails,
  type ConsumerOffsetInfo,
  type Identifier,
  type Partitioning,
  type Permissions,
  type PollingStrategy,
  type SendMessage,
  type StreamDetails,
  type StreamInfo,
  type TopicDetails,
  type TopicInfo,
  type UserDetails,
} from '@iggy-ts/protocol';
import { expect } from 'vitest';
import { Connection, type RawResponse } from './connection.js';
import { parsePollResponse, type PolledBatch } from './messages.js';

/** A response with a non-zero status. */
export class StatusError extends Error {
  constructor(readonly status: number, readonly command: number) {
    super(`command ${command} failed with status ${status} (${safeErrorName(status)})`);
    this.name = 'StatusError';
  }
}

function safeErrorName(status: number): string {
  try {
    return errorInfo(status).name;
  } catch {
    return 'unknown';
  }
}

/** Asserts that `promise` fails with a StatusError of `status`. */
export async function expectStatus(promise: Promise<unknown>, status: number): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, `expected status ${status}, got success`).toBeInstanceOf(StatusError);
  expect((error as StatusError).status).toBe(status);
}

export const ROOT_USERNAME = 'iggy';
export const ROOT_PASSWORD = 'iggy';

export interface PollOptions {
  streamId: Identifier;
  topicId: Identifier;
  /** undefined = OptPart absent. */
  partitionId: number | undefined;
  strategy: PollingStrategy;
  count: number;
  autoCommit?: boolean;
  /** Default: individual consumer 1. */
  consumer?: Consumer;
}

export class TestClient {
  private constructor(readonly connection: Connection) {}

  /** Connects (no login). */
  static async connect(port: number, host = '127.0.0.1'): Promise<TestClient> {
    return new TestClient(await Connection.open(port, host));
  }

  /** Connects and logs in (root by default). */
  static async login(port: number, username = ROOT_USERNAME, password = ROOT_PASSWORD): Promise<TestClient> {
    const client = await TestClient.connect(port);
    await client.loginUser(username, password);
    return client;
  }

  close(): Promise<void> {
    return this.connection.close();
  }

  /** The raw response, whatever its status. */
  request(code: number, payload: Uint8Array = Buffer.alloc(0)): Promise<RawResponse> {
    return this.connection.request(code, payload);
  }

  /** The OK payload; a non-zero status throws StatusError. */
  async call(code: number, payload: Uint8Array = Buffer.alloc(0)): Promise<Buffer> {
    const response = await this.connection.request(code, payload);
    if (response.status !== 0) throw new StatusError(response.status, code);
    return response.payload;
  }

  // --- users and sessions ----------------------------------------------------------------------

  async ping(): Promise<void> {
    await this.call(CommandCode.Ping);
  }

  async loginUser(username: string, password: string): Promise<number> {
    return decodeLoginUserResponse(await this.call(CommandCode.LoginUser, encodeLoginUserRequest({ username, password }))).userId;
  }

  async loginWithToken(token: string): Promise<number> {
    return decodeLoginUserResponse(await this.call(CommandCode.LoginWithPersonalAccessToken, encodeLoginWithPersonalAccessTokenRequest({ token }))).userId;
  }

  async createUser(username: string, password: string, permissions?: Permissions): Promise<UserDetails> {
    return decodeCreateUserResponse(await this.call(CommandCode.CreateUser, encodeCreateUserRequest({ username, password, status: 1, permissions })));
  }

  async getUser(userId: Identifier): Promise<UserDetails | undefined> {
    return decodeGetUserResponse(await this.call(CommandCode.GetUser, encodeGetUserRequest({ userId })));
  }

  /** A PAT that never expires; returns the raw token. */
  async createToken(name: string): Promise<string> {
    return decodeCreatePersonalAccessTokenResponse(await this.call(CommandCode.CreatePersonalAccessToken, encodeCreatePersonalAccessTokenRequest({ name, expiry: 0n }))).token;
  }

  // --- streams, topics, partitions, segments -----------------------------------------------------

  async createStream(name: string): Promise<StreamDetails> {
    return decodeCreateStreamResponse(await this.call(CommandCode.CreateStream, encodeCreateStreamRequest({ name })));
  }

  async getStream(streamId: Identifier): Promise<StreamDetails | undefined> {
    return decodeGetStreamResponse(await this.call(CommandCode.GetStream, encodeGetStreamRequest({ streamId })));
  }

  async getStreams(): Promise<StreamInfo[]> {
    return decodeGetStreamsResponse(await this.call(CommandCode.GetStreams));
  }

  async updateStream(streamId: Identifier, name: string): Promise<void> {
    await this.call(CommandCode.UpdateStream, encodeUpdateStreamRequest({ streamId, name }));
  }

  async deleteStream(streamId: Identifier): Promise<void> {
    await this.call(CommandCode.DeleteStream, encodeDeleteStreamRequest({ streamId }));
  }

  async createTopic(streamId: Identifier, name: string, partitionsCount: number): Promise<TopicDetails> {
    const payload = encodeCreateTopicRequest({
      streamId,
      name,
      partitionsCount,
      compressionAlgorithm: CompressionAlgorithm.None,
      messageExpiry: 0n,
      maxTopicSize: 0n,
      replicationFactor: 1,
    });
    return decodeCreateTopicResponse(await this.call(CommandCode.CreateTopic, payload));
  }

  async getTopic(streamId: Identifier, topicId: Identifier): Promise<TopicDetails | undefined> {
    return decodeGetTopicResponse(await this.call(CommandCode.GetTopic, encodeGetTopicRequest({ streamId, topicId })));
  }

  async getTopics(streamId: Identifier): Promise<TopicInfo[]> {
    return decodeGetTopicsResponse(await this.call(CommandCode.GetTopics, encodeGetTopicsRequest({ streamId })));
  }

  async deleteTopic(streamId: Identifier, topicId: Identifier): Promise<void> {
    await this.call(CommandCode.DeleteTopic, encodeDeleteTopicRequest({ streamId, topicId }));
  }

  async purgeTopic(streamId: Identifier, topicId: Identifier): Promise<void> {
    await this.call(CommandCode.PurgeTopic, encodePurgeTopicRequest({ streamId, topicId }));
  }

  async createPartitions(streamId: Identifier, topicId: Identifier, partitionsCount: number): Promise<void> {
    await this.call(CommandCode.CreatePartitions, encodeCreatePartitionsRequest({ streamId, topicId, partitionsCount }));
  }

  async deletePartitions(streamId: Identifier, topicId: Identifier, partitionsCount: number): Promise<void> {
    await this.call(CommandCode.DeletePartitions, encodeDeletePartitionsRequest({ streamId, topicId, partitionsCount }));
  }

  async deleteSegments(streamId: Identifier, topicId: Identifier, partitionId: number, segmentsCount: number): Promise<void> {
    await this.call(CommandCode.DeleteSegments, encodeDeleteSegmentsRequest({ streamId, topicId, partitionId, segmentsCount }));
  }

  // --- consumer groups ---------------------------------------------------------------------------

  async createConsumerGroup(streamId: Identifier, topicId: Identifier, name: string): Promise<ConsumerGroupDetails> {
    return decodeCreateConsumerGroupResponse(await this.call(CommandCode.CreateConsumerGroup, encodeCreateConsumerGroupRequest({ streamId, topicId, name })));
  }

  async getConsumerGroup(streamId: Identifier, topicId: Identifier, groupId: Identifier): Promise<ConsumerGroupDetails | undefined> {
    return decodeGetConsumerGroupResponse(await this.call(CommandCode.GetConsumerGroup, encodeGetConsumerGroupRequest({ streamId, topicId, groupId })));
  }

  async joinConsumerGroup(streamId: Identifier, topicId: Identifier, groupId: Identifier): Promise<void> {
    await this.call(CommandCode.JoinConsumerGroup, encodeJoinConsumerGroupRequest({ streamId, topicId, groupId }));
  }

  // --- messages ----------------------------------------------------------------------------------

  async send(streamId: Identifier, topicId: Identifier, partitioning: Partitioning, messages: readonly SendMessage[]): Promise<void> {
    await this.call(CommandCode.SendMessages, encodeSendMessagesRequest({ streamId, topicId, partitioning, messages }));
  }

  /** Polls and parses the response, checking every message's framing and computing its checksum validity. */
  async poll(options: PollOptions): Promise<PolledBatch> {
    const payload = encodePollMessagesRequest({
      consumer: options.consumer ?? { kind: ConsumerKind.Consumer, id: 1 },
      streamId: options.streamId,
      topicId: options.topicId,
      partitionId: options.partitionId,
      strategy: options.strategy,
      count: options.count,
      autoCommit: options.autoCommit ?? false,
    });
    return parsePollResponse(await this.call(CommandCode.PollMessages, payload));
  }

  async flush(streamId: Identifier, topicId: Identifier, partitionId: number, fsync: boolean): Promise<void> {
    await this.call(CommandCode.FlushUnsavedBuffer, encodeFlushUnsavedBufferRequest({ streamId, topicId, partitionId, fsync }));
  }

  async getOffset(consumer: Consumer, streamId: Identifier, topicId: Identifier, partitionId: number | undefined): Promise<ConsumerOffsetInfo | undefined> {
    return decodeGetConsumerOffsetResponse(await this.call(CommandCode.GetConsumerOffset, encodeGetConsumerOffsetRequest({ consumer, streamId, topicId, partitionId })));
  }

  async storeOffset(consumer: Consumer, streamId: Identifier, topicId: Identifier, partitionId: number | undefined, offset: number): Promise<void> {
    await this.call(CommandCode.StoreConsumerOffset, encodeStoreConsumerOffsetRequest({ consumer, streamId, topicId, partitionId, offset }));
  }

  async deleteOffset(consumer: Consumer, streamId: Identifier, topicId: Identifier, partitionId: number | undefined): Promise<void> {
    await this.call(CommandCode.DeleteConsumerOffset, encodeDeleteConsumerOffsetRequest({ consumer, streamId, topicId, partitionId }));
  }
}
