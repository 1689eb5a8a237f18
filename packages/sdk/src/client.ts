/**
 * IggyClient: the low-level client, one async method per Iggy 0.8 command, over any Transport.
 *
 * Connection life cycle: the first request (or `connect()`) opens the transport and, with
 * `autoLogin`, logs in with the configured credentials (user/password or personal access token).
 * When an open connection drops, the client reconnects in the background with exponential backoff,
 * logs in again and re-joins the consumer groups it had joined; requests made meanwhile wait for
 * the new connection. Requests already in flight when the connection dropped fail with
 * `Disconnected` (8): commands are not retried automatically because SendMessages and most writes
 * are not idempotent (the Producer and Consumer retry what is safe for them).
 *
 * Every failure is an IggyError whose `code` is the wire code (status) and whose message names the
 * error and the command.
 */
import { EventEmitter } from 'node:events';
import type tls from 'node:tls';
import {
  type ClientDetails,
  type ClientInfo,
  type ClusterMetadata,
  CommandCode,
  type Consumer,
  type ConsumerGroupDetails,
  type ConsumerGroupInfo,
  type ConsumerOffsetInfo,
  CompressionAlgorithm,
  ErrorCode,
  type Identifier,
  IggyError,
  type Partitioning,
  type Permissions,
  type PersonalAccessTokenInfo,
  type PollingStrategy,
  SnapshotCompression,
  SnapshotType,
  type Stats,
  type StreamDetails,
  type StreamInfo,
  type TopicDetails,
  type TopicInfo,
  type UserDetails,
  type UserInfo,
  UserStatus,
  balanced,
  commandName,
  decodeCreateConsumerGroupResponse,
  decodeCreatePersonalAccessTokenResponse,
  decodeCreateStreamResponse,
  decodeCreateTopicResponse,
  decodeCreateUserResponse,
  decodeGetClientResponse,
  decodeGetClientsResponse,
  decodeGetClusterMetadataResponse,
  decodeGetConsumerGroupResponse,
  decodeGetConsumerGroupsResponse,
  decodeGetConsumerOffsetResponse,
  decodeGetMeResponse,
  decodeGetPersonalAccessTokensResponse,
  decodeGetSnapshotResponse,
  decodeGetStatsResponse,
  decodeGetStreamResponse,
  decodeGetStreamsResponse,
  decodeGetTopicResponse,
  decodeGetTopicsResponse,
  decodeGetUserResponse,
  decodeGetUsersResponse,
  decodeLoginUserResponse,
  decodeLoginWithPersonalAccessTokenResponse,
  encodeChangePasswordRequest,
  encodeCreateConsumerGroupRequest,
  encodeCreatePartitionsRequest,
  encodeCreatePersonalAccessTokenRequest,
  encodeCreateStreamRequest,
  encodeCreateTopicRequest,
  encodeCreateUserRequest,
  encodeDeleteConsumerGroupRequest,
  encodeDeleteConsumerOffsetRequest,
  encodeDeletePartitionsRequest,
  encodeDeletePersonalAccessTokenRequest,
  encodeDeleteSegmentsRequest,
  encodeDeleteStreamRequest,
  encodeDeleteTopicRequest,
  encodeDeleteUserRequest,
  encodeFlushUnsavedBufferRequest,
  encodeGetClientRequest,
  encodeGetConsumerGroupRequest,
  encodeGetConsumerGroupsRequest,
  encodeGetConsumerOffsetRequest,
  encodeGetSnapshotRequest,
  encodeGetStreamRequest,
  encodeGetTopicRequest,
  encodeGetTopicsRequest,
  encodeGetUserRequest,
  encodeJoinConsumerGroupRequest,
  encodeLeaveConsumerGroupRequest,
  encodeLoginUserRequest,
  encodeLoginWithPersonalAccessTokenRequest,
  encodePollMessagesRequest,
  encodePurgeStreamRequest,
  encodePurgeTopicRequest,
  encodeSendMessagesRequest,
  encodeStoreConsumerOffsetRequest,
  encodeUpdatePermissionsRequest,
  encodeUpdateStreamRequest,
  encodeUpdateTopicRequest,
  encodeUpdateUserRequest,
  EMPTY_BUFFER,
} from '@iggy-ts/protocol';
import { TcpTransport } from './transports/tcp.js';
import { HttpTransport, type HttpTransportOptions } from './transports/http.js';
import type { Transport } from './transports/transport.js';
import { type MessageInput, type PolledBatch, decodePolledBatch, toSendMessage } from './messages.js';
import { commandError, isConnectionError } from './errors.js';
import { individualConsumer } from './wire-consumer.js';
import { Producer, type ProducerOptions } from './producer.js';
import { Consumer as HighLevelConsumer, type ConsumerOptions } from './consumer.js';

/** Login with a username and password (LoginUser, 38). */
export interface PasswordCredentials {
  /** Username (root is 'iggy' by default). */
  readonly username: string;
  /** Password. */
  readonly password: string;
}

/** Login with a personal access token (LoginWithPersonalAccessToken, 44). */
export interface TokenCredentials {
  /** The raw token returned by CreatePersonalAccessToken. */
  readonly token: string;
}

/** How the client logs in after each connect. */
export type Credentials = PasswordCredentials | TokenCredentials;

/** Reconnection policy after a dropped connection (and for the first connect). */
export interface ReconnectOptions {
  /** Reconnect when the connection drops (default true). */
  enabled?: boolean;
  /** Delay before the second attempt in ms; doubles after each failure (default 100). */
  initialDelayMs?: number;
  /** Largest delay between attempts in ms (default 5000). */
  maxDelayMs?: number;
  /** Attempts per connect or reconnect before giving up (default 10; Infinity = never give up). */
  maxAttempts?: number;
}

/** TCP endpoint of the server. */
export interface TcpEndpointOptions {
  /** Host name or IP address. */
  host: string;
  /** TCP port (Iggy's default is 8090). */
  port: number;
  /** `true` or TLS options to connect with TLS. */
  tls?: boolean | tls.ConnectionOptions;
  /** Connect timeout in ms (default 5000). */
  connectTimeoutMs?: number;
}

/** Options of {@link IggyClient}. */
export interface IggyClientOptions {
  /** A ready transport (QUIC, HTTP, WebSocket or a custom one). Takes precedence over `tcp`. */
  transport?: Transport;
  /** TCP endpoint, used when no `transport` is given (default 127.0.0.1:8090). */
  tcp?: TcpEndpointOptions;
  /** HTTP REST API endpoint (e.g. `{ url: 'http://127.0.0.1:3000' }`): use an HttpTransport. Takes precedence over `tcp`. */
  http?: HttpTransportOptions;
  /** Credentials used by automatic login after every connect. */
  credentials?: Credentials;
  /** Time limit of one request in ms, from sending to its response (default 30 000; 0 = none). */
  requestTimeoutMs?: number;
  /** Reconnection policy. */
  reconnect?: ReconnectOptions;
  /** Log in with `credentials` after each connect (default true). */
  autoLogin?: boolean;
  /** Client version sent in LoginUser (default 'iggy-ts-sdk'). */
  clientVersion?: string;
}

/** Events: 'connect' (), 'disconnect' (error), 'reconnecting' ({ attempt, delayMs, error }), 'reconnectFailed' (error). */
export type IggyClientEvent = 'connect' | 'disconnect' | 'reconnecting' | 'reconnectFailed';

type ConnectionState = 'idle' | 'connecting' | 'connected' | 'closed';

// ---------------------------------------------------------------------------------------------
// Request types. They follow the protocol's request objects; fields with a sensible default are optional.

/** A stream addressed by numeric id or name. */
export interface StreamRequest {
  /** Numeric stream id, or the stream name. */
  readonly streamId: Identifier;
}

/** A topic addressed by stream and topic (id or name). */
export interface TopicRequest extends StreamRequest {
  /** Numeric topic id, or the topic name. */
  readonly topicId: Identifier;
}

/** A consumer group addressed by stream, topic and group (id or name). */
export interface ConsumerGroupRequest extends TopicRequest {
  /** Numeric group id, or the group name. */
  readonly groupId: Identifier;
}

/** A user addressed by numeric id or username. */
export interface UserRequest {
  /** Numeric user id (root is 0), or the username. */
  readonly userId: Identifier;
}

/** Options of GetSnapshot. */
export interface GetSnapshotOptions {
  /** SnapshotCompression value (default Deflated = 2). */
  readonly compression?: number;
  /** SnapshotType values (default [All = 100]). */
  readonly types?: readonly number[];
}

/** Request of CreateStream. */
export interface CreateStreamOptions {
  /** 1..=255 bytes, unique on the server. */
  readonly name: string;
}

/** Request of UpdateStream. */
export interface UpdateStreamOptions extends StreamRequest {
  /** New name, 1..=255 bytes. */
  readonly name: string;
}

/** Request of CreateTopic. */
export interface CreateTopicOptions extends StreamRequest {
  /** 1..=255 bytes, unique in the stream. */
  readonly name: string;
  /** Partitions to create (default 1). */
  readonly partitionsCount?: number;
  /** CompressionAlgorithm value (default None = 1). */
  readonly compressionAlgorithm?: number;
  /** Message expiry in µs; 0n = server default (default), EXPIRY_NEVER = never. */
  readonly messageExpiry?: bigint;
  /** Largest topic size in bytes; 0n = server default (default), MAX_TOPIC_SIZE_UNLIMITED = unlimited. */
  readonly maxTopicSize?: bigint;
  /** Replication factor (default 1). */
  readonly replicationFactor?: number;
}

/** Fields left out keep their current value (the topic is read first when any is missing). */
export interface UpdateTopicOptions extends TopicRequest {
  /** New name, 1..=255 bytes. */
  readonly name?: string;
  /** CompressionAlgorithm value (None = 1, Gzip = 2). */
  readonly compressionAlgorithm?: number;
  /** µs; 0n = server default, EXPIRY_NEVER = never. */
  readonly messageExpiry?: bigint;
  /** Bytes; 0n = server default, MAX_TOPIC_SIZE_UNLIMITED = unlimited. */
  readonly maxTopicSize?: bigint;
  /** Replication factor (1 on a single server). */
  readonly replicationFactor?: number;
}

/** Request of CreatePartitions and DeletePartitions. */
export interface PartitionsOptions extends TopicRequest {
  /** Partitions to add (CreatePartitions) or remove from the end (DeletePartitions), 1..=1000. */
  readonly partitionsCount: number;
}

/** Request of DeleteSegments. */
export interface DeleteSegmentsOptions extends TopicRequest {
  /** Partition id (0-based). */
  readonly partitionId: number;
  /** Up to this many of the oldest sealed segments. */
  readonly segmentsCount: number;
}

/** Request of CreateConsumerGroup. */
export interface CreateConsumerGroupOptions extends TopicRequest {
  /** 1..=255 bytes, unique in the topic. */
  readonly name: string;
}

/** Request of CreateUser. */
export interface CreateUserOptions {
  /** 3..=50 characters. */
  readonly username: string;
  /** 3..=100 characters. */
  readonly password: string;
  /** UserStatus value (default Active = 1). */
  readonly status?: number;
  /** Permissions; absent = no grants at all. */
  readonly permissions?: Permissions;
}

/** Request of UpdateUser; absent fields are unchanged. */
export interface UpdateUserOptions extends UserRequest {
  /** New username, 3..=50 characters. */
  readonly username?: string;
  /** UserStatus value (Active = 1, Inactive = 2). */
  readonly status?: number;
}

/** Request of UpdatePermissions. */
export interface UpdatePermissionsOptions extends UserRequest {
  /** undefined clears every permission of the user. */
  readonly permissions?: Permissions;
}

/** Request of ChangePassword. */
export interface ChangePasswordOptions extends UserRequest {
  /** The user's current password. */
  readonly currentPassword: string;
  /** New password, 3..=100 characters. */
  readonly newPassword: string;
}

/** Request of LoginUser. */
export interface LoginOptions extends PasswordCredentials {
  /** Client version ('' = none); default the client's `clientVersion`. */
  readonly version?: string;
  /** Free-form client context (default ''). */
  readonly context?: string;
}

/** Result of a login: the id of the logged-in user. */
export interface LoginResult {
  /** Numeric id of the logged-in user. */
  readonly userId: number;
}

/** Request of CreatePersonalAccessToken. */
export interface CreatePersonalAccessTokenOptions {
  /** Token name, 3..=30 characters, unique per user. */
  readonly name: string;
  /** Lifetime in µs; 0n (default) or u64::MAX = never expires. */
  readonly expiry?: bigint;
}

/** Request of PollMessages. */
export interface PollMessagesOptions extends TopicRequest {
  /** Consumer or consumer group (default: individual consumer 0). */
  readonly consumer?: Consumer;
  /** Partition to read; absent = partition 0 for a consumer, the server's choice for a group. */
  readonly partitionId?: number | undefined;
  /** Where to read from (pollingStrategy.next() / first() / last() / offset(n) / timestamp(µs)). */
  readonly strategy: PollingStrategy;
  /** Most messages to return (default 100). */
  readonly count?: number;
  /** Store the offset of the last returned message on the server (default false). */
  readonly autoCommit?: boolean;
}

/** Request of SendMessages. */
export interface SendMessagesOptions extends TopicRequest {
  /** balanced() (default), partitionId(n) or messagesKey(key). */
  readonly partitioning?: Partitioning;
  /** At least one message. */
  readonly messages: readonly MessageInput[];
}

/** Request of FlushUnsavedBuffer. */
export interface FlushUnsavedBufferOptions extends TopicRequest {
  /** Partition id (0-based). */
  readonly partitionId: number;
  /** fsync the files after writing (default false). */
  readonly fsync?: boolean;
}

/** Request of GetConsumerOffset and DeleteConsumerOffset. */
export interface ConsumerOffsetOptions extends TopicRequest {
  /** Consumer or consumer group (default: individual consumer 0). */
  readonly consumer?: Consumer;
  /** Partition (absent = partition 0 for a consumer; the member's current partition for a group). */
  readonly partitionId?: number | undefined;
}

/** Request of StoreConsumerOffset. */
export interface StoreConsumerOffsetOptions extends ConsumerOffsetOptions {
  /** Offset of the last processed message. */
  readonly offset: number;
}

const DEFAULT_CONSUMER: Consumer = individualConsumer(0);

function groupKey(request: ConsumerGroupRequest): string {
  return JSON.stringify([request.streamId, request.topicId, request.groupId]);
}

/** Parses `host:port` (IPv6 as `[::1]:8090`); the port defaults to 8090. */
export function parseAddress(address: string): { host: string; port: number } {
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(address) ?? /^([^:]+)(?::(\d+))?$/.exec(address);
  if (match === null) throw new IggyError(ErrorCode.InvalidConfiguration, `invalid address "${address}", expected host:port`);
  const port = match[2] === undefined ? 8090 : Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new IggyError(ErrorCode.InvalidConfiguration, `invalid port in address "${address}"`);
  return { host: match[1]!, port };
}

/**
 * The low-level Iggy client. Method names follow the 0.8 command names (camelCase); each takes a
 * typed request object and resolves with the decoded response. Reads of a single resource resolve
 * with `undefined` when it does not exist.
 */
export class IggyClient extends EventEmitter {
  /** The transport this client sends its requests through. */
  readonly transport: Transport;
  private readonly requestTimeoutMs: number;
  private readonly reconnectEnabled: boolean;
  private readonly reconnectInitialDelayMs: number;
  private readonly reconnectMaxDelayMs: number;
  private readonly reconnectMaxAttempts: number;
  private readonly autoLogin: boolean;
  private readonly clientVersion: string;
  private credentials: Credentials | undefined;
  private state: ConnectionState = 'idle';
  private connecting: Promise<void> | undefined;
  private readonly joinedGroups = new Map<string, ConsumerGroupRequest>();
  private wakeSleep: (() => void) | undefined;
  private readonly removeDisconnectListener: (() => void) | undefined;
  private loggedInUserId: number | undefined;

  constructor(options: IggyClientOptions = {}) {
    super();
    const tcp = options.tcp ?? { host: '127.0.0.1', port: 8090 };
    this.transport =
      options.transport ??
      (options.http !== undefined ? new HttpTransport(options.http) : undefined) ??
      new TcpTransport({
        host: tcp.host,
        port: tcp.port,
        ...(tcp.tls === undefined || tcp.tls === false ? {} : { tls: tcp.tls === true ? {} : tcp.tls }),
        ...(tcp.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: tcp.connectTimeoutMs }),
      });
    this.credentials = options.credentials;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.reconnectEnabled = options.reconnect?.enabled ?? true;
    this.reconnectInitialDelayMs = options.reconnect?.initialDelayMs ?? 100;
    this.reconnectMaxDelayMs = options.reconnect?.maxDelayMs ?? 5000;
    this.reconnectMaxAttempts = Math.max(1, options.reconnect?.maxAttempts ?? 10);
    this.autoLogin = options.autoLogin ?? true;
    this.clientVersion = options.clientVersion ?? 'iggy-ts-sdk';
    this.removeDisconnectListener = this.transport.onDisconnect?.((error) => this.handleDrop(error));
  }

  /** A TCP client for `host:port` (port default 8090), or an HTTP client for an `http://` or `https://` URL. */
  static fromAddress(address: string, options: Omit<IggyClientOptions, 'tcp' | 'transport'> & { tls?: boolean | tls.ConnectionOptions } = {}): IggyClient {
    const { tls: tlsOptions, http: httpOptions, ...rest } = options;
    if (/^https?:\/\//i.test(address)) return new IggyClient({ ...rest, http: { ...httpOptions, url: address } });
    const { host, port } = parseAddress(address);
    return new IggyClient({ ...rest, tcp: { host, port, ...(tlsOptions === undefined ? {} : { tls: tlsOptions }) } });
  }

  /** True while the transport is connected and the client ready (logged in when autoLogin). */
  get connected(): boolean {
    return this.state === 'connected' && this.transport.connected;
  }

  /** True once `close()` was called; a closed client never reconnects. */
  get closed(): boolean {
    return this.state === 'closed';
  }

  /** Id of the user the client logged in as, or undefined. */
  get userId(): number | undefined {
    return this.loggedInUserId;
  }

  /** Connects (and logs in with autoLogin). Idempotent: resolves at once when already connected. */
  connect(): Promise<void> {
    if (this.state === 'closed') return Promise.reject(new IggyError(ErrorCode.NotConnected, 'client is closed'));
    if (this.state === 'connected' && this.transport.connected) return Promise.resolve();
    if (this.connecting !== undefined) return this.connecting;
    this.state = 'connecting';
    const attempt = this.establish().finally(() => {
      if (this.connecting === attempt) this.connecting = undefined;
    });
    this.connecting = attempt;
    return attempt;
  }

  /** Closes the connection; no reconnect follows. Pending requests fail with Disconnected. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.wakeSleep?.();
    this.removeDisconnectListener?.();
    this.joinedGroups.clear();
    await this.transport.close();
  }

  /** A method, not a comparison, so that TypeScript does not narrow `state` across awaits. */
  private isClosed(): boolean {
    return this.state === 'closed';
  }

  private async establish(): Promise<void> {
    let attempt = 0;
    let delayMs = this.reconnectInitialDelayMs;
    for (;;) {
      if (this.isClosed()) throw new IggyError(ErrorCode.NotConnected, 'client is closed');
      try {
        await this.transport.connect();
        await this.afterConnect();
        if (this.isClosed()) {
          await this.transport.close();
          throw new IggyError(ErrorCode.NotConnected, 'client is closed');
        }
        this.state = 'connected';
        this.emit('connect');
        return;
      } catch (error) {
        attempt += 1;
        const retry = this.reconnectEnabled && isConnectionError(error) && attempt < this.reconnectMaxAttempts && !this.isClosed();
        if (!retry) {
          if (!this.isClosed()) this.state = 'idle';
          if (!isConnectionError(error)) await this.transport.close().catch(() => undefined);
          throw error;
        }
        this.emit('reconnecting', { attempt, delayMs, error });
        await this.sleep(delayMs);
        delayMs = Math.min(delayMs * 2, this.reconnectMaxDelayMs);
      }
    }
  }

  /** Login and re-join after a (re)connect; commands go straight to the transport. */
  private async afterConnect(): Promise<void> {
    this.loggedInUserId = undefined;
    const credentials = this.credentials;
    if (this.autoLogin && credentials !== undefined) {
      if ('token' in credentials) {
        const payload = await this.direct(CommandCode.LoginWithPersonalAccessToken, encodeLoginWithPersonalAccessTokenRequest({ token: credentials.token }));
        this.loggedInUserId = decodeLoginWithPersonalAccessTokenResponse(payload).userId;
      } else {
        const payload = await this.direct(
          CommandCode.LoginUser,
          encodeLoginUserRequest({ username: credentials.username, password: credentials.password, version: this.clientVersion, context: '' }),
        );
        this.loggedInUserId = decodeLoginUserResponse(payload).userId;
      }
    }
    for (const [key, group] of [...this.joinedGroups]) {
      try {
        await this.direct(CommandCode.JoinConsumerGroup, encodeJoinConsumerGroupRequest(group));
      } catch (error) {
        if (isConnectionError(error)) throw error;
        this.joinedGroups.delete(key); // the group (or its topic) is gone
      }
    }
  }

  private sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, delayMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleep = done;
    });
  }

  /** The connection dropped: reconnect in the background unless closed or disabled. */
  private handleDrop(error: Error): void {
    if (this.state !== 'connected') return;
    this.state = 'idle';
    this.loggedInUserId = undefined;
    this.emit('disconnect', error);
    if (!this.reconnectEnabled) return;
    this.connect().catch((reconnectError: unknown) => {
      if (this.state !== 'closed') this.emit('reconnectFailed', reconnectError);
    });
  }

  /** Sends on the current transport with the request timeout; throws on a non-zero status. */
  private async direct(code: number, payload: Uint8Array, timeoutMs = this.requestTimeoutMs): Promise<Buffer> {
    const pending = this.transport.request(code, payload);
    const response =
      timeoutMs <= 0
        ? await pending
        : await new Promise<Awaited<typeof pending>>((resolve, reject) => {
            const timer = setTimeout(() => reject(new IggyError(ErrorCode.TaskTimeout, `${commandName(code) ?? `command ${code}`} timed out after ${timeoutMs} ms`)), timeoutMs);
            pending.then(
              (value) => {
                clearTimeout(timer);
                resolve(value);
              },
              (error: unknown) => {
                clearTimeout(timer);
                reject(error);
              },
            );
          });
    if (response.status !== 0) throw commandError(response.status, code);
    return response.payload;
  }

  /**
   * Sends one command with a ready-made payload and resolves with the response payload (throws an
   * IggyError for a non-zero status). Waits for the connection (and login) first.
   * @param code command code (CommandCode)
   * @param payload request payload, without the 8-byte frame header
   * @param timeoutMs time limit in ms (default: the client's requestTimeoutMs; 0 = none)
   */
  async rawRequest(code: number, payload: Uint8Array = EMPTY_BUFFER, timeoutMs?: number): Promise<Buffer> {
    if (this.state !== 'connected' || !this.transport.connected) {
      if (this.state === 'connected') this.handleDrop(new IggyError(ErrorCode.NotConnected, 'connection lost'));
      await this.connect();
    }
    try {
      return await this.direct(code, payload, timeoutMs);
    } catch (error) {
      // Transports without onDisconnect tell us here.
      if (isConnectionError(error) && this.state === 'connected' && !this.transport.connected) this.handleDrop(error as Error);
      throw error;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // System

  /** Ping (1): checks the connection; allowed before login. */
  async ping(): Promise<void> {
    await this.rawRequest(CommandCode.Ping);
  }

  /** GetStats (10): server statistics. */
  async getStats(): Promise<Stats> {
    return decodeGetStatsResponse(await this.rawRequest(CommandCode.GetStats));
  }

  /** GetSnapshot (11): a ZIP archive of diagnostic files. */
  async getSnapshot(options: GetSnapshotOptions = {}): Promise<Buffer> {
    const payload = encodeGetSnapshotRequest({ compression: options.compression ?? SnapshotCompression.Deflated, types: options.types ?? [SnapshotType.All] });
    return decodeGetSnapshotResponse(await this.rawRequest(CommandCode.GetSnapshot, payload));
  }

  /** GetClusterMetadata (12): cluster name and nodes (one node for a single server). */
  async getClusterMetadata(): Promise<ClusterMetadata> {
    return decodeGetClusterMetadataResponse(await this.rawRequest(CommandCode.GetClusterMetadata));
  }

  /** GetMe (20): this connection as the server sees it (client id, user, joined groups). */
  async getMe(): Promise<ClientDetails> {
    return decodeGetMeResponse(await this.rawRequest(CommandCode.GetMe));
  }

  /** GetClient (21): one connected client, or undefined. */
  async getClient(request: { readonly clientId: number }): Promise<ClientDetails | undefined> {
    return decodeGetClientResponse(await this.rawRequest(CommandCode.GetClient, encodeGetClientRequest(request)));
  }

  /** GetClients (22): every connected client. */
  async getClients(): Promise<ClientInfo[]> {
    return decodeGetClientsResponse(await this.rawRequest(CommandCode.GetClients));
  }

  // ---------------------------------------------------------------------------------------------
  // Users

  /** GetUser (31): a user with permissions, or undefined. */
  async getUser(request: UserRequest): Promise<UserDetails | undefined> {
    return decodeGetUserResponse(await this.rawRequest(CommandCode.GetUser, encodeGetUserRequest(request)));
  }

  /** GetUsers (32): every user. */
  async getUsers(): Promise<UserInfo[]> {
    return decodeGetUsersResponse(await this.rawRequest(CommandCode.GetUsers));
  }

  /** CreateUser (33): the new user. */
  async createUser(request: CreateUserOptions): Promise<UserDetails> {
    const payload = encodeCreateUserRequest({ username: request.username, password: request.password, status: request.status ?? UserStatus.Active, permissions: request.permissions });
    return decodeCreateUserResponse(await this.rawRequest(CommandCode.CreateUser, payload));
  }

  /** DeleteUser (34). */
  async deleteUser(request: UserRequest): Promise<void> {
    await this.rawRequest(CommandCode.DeleteUser, encodeDeleteUserRequest(request));
  }

  /** UpdateUser (35): renames and/or changes the status; absent fields are unchanged. */
  async updateUser(request: UpdateUserOptions): Promise<void> {
    await this.rawRequest(CommandCode.UpdateUser, encodeUpdateUserRequest(request));
  }

  /** UpdatePermissions (36): replaces the user's permissions (undefined clears them). */
  async updatePermissions(request: UpdatePermissionsOptions): Promise<void> {
    await this.rawRequest(CommandCode.UpdatePermissions, encodeUpdatePermissionsRequest(request));
  }

  /** ChangePassword (37). */
  async changePassword(request: ChangePasswordOptions): Promise<void> {
    await this.rawRequest(CommandCode.ChangePassword, encodeChangePasswordRequest(request));
  }

  /**
   * LoginUser (38). The credentials replace the configured ones and are used again after a
   * reconnect.
   */
  async login(request: LoginOptions): Promise<LoginResult> {
    const payload = encodeLoginUserRequest({ username: request.username, password: request.password, version: request.version ?? this.clientVersion, context: request.context ?? '' });
    const result = decodeLoginUserResponse(await this.rawRequest(CommandCode.LoginUser, payload));
    this.credentials = { username: request.username, password: request.password };
    this.loggedInUserId = result.userId;
    return result;
  }

  /** Alias of {@link login} named after the command. */
  loginUser(request: LoginOptions): Promise<LoginResult> {
    return this.login(request);
  }

  /** LogoutUser (39): the connection stays open, unauthenticated; no automatic re-login follows. */
  async logout(): Promise<void> {
    await this.rawRequest(CommandCode.LogoutUser);
    this.credentials = undefined;
    this.loggedInUserId = undefined;
  }

  /** Alias of {@link logout} named after the command. */
  logoutUser(): Promise<void> {
    return this.logout();
  }

  // ---------------------------------------------------------------------------------------------
  // Personal access tokens

  /** GetPersonalAccessTokens (41): the logged-in user's tokens (names and expiry, µs since epoch, 0 = never). */
  async getPersonalAccessTokens(): Promise<PersonalAccessTokenInfo[]> {
    return decodeGetPersonalAccessTokensResponse(await this.rawRequest(CommandCode.GetPersonalAccessTokens));
  }

  /** CreatePersonalAccessToken (42): resolves with the raw token, shown only once. */
  async createPersonalAccessToken(request: CreatePersonalAccessTokenOptions): Promise<{ token: string }> {
    const payload = encodeCreatePersonalAccessTokenRequest({ name: request.name, expiry: request.expiry ?? 0n });
    return decodeCreatePersonalAccessTokenResponse(await this.rawRequest(CommandCode.CreatePersonalAccessToken, payload));
  }

  /** DeletePersonalAccessToken (43). */
  async deletePersonalAccessToken(request: { readonly name: string }): Promise<void> {
    await this.rawRequest(CommandCode.DeletePersonalAccessToken, encodeDeletePersonalAccessTokenRequest(request));
  }

  /** LoginWithPersonalAccessToken (44). The token replaces the configured credentials. */
  async loginWithPersonalAccessToken(request: { readonly token: string }): Promise<LoginResult> {
    const result = decodeLoginWithPersonalAccessTokenResponse(await this.rawRequest(CommandCode.LoginWithPersonalAccessToken, encodeLoginWithPersonalAccessTokenRequest(request)));
    this.credentials = { token: request.token };
    this.loggedInUserId = result.userId;
    return result;
  }

  // ---------------------------------------------------------------------------------------------
  // Messages

  /** PollMessages (100): up to `count` messages from one partition. */
  async pollMessages(request: PollMessagesOptions): Promise<PolledBatch> {
    const payload = encodePollMessagesRequest({
      consumer: request.consumer ?? DEFAULT_CONSUMER,
      streamId: request.streamId,
      topicId: request.topicId,
      partitionId: request.partitionId,
      strategy: request.strategy,
      count: request.count ?? 100,
      autoCommit: request.autoCommit ?? false,
    });
    return decodePolledBatch(await this.rawRequest(CommandCode.PollMessages, payload));
  }

  /**
   * SendMessages (101): appends the messages as one batch. Resolves when the server has accepted
   * the batch (appended to its journal; see flushUnsavedBuffer for durability).
   */
  async sendMessages(request: SendMessagesOptions): Promise<void> {
    const messages = request.messages.map(toSendMessage);
    const payload = encodeSendMessagesRequest({ streamId: request.streamId, topicId: request.topicId, partitioning: request.partitioning ?? balanced(), messages });
    await this.rawRequest(CommandCode.SendMessages, payload);
  }

  /** FlushUnsavedBuffer (102): writes the partition's buffered messages to disk (fsync optional). */
  async flushUnsavedBuffer(request: FlushUnsavedBufferOptions): Promise<void> {
    const payload = encodeFlushUnsavedBufferRequest({ streamId: request.streamId, topicId: request.topicId, partitionId: request.partitionId, fsync: request.fsync ?? false });
    await this.rawRequest(CommandCode.FlushUnsavedBuffer, payload);
  }

  // ---------------------------------------------------------------------------------------------
  // Consumer offsets

  /** GetConsumerOffset (120): stored offset of a consumer or group on a partition, or undefined. */
  async getConsumerOffset(request: ConsumerOffsetOptions): Promise<ConsumerOffsetInfo | undefined> {
    const payload = encodeGetConsumerOffsetRequest({ consumer: request.consumer ?? DEFAULT_CONSUMER, streamId: request.streamId, topicId: request.topicId, partitionId: request.partitionId });
    return decodeGetConsumerOffsetResponse(await this.rawRequest(CommandCode.GetConsumerOffset, payload));
  }

  /** StoreConsumerOffset (121): stores `offset` (the last processed message) for the consumer or group. */
  async storeConsumerOffset(request: StoreConsumerOffsetOptions): Promise<void> {
    const payload = encodeStoreConsumerOffsetRequest({
      consumer: request.consumer ?? DEFAULT_CONSUMER,
      streamId: request.streamId,
      topicId: request.topicId,
      partitionId: request.partitionId,
      offset: request.offset,
    });
    await this.rawRequest(CommandCode.StoreConsumerOffset, payload);
  }

  /** DeleteConsumerOffset (122). */
  async deleteConsumerOffset(request: ConsumerOffsetOptions): Promise<void> {
    const payload = encodeDeleteConsumerOffsetRequest({ consumer: request.consumer ?? DEFAULT_CONSUMER, streamId: request.streamId, topicId: request.topicId, partitionId: request.partitionId });
    await this.rawRequest(CommandCode.DeleteConsumerOffset, payload);
  }

  // ---------------------------------------------------------------------------------------------
  // Streams

  /** GetStream (200): the stream with its topics, or undefined. */
  async getStream(request: StreamRequest): Promise<StreamDetails | undefined> {
    return decodeGetStreamResponse(await this.rawRequest(CommandCode.GetStream, encodeGetStreamRequest(request)));
  }

  /** GetStreams (201): every stream. */
  async getStreams(): Promise<StreamInfo[]> {
    return decodeGetStreamsResponse(await this.rawRequest(CommandCode.GetStreams));
  }

  /** CreateStream (202): the new stream (its id is assigned by the server). */
  async createStream(request: CreateStreamOptions): Promise<StreamDetails> {
    return decodeCreateStreamResponse(await this.rawRequest(CommandCode.CreateStream, encodeCreateStreamRequest(request)));
  }

  /** DeleteStream (203): deletes the stream with its topics and messages. */
  async deleteStream(request: StreamRequest): Promise<void> {
    await this.rawRequest(CommandCode.DeleteStream, encodeDeleteStreamRequest(request));
  }

  /** UpdateStream (204): renames the stream. */
  async updateStream(request: UpdateStreamOptions): Promise<void> {
    await this.rawRequest(CommandCode.UpdateStream, encodeUpdateStreamRequest(request));
  }

  /** PurgeStream (205): deletes every message of every topic of the stream. */
  async purgeStream(request: StreamRequest): Promise<void> {
    await this.rawRequest(CommandCode.PurgeStream, encodePurgeStreamRequest(request));
  }

  // ---------------------------------------------------------------------------------------------
  // Topics

  /** GetTopic (300): the topic with its partitions, or undefined. */
  async getTopic(request: TopicRequest): Promise<TopicDetails | undefined> {
    return decodeGetTopicResponse(await this.rawRequest(CommandCode.GetTopic, encodeGetTopicRequest(request)));
  }

  /** GetTopics (301): the stream's topics (empty when the stream does not exist). */
  async getTopics(request: StreamRequest): Promise<TopicInfo[]> {
    return decodeGetTopicsResponse(await this.rawRequest(CommandCode.GetTopics, encodeGetTopicsRequest(request)));
  }

  /** CreateTopic (302): the new topic with its partitions. */
  async createTopic(request: CreateTopicOptions): Promise<TopicDetails> {
    const payload = encodeCreateTopicRequest({
      streamId: request.streamId,
      name: request.name,
      partitionsCount: request.partitionsCount ?? 1,
      compressionAlgorithm: request.compressionAlgorithm ?? CompressionAlgorithm.None,
      messageExpiry: request.messageExpiry ?? 0n,
      maxTopicSize: request.maxTopicSize ?? 0n,
      replicationFactor: request.replicationFactor ?? 1,
    });
    return decodeCreateTopicResponse(await this.rawRequest(CommandCode.CreateTopic, payload));
  }

  /** DeleteTopic (303). */
  async deleteTopic(request: TopicRequest): Promise<void> {
    await this.rawRequest(CommandCode.DeleteTopic, encodeDeleteTopicRequest(request));
  }

  /** UpdateTopic (304): fields left out keep their value (read with GetTopic first). */
  async updateTopic(request: UpdateTopicOptions): Promise<void> {
    let current: TopicInfo | undefined;
    if (request.name === undefined || request.compressionAlgorithm === undefined || request.messageExpiry === undefined || request.maxTopicSize === undefined || request.replicationFactor === undefined) {
      current = await this.getTopic(request);
      if (current === undefined) throw new IggyError(ErrorCode.TopicIdNotFound, `topic ${String(request.topicId)} not found in stream ${String(request.streamId)}`);
    }
    const payload = encodeUpdateTopicRequest({
      streamId: request.streamId,
      topicId: request.topicId,
      name: request.name ?? current!.name,
      compressionAlgorithm: request.compressionAlgorithm ?? current!.compressionAlgorithm,
      messageExpiry: request.messageExpiry ?? current!.messageExpiry,
      maxTopicSize: request.maxTopicSize ?? current!.maxTopicSize,
      replicationFactor: request.replicationFactor ?? current!.replicationFactor,
    });
    await this.rawRequest(CommandCode.UpdateTopic, payload);
  }

  /** PurgeTopic (305): deletes every message of the topic (offsets restart at 0). */
  async purgeTopic(request: TopicRequest): Promise<void> {
    await this.rawRequest(CommandCode.PurgeTopic, encodePurgeTopicRequest(request));
  }

  // ---------------------------------------------------------------------------------------------
  // Partitions and segments

  /** CreatePartitions (402): adds partitions at the end. */
  async createPartitions(request: PartitionsOptions): Promise<void> {
    await this.rawRequest(CommandCode.CreatePartitions, encodeCreatePartitionsRequest(request));
  }

  /** DeletePartitions (403): removes the partitions with the highest ids. */
  async deletePartitions(request: PartitionsOptions): Promise<void> {
    await this.rawRequest(CommandCode.DeletePartitions, encodeDeletePartitionsRequest(request));
  }

  /** DeleteSegments (503): deletes up to `segmentsCount` of the partition's oldest sealed segments. */
  async deleteSegments(request: DeleteSegmentsOptions): Promise<void> {
    await this.rawRequest(CommandCode.DeleteSegments, encodeDeleteSegmentsRequest(request));
  }

  // ---------------------------------------------------------------------------------------------
  // Consumer groups

  /** GetConsumerGroup (600): the group with its members and their partitions, or undefined. */
  async getConsumerGroup(request: ConsumerGroupRequest): Promise<ConsumerGroupDetails | undefined> {
    return decodeGetConsumerGroupResponse(await this.rawRequest(CommandCode.GetConsumerGroup, encodeGetConsumerGroupRequest(request)));
  }

  /** GetConsumerGroups (601): the topic's groups. */
  async getConsumerGroups(request: TopicRequest): Promise<ConsumerGroupInfo[]> {
    return decodeGetConsumerGroupsResponse(await this.rawRequest(CommandCode.GetConsumerGroups, encodeGetConsumerGroupsRequest(request)));
  }

  /** CreateConsumerGroup (602): the new group (no members). */
  async createConsumerGroup(request: CreateConsumerGroupOptions): Promise<ConsumerGroupDetails> {
    return decodeCreateConsumerGroupResponse(await this.rawRequest(CommandCode.CreateConsumerGroup, encodeCreateConsumerGroupRequest(request)));
  }

  /** DeleteConsumerGroup (603). */
  async deleteConsumerGroup(request: ConsumerGroupRequest): Promise<void> {
    await this.rawRequest(CommandCode.DeleteConsumerGroup, encodeDeleteConsumerGroupRequest(request));
    this.joinedGroups.delete(groupKey(request));
  }

  /** JoinConsumerGroup (604): this connection becomes a member; re-joined after every reconnect. */
  async joinConsumerGroup(request: ConsumerGroupRequest): Promise<void> {
    await this.rawRequest(CommandCode.JoinConsumerGroup, encodeJoinConsumerGroupRequest(request));
    this.joinedGroups.set(groupKey(request), { streamId: request.streamId, topicId: request.topicId, groupId: request.groupId });
  }

  /** LeaveConsumerGroup (605). */
  async leaveConsumerGroup(request: ConsumerGroupRequest): Promise<void> {
    this.joinedGroups.delete(groupKey(request));
    await this.rawRequest(CommandCode.LeaveConsumerGroup, encodeLeaveConsumerGroupRequest(request));
  }

  // ---------------------------------------------------------------------------------------------
  // Conveniences (several commands)

  /** The stream named `name`, created when missing (safe when several clients race). */
  async ensureStream(name: string): Promise<StreamDetails> {
    const existing = await this.getStream({ streamId: name });
    if (existing !== undefined) return existing;
    try {
      return await this.createStream({ name });
    } catch (error) {
      if (!(error instanceof IggyError) || error.code !== ErrorCode.StreamNameAlreadyExists) throw error;
      const raced = await this.getStream({ streamId: name });
      if (raced === undefined) throw error;
      return raced;
    }
  }

  /** The topic named `name` in the stream, created with `options` when missing (safe when several clients race). */
  async ensureTopic(request: CreateTopicOptions): Promise<TopicDetails> {
    const existing = await this.getTopic({ streamId: request.streamId, topicId: request.name });
    if (existing !== undefined) return existing;
    try {
      return await this.createTopic(request);
    } catch (error) {
      if (!(error instanceof IggyError) || error.code !== ErrorCode.TopicNameAlreadyExists) throw error;
      const raced = await this.getTopic({ streamId: request.streamId, topicId: request.name });
      if (raced === undefined) throw error;
      return raced;
    }
  }

  /** The consumer group named `name` in the topic, created when missing (safe when several clients race). */
  async ensureConsumerGroup(request: CreateConsumerGroupOptions): Promise<ConsumerGroupDetails> {
    const lookup = { streamId: request.streamId, topicId: request.topicId, groupId: request.name };
    const existing = await this.getConsumerGroup(lookup);
    if (existing !== undefined) return existing;
    try {
      return await this.createConsumerGroup(request);
    } catch (error) {
      if (!(error instanceof IggyError) || error.code !== ErrorCode.ConsumerGroupNameAlreadyExists) throw error;
      const raced = await this.getConsumerGroup(lookup);
      if (raced === undefined) throw error;
      return raced;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // High-level clients

  /** A batching {@link Producer} for one topic, sharing this client's connection. */
  producer(options: ProducerOptions): Producer {
    return new Producer(this, options);
  }

  /** A polling {@link HighLevelConsumer | Consumer} for one topic, sharing this client's connection. */
  consumer(options: ConsumerOptions): HighLevelConsumer {
    return new HighLevelConsumer(this, options);
  }
}
