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
 * kept as exact decimal text, and request bodies are written with bigints as exact numbers
 * (http-json.ts, which also reads the JSON shapes into wire structures).
 */
import {
  CommandCode,
  type Consumer,
  ConsumerKind,
  DecodeError,
  EMPTY_BUFFER,
  ErrorCode,
  type Identifier,
  IggyError,
  PartitioningKind,
  PollingKind,
  SnapshotCompression,
  SnapshotType,
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
  permissionsToJson,
} from '@iggy-ts/protocol';
import type { RawResponse, Transport } from './transport.js';
import {
  clientDetailsOf,
  clientInfoOf,
  clusterMetadataOf,
  consumerGroupDetailsOf,
  consumerGroupInfoOf,
  consumerOffsetOf,
  integer,
  list,
  parseErrorBody,
  parseJsonLossless,
  personalAccessTokenOf,
  polledMessagesOf,
  record,
  statsOf,
  streamDetailsOf,
  streamInfoOf,
  stringifyJson,
  text,
  topicDetailsOf,
  topicInfoOf,
  userDetailsOf,
  userHeadersToJson,
  userInfoOf,
} from './http-json.js';

export { parseJsonLossless, stringifyJson } from './http-json.js';

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

/** An id or a name as URL text (0.8 reads text that parses as u32 as a numeric id, so such names are refused). */
function identifierText(id: Identifier, field: string, code: number): string {
  if (typeof id === 'number') return String(id);
  if (/^\d{1,10}$/.test(id) && Number(id) <= U32_MAX) {
    throw unavailable(code, `the ${field} name "${id}" looks like a numeric id, and the HTTP API would read it as one; address it by its numeric id`);
  }
  return id;
}

/** A path segment for an id or a name. */
function segment(id: Identifier, field: string, code: number): string {
  return encodeURIComponent(identifierText(id, field, code));
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

/** The id of an individual consumer as URL text (not encoded); groups cannot poll or store offsets over HTTP. */
function individualConsumerId(consumer: Consumer, code: number): string {
  if (consumer.kind !== ConsumerKind.Consumer) {
    throw unavailable(code, 'the Iggy 0.8 HTTP API polls and stores offsets only as an individual consumer (consumer kind 1); consumer groups need a TCP, QUIC or WebSocket connection');
  }
  return identifierText(consumer.id, 'consumer', code);
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
      const path = withQuery(`${topicPath(request.streamId, request.topicId, CommandCode.DeleteConsumerOffset)}/consumer-offsets/${encodeURIComponent(consumerId)}`, { partition_id: request.partitionId });
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
// Failures.

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
