/**
 * Live HTTP API servers for the tests of this folder: an in-process `IggyServer` with the HTTP API on
 * 127.0.0.1 (kernel-chosen port), one shard, a temporary data directory, root iggy/iggy and a known
 * JWT secret; plus a small client over global fetch that parses responses with the server's exact
 * JSON reader (u64 values stay exact) and checks every 2xx JSON body against the response schema the
 * route declares (the same schema the OpenAPI document publishes).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { IggyServer } from '../../src/server.js';
import type { ServerConfigOverrides } from '../../src/config/index.js';
import { schemas } from '../../src/http/components.js';
import type { HttpEngineName, HttpEngineSetting } from '../../src/http/engine.js';
import { parseJson } from '../../src/http/json.js';
import { RouteTable } from '../../src/http/route.js';
import { allRoutes } from '../../src/http/routes/index.js';
import { validate } from '../../src/http/schema.js';

export const ENGINES: readonly HttpEngineName[] = ['uws', 'node'];
export const JWT_SECRET = 'a-test-secret-that-is-long-enough-for-hs256';
export const REQUEST_SIZE_BYTES_MAX = 64 * 1024;

export interface HttpTestServer {
  readonly server: IggyServer;
  readonly base: string;
  readonly port: number;
  stop(): Promise<void>;
}

export async function startHttpServer(engine: HttpEngineSetting, http: Record<string, unknown> = {}): Promise<HttpTestServer> {
  const dataPath = mkdtempSync(path.join(os.tmpdir(), `iggy-ts-http-${engine}-`));
  const overrides = {
    system: { path: dataPath, shardCount: 1 },
    tcp: { address: '127.0.0.1:0' },
    http: { enabled: true, address: '127.0.0.1:0', engine, requestSizeBytesMax: REQUEST_SIZE_BYTES_MAX, jwt: { secret: JWT_SECRET }, ...http },
    root: { username: 'iggy', password: 'iggy' },
    logging: { level: 'silent' },
  } as ServerConfigOverrides;
  const server = await IggyServer.start({ overrides, env: {} });
  const port = server.addresses.http!.port;
  return {
    server,
    port,
    base: `http://127.0.0.1:${port}`,
    stop: async () => {
      await server.stop();
      rmSync(dataPath, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed JSON body (bigints for integers past 2^53), or undefined. */
  readonly json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface RequestOptions {
  readonly body?: unknown;
  /** Sent as is (for malformed JSON). */
  readonly rawBody?: string | Buffer;
  readonly token?: string;
  readonly headers?: Record<string, string>;
}

const documentedRoutes = new RouteTable(allRoutes({ metricsEnabled: true }));

/** Checks a 2xx JSON body against the response schema its route declares. */
function checkDocumentedShape(method: string, url: string, status: number, json: unknown): void {
  const match = documentedRoutes.match(method, new URL(url).pathname);
  if (match.kind !== 'found') return;
  const schema = match.route.responses[status]?.schema;
  if (schema === undefined) return;
  const issue = validate(schema, json, schemas);
  expect(issue, `${method} ${url} → ${status}: body does not match its documented schema`).toBeUndefined();
}

export function client(base: string) {
  const request = async (method: string, path: string, options: RequestOptions = {}): Promise<Reply> => {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | Buffer | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    const response = await fetch(`${base}${path}`, { method, headers, body });
    const text = await response.text();
    let json: unknown;
    if ((response.headers.get('content-type') ?? '').startsWith('application/json') && text !== '') json = parseJson(text);
    if (response.status >= 200 && response.status < 300 && json !== undefined) checkDocumentedShape(method, `${base}${path}`, response.status, json);
    return { status: response.status, headers: response.headers, text, json };
  };
  return {
    request,
    get: (path: string, options?: RequestOptions) => request('GET', path, options),
    post: (path: string, options?: RequestOptions) => request('POST', path, options),
    put: (path: string, options?: RequestOptions) => request('PUT', path, options),
    delete: (path: string, options?: RequestOptions) => request('DELETE', path, options),
    /** Logs in and returns the access token. */
    login: async (username = 'iggy', password = 'iggy'): Promise<string> => {
      const reply = await request('POST', '/users/login', { body: { username, password } });
      expect(reply.status, reply.text).toBe(200);
      return reply.json.access_token.token as string;
    },
  };
}

export type Client = ReturnType<typeof client>;

/** Asserts the 0.8 error body. */
export function expectError(reply: Reply, status: number, id: number, code: string, field?: string | null): void {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.json).toMatchObject({ id, code });
  expect(typeof reply.json.reason).toBe('string');
  if (field !== undefined) expect(reply.json.field).toBe(field);
}

export const base64 = (text: string): string => Buffer.from(text).toString('base64');
