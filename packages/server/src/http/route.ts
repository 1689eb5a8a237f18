/**
 * How an HTTP route is declared, once: method, path template, parameters, request and response
 * schemas and the handler. The request pipeline (app.ts) validates against these declarations and
 * the OpenAPI document (openapi.ts) is generated from the same objects, so the two cannot drift.
 *
 * Matching follows axum (0.8): a literal segment beats a parameter (`DELETE /users/logout` is not
 * `DELETE /users/{user_id}`); the most specific template that matches the path decides, and a
 * method it does not declare is 405.
 */
import type { Logger } from 'pino';
import type { ServerState } from '../router/context.js';
import type { Router } from '../router/router.js';
import type { Identity, JwtManager } from './jwt.js';
import type { HttpMetrics } from './metrics.js';
import type { Schema, SchemaRegistry } from './schema.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ResponseSpec {
  readonly description: string;
  /** JSON body schema; absent: no body (or a text body, see contentType). */
  readonly schema?: Schema;
  /** Content type of a non-JSON body, e.g. `text/plain; charset=utf-8`. */
  readonly contentType?: string;
}

/** What the handlers share: the router and state they adapt, the token manager, the metrics. */
export interface HttpApi {
  readonly state: ServerState;
  readonly router: Router;
  readonly jwt: JwtManager;
  readonly metrics: HttpMetrics;
  readonly schemas: SchemaRegistry;
  readonly logger: Logger;
  /** The OpenAPI document of the routes served (built once at start). */
  readonly openApiDocument: () => unknown;
}

export interface RouteContext<Body = unknown, Query = Record<string, unknown>> {
  readonly api: HttpApi;
  /** Path parameters, percent-decoded, validated against `params`. */
  readonly params: Readonly<Record<string, string>>;
  /** Query parameters, converted and validated against `query` (defaults filled in). */
  readonly query: Query;
  /** The JSON body, validated against `body` (defaults filled in). */
  readonly body: Body;
  /** The verified token; undefined on public routes. */
  readonly identity: Identity | undefined;
  /** Peer `ip:port`. */
  readonly remoteAddress: string;
  /**
   * Runs one binary command through the router as this request's session (logged in as the
   * token's user) and decodes the OK payload; an error status throws `HttpProblem`.
   */
  call<T>(code: number, payload: Buffer, decode: (payload: Buffer) => T): Promise<T>;
}

export interface RouteResult {
  readonly status: number;
  /** A JSON value (written with exact bigints). */
  readonly json?: unknown;
  /** A text body, sent with `contentType` (default text/plain). */
  readonly text?: string;
  readonly bytes?: Buffer;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RouteSpec<Body = unknown, Query = Record<string, unknown>> {
  readonly method: HttpMethod;
  /** OpenAPI path template, e.g. `/streams/{stream_id}/topics`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly tag: string;
  /** Served without a token (0.8's public paths). */
  readonly public?: boolean;
  /** Schema of each `{name}` in the path (text, converted like query parameters). */
  readonly params?: Readonly<Record<string, Schema>>;
  /** Object schema whose properties are the query parameters. */
  readonly query?: Schema & { readonly properties: Readonly<Record<string, Schema>> };
  /** JSON request body. */
  readonly body?: Schema;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  readonly handle: (context: RouteContext<Body, Query>) => RouteResult | Promise<RouteResult>;
}

/** A route with its body and query types erased, as the table stores it. */
export type AnyRoute = RouteSpec<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Declares a route; the type parameters state what the schemas guarantee to the handler. */
export function defineRoute<Body = unknown, Query = Record<string, unknown>>(spec: RouteSpec<Body, Query>): AnyRoute {
  return spec;
}

export const json = (status: number, value: unknown): RouteResult => ({ status, json: value });
export const noContent = (status = 204): RouteResult => ({ status });
export const text = (status: number, value: string, contentType = 'text/plain; charset=utf-8'): RouteResult => ({ status, text: value, contentType });

interface CompiledTemplate {
  readonly path: string;
  /** Literal text, or null for a parameter. */
  readonly segments: readonly (string | null)[];
  readonly names: readonly string[];
  readonly literals: number;
  readonly routes: Map<HttpMethod, AnyRoute>;
}

export type RouteMatch =
  | { readonly kind: 'found'; readonly route: AnyRoute; readonly params: Record<string, string> }
  | { readonly kind: 'method_not_allowed'; readonly path: string; readonly allowed: readonly HttpMethod[] }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'bad_path' };

export class RouteTable {
  private readonly templates: CompiledTemplate[] = [];

  constructor(readonly routes: readonly AnyRoute[]) {
    const byPath = new Map<string, CompiledTemplate>();
    for (const route of routes) {
      let template = byPath.get(route.path);
      if (template === undefined) {
        const parts = route.path.split('/').slice(1);
        const segments = parts.map((part) => (part.startsWith('{') && part.endsWith('}') ? null : part));
        const names = parts.filter((part) => part.startsWith('{')).map((part) => part.slice(1, -1));
        template = { path: route.path, segments, names, literals: segments.filter((segment) => segment !== null).length, routes: new Map() };
        byPath.set(route.path, template);
        this.templates.push(template);
      }
      if (template.routes.has(route.method)) throw new Error(`route ${route.method} ${route.path} declared twice`);
      for (const name of template.names) {
        if (route.params?.[name] === undefined) throw new Error(`route ${route.method} ${route.path} lacks a schema for {${name}}`);
      }
      template.routes.set(route.method, route);
    }
    // Most literal segments first, then left-most literal first: the order in which templates are tried.
    const rank = (template: CompiledTemplate): string => template.segments.map((segment) => (segment === null ? '1' : '0')).join('');
    this.templates.sort((a, b) => b.literals - a.literals || rank(a).localeCompare(rank(b)));
  }

  match(method: string, path: string): RouteMatch {
    const parts = path.split('/').slice(1);
    for (const template of this.templates) {
      if (template.segments.length !== parts.length) continue;
      let matches = true;
      for (let index = 0; index < parts.length && matches; index += 1) {
        const literal = template.segments[index];
        matches = literal === null ? parts[index] !== '' : literal === parts[index];
      }
      if (!matches) continue;
      const route = template.routes.get(method as HttpMethod);
      if (route === undefined) return { kind: 'method_not_allowed', path: template.path, allowed: [...template.routes.keys()] };
      const params: Record<string, string> = {};
      let nameIndex = 0;
      for (let index = 0; index < parts.length; index += 1) {
        if (template.segments[index] !== null) continue;
        try {
          params[template.names[nameIndex]!] = decodeURIComponent(parts[index]!);
        } catch {
          return { kind: 'bad_path' };
        }
        nameIndex += 1;
      }
      return { kind: 'found', route, params };
    }
    return { kind: 'not_found' };
  }
}
