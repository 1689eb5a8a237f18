/**
 * Engine selection: "auto" serves with uWebSockets.js and falls back to node:http, with a warning,
 * when the addon cannot load; "uws" then refuses to start; "node" never loads the addon. Also the
 * configuration-dependent behaviour both engines share: restricted CORS origins and /metrics off.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseEngine, loadUws, type UwsModule } from '../../src/http/engine.js';
import { startHttpApi } from '../../src/http/listener.js';
import type { ServerState } from '../../src/router/context.js';
import { ENGINES, client, startHttpServer, type HttpTestServer } from './helpers.js';

function capturingLogger(): { logger: pino.Logger; lines: () => { level: number; msg: string }[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const logger = pino({ level: 'info' }, stream);
  return { logger, lines: () => chunks.join('').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { level: number; msg: string }) };
}

const missingAddon = (): UwsModule => {
  throw new Error('/lib/x86_64-linux-musl/libc.so: version `GLIBC_2.38` not found');
};

describe('HTTP engine selection', () => {
  it('uses uWebSockets.js for "auto" where the addon loads', () => {
    const { logger } = capturingLogger();
    const choice = chooseEngine('auto', logger, loadUws);
    expect(choice.name).toBe('uws');
    expect(typeof choice.uws?.App).toBe('function');
  });

  it('falls back to node:http for "auto" with a warning when the addon cannot load', () => {
    const { logger, lines } = capturingLogger();
    expect(chooseEngine('auto', logger, missingAddon)).toEqual({ name: 'node', uws: undefined });
    const warning = lines().find((line) => line.level === 40);
    expect(warning?.msg).toContain('falls back to node:http');
  });

  it('refuses to start for "uws" when the addon cannot load, and never loads it for "node"', () => {
    const { logger } = capturingLogger();
    expect(() => chooseEngine('uws', logger, missingAddon)).toThrow('http.engine = "uws" but uWebSockets.js cannot load');
    expect(chooseEngine('node', logger, missingAddon).name).toBe('node');
  });

  describe('on a running server', () => {
    let server: HttpTestServer;
    beforeAll(async () => {
      server = await startHttpServer('auto');
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('serves the whole API through node:http after a fallback', async () => {
      const { logger, lines } = capturingLogger();
      const base = server.server.state;
      const state: ServerState = { ...base, config: { ...base.config, http: { ...base.config.http, address: '127.0.0.1:0', engine: 'auto' } } };
      const listener = await startHttpApi(state, server.server.router, logger, { loadUws: missingAddon });
      try {
        expect(listener?.engine).toBe('node');
        const http = client(`http://127.0.0.1:${listener!.port}`);
        const ping = await http.get('/ping');
        expect([ping.status, ping.text, ping.headers.get('uwebsockets')]).toEqual([200, 'pong', null]);
        const token = await http.login();
        expect((await http.get('/streams', { token })).status).toBe(200);
        expect(lines().some((line) => line.level === 40 && line.msg.includes('falls back to node:http'))).toBe(true);
      } finally {
        await listener?.stop();
      }
    });

    it('serves with uWebSockets.js for "auto" where it loads', async () => {
      expect((await client(server.base).get('/ping')).headers.get('uwebsockets')).not.toBeNull();
    });
  });
});

describe.each(ENGINES)('configuration on the %s engine', (engine) => {
  let server: HttpTestServer;
  beforeAll(async () => {
    server = await startHttpServer(engine, {
      metrics: { enabled: false },
      cors: { enabled: true, allowedOrigins: ['http://allowed.example'], allowedMethods: ['GET', 'POST'], allowedHeaders: ['authorization'], exposedHeaders: ['x-request-id'], allowCredentials: true },
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers CORS only for the configured origins', async () => {
    const http = client(server.base);
    const allowed = await http.get('/ping', { headers: { origin: 'http://allowed.example' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://allowed.example');
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('access-control-expose-headers')).toBe('x-request-id');
    expect(allowed.headers.get('vary')).toContain('origin');
    const other = await http.get('/ping', { headers: { origin: 'http://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await http.request('OPTIONS', '/streams', { headers: { origin: 'http://allowed.example', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization');
  });

  it('does not serve /metrics when http.metrics.enabled is false', async () => {
    const reply = await client(server.base).get('/metrics');
    expect(reply.status).toBe(404);
    expect(reply.json).toMatchObject({ id: 404, code: 'not_found' });
  });
});
