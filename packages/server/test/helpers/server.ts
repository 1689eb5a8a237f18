/**
 * Servers for live tests, each on 127.0.0.1 with a port chosen by the kernel and its own temporary
 * data directory:
 * - `startServer(overrides)`: in-process (`IggyServer.start`), silent logs, root iggy/iggy, 2 shards,
 *   fsync durability unless overridden; `restart()` stops it and starts it again on the same data.
 * - `spawnServer(options)`: the built binary (`dist/bin/iggy-server.js`) as a child process, so it can
 *   be killed with SIGKILL; the bound port is read from its "TCP listener started" JSON log line.
 * The environment's IGGY_* variables are never passed on, so a developer's settings cannot leak in.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IggyServer, type ServerConfigOverrides } from '@iggy-ts/server';

/** A fresh temporary directory for one server's data. */
export function temporaryDataPath(label = 'server'): string {
  return mkdtempSync(path.join(os.tmpdir(), `iggy-ts-${label}-`));
}

export function removeDataPath(dataPath: string): void {
  rmSync(dataPath, { recursive: true, force: true, maxRetries: 3 });
}

/** A TCP port that was free a moment ago (for tests that need to know the port before starting). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

type Overrides = Record<string, unknown>;

function isPlainObject(value: unknown): value is Overrides {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge of plain objects; `b` wins. */
function merge(a: Overrides, b: Overrides): Overrides {
  const result: Overrides = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const previous = result[key];
    result[key] = isPlainObject(previous) && isPlainObject(value) ? merge(previous, value) : value;
  }
  return result;
}

export interface TestServer {
  server: IggyServer;
  port: number;
  dataPath: string;
  /** The overrides the server runs with (data path included). */
  overrides: ServerConfigOverrides;
  /** Stops the server and starts a new one on the same data directory; `changes` are merged in. */
  restart(changes?: ServerConfigOverrides): Promise<TestServer>;
  /** Stops the server (flushing every shard); the data directory is kept. */
  stop(): Promise<void>;
  /** Stops the server and deletes its data directory. */
  dispose(): Promise<void>;
}

/** Starts a server in this process on a fresh (or the given) data directory. */
export async function startServer(overrides: ServerConfigOverrides = {}, dataPath = temporaryDataPath()): Promise<TestServer> {
  const base: Overrides = {
    system: { path: dataPath, shardCount: 2 },
    tcp: { address: '127.0.0.1:0' },
    root: { username: 'iggy', password: 'iggy' },
    logging: { level: 'silent' },
    durability: { mode: 'fsync' },
  };
  const effective = merge(base, overrides as Overrides) as ServerConfigOverrides;
  const server = await IggyServer.start({ overrides: effective, env: {} });
  const port = server.addresses.tcp?.port;
  if (port === undefined) throw new Error('the server started without a TCP listener');
  const handle: TestServer = {
    server,
    port,
    dataPath,
    overrides: effective,
    async restart(changes = {}) {
      await server.stop();
      return startServer(merge(effective as Overrides, changes as Overrides) as ServerConfigOverrides, dataPath);
    },
    stop: () => server.stop(),
    async dispose() {
      await server.stop();
      removeDataPath(dataPath);
    },
  };
  return handle;
}

// ---------------------------------------------------------------------------------------------
// Child-process server

const BINARY = fileURLToPath(new URL('../../dist/bin/iggy-server.js', import.meta.url));

export interface SpawnOptions {
  dataPath: string;
  /** TCP port; 0 (default) lets the kernel pick one, read back from the log. */
  port?: number;
  durability?: 'fsync' | 'buffered';
  /** Shard workers (default 2). */
  shards?: number;
  /** Extra IGGY_* variables (e.g. IGGY_SEGMENT_SIZE). */
  env?: Record<string, string>;
  /** Give up waiting for the listener after this long. Default 20 s. */
  startTimeoutMs?: number;
}

export interface SpawnedServer {
  child: ChildProcess;
  port: number;
  /** Every JSON log line the process wrote so far (stdout), parsed. */
  logLines: Record<string, unknown>[];
  /** Resolves with the exit code / signal once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` and waits for the process to end. */
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (clean stop, every shard flushed), then SIGKILL if it is not gone after `graceMs`. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** stderr so far, for failure messages. */
  stderr(): string;
}

function childEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('IGGY_')) env[key] = value;
  return { ...env, IGGY_ROOT_USERNAME: 'iggy', IGGY_ROOT_PASSWORD: 'iggy', ...extra };
}

/** Starts the built `iggy-server` binary and resolves once its TCP listener is bound. */
export function spawnServer(options: SpawnOptions): Promise<SpawnedServer> {
  const args = [
    BINARY,
    '--data-path',
    options.dataPath,
    '--tcp-address',
    `127.0.0.1:${options.port ?? 0}`,
    '--durability',
    options.durability ?? 'fsync',
    '--shards',
    String(options.shards ?? 2),
    '--log-level',
    'info',
  ];
  const child = spawn(process.execPath, args, { env: childEnvironment(options.env ?? {}), stdio: ['ignore', 'pipe', 'pipe'] });
  const logLines: Record<string, unknown>[] = [];
  let stderr = '';
  let pending = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  return new Promise<SpawnedServer>((resolve, reject) => {
    let settled = false;
    const timeoutMs = options.startTimeoutMs ?? 20_000;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(new Error(`iggy-server did not start within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);

    const handle = (port: number): SpawnedServer => ({
      child,
      port,
      logLines,
      exited,
      async kill(signal: NodeJS.Signals = 'SIGKILL') {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        return exited;
      },
      async stop(graceMs = 10_000) {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const result = await exited;
        clearTimeout(timer);
        return result;
      },
      stderr: () => stderr,
    });

    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (text: string) => {
      pending += text;
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
        if (!line.startsWith('{')) continue;
        let parsed: Record<string, unknown>;
        try {
          parsed = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        logLines.push(parsed);
        if (!settled && parsed.msg === 'TCP listener started' && typeof parsed.address === 'string') {
          const port = Number(parsed.address.slice(parsed.address.lastIndexOf(':') + 1));
          settled = true;
          clearTimeout(timer);
          resolve(handle(port));
        }
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      stderr += text;
    });
    void exited.then(({ code, signal }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`iggy-server exited (code ${code}, signal ${signal}) before listening; stderr: ${stderr}`));
    });
  });
}
