/**
 * Small live-server helpers for the issue-3 tests: start an in-process server on a temporary data
 * directory (restartable on the same directory), and a thin client over the SDK's TcpTransport with
 * the protocol codecs. Every request returns `{ status, payload }`; `ok()` throws on a non-zero status.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CommandCode,
  ConsumerKind,
  balanced,
  partitionId as partitionIdPartitioning,
  decodeCreateConsumerGroupResponse,
  decodeCreateStreamResponse,
  decodeCreateTopicResponse,
  decodeCreateUserResponse,
  decodeGetConsumerGroupResponse,
  decodeGetMeResponse,
  decodeLoginUserResponse,
  decodePollMessagesResponse,
  encodeCreateConsumerGroupRequest,
  encodeCreateStreamRequest,
  encodeCreateTopicRequest,
  encodeCreateUserRequest,
  encodeGetConsumerGroupRequest,
  encodeJoinConsumerGroupRequest,
  encodeLoginUserRequest,
  encodePollMessagesRequest,
  encodeSendMessagesRequest,
  encodeStoreConsumerOffsetRequest,
  type ClientDetails,
  type Consumer,
  type ConsumerGroupDetails,
  type Identifier,
  type Permissions,
  type PolledMessages,
  type PollingStrategy,
  type SendMessage,
  type StreamDetails,
  type TopicDetails,
  type UserDetails,
} from '@iggy-ts/protocol';
import { IggyServer, type ServerConfigOverrides } from '@iggy-ts/server';
import { TcpTransport } from '@iggy-ts/sdk';

export const ROOT = { username: 'iggy', password: 'iggy' } as const;
export const EMPTY = Buffer.alloc(0);

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge of override objects (later wins). */
export function mergeOverrides(...parts: ServerConfigOverrides[]): ServerConfigOverrides {
  const merge = (target: Record<string, unknown>, source: Record<string, unknown>): void => {
    for (const [key, value] of Object.entries(source)) {
      if (isPlainObject(value) && isPlainObject(target[key])) merge(target[key] as Record<string, unknown>, value);
      else target[key] = isPlainObject(value) ? structuredClone(value) : value;
    }
  };
  const result: Record<string, unknown> = {};
  for (const part of parts) merge(result, part as Record<string, unknown>);
  return result as Mutable<ServerConfigOverrides>;
}

/** An in-process server on its own temporary data directory. */
export class TestServer {
  private constructor(
    public server: IggyServer,
    readonly dataPath: string,
    private readonly overrides: ServerConfigOverrides,
    private readonly ownsDirectory: boolean,
  ) {}

  /** Root credentials of this server (ROOT unless the overrides set others). */
  get root(): { username: string; password: string } {
    const root = this.server.config.root;
    return { username: root.username ?? ROOT.username, password: root.password ?? ROOT.password };
  }

  static async start(overrides: ServerConfigOverrides = {}, dataPath?: string): Promise<TestServer> {
    const directory = dataPath ?? mkdtempSync(path.join(tmpdir(), 'iggy-issue3-'));
    const all = mergeOverrides(
      {
        system: { path: directory, shardCount: 2 },
        tcp: { address: '127.0.0.1:0' },
        root: { username: ROOT.username, password: ROOT.password },
        logging: { level: 'silent' },
      },
      overrides,
    );
    const server = await IggyServer.start({ overrides: all, env: {} });
    return new TestServer(server, directory, overrides, dataPath === undefined);
  }

  get port(): number {
    return this.server.addresses.tcp!.port;
  }

  /** A connected client, logged in as root unless `login` is false. */
  async client(login: boolean | { username: string; password: string } = true): Promise<TestClient> {
    const client = await TestClient.connect(this.port);
    if (login === true) await client.login(this.root.username, this.root.password);
    else if (login !== false) await client.login(login.username, login.password);
    return client;
  }

  /** Stops the server and starts a new one on the same data directory (and the same overrides). */
  async restart(): Promise<void> {
    await this.server.stop();
    const restarted = await TestServer.start(this.overrides, this.dataPath);
    this.server = restarted.server;
  }

  /** Stops the server and removes its data directory. */
  async stop(): Promise<void> {
    await this.server.stop();
    if (this.ownsDirectory) rmSync(this.dataPath, { recursive: true, force: true });
  }
}

export interface Reply {
  status: number;
  payload: Buffer;
}

export class StatusError extends Error {
  constructor(readonly code: number, readonly status: number) {
    super(`command ${code} failed with status ${status}`);
  }
}

/** One TCP connection with typed shortcuts for the commands the tests use most. */
export class TestClient {
  private constructor(readonly transport: TcpTransport) {}

  static async connect(port: number): Promise<TestClient> {
    const transport = new TcpTransport({ host: '127.0.0.1', port });
    await transport.connect();
    return new TestClient(transport);
  }

  get connected(): boolean {
    return this.transport.connected;
  }

  request(code: number, payload: Uint8Array = EMPTY): Promise<Reply> {
    return this.transport.request(code, payload);
  }

  /** The status only. */
  async status(code: number, payload: Uint8Array = EMPTY): Promise<number> {
    return (await this.request(code, payload)).status;
  }

  /** The payload of a successful reply; a non-zero status throws StatusError. */
  async ok(code: number, payload: Uint8Array = EMPTY): Promise<Buffer> {
    const reply = await this.request(code, payload);
    if (reply.status !== 0) throw new StatusError(code, reply.status);
    return reply.payload;
  }

  async login(username: string, password: string): Promise<number> {
    return decodeLoginUserResponse(await this.ok(CommandCode.LoginUser, encodeLoginUserRequest({ username, password, version: 'issue3', context: '' }))).userId;
  }

  async me(): Promise<ClientDetails> {
    return decodeGetMeResponse(await this.ok(CommandCode.GetMe));
  }

  async createUser(username: string, password: string, permissions?: Permissions, status = 1): Promise<UserDetails> {
    return decodeCreateUserResponse(await this.ok(CommandCode.CreateUser, encodeCreateUserRequest({ username, password, status, permissions })));
  }

  async createStream(name: string): Promise<StreamDetails> {
    return decodeCreateStreamResponse(await this.ok(CommandCode.CreateStream, encodeCreateStreamRequest({ name })));
  }

  async createTopic(streamId: Identifier, name: string, partitionsCount: number, options: { messageExpiryUs?: bigint; maxTopicSizeBytes?: bigint } = {}): Promise<TopicDetails> {
    const payload = encodeCreateTopicRequest({
      streamId,
      name,
      partitionsCount,
      compressionAlgorithm: 1,
      messageExpiry: options.messageExpiryUs ?? 0n,
      maxTopicSize: options.maxTopicSizeBytes ?? 0n,
      replicationFactor: 1,
    });
    return decodeCreateTopicResponse(await this.ok(CommandCode.CreateTopic, payload));
  }

  async createGroup(streamId: Identifier, topicId: Identifier, name: string): Promise<ConsumerGroupDetails> {
    return decodeCreateConsumerGroupResponse(await this.ok(CommandCode.CreateConsumerGroup, encodeCreateConsumerGroupRequest({ streamId, topicId, name })));
  }

  async getGroup(streamId: Identifier, topicId: Identifier, groupId: Identifier): Promise<ConsumerGroupDetails | undefined> {
    return decodeGetConsumerGroupResponse(await this.ok(CommandCode.GetConsumerGroup, encodeGetConsumerGroupRequest({ streamId, topicId, groupId })));
  }

  async joinGroup(streamId: Identifier, topicId: Identifier, groupId: Identifier): Promise<void> {
    await this.ok(CommandCode.JoinConsumerGroup, encodeJoinConsumerGroupRequest({ streamId, topicId, groupId }));
  }

  /** SendMessages to one partition (or balanced when `partitionId` is undefined). */
  async send(streamId: Identifier, topicId: Identifier, partitionId: number | undefined, messages: readonly SendMessage[]): Promise<number> {
    const partitioning = partitionId === undefined ? balanced() : partitionIdPartitioning(partitionId);
    return this.status(CommandCode.SendMessages, encodeSendMessagesRequest({ streamId, topicId, partitioning, messages }));
  }

  async poll(
    streamId: Identifier,
    topicId: Identifier,
    partitionId: number | undefined,
    strategy: PollingStrategy,
    count: number,
    options: { consumer?: Consumer; autoCommit?: boolean } = {},
  ): Promise<PolledMessages> {
    const payload = encodePollMessagesRequest({
      consumer: options.consumer ?? { kind: ConsumerKind.Consumer, id: 1 },
      streamId,
      topicId,
      partitionId,
      strategy,
      count,
      autoCommit: options.autoCommit ?? false,
    });
    return decodePollMessagesResponse(await this.ok(CommandCode.PollMessages, payload));
  }

  async storeOffset(consumer: Consumer, streamId: Identifier, topicId: Identifier, partitionId: number | undefined, offset: number): Promise<number> {
    return this.status(CommandCode.StoreConsumerOffset, encodeStoreConsumerOffsetRequest({ consumer, streamId, topicId, partitionId, offset }));
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns a truthy value (returned) or `timeoutMs` passes (throws). */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 10_000, intervalMs = 25, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** `count` messages with payloads `${prefix}-${i}` (ids left to the server unless `ids` is given). */
export function textMessages(prefix: string, count: number, ids?: (i: number) => bigint): SendMessage[] {
  return Array.from({ length: count }, (_, i) => ({ payload: Buffer.from(`${prefix}-${i}`), ...(ids ? { id: ids(i) } : {}) }));
}
