/**
 * The request pipeline shared by both engines (engine-uws.ts, engine-node.ts): an engine hands over a
 * complete request (method, path, query, headers, body) and writes back what `handle` returns.
 *
 * Order, as in 0.8's layer stack: CORS (preflights answered first) → token check on every path but
 * the public ones (exact match, before routing, so an unknown path without a token is 401) → route
 * match (404 / 405) → path, query and body validation against the route's schemas (400 naming the
 * field) → the handler, which runs binary commands through the router as a per-request session.
 */
import { performance } from 'node:perf_hooks';
import { IggyError } from '@iggy-ts/protocol';
import type { HttpCorsConfig } from '../config/schema.js';
import type { Session } from '../router/sessions.js';
import { Transport } from '../router/sessions.js';
import { HttpProblem, errorBody, iggyProblem, invalidFormatProblem, unauthenticatedProblem, type ErrorBody } from './errors.js';
import type { Identity } from './jwt.js';
import { JsonSyntaxError, parseJson, stringifyJson } from './json.js';
import type { AnyRoute, HttpApi, RouteContext, RouteResult, RouteTable } from './route.js';
import { coerceParameter, validate } from './schema.js';

/** A complete request as an engine hands it over. */
export interface IncomingRequest {
  /** Upper case. */
  readonly method: string;
  /** Raw (percent-encoded) path, without the query. */
  readonly path: string;
  /** Raw query string, without `?`. */
  readonly query: string;
  /** Header value by lower-case name. */
  readonly header: (name: string) => string | undefined;
  /** Peer `ip:port`. */
  readonly remoteAddress: string;
  readonly body: Buffer;
}

export interface OutgoingResponse {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
}

/** Exact paths served without a token (0.8 `PUBLIC_PATHS`, plus `/openapi.json`). */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/', '/ping', '/metrics', '/users/login', '/users/refresh-token', '/personal-access-tokens/login', '/openapi.json']);

const JSON_TYPE = 'application/json';
const EMPTY: Buffer = Buffer.alloc(0);

class Cors {
  private readonly anyOrigin: boolean;
  private readonly origins: ReadonlySet<string>;

  constructor(private readonly config: HttpCorsConfig) {
    const origins = config.allowedOrigins.map((origin) => origin.trim()).filter((origin) => origin !== '');
    this.anyOrigin = origins[0] === '*';
    this.origins = new Set(origins);
  }

  get enabled(): boolean {
    return this.config.enabled;
  }

  /** Headers for a response to `origin` (none when CORS is off or the origin is not allowed). */
  headers(origin: string | undefined): [string, string][] {
    if (!this.config.enabled || origin === undefined) return [];
    const headers: [string, string][] = [];
    if (this.anyOrigin) headers.push(['access-control-allow-origin', '*']);
    else if (this.origins.has(origin)) headers.push(['access-control-allow-origin', origin], ['vary', 'origin']);
    else return [];
    if (this.config.allowCredentials) headers.push(['access-control-allow-credentials', 'true']);
    const exposed = this.config.exposedHeaders.filter((header) => header.trim() !== '');
    if (exposed.length > 0) headers.push(['access-control-expose-headers', exposed.join(',')]);
    return headers;
  }

  preflight(origin: string | undefined): [string, string][] {
    const headers = this.headers(origin);
    if (headers.length === 0) return headers;
    const methods = this.config.allowedMethods.filter((method) => method.trim() !== '').map((method) => method.toUpperCase());
    const allowedHeaders = this.config.allowedHeaders.filter((header) => header.trim() !== '');
    headers.push(['access-control-allow-methods', methods.join(',')]);
    if (allowedHeaders.length > 0) headers.push(['access-control-allow-headers', allowedHeaders.join(',')]);
    headers.push(['vary', 'origin, access-control-request-method, access-control-request-headers']);
    return headers;
  }
}

function problemResponse(problem: HttpProblem, extra: readonly (readonly [string, string])[]): OutgoingResponse {
  const headers: (readonly [string, string])[] = [...extra, ...Object.entries(problem.headers)];
  if (problem.body === undefined) return { status: problem.status, headers, body: EMPTY };
  headers.push(['content-type', JSON_TYPE]);
  return { status: problem.status, headers, body: Buffer.from(stringifyJson(problem.body)) };
}

function resultResponse(result: RouteResult, extra: readonly (readonly [string, string])[]): OutgoingResponse {
  const headers: (readonly [string, string])[] = [...extra, ...Object.entries(result.headers ?? {})];
  let body: Buffer = EMPTY;
  if (result.json !== undefined) {
    body = Buffer.from(stringifyJson(result.json));
    headers.push(['content-type', JSON_TYPE]);
  } else if (result.text !== undefined) {
    body = Buffer.from(result.text);
    headers.push(['content-type', result.contentType ?? 'text/plain; charset=utf-8']);
  } else if (result.bytes !== undefined) {
    body = result.bytes;
    headers.push(['content-type', result.contentType ?? 'application/octet-stream']);
  }
  return { status: result.status, headers, body };
}

function parseBody(request: IncomingRequest): unknown {
  if (request.body.length === 0) throw invalidFormatProblem('request body is required (JSON)', null);
  try {
    return parseJson(request.body.toString('utf8'));
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw invalidFormatProblem(`request body is not valid JSON: ${error.message}`, null);
    throw error;
  }
}

export class HttpApp {
  private readonly cors: Cors;

  constructor(
    private readonly api: HttpApi,
    private readonly table: RouteTable,
    cors: HttpCorsConfig,
    private readonly requestSizeBytesMax: number,
  ) {
    this.cors = new Cors(cors);
  }

  /** The 413 an engine sends when a body exceeds `http.max_request_size` (before reading all of it). */
  payloadTooLarge(request: Pick<IncomingRequest, 'method' | 'path' | 'header'>): OutgoingResponse {
    const body: ErrorBody = { id: 413, code: 'payload_too_large', reason: `request body exceeds http.max_request_size (${this.requestSizeBytesMax} bytes)`, field: null };
    this.api.metrics.recordRequest(request.method, 'unmatched', 413, 0);
    return problemResponse(new HttpProblem(413, body, { connection: 'close' }), this.cors.headers(request.header('origin')));
  }

  async handle(request: IncomingRequest): Promise<OutgoingResponse> {
    const started = performance.now();
    const origin = request.header('origin');
    let routeLabel = 'unmatched';
    let session: Session | undefined;
    let response: OutgoingResponse;
    try {
      if (request.method === 'OPTIONS' && this.cors.enabled && request.header('access-control-request-method') !== undefined) {
        response = { status: 200, headers: this.cors.preflight(origin), body: EMPTY };
      } else {
        const corsHeaders = this.cors.headers(origin);
        try {
          const identity = PUBLIC_PATHS.has(request.path) ? undefined : this.authenticate(request.header('authorization'));
          const match = this.table.match(request.method, request.path);
          if (match.kind === 'not_found') throw new HttpProblem(404, { id: 404, code: 'not_found', reason: `No route for ${request.method} ${request.path}`, field: null });
          if (match.kind === 'bad_path') throw invalidFormatProblem('request path is not valid percent-encoded UTF-8', null);
          if (match.kind === 'method_not_allowed') {
            routeLabel = match.path;
            throw new HttpProblem(405, { id: 405, code: 'method_not_allowed', reason: `${request.method} is not allowed on ${match.path}`, field: null }, { allow: match.allowed.join(', ') });
          }
          const route = match.route;
          routeLabel = route.path;
          const context = this.context(route, match.params, request, identity, (opened) => {
            session = opened;
          });
          response = resultResponse(await route.handle(context), corsHeaders);
        } catch (error) {
          response = problemResponse(this.toProblem(error), corsHeaders);
        }
      }
    } finally {
      if (session !== undefined) this.api.router.onDisconnect(session);
    }
    const seconds = (performance.now() - started) / 1000;
    this.api.metrics.recordRequest(request.method, routeLabel, response.status, seconds);
    if (this.api.logger.isLevelEnabled('debug')) {
      this.api.logger.debug({ method: request.method, path: request.path, status: response.status, ms: seconds * 1000 }, 'http request');
    }
    return response;
  }

  private authenticate(authorization: string | undefined): Identity {
    if (authorization === undefined || !authorization.startsWith('Bearer ')) throw unauthenticatedProblem();
    const identity = this.api.jwt.verify(authorization.slice('Bearer '.length).trim());
    if (identity === undefined) throw unauthenticatedProblem();
    return identity;
  }

  private toProblem(error: unknown): HttpProblem {
    if (error instanceof HttpProblem) return error;
    if (error instanceof IggyError) return iggyProblem(error.code, error.message, null);
    this.api.logger.error({ err: error }, 'http handler failed');
    return new HttpProblem(500, errorBody(1, 'Internal server error', null));
  }

  private context(
    route: AnyRoute,
    rawParams: Record<string, string>,
    request: IncomingRequest,
    identity: Identity | undefined,
    onSession: (session: Session) => void,
  ): RouteContext<unknown, Record<string, unknown>> {
    const registry = this.api.schemas;
    for (const [name, schema] of Object.entries(route.params ?? {})) {
      const issue = validate(schema, coerceParameter(rawParams[name]!, schema, registry), registry, name);
      if (issue !== undefined) throw invalidFormatProblem(issue.message, issue.field);
    }
    const query: Record<string, unknown> = {};
    if (route.query !== undefined) {
      const search = new URLSearchParams(request.query);
      for (const [name, schema] of Object.entries(route.query.properties)) {
        const value = search.get(name);
        if (value !== null) query[name] = coerceParameter(value, schema, registry);
      }
      const issue = validate(route.query, query, registry);
      if (issue !== undefined) throw invalidFormatProblem(issue.message.replace(/^field /, 'query parameter '), issue.field);
    }
    let body: unknown;
    if (route.body !== undefined) {
      body = parseBody(request);
      const issue = validate(route.body, body, registry);
      if (issue !== undefined) throw invalidFormatProblem(issue.message, issue.field);
    }
    const api = this.api;
    let session: Session | undefined;
    return {
      api,
      params: rawParams,
      query,
      body,
      identity,
      remoteAddress: request.remoteAddress,
      async call<T>(code: number, payload: Buffer, decode: (payload: Buffer) => T): Promise<T> {
        if (session === undefined) {
          session = api.router.sessions.open(request.remoteAddress, Transport.http);
          session.userId = identity?.userId ?? null;
          onSession(session);
        }
        const frame = await api.router.handle(session, code, payload);
        const view = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
        const status = view.readUInt32LE(0);
        if (status !== 0) throw iggyProblem(status);
        return decode(view.subarray(8, 8 + view.readUInt32LE(4)));
      },
    };
  }
}
