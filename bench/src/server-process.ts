/**
 * The server under test: spawned as a separate process on a fresh temporary data directory (the
 * default, so server and bench do not share an event loop or a heap, as users run them), or an
 * existing one at --address. Also samples a local server's resident memory from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchError } from './connection.js';
import type { DurabilityMode, TransportName } from './config.js';

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 60_000;

export interface SpawnServerOptions {
  readonly serverBinary: string | undefined;
  readonly nodeArgs: readonly string[];
  readonly dataPath: string | undefined;
  readonly durability: DurabilityMode;
  readonly shards: number | undefined;
  readonly username: string;
  readonly password: string;
  /** The transport the bench measures; a non-TCP one is enabled on its own free port. */
  readonly transport: TransportName;
}

/** The workspace's iggy-server script: through the package when installed, else by its source path. */
export function defaultServerBinary(): string {
  try {
    const require = createRequire(import.meta.url);
    const entry = require.resolve('@iggy-ts/server');
    const candidate = path.join(path.dirname(entry), 'bin', 'iggy-server.js');
    if (existsSync(candidate)) return candidate;
  } catch {
    // not resolvable from here: fall back to the monorepo layout
  }
  // dist/server-process.js → bench/dist → repository root.
  return fileURLToPath(new URL('../../packages/server/dist/bin/iggy-server.js', import.meta.url));
}

/** A free TCP port on 127.0.0.1 (bound, read and released; the server binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resident set size of a local process in bytes (VmRSS), or undefined when it cannot be read. */
export function readRssBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    return match === null ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class SpawnedServer {
  private exited = false;
  private exitDescription = '';
  private readonly exitPromise: Promise<void>;

  private constructor(
    readonly child: ChildProcess,
    readonly host: string,
    readonly port: number,
    /** The port of the measured transport (the TCP port for tcp). */
    readonly transportPort: number,
    readonly dataPath: string,
    readonly logPath: string,
    readonly serverBinary: string,
    private readonly workPath: string,
  ) {
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = true;
        this.exitDescription = signal === null ? `exit code ${code}` : `signal ${signal}`;
        resolve();
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  static async start(options: SpawnServerOptions): Promise<SpawnedServer> {
    const serverBinary = options.serverBinary ?? defaultServerBinary();
    if (!existsSync(serverBinary)) throw new BenchError(`server script ${serverBinary} not found: build it (npx tsc -b packages/server) or pass --server-binary`);
    const workPath = mkdtempSync(path.join(tmpdir(), 'iggy-bench-'));
    const dataPath = options.dataPath === undefined ? path.join(workPath, 'data') : path.resolve(options.dataPath);
    const logPath = path.join(workPath, 'server.log');
    const port = await freePort();
    const host = '127.0.0.1';
    // QUIC is UDP; a free TCP port number is free enough on loopback for a benchmark.
    let transportPort = port;
    while (options.transport !== 'tcp' && transportPort === port) transportPort = await freePort();
    const transportEnv: Record<string, string> = {};
    if (options.transport === 'http') {
      Object.assign(transportEnv, { IGGY_HTTP_ENABLED: 'true', IGGY_HTTP_ADDRESS: `${host}:${transportPort}`, IGGY_HTTP_MAX_REQUEST_SIZE: '300 MB' });
    } else if (options.transport === 'ws') {
      Object.assign(transportEnv, { IGGY_WEBSOCKET_ENABLED: 'true', IGGY_WEBSOCKET_ADDRESS: `${host}:${transportPort}` });
    } else if (options.transport === 'quic') {
      Object.assign(transportEnv, { IGGY_QUIC_ENABLED: 'true', IGGY_QUIC_ADDRESS: `${host}:${transportPort}`, IGGY_QUIC_SELF_SIGNED: 'true' });
    }
    const args = [
      ...options.nodeArgs,
      serverBinary,
      '--data-path', dataPath,
      '--tcp-address', `${host}:${port}`,
      '--durability', options.durability,
      '--fresh',
      '--log-level', 'warn',
    ];
    if (options.shards !== undefined) args.push('--shards', String(options.shards));
    const logFd = openSync(logPath, 'a');
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', logFd, logFd],
      env: { ...process.env, IGGY_ROOT_USERNAME: options.username, IGGY_ROOT_PASSWORD: options.password, ...transportEnv },
    });
    closeSync(logFd);
    const server = new SpawnedServer(child, host, port, transportPort, dataPath, logPath, serverBinary, workPath);
    const deadline = performance.now() + READY_TIMEOUT_MS;
    // HTTP and WebSocket listen on TCP too; QUIC (UDP) is retried by the connection.
    const waitForTransport = options.transport === 'http' || options.transport === 'ws';
    while (!(await canConnect(host, port)) || (waitForTransport && !(await canConnect(host, transportPort)))) {
      if (server.exited) {
        const message = `the server exited while starting (${server.exitDescription}):\n${server.logTail()}`;
        await server.stop(false);
        throw new BenchError(message);
      }
      if (performance.now() > deadline) {
        await server.stop(false);
        throw new BenchError(`the server did not listen on ${host}:${port} within ${READY_TIMEOUT_MS} ms:\n${server.logTail()}`);
      }
      await sleep(50);
    }
    return server;
  }

  /** The last lines of the server's output. */
  logTail(linesCount = 20): string {
    try {
      return readFileSync(this.logPath, 'utf8').trimEnd().split('\n').slice(-linesCount).join('\n');
    } catch {
      return '(no server output)';
    }
  }

  /** SIGTERM (the server flushes and exits; --cpu-prof profiles are written then), SIGKILL after 60 s. */
  async stop(keepData: boolean): Promise<void> {
    if (!this.exited) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await this.exitPromise;
      clearTimeout(timer);
    }
    // A --data-path given by the user stays (the server's --fresh wiped it at start); the temporary
    // directory (data and server log) goes unless --keep-data.
    if (!keepData) rmSync(this.workPath, { recursive: true, force: true });
  }

  get hasExited(): boolean {
    return this.exited;
  }
}

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat (100 on every common Linux build). */
const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU time of a local process in ms, or undefined when it cannot be read. */
export function readCpuTimeMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)" start at field 3; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}
