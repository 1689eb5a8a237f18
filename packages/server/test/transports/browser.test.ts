/**
 * The SDK's WebSocket transport in a real browser: the transport source is bundled for the browser
 * with esbuild (the protocol package marked side-effect free, so only what the transport uses is
 * kept), served as an ES module from a tiny static server, and driven in headless Chromium against
 * a real server. Needs /usr/bin/chromium (Debian package `chromium`); skipped, saying so, without it.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandCode, ErrorCode, decodeGetMeResponse, decodeLoginUserResponse, encodeLoginUserRequest } from '@iggy-ts/protocol';
import { startServerWith, type RunningServer } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';
const chromiumPresent = existsSync(CHROMIUM);
if (!chromiumPresent) console.warn(`browser.test.ts skipped: ${CHROMIUM} is absent (install the Debian package "chromium" to run it)`);

const TRANSPORT_SOURCE = fileURLToPath(new URL('../../../sdk/src/transports/websocket.ts', import.meta.url));

/** The transport as one browser ES module. */
async function bundleTransport(): Promise<string> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [TRANSPORT_SOURCE],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    plugins: [
      {
        name: 'protocol-side-effect-free',
        setup(build) {
          // The protocol package's modules only declare things; marking them side-effect free lets
          // esbuild drop the ones the transport never uses (some touch Node's Buffer at load time).
          build.onResolve({ filter: /^@iggy-ts\/protocol$/ }, () => ({ path: fileURLToPath(new URL('../../../protocol/dist/index.js', import.meta.url)), sideEffects: false }));
          // Kept external: a Node built-in left in the bundle fails the "without Node built-ins" test.
          build.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, external: true, sideEffects: false }));
          build.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => (args.importer.includes('/protocol/dist/') ? { path: fileURLToPath(new URL(args.path, `file://${args.importer}`)), sideEffects: false } : undefined));
        },
      },
    ],
  });
  return result.outputFiles[0]!.text;
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>iggy-ts websocket transport</title>
<script type="module">
  import { WebSocketTransport } from '/transport.js';
  window.WebSocketTransport = WebSocketTransport;
  window.transportLoaded = true;
</script>`;

describe.skipIf(!chromiumPresent)('SDK WebSocket transport in headless Chromium', () => {
  let server: RunningServer;
  let pages: http.Server;
  let pageUrl: string;
  let browser: import('playwright-core').Browser;
  let bundle: string;

  beforeAll(async () => {
    bundle = await bundleTransport();
    server = await startServerWith({ websocket: { enabled: true, address: '127.0.0.1:0' } });
    pages = http.createServer((request, response) => {
      if (request.url === '/transport.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      else if (request.url === '/') response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
    pageUrl = `http://127.0.0.1:${(pages.address() as { port: number }).port}/`;
    const { chromium } = await import('playwright-core');
    // Playwright gives every launch a fresh temporary profile (--user-data-dir) and runs headless.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (pages ? pages.close(() => resolve()) : resolve()));
    await server?.stop();
  });

  it('bundles without Node built-ins', () => {
    expect(bundle).not.toMatch(/from\s*["']node:|require\(/);
    expect(bundle).toContain('WebSocketTransport');
  });

  it('logs in, pipelines requests and reads errors from a browser page', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(pageUrl);
    await page.waitForFunction(() => (globalThis as unknown as { transportLoaded?: boolean }).transportLoaded === true, undefined, { timeout: 20_000 });

    const url = `ws://127.0.0.1:${server.server.addresses.websocket!.port}`;
    const login = [...encodeLoginUserRequest({ username: 'iggy', password: 'iggy' })];
    const result = await page.evaluate(
      async ({ url, login, codes }) => {
        type Response = { status: number; payload: Uint8Array };
        type TransportClass = new (options: { url: string }) => {
          connect(): Promise<void>;
          request(code: number, payload: Uint8Array): Promise<Response>;
          close(): Promise<void>;
          connected: boolean;
        };
        const Transport = (globalThis as unknown as { WebSocketTransport: TransportClass }).WebSocketTransport;
        const transport = new Transport({ url });
        await transport.connect();
        const view = (response: Response) => ({ status: response.status, payload: [...response.payload], isBuffer: response.payload.constructor.name });
        const beforeLogin = view(await transport.request(codes.GetStreams, new Uint8Array(0)));
        const [ping, loggedIn, me] = await Promise.all([
          transport.request(codes.Ping, new Uint8Array(0)),
          transport.request(codes.LoginUser, new Uint8Array(login)),
          transport.request(codes.GetMe, new Uint8Array(0)),
        ]);
        const connected = transport.connected;
        await transport.close();
        return { beforeLogin, ping: view(ping), loggedIn: view(loggedIn), me: view(me), connected, connectedAfterClose: transport.connected };
      },
      { url, login, codes: { Ping: CommandCode.Ping, LoginUser: CommandCode.LoginUser, GetMe: CommandCode.GetMe, GetStreams: CommandCode.GetStreams } },
    );
    await page.close();

    expect(errors).toEqual([]);
    expect(result.beforeLogin.status).toBe(ErrorCode.Unauthenticated);
    expect(result.ping).toMatchObject({ status: 0, payload: [] });
    // No Buffer in a browser: payloads are plain Uint8Arrays.
    expect(result.ping.isBuffer).toBe('Uint8Array');
    expect(result.loggedIn.status).toBe(0);
    expect(decodeLoginUserResponse(Buffer.from(result.loggedIn.payload)).userId).toBe(0);
    expect(result.me.status).toBe(0);
    expect(decodeGetMeResponse(Buffer.from(result.me.payload)).transport).toBe(4);
    expect(result.connected).toBe(true);
    expect(result.connectedAfterClose).toBe(false);
  });
});
