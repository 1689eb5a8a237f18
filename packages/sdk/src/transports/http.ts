/**
 * HTTP transport: the Iggy binary commands carried over the Iggy 0.8 HTTP REST API (reference
 * section 9), so that IggyClient, Producer and Consumer work unchanged over HTTP.
 *
 * `request(code, payload)` decodes the binary request (`decode<Command>Request`), performs the
 * matching REST call with the global `fetch`, and encodes the JSON answer back into the binary
 * response payload (`encode<Command>Response`, status 0). An error body `{id, code, reason, field}`
 * answers status `id` (the Iggy error code); a `not_found` 404 of a read answers the empty "not found"
 * payload, as the binary protocol does (reference 2.16).
 *
 * Authentication: LoginUser (38) and LoginWithPersonalAccessToken (44) obtain a JWT that is sent as
 * `Authorization: Bearer` on every later request; it is refreshed (`POST /users/refresh-token`)
 * before it expires, and when it cannot be refreshed or the server rejects it (expired while idle,
 * server restarted with a new secret) the transport logs in again with the last login request and
 * repeats the rejected request once (a 401 from the token check means the request did not run).
 * LogoutUser (39) revokes the token; `close()` revokes it too unless `logoutOnClose` is false.
 *
 * Not available over HTTP at 0.8, answered with IggyError FeatureUnavailable (5): GetMe (20),
 * JoinConsumerGroup (604), LeaveConsumerGroup (605), and PollMessages / consumer-offset commands
 * with a consumer-group consumer (kind 2): HTTP requests belong to no session, so there is no
 * connection to describe and no group membership (reference 9.1, 9.3). A name that looks like a
 * u32 cannot be put in a URL path either (the server would read it as a numeric id).
 *
 * Requests run one at a time in call order by default (`maxInFlightRequests` = 1), which keeps the
 * ordering a TCP connection gives (e.g. batches of one producer stay in order).
 *
 * u64/u128 values (message ids, checksums, offsets, `message_expiry`, `max_topic_size`) are bare JSON
 * numbers that can exceed 2^53: responses are parsed with integer literals outside the safe range
 * kept as exact decimal text, and request bodies are written with bigints as exact numbers.
 */
import {
  type ClientDetails,
  type ClientInfo,
  type ClusterMetadata,
  CommandCode,
  type Consumer,
  ConsumerKind,
  type ConsumerGroupDetails,
  type ConsumerGroupInfo,
  type ConsumerOffsetInfo,
  DecodeError,
  EMPTY_BUFFER,
  ErrorCode,
  HeaderKind,
  type Identifier,
  IggyError,
  MAX_TOPIC_SIZE_UNLIMITED,
  NO_USER_ID,
  PartitioningKind,
  type PartitionInfo,
  type Permissions,
  type PersonalAccessTokenInfo,
  PollingKind,
  type PolledMessage,
  SnapshotCompression,
  SnapshotType,
  type Stats,
  type StreamDetails,
  type StreamInfo,
  type StreamPermissions,
  type TopicDetails,
  type TopicInfo,
  type TopicPermissions,
  type UserDetails,
  type UserInfo,
  UserStatus,
  commandName,
  decodeChangePasswordRequest,
  decodeCreateConsumerGroupRequest,
  decodeCreatePartitionsRequest,
  decodeCreatePersonalAccessTokenRequest,
  decodeCreateStreamRequest,
  decodeCreateTopicRequest,
  decodeCreateUserRequest,
  decodeDeleteConsumerGroupRequest,
  decodeDeleteConsumerOffsetRequest,
  decodeDeletePartitionsRequest,
  decodeDeletePersonalAccessTokenRequest,
  decodeDeleteSegmentsRequest,
  decodeDeleteStreamRequest,
  decodeDeleteTopicRequest,
  decodeDeleteUserRequest,
  decodeFlushUnsavedBufferRequest,
  decodeGetClientRequest,
  decodeGetClientsRequest,
  decodeGetClusterMetadataRequest,
  decodeGetConsumerGroupRequest,
  decodeGetConsumerGroupsRequest,
  decodeGetConsumerOffsetRequest,
  decodeGetMeRequest,
  decodeGetPersonalAccessTokensRequest,
  decodeGetSnapshotRequest,
  decodeGetStatsRequest,
  decodeGetStreamRequest,
  decodeGetStreamsRequest,
  decodeGetTopicRequest,
  decodeGetTopicsRequest,
  decodeGetUserRequest,
  decodeGetUsersRequest,
  decodeJoinConsumerGroupRequest,
  decodeLeaveConsumerGroupRequest,
  decodeLoginUserRequest,
  decodeLoginWithPersonalAccessTokenRequest,
  decodeLogoutUserRequest,
  decodePingRequest,
  decodePollMessagesRequest,
  decodePurgeStreamRequest,
  decodePurgeTopicRequest,
  decodeSendMessagesRequest,
  decodeStoreConsumerOffsetRequest,
  decodeUpdatePermissionsRequest,
  decodeUpdateStreamRequest,
  decodeUpdateTopicRequest,
  decodeUpdateUserRequest,
  encodeChangePasswordResponse,
  encodeCreateConsumerGroupResponse,
  encodeCreatePartitionsResponse,
  encodeCreatePersonalAccessTokenResponse,
  encodeCreateStreamResponse,
  encodeCreateTopicResponse,
  encodeCreateUserResponse,
  encodeDeleteConsumerGroupResponse,
  encodeDeleteConsumerOffsetResponse,
  encodeDeletePartitionsResponse,
  encodeDeletePersonalAccessTokenResponse,
  encodeDeleteSegmentsResponse,
  encodeDeleteStreamResponse,
  encodeDeleteTopicResponse,
  encodeDeleteUserResponse,
  encodeFlushUnsavedBufferResponse,
  encodeGetClientResponse,
  encodeGetClientsResponse,
  encodeGetClusterMetadataResponse,
  encodeGetConsumerGroupResponse,
  encodeGetConsumerGroupsResponse,
  encodeGetConsumerOffsetResponse,
  encodeGetPersonalAccessTokensResponse,
  encodeGetSnapshotResponse,
  encodeGetStatsResponse,
  encodeGetStreamResponse,
  encodeGetStreamsResponse,
  encodeGetTopicResponse,
  encodeGetTopicsResponse,
  encodeGetUserResponse,
  encodeGetUsersResponse,
  encodeLoginUserResponse,
  encodeLoginWithPersonalAccessTokenResponse,
  encodeLogoutUserResponse,
  encodePingResponse,
  encodePollMessagesResponse,
  encodePurgeStreamResponse,
  encodePurgeTopicResponse,
  encodeSendMessagesResponse,
  encodeStoreConsumerOffsetResponse,
  encodeUpdatePermissionsResponse,
  encodeUpdateStreamResponse,
  encodeUpdateTopicResponse,
  encodeUpdateUserResponse,
} from '@iggy-ts/protocol';
import type { RawResponse, Transport } from './transport.js';

/** Options of {@link HttpTransport}. */
export interface HttpTransportOptions {
  /** Base URL of the server's HTTP API, e.g. `http://127.0.0.1:3000` (Iggy's default port is 3000). */
  url: string;
  /** Time limit in ms of the `GET /ping` that `connect()` makes (default 5000). */
  connectTimeoutMs?: number;
  /** Time limit in ms of one HTTP request; past it the request fails with TaskTimeout (default 30 000). */
  requestTimeoutMs?: number;
  /** Requests sent at once; 1 (default) runs them one at a time in call order, like a TCP connection. */
  maxInFlightRequests?: number;
  /**
   * Log in again with the last login request when the token expired or was rejected (default true).
   * The login request (with its password or personal access token) is then kept in memory, as the
   * client keeps its credentials.
   */
  reloginOnExpiry?: boolean;
  /** Revoke the token (`DELETE /users/logout`) on `close()` (default true; at most 1 s is spent on it). */
  logoutOnClose?: boolean;
  /** The fetch function (default the global `fetch`); pass undici's with a dispatcher for custom TLS. */
  fetch?: typeof fetch;
}

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** One REST call planned from a binary request, and how its answer becomes the binary response. */
interface HttpCall {
  readonly method: HttpMethod;
  /** Path with query, starting with '/'. */
  readonly path: string;
  /** JSON body (bigints are written as exact numbers). */
  readonly body?: unknown;
  /** Sent without the token (ping, login routes). */
  readonly public?: boolean;
  /** How the success body is read: parsed JSON (default), raw bytes, or ignored. */
  readonly answer?: 'json' | 'bytes' | 'none';
  /** The payload answered for a `not_found` 404 (reads: the empty "not found" payload or an empty list). */
  readonly notFound?: Buffer;
  /** The answer is IdentityInfo: keep its token (login routes). */
  readonly identity?: boolean;
  /** Turns the success body into the binary response payload. */
  readonly encode: (body: unknown) => Buffer;
}

/** The token the server issued, and when to refresh it. */
interface AccessToken {
  readonly value: string;
  /** `exp` of the JWT, seconds since epoch. */
  readonly expirySeconds: number;
  /** Refresh at or after this time (ms since epoch). */
  readonly refreshAtMs: number;
}

/** Latest refresh: 60 s before expiry, or half-way through a shorter lifetime. */
const TOKEN_REFRESH_MARGIN_MS_MAX = 60_000;
/** Time spent at most on revoking the token in `close()`. */
const LOGOUT_ON_CLOSE_TIMEOUT_MS = 1000;
/** Characters of a non-JSON error body quoted in an error message. */
const ERROR_TEXT_QUOTED_MAX = 200;
/** Error `code`s of the HTTP layer that are not Iggy error codes (their `id` is the HTTP status). */
const HTTP_ONLY_ERROR_CODES: ReadonlySet<string> = new Set(['not_found', 'method_not_allowed', 'payload_too_large']);

/** The Iggy protocol over the Iggy 0.8 HTTP REST API (see the file header for what it cannot do). */
export class HttpTransport implements Transport {
  private readonly baseUrl: string;
  private readonly connectTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly maxInFlightRequests: number;
  private readonly reloginOnExpiry: boolean;
  private readonly logoutOnClose: boolean;
  private readonly fetchFunction: typeof fetch;
  private isConnected = false;
  /** Aborted by `close()`: fails the requests in flight. */
  private closeController = new AbortController();
  private activeRequests = 0;
  private readonly waitingRequests: (() => void)[] = [];
  // Secrets live in ES private fields: not enumerable, not shown by util.inspect or JSON.stringify.
  #token: AccessToken | undefined;
  #lastLogin: { readonly code: number; readonly payload: Buffer } | undefined;
  #refreshing: Promise<void> | undefined;

  constructor(options: HttpTransportOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new IggyError(ErrorCode.CannotParseUrl, `invalid HTTP API URL "${options.url}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new IggyError(ErrorCode.CannotParseUrl, `the HTTP API URL must start with http:// or https://, got "${options.url}"`);
    this.baseUrl = url.href.replace(/\/+$/, '');
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.maxInFlightRequests = Math.max(1, Math.floor(options.maxInFlightRequests ?? 1));
    this.reloginOnExpiry = options.reloginOnExpiry ?? true;
    this.logoutOnClose = options.logoutOnClose ?? true;
    this.fetchFunction = options.fetch ?? globalThis.fetch;
  }

  /** The base URL requests go to. */
  get url(): string {
    return this.baseUrl;
  }

  /** True between a successful `connect()` and `close()` or a network failure. */
  get connected(): boolean {
    return this.isConnected;
  }

  /** True while the transport holds an access token (after a login, until logout or close). */
  get authenticated(): boolean {
    return this.#token !== undefined;
  }

  /** Expiry of the current access token in seconds since the Unix epoch, or undefined. */
  get tokenExpiresAt(): number | undefined {
    return this.#token?.expirySeconds;
  }

  /**
   * Checks that the API answers `GET /ping`. Network failures, timeouts and 5xx answers fail with
   * CannotEstablishConnection (9), which the client retries; other answers with HttpResponseError.
   * A token from before a dropped connection is kept (HTTP has no session to lose).
   */
  async connect(): Promise<void> {
    if (this.closeController.signal.aborted) this.closeController = new AbortController();
    let response: Response;
    try {
      response = await this.fetchFunction(`${this.baseUrl}/ping`, { method: 'GET', signal: AbortSignal.any([this.closeController.signal, AbortSignal.timeout(this.connectTimeoutMs)]) });
      await response.arrayBuffer();
    } catch (error) {
      throw new IggyError(ErrorCode.CannotEstablishConnection, `cannot reach the Iggy HTTP API at ${this.baseUrl}: ${describeCause(error)}`);
    }
    if (response.status >= 500) throw new IggyError(ErrorCode.CannotEstablishConnection, `the Iggy HTTP API at ${this.baseUrl} answered GET /ping with HTTP ${response.status}`);
    if (response.status !== 200) throw new IggyError(ErrorCode.HttpResponseError, `${this.baseUrl} is not an Iggy HTTP API: GET /ping answered HTTP ${response.status}`);
    this.isConnected = true;
  }

  /**
   * Runs one binary command as its REST call. Malformed requests answer the status the server
   * would (e.g. 3), unknown codes answer InvalidCommand (3); commands HTTP cannot carry reject with
   * FeatureUnavailable (5); network failures reject with Disconnected (8).
   */
  async request(code: number, payload: Uint8Array): Promise<RawResponse> {
    if (!this.isConnected) throw new IggyError(ErrorCode.NotConnected, 'not connected');
    const route = ROUTES.get(code);
    if (route === undefined) return { status: ErrorCode.InvalidCommand, payload: EMPTY_BUFFER };
    const request = Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    let call: HttpCall;
    try {
      call = route(request);
    } catch (error) {
      if (error instanceof DecodeError) return { status: error.code, payload: EMPTY_BUFFER };
      throw error;
    }
    await this.acquire();
    try {
      const response = await this.perform(call, true);
      // A deliberate copy: the caller may reuse its request buffer.
      if (response.status === 0 && call.identity === true && this.reloginOnExpiry) this.#lastLogin = { code, payload: Buffer.from(request) };
      if (response.status === 0 && code === CommandCode.LogoutUser) this.forgetToken();
      return response;
    } finally {
      this.release();
    }
  }

  /** Fails the requests in flight with Disconnected, revokes the token (unless `logoutOnClose` is false) and forgets it. */
  async close(): Promise<void> {
    const wasConnected = this.isConnected;
    this.isConnected = false;
    this.closeController.abort();
    const token = this.#token;
    this.forgetToken();
    if (wasConnected && this.logoutOnClose && token !== undefined) {
      try {
        const response = await this.fetchFunction(`${this.baseUrl}/users/logout`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${token.value}` },
          signal: AbortSignal.timeout(LOGOUT_ON_CLOSE_TIMEOUT_MS),
        });
        await response.arrayBuffer();
      } catch {
        // Best effort: the token expires anyway.
      }
    }
  }

  private forgetToken(): void {
    this.#token = undefined;
    this.#lastLogin = undefined;
  }

  private async acquire(): Promise<void> {
    if (this.activeRequests < this.maxInFlightRequests) {
      this.activeRequests += 1;
      return;
    }
    await new Promise<void>((resolve) => this.waitingRequests.push(resolve));
  }

  /** Hands the slot to the next waiting request, or frees it. */
  private release(): void {
    const next = this.waitingRequests.shift();
    if (next !== undefined) next();
    else this.activeRequests -= 1;
  }

  /** Sends the call (with a fresh token unless public) and maps its answer to a binary response. */
  private async perform(call: HttpCall, mayRelogin: boolean): Promise<RawResponse> {
    if (call.public !== true) await this.refreshIfDue();
    const token = call.public === true ? undefined : this.#token;
    const response = await this.exchange(call, token?.value);
    const status = response.status;
    if (status >= 200 && status < 300) {
      const answer = call.answer ?? 'json';
      if (answer === 'none') {
        await response.arrayBuffer();
        return { status: 0, payload: call.encode(undefined) };
      }
      if (answer === 'bytes') return { status: 0, payload: call.encode(Buffer.from(await response.arrayBuffer())) };
      const body = parseJsonLossless(await this.readText(response, call));
      if (call.identity === true) return { status: 0, payload: call.encode(this.keepIdentity(body)) };
      return { status: 0, payload: call.encode(body) };
    }
    const text = await this.readText(response, call);
    if (status === 401 && text.trim() === '') {
      // The token check refused the request before it ran: log in again and repeat it once.
      if (token !== undefined && this.#token === token) this.#token = undefined;
      if (token !== undefined && mayRelogin && (await this.relogin())) return this.perform(call, false);
      return { status: ErrorCode.Unauthenticated, payload: EMPTY_BUFFER };
    }
    const error = parseErrorBody(text);
    if (error === undefined) {
      throw new IggyError(ErrorCode.HttpResponseError, `${call.method} ${pathOnly(call.path)} answered HTTP ${status}: ${text.slice(0, ERROR_TEXT_QUOTED_MAX) || '(empty body)'}`);
    }
    if (error.code === 'not_found') {
      if (call.notFound !== undefined) return { status: 0, payload: call.notFound };
      return { status: ErrorCode.ResourceNotFound, payload: EMPTY_BUFFER };
    }
    if (HTTP_ONLY_ERROR_CODES.has(error.code)) {
      throw new IggyError(ErrorCode.HttpResponseError, `${call.method} ${pathOnly(call.path)} answered HTTP ${status} (${error.code}): ${error.reason}`);
    }
    return { status: error.id, payload: EMPTY_BUFFER };
  }

  /** One fetch; network failures → Disconnected (and the transport counts as disconnected), time limit → TaskTimeout. */
  private async exchange(call: HttpCall, token: string | undefined): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (call.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = stringifyJson(call.body);
    }
    const timeout = AbortSignal.timeout(this.requestTimeoutMs);
    const closed = this.closeController.signal;
    try {
      return await this.fetchFunction(`${this.baseUrl}${call.path}`, { method: call.method, headers, body, signal: AbortSignal.any([closed, timeout]) });
    } catch (error) {
      throw this.fetchFailure(error, call, closed, timeout);
    }
  }

  private async readText(response: Response, call: HttpCall): Promise<string> {
    const closed = this.closeController.signal;
    try {
      return await response.text();
    } catch (error) {
      throw this.fetchFailure(error, call, closed, undefined);
    }
  }

  private fetchFailure(error: unknown, call: HttpCall, closed: AbortSignal, timeout: AbortSignal | undefined): IggyError {
    const what = `${call.method} ${pathOnly(call.path)}`;
    if (closed.aborted) return new IggyError(ErrorCode.Disconnected, `${what} failed: the transport was closed`);
    if (timeout?.aborted === true) return new IggyError(ErrorCode.TaskTimeout, `${what} timed out after ${this.requestTimeoutMs} ms`);
    this.isConnected = false;
    return new IggyError(ErrorCode.Disconnected, `${what} failed: ${describeCause(error)}`);
  }

  /** Keeps the token of an IdentityInfo answer and returns its user id. */
  private keepIdentity(body: unknown): number {
    const identity = record(body, 'IdentityInfo');
    const accessToken = record(identity.access_token, 'access_token');
    const value = text(accessToken.token, 'access_token.token');
    const expirySeconds = integer(accessToken.expiry, 'access_token.expiry');
    const nowMs = Date.now();
    const lifetimeMs = Math.max(0, expirySeconds * 1000 - nowMs);
    this.#token = { value, expirySeconds, refreshAtMs: expirySeconds * 1000 - Math.min(TOKEN_REFRESH_MARGIN_MS_MAX, lifetimeMs / 2) };
    return integer(identity.user_id, 'user_id');
  }

  /** Refreshes the token when it is due (one refresh at a time); on failure logs in again or drops it. */
  private async refreshIfDue(): Promise<void> {
    const token = this.#token;
    if (token === undefined || Date.now() < token.refreshAtMs) return;
    this.#refreshing ??= this.refresh(token).finally(() => {
      this.#refreshing = undefined;
    });
    await this.#refreshing;
  }

  private async refresh(token: AccessToken): Promise<void> {
    const call: HttpCall = { method: 'POST', path: '/users/refresh-token', body: { token: token.value }, public: true, identity: true, encode: () => EMPTY_BUFFER };
    const response = await this.perform(call, false);
    if (response.status === 0) return;
    if (this.#token === token) this.#token = undefined;
    await this.relogin();
  }

  /** Logs in again with the last login request; true when it succeeded. */
  private async relogin(): Promise<boolean> {
    const login = this.#lastLogin;
    if (login === undefined) return false;
    const response = await this.perform(ROUTES.get(login.code)!(login.payload), false);
    return response.status === 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Route table: binary command code → REST call (reference 9.3).

type Route = (payload: Buffer) => HttpCall;

const U32_MAX = 0xffff_ffff;

/** FeatureUnavailable (5) for a command that Iggy 0.8 does not serve over HTTP. */
function unavailable(code: number, why: string): IggyError {
  return new IggyError(ErrorCode.FeatureUnavailable, `${commandName(code) ?? `command ${code}`} is not available over HTTP: ${why}`);
}

/** A path segment for an id or a name (0.8 reads a segment that parses as u32 as a numeric id). */
function segment(id: Identifier, field: string, code: number): string {
  if (typeof id === 'number') return String(id);
  if (/^\d{1,10}$/.test(id) && Number(id) <= U32_MAX) {
    throw unavailable(code, `the ${field} name "${id}" looks like a numeric id, and the HTTP API would read it as one; address it by its numeric id`);
  }
  return encodeURIComponent(id);
}

/** `path?a=1&b=2`, leaving out undefined values. */
function withQuery(path: string, query: Readonly<Record<string, string | number | boolean | undefined>>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) if (value !== undefined) parts.push(`${key}=${encodeURIComponent(String(value))}`);
  return parts.length === 0 ? path : `${path}?${parts.join('&')}`;
}

function pathOnly(path: string): string {
  const query = path.indexOf('?');
  return query < 0 ? path : path.slice(0, query);
}

const streamPath = (streamId: Identifier, code: number): string => `/streams/${segment(streamId, 'stream', code)}`;
const topicPath = (streamId: Identifier, topicId: Identifier, code: number): string => `${streamPath(streamId, code)}/topics/${segment(topicId, 'topic', code)}`;
const userPath = (userId: Identifier, code: number): string => `/users/${segment(userId, 'user', code)}`;

/** The id of an individual consumer as a query/path value; groups cannot poll or store offsets over HTTP. */
function individualConsumerId(consumer: Consumer, code: number): string {
  if (consumer.kind !== ConsumerKind.Consumer) {
    throw unavailable(code, 'the Iggy 0.8 HTTP API polls and stores offsets only as an individual consumer (consumer kind 1); consumer groups need a TCP, QUIC or WebSocket connection');
  }
  return segment(consumer.id, 'consumer', code);
}

const POLLING_KIND_NAMES: Readonly<Record<number, string>> = {
  [PollingKind.Offset]: 'offset',
  [PollingKind.Timestamp]: 'timestamp',
  [PollingKind.First]: 'first',
  [PollingKind.Last]: 'last',
  [PollingKind.Next]: 'next',
};
const PARTITIONING_KIND_NAMES: Readonly<Record<number, string>> = {
  [PartitioningKind.Balanced]: 'balanced',
  [PartitioningKind.PartitionId]: 'partition_id',
  [PartitioningKind.MessagesKey]: 'messages_key',
};
const COMPRESSION_NAMES: Readonly<Record<number, string>> = { 1: 'none', 2: 'gzip' };
const USER_STATUS_NAMES: Readonly<Record<number, string>> = { [UserStatus.Active]: 'active', [UserStatus.Inactive]: 'inactive' };
const SNAPSHOT_COMPRESSION_NAMES = nameTable(SnapshotCompression);
const SNAPSHOT_TYPE_NAMES = nameTable(SnapshotType);
/** Header kind code → 0.8 JSON name (`"string"`, `"uint32"`); index = kind. */
const HEADER_KIND_NAMES: readonly string[] = ['', ...Object.entries(HeaderKind).sort((a, b) => a[1] - b[1]).map(([name]) => name.toLowerCase())];
const HEADER_KIND_CODES: ReadonlyMap<string, number> = new Map(HEADER_KIND_NAMES.map((name, kind) => [name, kind]));

function nameTable(values: Readonly<Record<string, number>>): Readonly<Record<number, string>> {
  const names: Record<number, string> = {};
  for (const [name, value] of Object.entries(values)) names[value] = name;
  return names;
}

const ROUTES: ReadonlyMap<number, Route> = new Map<number, Route>([
  // System
  [CommandCode.Ping, (payload) => (decodePingRequest(payload), { method: 'GET', path: '/ping', public: true, answer: 'none', encode: () => encodePingResponse() })],
  [CommandCode.GetStats, (payload) => (decodeGetStatsRequest(payload), { method: 'GET', path: '/stats', encode: (body) => encodeGetStatsResponse(statsOf(body)) })],
  [
    CommandCode.GetSnapshot,
    (payload) => {
      const request = decodeGetSnapshotRequest(payload);
      const body = { compression: SNAPSHOT_COMPRESSION_NAMES[request.compression], snapshot_types: request.types.map((type) => SNAPSHOT_TYPE_NAMES[type]) };
      return { method: 'POST', path: '/snapshot', body, answer: 'bytes', encode: (zip) => encodeGetSnapshotResponse(zip as Buffer) };
    },
  ],
  [CommandCode.GetClusterMetadata, (payload) => (decodeGetClusterMetadataRequest(payload), { method: 'GET', path: '/cluster/metadata', encode: (body) => encodeGetClusterMetadataResponse(clusterMetadataOf(body)) })],
  [
    CommandCode.GetMe,
    (payload) => {
      decodeGetMeRequest(payload);
      throw unavailable(CommandCode.GetMe, 'HTTP requests belong to no client session, so the Iggy 0.8 HTTP API has no route describing "this connection"; use getClients()/getClient() or a TCP, QUIC or WebSocket connection');
    },
  ],
  [
    CommandCode.GetClient,
    (payload) => {
      const { clientId } = decodeGetClientRequest(payload);
      return { method: 'GET', path: `/clients/${clientId}`, notFound: encodeGetClientResponse(undefined), encode: (body) => encodeGetClientResponse(clientDetailsOf(body)) };
    },
  ],
  [CommandCode.GetClients, (payload) => (decodeGetClientsRequest(payload), { method: 'GET', path: '/clients', encode: (body) => encodeGetClientsResponse(list(body, 'clients').map(clientInfoOf)) })],

  // Users
  [
    CommandCode.GetUser,
    (payload) => {
      const { userId } = decodeGetUserRequest(payload);
      return { method: 'GET', path: userPath(userId, CommandCode.GetUser), notFound: encodeGetUserResponse(undefined), encode: (body) => encodeGetUserResponse(userDetailsOf(body)) };
    },
  ],
  [CommandCode.GetUsers, (payload) => (decodeGetUsersRequest(payload), { method: 'GET', path: '/users', encode: (body) => encodeGetUsersResponse(list(body, 'users').map(userInfoOf)) })],
  [
    CommandCode.CreateUser,
    (payload) => {
      const request = decodeCreateUserRequest(payload);
      const body = {
        username: request.username,
        password: request.password,
        status: USER_STATUS_NAMES[request.status] ?? 'active',
        permissions: request.permissions === undefined ? null : permissionsToJson(request.permissions),
      };
      return { method: 'POST', path: '/users', body, encode: (answer) => encodeCreateUserResponse(userDetailsOf(answer)) };
    },
  ],
  [
    CommandCode.DeleteUser,
    (payload) => {
      const { userId } = decodeDeleteUserRequest(payload);
      return { method: 'DELETE', path: userPath(userId, CommandCode.DeleteUser), answer: 'none', encode: () => encodeDeleteUserResponse() };
    },
  ],
  [
    CommandCode.UpdateUser,
    (payload) => {
      const request = decodeUpdateUserRequest(payload);
      const body = { username: request.username, status: request.status === undefined ? undefined : USER_STATUS_NAMES[request.status] };
      return { method: 'PUT', path: userPath(request.userId, CommandCode.UpdateUser), body, answer: 'none', encode: () => encodeUpdateUserResponse() };
    },
  ],
  [
    CommandCode.UpdatePermissions,
    (payload) => {
      const request = decodeUpdatePermissionsRequest(payload);
      const body = { permissions: request.permissions === undefined ? null : permissionsToJson(request.permissions) };
      return { method: 'PUT', path: `${userPath(request.userId, CommandCode.UpdatePermissions)}/permissions`, body, answer: 'none', encode: () => encodeUpdatePermissionsResponse() };
    },
  ],
  [
    CommandCode.ChangePassword,
    (payload) => {
      const request = decodeChangePasswordRequest(payload);
      const body = { current_password: request.currentPassword, new_password: request.newPassword };
      return { method: 'PUT', path: `${userPath(request.userId, CommandCode.ChangePassword)}/password`, body, answer: 'none', encode: () => encodeChangePasswordResponse() };
    },
  ],
  [
    CommandCode.LoginUser,
    (payload) => {
      const request = decodeLoginUserRequest(payload);
      const body = { username: request.username, password: request.password, version: request.version || undefined, context: request.context || undefined };
      return { method: 'POST', path: '/users/login', body, public: true, identity: true, encode: (userId) => encodeLoginUserResponse({ userId: userId as number }) };
    },
  ],
  [CommandCode.LogoutUser, (payload) => (decodeLogoutUserRequest(payload), { method: 'DELETE', path: '/users/logout', answer: 'none', encode: () => encodeLogoutUserResponse() })],

  // Personal access tokens
  [
    CommandCode.GetPersonalAccessTokens,
    (payload) => (
      decodeGetPersonalAccessTokensRequest(payload),
      { method: 'GET', path: '/personal-access-tokens', encode: (body) => encodeGetPersonalAccessTokensResponse(list(body, 'personal access tokens').map(personalAccessTokenOf)) }
    ),
  ],
  [
    CommandCode.CreatePersonalAccessToken,
    (payload) => {
      const request = decodeCreatePersonalAccessTokenRequest(payload);
      return {
        method: 'POST',
        path: '/personal-access-tokens',
        body: { name: request.name, expiry: request.expiry },
        encode: (body) => encodeCreatePersonalAccessTokenResponse({ token: text(record(body, 'RawPersonalAccessToken').token, 'token') }),
      };
    },
  ],
  [
    CommandCode.DeletePersonalAccessToken,
    (payload) => {
      const { name } = decodeDeletePersonalAccessTokenRequest(payload);
      return { method: 'DELETE', path: `/personal-access-tokens/${encodeURIComponent(name)}`, answer: 'none', encode: () => encodeDeletePersonalAccessTokenResponse() };
    },
  ],
  [
    CommandCode.LoginWithPersonalAccessToken,
    (payload) => {
      const { token } = decodeLoginWithPersonalAccessTokenRequest(payload);
      return { method: 'POST', path: '/personal-access-tokens/login', body: { token }, public: true, identity: true, encode: (userId) => encodeLoginWithPersonalAccessTokenResponse({ userId: userId as number }) };
    },
  ],

  // Messages
  [
    CommandCode.PollMessages,
    (payload) => {
      const request = decodePollMessagesRequest(payload);
      const path = withQuery(`${topicPath(request.streamId, request.topicId, CommandCode.PollMessages)}/messages`, {
        consumer_id: individualConsumerId(request.consumer, CommandCode.PollMessages),
        partition_id: request.partitionId,
        kind: POLLING_KIND_NAMES[request.strategy.kind],
        value: request.strategy.value,
        count: request.count,
        auto_commit: request.autoCommit,
      });
      return { method: 'GET', path, encode: (body) => encodePollMessagesResponse(polledMessagesOf(body)) };
    },
  ],
  [
    CommandCode.SendMessages,
    (payload) => {
      const request = decodeSendMessagesRequest(payload);
      const partitioning = request.partitioning;
      const body = {
        partitioning: { kind: PARTITIONING_KIND_NAMES[partitioning.kind], value: Buffer.from(partitioning.value).toString('base64') },
        messages: request.messages.map((message) => ({
          id: message.id,
          payload: message.payload.toString('base64'),
          user_headers: message.userHeaders.length === 0 ? undefined : userHeadersToJson(message.userHeaders),
        })),
      };
      return { method: 'POST', path: `${topicPath(request.streamId, request.topicId, CommandCode.SendMessages)}/messages`, body, answer: 'none', encode: () => encodeSendMessagesResponse() };
    },
  ],
  [
    CommandCode.FlushUnsavedBuffer,
    (payload) => {
      const request = decodeFlushUnsavedBufferRequest(payload);
      const path = `${topicPath(request.streamId, request.topicId, CommandCode.FlushUnsavedBuffer)}/messages/flush/${request.partitionId}/${request.fsync}`;
      return { method: 'GET', path, answer: 'none', encode: () => encodeFlushUnsavedBufferResponse() };
    },
  ],

  // Consumer offsets
  [
    CommandCode.GetConsumerOffset,
    (payload) => {
      const request = decodeGetConsumerOffsetRequest(payload);
      const path = withQuery(`${topicPath(request.streamId, request.topicId, CommandCode.GetConsumerOffset)}/consumer-offsets`, {
        consumer_id: individualConsumerId(request.consumer, CommandCode.GetConsumerOffset),
        partition_id: request.partitionId,
      });
      return { method: 'GET', path, notFound: encodeGetConsumerOffsetResponse(undefined), encode: (body) => encodeGetConsumerOffsetResponse(consumerOffsetOf(body)) };
    },
  ],
  [
    CommandCode.StoreConsumerOffset,
    (payload) => {
      const request = decodeStoreConsumerOffsetRequest(payload);
      individualConsumerId(request.consumer, CommandCode.StoreConsumerOffset); // refuses groups and numeric-looking names
      const body = { consumer_id: request.consumer.id, partition_id: request.partitionId, offset: request.offset };
      return { method: 'PUT', path: `${topicPath(request.streamId, request.topicId, CommandCode.StoreConsumerOffset)}/consumer-offsets`, body, answer: 'none', encode: () => encodeStoreConsumerOffsetResponse() };
    },
  ],
  [
    CommandCode.DeleteConsumerOffset,
    (payload) => {
      const request = decodeDeleteConsumerOffsetRequest(payload);
      const consumerId = individualConsumerId(request.consumer, CommandCode.DeleteConsumerOffset);
      const path = withQuery(`${topicPath(request.streamId, request.topicId, CommandCode.DeleteConsumerOffset)}/consumer-offsets/${consumerId}`, { partition_id: request.partitionId });
      return { method: 'DELETE', path, answer: 'none', encode: () => encodeDeleteConsumerOffsetResponse() };
    },
  ],

  // Streams
  [
    CommandCode.GetStream,
    (payload) => {
      const { streamId } = decodeGetStreamRequest(payload);
      return { method: 'GET', path: streamPath(streamId, CommandCode.GetStream), notFound: encodeGetStreamResponse(undefined), encode: (body) => encodeGetStreamResponse(streamDetailsOf(body)) };
    },
  ],
  [CommandCode.GetStreams, (payload) => (decodeGetStreamsRequest(payload), { method: 'GET', path: '/streams', encode: (body) => encodeGetStreamsResponse(list(body, 'streams').map(streamInfoOf)) })],
  [
    CommandCode.CreateStream,
    (payload) => {
      const { name } = decodeCreateStreamRequest(payload);
      return { method: 'POST', path: '/streams', body: { name }, encode: (body) => encodeCreateStreamResponse(streamDetailsOf(body)) };
    },
  ],
  [
    CommandCode.DeleteStream,
    (payload) => {
      const { streamId } = decodeDeleteStreamRequest(payload);
      return { method: 'DELETE', path: streamPath(streamId, CommandCode.DeleteStream), answer: 'none', encode: () => encodeDeleteStreamResponse() };
    },
  ],
  [
    CommandCode.UpdateStream,
    (payload) => {
      const { streamId, name } = decodeUpdateStreamRequest(payload);
      return { method: 'PUT', path: streamPath(streamId, CommandCode.UpdateStream), body: { name }, answer: 'none', encode: () => encodeUpdateStreamResponse() };
    },
  ],
  [
    CommandCode.PurgeStream,
    (payload) => {
      const { streamId } = decodePurgeStreamRequest(payload);
      return { method: 'DELETE', path: `${streamPath(streamId, CommandCode.PurgeStream)}/purge`, answer: 'none', encode: () => encodePurgeStreamResponse() };
    },
  ],

  // Topics
  [
    CommandCode.GetTopic,
    (payload) => {
      const { streamId, topicId } = decodeGetTopicRequest(payload);
      return { method: 'GET', path: topicPath(streamId, topicId, CommandCode.GetTopic), notFound: encodeGetTopicResponse(undefined), encode: (body) => encodeGetTopicResponse(topicDetailsOf(body)) };
    },
  ],
  [
    CommandCode.GetTopics,
    (payload) => {
      const { streamId } = decodeGetTopicsRequest(payload);
      return { method: 'GET', path: `${streamPath(streamId, CommandCode.GetTopics)}/topics`, notFound: encodeGetTopicsResponse([]), encode: (body) => encodeGetTopicsResponse(list(body, 'topics').map(topicInfoOf)) };
    },
  ],
  [
    CommandCode.CreateTopic,
    (payload) => {
      const request = decodeCreateTopicRequest(payload);
      const body = {
        name: request.name,
        partitions_count: request.partitionsCount,
        compression_algorithm: COMPRESSION_NAMES[request.compressionAlgorithm] ?? 'none',
        message_expiry: request.messageExpiry,
        max_topic_size: request.maxTopicSize,
        replication_factor: request.replicationFactor === 0 ? undefined : request.replicationFactor,
      };
      return { method: 'POST', path: `${streamPath(request.streamId, CommandCode.CreateTopic)}/topics`, body, encode: (answer) => encodeCreateTopicResponse(topicDetailsOf(answer)) };
    },
  ],
  [
    CommandCode.DeleteTopic,
    (payload) => {
      const { streamId, topicId } = decodeDeleteTopicRequest(payload);
      return { method: 'DELETE', path: topicPath(streamId, topicId, CommandCode.DeleteTopic), answer: 'none', encode: () => encodeDeleteTopicResponse() };
    },
  ],
  [
    CommandCode.UpdateTopic,
    (payload) => {
      const request = decodeUpdateTopicRequest(payload);
      const body = {
        name: request.name,
        compression_algorithm: COMPRESSION_NAMES[request.compressionAlgorithm] ?? 'none',
        message_expiry: request.messageExpiry,
        max_topic_size: request.maxTopicSize,
        replication_factor: request.replicationFactor === 0 ? undefined : request.replicationFactor,
      };
      return { method: 'PUT', path: topicPath(request.streamId, request.topicId, CommandCode.UpdateTopic), body, answer: 'none', encode: () => encodeUpdateTopicResponse() };
    },
  ],
  [
    CommandCode.PurgeTopic,
    (payload) => {
      const { streamId, topicId } = decodePurgeTopicRequest(payload);
      return { method: 'DELETE', path: `${topicPath(streamId, topicId, CommandCode.PurgeTopic)}/purge`, answer: 'none', encode: () => encodePurgeTopicResponse() };
    },
  ],

  // Partitions and segments
  [
    CommandCode.CreatePartitions,
    (payload) => {
      const request = decodeCreatePartitionsRequest(payload);
      const path = `${topicPath(request.streamId, request.topicId, CommandCode.CreatePartitions)}/partitions`;
      return { method: 'POST', path, body: { partitions_count: request.partitionsCount }, answer: 'none', encode: () => encodeCreatePartitionsResponse() };
    },
  ],
  [
    CommandCode.DeletePartitions,
    (payload) => {
      const request = decodeDeletePartitionsRequest(payload);
      const path = withQuery(`${topicPath(request.streamId, request.topicId, CommandCode.DeletePartitions)}/partitions`, { partitions_count: request.partitionsCount });
      return { method: 'DELETE', path, answer: 'none', encode: () => encodeDeletePartitionsResponse() };
    },
  ],
  [
    CommandCode.DeleteSegments,
    (payload) => {
      const request = decodeDeleteSegmentsRequest(payload);
      const path = withQuery(`${topicPath(request.streamId, request.topicId, CommandCode.DeleteSegments)}/partitions/${request.partitionId}`, { segments_count: request.segmentsCount });
      return { method: 'DELETE', path, answer: 'none', encode: () => encodeDeleteSegmentsResponse() };
    },
  ],

  // Consumer groups
  [
    CommandCode.GetConsumerGroup,
    (payload) => {
      const request = decodeGetConsumerGroupRequest(payload);
      const path = `${topicPath(request.streamId, request.topicId, CommandCode.GetConsumerGroup)}/consumer-groups/${segment(request.groupId, 'consumer group', CommandCode.GetConsumerGroup)}`;
      return { method: 'GET', path, notFound: encodeGetConsumerGroupResponse(undefined), encode: (body) => encodeGetConsumerGroupResponse(consumerGroupDetailsOf(body)) };
    },
  ],
  [
    CommandCode.GetConsumerGroups,
    (payload) => {
      const request = decodeGetConsumerGroupsRequest(payload);
      const path = `${topicPath(request.streamId, request.topicId, CommandCode.GetConsumerGroups)}/consumer-groups`;
      return { method: 'GET', path, notFound: encodeGetConsumerGroupsResponse([]), encode: (body) => encodeGetConsumerGroupsResponse(list(body, 'consumer groups').map(consumerGroupInfoOf)) };
    },
  ],
  [
    CommandCode.CreateConsumerGroup,
    (payload) => {
      const request = decodeCreateConsumerGroupRequest(payload);
      const path = `${topicPath(request.streamId, request.topicId, CommandCode.CreateConsumerGroup)}/consumer-groups`;
      return { method: 'POST', path, body: { name: request.name }, encode: (body) => encodeCreateConsumerGroupResponse(consumerGroupDetailsOf(body)) };
    },
  ],
  [
    CommandCode.DeleteConsumerGroup,
    (payload) => {
      const request = decodeDeleteConsumerGroupRequest(payload);
      const path = `${topicPath(request.streamId, request.topicId, CommandCode.DeleteConsumerGroup)}/consumer-groups/${segment(request.groupId, 'consumer group', CommandCode.DeleteConsumerGroup)}`;
      return { method: 'DELETE', path, answer: 'none', encode: () => encodeDeleteConsumerGroupResponse() };
    },
  ],
  [
    CommandCode.JoinConsumerGroup,
    (payload) => {
      decodeJoinConsumerGroupRequest(payload);
      throw unavailable(CommandCode.JoinConsumerGroup, 'group membership belongs to a connection, and HTTP requests have none; Iggy 0.8 has no join route (use a TCP, QUIC or WebSocket connection for consumer groups)');
    },
  ],
  [
    CommandCode.LeaveConsumerGroup,
    (payload) => {
      decodeLeaveConsumerGroupRequest(payload);
      throw unavailable(CommandCode.LeaveConsumerGroup, 'group membership belongs to a connection, and HTTP requests have none; Iggy 0.8 has no leave route (use a TCP, QUIC or WebSocket connection for consumer groups)');
    },
  ],
]);

/** The binary command codes HttpTransport carries over HTTP (every 0.8 command but GetMe, JoinConsumerGroup and LeaveConsumerGroup). */
export const HTTP_SUPPORTED_COMMANDS: readonly number[] = [...ROUTES.keys()].filter(
  (code) => code !== CommandCode.GetMe && code !== CommandCode.JoinConsumerGroup && code !== CommandCode.LeaveConsumerGroup,
);

// ---------------------------------------------------------------------------------------------
// JSON with exact 64- and 128-bit integers.

/**
 * Parses a response body. Integer literals outside the safe range are turned into strings of their
 * exact digits before the platform parser sees them (string contents are skipped, so a name or a
 * base64 payload is never touched); the readers below accept such text wherever a number is due.
 */
export function parseJsonLossless(body: string): unknown {
  try {
    return JSON.parse(quoteUnsafeIntegers(body)) as unknown;
  } catch (error) {
    throw new IggyError(ErrorCode.InvalidJsonResponse, `invalid JSON in the HTTP response: ${(error as Error).message}`);
  }
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** `{"id":340282366920938463463374607431768211455}` → `{"id":"340282366920938463463374607431768211455"}`. */
function quoteUnsafeIntegers(json: string): string {
  let parts: string[] | undefined;
  let copiedUpTo = 0;
  let at = 0;
  const length = json.length;
  while (at < length) {
    const code = json.charCodeAt(at);
    if (code === 0x22) {
      // Skip the string: find the closing quote that is not escaped.
      let end = at + 1;
      for (;;) {
        end = json.indexOf('"', end);
        if (end < 0) return json; // unterminated: JSON.parse reports it
        let backslashes = 0;
        while (json.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes += 1;
        if (backslashes % 2 === 0) break;
        end += 1;
      }
      at = end + 1;
    } else if (code === 0x2d || isDigit(code)) {
      const start = at;
      at += code === 0x2d ? 1 : 0;
      while (at < length && isDigit(json.charCodeAt(at))) at += 1;
      const next = json.charCodeAt(at);
      const integer = next !== 0x2e && next !== 0x65 && next !== 0x45;
      // 16+ characters may exceed 2^53 - 1 (9007199254740991, 16 digits).
      if (integer && at - start >= 16 && !Number.isSafeInteger(Number(json.slice(start, at)))) {
        parts ??= [];
        parts.push(json.slice(copiedUpTo, start), '"', json.slice(start, at), '"');
        copiedUpTo = at;
      }
      while (at < length && /[0-9.eE+-]/.test(json[at]!)) at += 1;
    } else {
      at += 1;
    }
  }
  if (parts === undefined) return json;
  parts.push(json.slice(copiedUpTo));
  return parts.join('');
}

/** Compact JSON for request bodies: bigints as exact numbers, undefined fields left out. */
export function stringifyJson(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : stringifyJson(item))).join(',')}]`;
  const fields: string[] = [];
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (item !== undefined) fields.push(`${JSON.stringify(key)}:${stringifyJson(item)}`);
  }
  return `{${fields.join(',')}}`;
}

// ---------------------------------------------------------------------------------------------
// JSON readers: every failure is InvalidJsonResponse (302) naming the field.

type JsonRecord = Readonly<Record<string, unknown>>;

function invalid(field: string, expected: string, value: unknown): IggyError {
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : String(value);
  return new IggyError(ErrorCode.InvalidJsonResponse, `invalid HTTP response: ${field} should be ${expected}, got ${shown}`);
}

function record(value: unknown, field: string): JsonRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(field, 'an object', value);
  return value as JsonRecord;
}

function list(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw invalid(field, 'an array', value);
  return value;
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string') throw invalid(field, 'a string', value);
  return value;
}

function flag(value: unknown): boolean {
  return value === true;
}

/** An exact integer of any size: a JSON number, or the digits of one kept exact by the parser. */
function bigInteger(value: unknown, field: string): bigint {
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  throw invalid(field, 'an integer', value);
}

/** An integer that fits a JS number exactly (ids, counts, offsets, µs timestamps). */
function integer(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  throw invalid(field, 'an integer below 2^53', value);
}

function float(value: unknown, field: string): number {
  if (typeof value === 'number') return value;
  throw invalid(field, 'a number', value);
}

const BYTE_UNIT_FACTORS: Readonly<Record<string, bigint>> = {
  b: 1n,
  kb: 10n ** 3n,
  mb: 10n ** 6n,
  gb: 10n ** 9n,
  tb: 10n ** 12n,
  pb: 10n ** 15n,
  eb: 10n ** 18n,
  kib: 1n << 10n,
  mib: 1n << 20n,
  gib: 1n << 30n,
  tib: 1n << 40n,
  pib: 1n << 50n,
  eib: 1n << 60n,
};

/** A byte quantity: a number of bytes, or byte-unit text as 0.8 writes it (`"0 B"`, `"1.5 KB"`, `"2 MiB"`). */
function byteSize(value: unknown, field: string): number {
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))) return integer(typeof value === 'string' ? Number(value) : value, field);
  if (typeof value !== 'string') throw invalid(field, 'a byte size', value);
  const match = /^\s*(\d+)(?:\.(\d+))?\s*([a-zA-Z]*)\s*$/.exec(value);
  const factor = BYTE_UNIT_FACTORS[(match?.[3] ?? '').toLowerCase() || 'b'];
  if (match === null || factor === undefined) throw invalid(field, 'a byte size', value);
  const fraction = match[2] ?? '';
  const scale = 10n ** BigInt(fraction.length);
  const bytes = (BigInt(match[1]! + fraction) * factor) / scale;
  return integer(Number(bytes), field);
}

const U64_MAX = 0xffff_ffff_ffff_ffffn;

/** `message_expiry`: µs (0 = server default, u64::MAX = never), or 0.8's words for those. */
function expiryOf(value: unknown, field: string): bigint {
  if (value === 'never_expire' || value === 'unlimited') return U64_MAX;
  if (value === 'server_default' || value === null) return 0n;
  return bigInteger(value, field);
}

/** `max_topic_size`: bytes (0 = server default, u64::MAX = unlimited), byte-unit text, or 0.8's words. */
function maxTopicSizeOf(value: unknown, field: string): bigint {
  if (value === 'unlimited') return MAX_TOPIC_SIZE_UNLIMITED;
  if (value === 'server_default' || value === null) return 0n;
  if (typeof value === 'string' && !/^-?\d+$/.test(value)) return BigInt(byteSize(value, field));
  return bigInteger(value, field);
}

function compressionOf(value: unknown): number {
  return typeof value === 'string' && value.toLowerCase() === 'gzip' ? 2 : 1;
}

// ---------------------------------------------------------------------------------------------
// JSON views (reference 9.4) → wire structures.

function streamInfoOf(value: unknown): StreamInfo {
  const json = record(value, 'Stream');
  return {
    id: integer(json.id, 'stream id'),
    createdAt: integer(json.created_at, 'created_at'),
    topicsCount: integer(json.topics_count, 'topics_count'),
    sizeBytes: byteSize(json.size, 'size'),
    messagesCount: integer(json.messages_count, 'messages_count'),
    name: text(json.name, 'stream name'),
  };
}

function streamDetailsOf(value: unknown): StreamDetails {
  const topics = list(record(value, 'StreamDetails').topics ?? [], 'topics').map(topicInfoOf);
  return { ...streamInfoOf(value), topicsCount: topics.length, topics };
}

function topicInfoOf(value: unknown): TopicInfo {
  const json = record(value, 'Topic');
  return {
    id: integer(json.id, 'topic id'),
    createdAt: integer(json.created_at, 'created_at'),
    partitionsCount: integer(json.partitions_count, 'partitions_count'),
    messageExpiry: expiryOf(json.message_expiry, 'message_expiry'),
    compressionAlgorithm: compressionOf(json.compression_algorithm),
    maxTopicSize: maxTopicSizeOf(json.max_topic_size, 'max_topic_size'),
    replicationFactor: integer(json.replication_factor ?? 1, 'replication_factor'),
    sizeBytes: byteSize(json.size, 'size'),
    messagesCount: integer(json.messages_count, 'messages_count'),
    name: text(json.name, 'topic name'),
  };
}

function partitionInfoOf(value: unknown): PartitionInfo {
  const json = record(value, 'Partition');
  return {
    id: integer(json.id, 'partition id'),
    createdAt: integer(json.created_at, 'created_at'),
    segmentsCount: integer(json.segments_count, 'segments_count'),
    currentOffset: integer(json.current_offset, 'current_offset'),
    sizeBytes: byteSize(json.size, 'size'),
    messagesCount: integer(json.messages_count, 'messages_count'),
  };
}

function topicDetailsOf(value: unknown): TopicDetails {
  const partitions = list(record(value, 'TopicDetails').partitions ?? [], 'partitions').map(partitionInfoOf);
  return { ...topicInfoOf(value), partitionsCount: partitions.length, partitions };
}

function consumerGroupInfoOf(value: unknown): ConsumerGroupInfo {
  const json = record(value, 'ConsumerGroup');
  return {
    id: integer(json.id, 'consumer group id'),
    partitionsCount: integer(json.partitions_count, 'partitions_count'),
    membersCount: integer(json.members_count, 'members_count'),
    name: text(json.name, 'consumer group name'),
  };
}

function consumerGroupDetailsOf(value: unknown): ConsumerGroupDetails {
  const members = list(record(value, 'ConsumerGroupDetails').members ?? [], 'members').map((item) => {
    const member = record(item, 'member');
    const partitions = list(member.partitions, 'member partitions').map((partition) => integer(partition, 'member partition'));
    return { id: integer(member.id, 'member id'), partitionsCount: partitions.length, partitions };
  });
  return { ...consumerGroupInfoOf(value), membersCount: members.length, members };
}

function consumerOffsetOf(value: unknown): ConsumerOffsetInfo {
  const json = record(value, 'ConsumerOffsetInfo');
  return {
    partitionId: integer(json.partition_id, 'partition_id'),
    currentOffset: integer(json.current_offset, 'current_offset'),
    storedOffset: integer(json.stored_offset, 'stored_offset'),
  };
}

function userStatusOf(value: unknown): number {
  return value === 'inactive' ? UserStatus.Inactive : UserStatus.Active;
}

function userInfoOf(value: unknown): UserInfo {
  const json = record(value, 'UserInfo');
  return { id: integer(json.id, 'user id'), createdAt: integer(json.created_at, 'created_at'), status: userStatusOf(json.status), username: text(json.username, 'username') };
}

function userDetailsOf(value: unknown): UserDetails {
  const permissions = record(value, 'UserInfoDetails').permissions;
  return { ...userInfoOf(value), permissions: permissions === null || permissions === undefined ? undefined : permissionsFromJson(permissions) };
}

function personalAccessTokenOf(value: unknown): PersonalAccessTokenInfo {
  const json = record(value, 'PersonalAccessTokenInfo');
  return { name: text(json.name, 'token name'), expiryAt: json.expiry_at === null || json.expiry_at === undefined ? 0 : integer(json.expiry_at, 'expiry_at') };
}

const TRANSPORT_CODES: Readonly<Record<string, number>> = { tcp: 1, quic: 2, http: 3, ws: 4, websocket: 4 };

function clientInfoOf(value: unknown): ClientInfo {
  const json = record(value, 'ClientInfo');
  return {
    clientId: integer(json.client_id, 'client_id'),
    userId: json.user_id === null || json.user_id === undefined ? NO_USER_ID : integer(json.user_id, 'user_id'),
    transport: TRANSPORT_CODES[String(json.transport).toLowerCase()] ?? 1,
    address: text(json.address, 'address'),
    consumerGroupsCount: integer(json.consumer_groups_count, 'consumer_groups_count'),
  };
}

function clientDetailsOf(value: unknown): ClientDetails {
  const groups = list(record(value, 'ClientInfoDetails').consumer_groups ?? [], 'consumer_groups').map((item) => {
    const group = record(item, 'consumer group');
    return { streamId: integer(group.stream_id, 'stream_id'), topicId: integer(group.topic_id, 'topic_id'), groupId: integer(group.group_id, 'group_id') };
  });
  return { ...clientInfoOf(value), consumerGroupsCount: groups.length, consumerGroups: groups };
}

const NODE_ROLE_CODES: Readonly<Record<string, number>> = { leader: 0, follower: 1 };
const NODE_STATUS_CODES: Readonly<Record<string, number>> = { healthy: 0, starting: 1, stopping: 2, unreachable: 3, maintenance: 4, unknown: 5 };

function clusterMetadataOf(value: unknown): ClusterMetadata {
  const json = record(value, 'ClusterMetadata');
  const nodes = list(json.nodes, 'nodes').map((item) => {
    const node = record(item, 'node');
    const endpoints = record(node.endpoints ?? {}, 'endpoints');
    const port = (name: string): number => (endpoints[name] === null || endpoints[name] === undefined ? 0 : integer(endpoints[name], `endpoints.${name}`));
    return {
      name: text(node.name, 'node name'),
      ip: text(node.ip, 'node ip'),
      tcpPort: port('tcp'),
      quicPort: port('quic'),
      httpPort: port('http'),
      websocketPort: port('websocket'),
      role: NODE_ROLE_CODES[String(node.role).toLowerCase()] ?? 0,
      status: NODE_STATUS_CODES[String(node.status).toLowerCase()] ?? NODE_STATUS_CODES.unknown!,
    };
  });
  return { name: text(json.name, 'cluster name'), nodes };
}

function statsOf(value: unknown): Stats {
  const json = record(value, 'Stats');
  const cacheMetrics = Object.entries(record(json.cache_metrics ?? {}, 'cache_metrics')).map(([key, item]) => {
    const [streamId, topicId, partitionId] = key.split('-').map(Number);
    const metric = record(item, `cache_metrics.${key}`);
    return {
      streamId: integer(streamId, 'cache metric stream id'),
      topicId: integer(topicId, 'cache metric topic id'),
      partitionId: integer(partitionId, 'cache metric partition id'),
      hits: integer(metric.hits, 'hits'),
      misses: integer(metric.misses, 'misses'),
      hitRatio: float(metric.hit_ratio, 'hit_ratio'),
    };
  });
  return {
    processId: integer(json.process_id, 'process_id'),
    cpuUsage: float(json.cpu_usage, 'cpu_usage'),
    totalCpuUsage: float(json.total_cpu_usage, 'total_cpu_usage'),
    memoryUsage: byteSize(json.memory_usage, 'memory_usage'),
    totalMemory: byteSize(json.total_memory, 'total_memory'),
    availableMemory: byteSize(json.available_memory, 'available_memory'),
    runTime: integer(json.run_time, 'run_time'),
    startTime: integer(json.start_time, 'start_time'),
    readBytes: byteSize(json.read_bytes, 'read_bytes'),
    writtenBytes: byteSize(json.written_bytes, 'written_bytes'),
    messagesSizeBytes: byteSize(json.messages_size_bytes, 'messages_size_bytes'),
    streamsCount: integer(json.streams_count, 'streams_count'),
    topicsCount: integer(json.topics_count, 'topics_count'),
    partitionsCount: integer(json.partitions_count, 'partitions_count'),
    segmentsCount: integer(json.segments_count, 'segments_count'),
    messagesCount: integer(json.messages_count, 'messages_count'),
    clientsCount: integer(json.clients_count, 'clients_count'),
    consumerGroupsCount: integer(json.consumer_groups_count, 'consumer_groups_count'),
    hostname: text(json.hostname, 'hostname'),
    osName: text(json.os_name, 'os_name'),
    osVersion: text(json.os_version, 'os_version'),
    kernelVersion: text(json.kernel_version, 'kernel_version'),
    iggyServerVersion: text(json.iggy_server_version, 'iggy_server_version'),
    iggyServerSemver: json.iggy_server_semver === null || json.iggy_server_semver === undefined ? 0 : integer(json.iggy_server_semver, 'iggy_server_semver'),
    cacheMetrics,
    threadsCount: integer(json.threads_count ?? 0, 'threads_count'),
    freeDiskSpace: byteSize(json.free_disk_space ?? 0, 'free_disk_space'),
    totalDiskSpace: byteSize(json.total_disk_space ?? 0, 'total_disk_space'),
  };
}

function polledMessagesOf(value: unknown): { partitionId: number; currentOffset: number; count: number; messages: PolledMessage[] } {
  const json = record(value, 'PolledMessages');
  const messages = list(json.messages, 'messages').map((item, index): PolledMessage => {
    const message = record(item, `messages[${index}]`);
    const header = record(message.header, `messages[${index}].header`);
    return {
      checksum: bigInteger(header.checksum, 'checksum'),
      id: bigInteger(header.id, 'message id'),
      offset: integer(header.offset, 'offset'),
      timestamp: integer(header.timestamp, 'timestamp'),
      originTimestamp: integer(header.origin_timestamp, 'origin_timestamp'),
      payload: Buffer.from(text(message.payload, 'payload'), 'base64'),
      userHeaders: userHeadersFromJson(message.user_headers, `messages[${index}].user_headers`),
    };
  });
  return { partitionId: integer(json.partition_id, 'partition_id'), currentOffset: integer(json.current_offset, 'current_offset'), count: messages.length, messages };
}

// ---------------------------------------------------------------------------------------------
// User headers: wire TLV block ([kind:u8][length:u32 LE][value] for each key and value) ↔ 0.8 JSON.

interface HeaderFieldJson {
  kind: string;
  value: string;
}

/** The block as `[{key: {kind, value}, value: {kind, value}}]` (values base64); an unparsable block as one base64 string. */
function userHeadersToJson(block: Buffer): unknown {
  const entries: { key: HeaderFieldJson; value: HeaderFieldJson }[] = [];
  let at = 0;
  const readField = (): HeaderFieldJson | undefined => {
    if (block.length - at < 5) return undefined;
    const kind = HEADER_KIND_NAMES[block[at]!];
    const length = block.readUInt32LE(at + 1);
    if (kind === undefined || kind === '' || block.length - at - 5 < length) return undefined;
    const value = block.subarray(at + 5, at + 5 + length).toString('base64');
    at += 5 + length;
    return { kind, value };
  };
  while (at < block.length) {
    const key = readField();
    const value = key === undefined ? undefined : readField();
    if (key === undefined || value === undefined) return block.toString('base64');
    entries.push({ key, value });
  }
  return entries;
}

/** 0.8 JSON user headers (entries, a base64 block, `[]` or null) → the wire TLV block. */
function userHeadersFromJson(value: unknown, field: string): Buffer {
  if (value === null || value === undefined) return EMPTY_BUFFER;
  if (typeof value === 'string') return Buffer.from(value, 'base64');
  const entries = list(value, field);
  if (entries.length === 0) return EMPTY_BUFFER;
  const parts: Buffer[] = [];
  entries.forEach((item, index) => {
    const entry = record(item, `${field}[${index}]`);
    for (const side of ['key', 'value'] as const) {
      const headerField = record(entry[side], `${field}[${index}].${side}`);
      const kind = HEADER_KIND_CODES.get(text(headerField.kind, `${field}[${index}].${side}.kind`));
      if (kind === undefined || kind === 0) throw invalid(`${field}[${index}].${side}.kind`, 'a header kind', headerField.kind);
      const bytes = Buffer.from(text(headerField.value, `${field}[${index}].${side}.value`), 'base64');
      const prefix = Buffer.allocUnsafe(5);
      prefix[0] = kind;
      prefix.writeUInt32LE(bytes.length, 1);
      parts.push(prefix, bytes);
    }
  });
  // A deliberate copy: the block is rebuilt from JSON once per polled message.
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------------------------------------
// Permissions: wire structure ↔ 0.8 JSON (snake_case flags, stream and topic ids as object keys).

function permissionsToJson(permissions: Permissions): Record<string, unknown> {
  const global = permissions.global;
  let streams: Record<string, unknown> | null = null;
  if (permissions.streams.size > 0) {
    streams = {};
    for (const [streamId, stream] of permissions.streams) {
      let topics: Record<string, unknown> | null = null;
      if (stream.topics.size > 0) {
        topics = {};
        for (const [topicId, topic] of stream.topics) {
          topics[String(topicId)] = { manage_topic: topic.manageTopic, read_topic: topic.readTopic, poll_messages: topic.pollMessages, send_messages: topic.sendMessages };
        }
      }
      streams[String(streamId)] = {
        manage_stream: stream.manageStream,
        read_stream: stream.readStream,
        manage_topics: stream.manageTopics,
        read_topics: stream.readTopics,
        poll_messages: stream.pollMessages,
        send_messages: stream.sendMessages,
        topics,
      };
    }
  }
  return {
    global: {
      manage_servers: global.manageServers,
      read_servers: global.readServers,
      manage_users: global.manageUsers,
      read_users: global.readUsers,
      manage_streams: global.manageStreams,
      read_streams: global.readStreams,
      manage_topics: global.manageTopics,
      read_topics: global.readTopics,
      poll_messages: global.pollMessages,
      send_messages: global.sendMessages,
    },
    streams,
  };
}

function permissionsFromJson(value: unknown): Permissions {
  const json = record(value, 'permissions');
  const global = record(json.global ?? {}, 'permissions.global');
  const streams = new Map<number, StreamPermissions>();
  for (const [streamKey, streamValue] of Object.entries(record(json.streams ?? {}, 'permissions.streams'))) {
    const stream = record(streamValue, `permissions.streams.${streamKey}`);
    const topics = new Map<number, TopicPermissions>();
    for (const [topicKey, topicValue] of Object.entries(record(stream.topics ?? {}, `permissions.streams.${streamKey}.topics`))) {
      const topic = record(topicValue, `permissions.streams.${streamKey}.topics.${topicKey}`);
      topics.set(integer(Number(topicKey), 'permissions topic id'), {
        manageTopic: flag(topic.manage_topic),
        readTopic: flag(topic.read_topic),
        pollMessages: flag(topic.poll_messages),
        sendMessages: flag(topic.send_messages),
      });
    }
    streams.set(integer(Number(streamKey), 'permissions stream id'), {
      manageStream: flag(stream.manage_stream),
      readStream: flag(stream.read_stream),
      manageTopics: flag(stream.manage_topics),
      readTopics: flag(stream.read_topics),
      pollMessages: flag(stream.poll_messages),
      sendMessages: flag(stream.send_messages),
      topics,
    });
  }
  return {
    global: {
      manageServers: flag(global.manage_servers),
      readServers: flag(global.read_servers),
      manageUsers: flag(global.manage_users),
      readUsers: flag(global.read_users),
      manageStreams: flag(global.manage_streams),
      readStreams: flag(global.read_streams),
      manageTopics: flag(global.manage_topics),
      readTopics: flag(global.read_topics),
      pollMessages: flag(global.poll_messages),
      sendMessages: flag(global.send_messages),
    },
    streams,
  };
}

// ---------------------------------------------------------------------------------------------
// Error bodies and causes.

interface ErrorBody {
  readonly id: number;
  readonly code: string;
  readonly reason: string;
}

/** The 0.8 error body `{id, code, reason, field}`, or undefined when the text is not one. */
function parseErrorBody(body: string): ErrorBody | undefined {
  if (body.trim() === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const { id, code, reason } = json as Record<string, unknown>;
  if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0 || id > U32_MAX) return undefined;
  return { id, code: typeof code === 'string' ? code : '', reason: typeof reason === 'string' ? reason : '' };
}

/** The innermost message of a fetch failure (undici wraps the socket error in `cause`). */
function describeCause(error: unknown): string {
  let current: unknown = error;
  let message = 'unknown error';
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    message = current.message;
    current = (current as Error & { cause?: unknown }).cause;
  }
  return message;
}
