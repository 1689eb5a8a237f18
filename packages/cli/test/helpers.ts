/**
 * Shared builders of the CLI tests: a live server (in-process, or the real binary as a child
 * process for the quick start), and `iggy` run as a user runs it — the built binary in a child
 * process with its own context directory, its output collected.
 * The environment's IGGY_* variables are never passed on, so a developer's settings cannot leak in.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { IggyClient } from '@iggy-ts/sdk';
import { IggyServer } from '@iggy-ts/server';

export const REPOSITORY_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI_BINARY = path.join(REPOSITORY_ROOT, 'packages/cli/dist/bin/iggy.js');
export const SERVER_BINARY = path.join(REPOSITORY_ROOT, 'packages/server/dist/bin/iggy-server.js');

export function temporaryDirectory(label: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `iggy-cli-${label}-`));
}

export function removeDirectory(directory: string): void {
  rmSync(directory, { recursive: true, force: true, maxRetries: 3 });
}

/** A TCP port that was free a moment ago. */
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

/** The environment without IGGY_* variables, plus `extra`. */
export function cleanEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('IGGY_')) env[key] = value;
  return { ...env, ...extra };
}

export interface TestServer {
  readonly server: IggyServer;
  readonly address: string;
  readonly dataPath: string;
  stop(): Promise<void>;
}

/**
 * An in-process server on a kernel-chosen port with root iggy/iggy and its own data directory;
 * `tls` makes its TCP listener use TLS with a self-signed certificate generated at start, `http`
 * adds the HTTP API on another kernel-chosen port (`server.addresses.http.port`).
 */
export async function startServer(options: { tls?: boolean; http?: boolean } = {}): Promise<TestServer> {
  const dataPath = temporaryDirectory('data');
  const tcp = options.tls === true ? { address: '127.0.0.1:0', tls: { enabled: true, selfSigned: true } } : { address: '127.0.0.1:0' };
  const http = options.http === true ? { http: { enabled: true, address: '127.0.0.1:0' } } : {};
  const server = await IggyServer.start({
    env: {},
    overrides: { system: { path: dataPath, shardCount: 1 }, tcp, ...http, root: { username: 'iggy', password: 'iggy' }, logging: { level: 'silent' } },
  });
  return {
    server,
    address: `127.0.0.1:${server.addresses.tcp!.port}`,
    dataPath,
    async stop() {
      await server.stop();
      removeDirectory(dataPath);
    },
  };
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Extra environment variables (IGGY_CONTEXT_DIR, IGGY_ADDRESS, ...). */
  readonly env?: Record<string, string>;
  /** Bytes for stdin; without it stdin is closed at once (like `< /dev/null`). */
  readonly stdin?: string | Buffer;
  readonly cwd?: string;
}

/** Runs `node packages/cli/dist/bin/iggy.js ...args` and collects its output. */
export function iggy(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BINARY, ...args], {
      cwd: options.cwd ?? REPOSITORY_ROOT,
      env: cleanEnvironment(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') }));
    child.stdin.end(options.stdin ?? '');
  });
}

/**
 * A CLI bound to one server and one context directory. `login()` saves a session there, so later
 * commands log in with its token (a cheap SHA-256 check) instead of a password (scrypt, costly).
 */
export class CliUser {
  constructor(
    readonly address: string,
    readonly contextDirectory: string,
  ) {}

  /** `iggy login` as root; fails the test when it does not work. */
  async login(): Promise<void> {
    const result = await this.runWithoutCredentials(['login', '-u', 'iggy', '-p', 'iggy']);
    if (result.code !== 0) throw new Error(`iggy login exited with ${result.code}: ${result.stderr}`);
  }

  /** Runs with the server address and the context directory (so with the saved session, if any). */
  run(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
    return this.runWithoutCredentials(args, options);
  }

  /** Runs with the server address and the context directory, nothing else. */
  runWithoutCredentials(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
    return iggy(['--address', this.address, ...args], { ...options, env: { IGGY_CONTEXT_DIR: this.contextDirectory, ...options.env } });
  }

  /** Runs and fails the test with the CLI's stderr when the exit code is not 0. */
  async ok(args: readonly string[], options: CliOptions = {}): Promise<string> {
    const result = await this.run(args, options);
    if (result.code !== 0) throw new Error(`iggy ${args.join(' ')} exited with ${result.code}: ${result.stderr}`);
    return result.stdout;
  }

  /** Like ok() with --output json, parsed. */
  async json<T = unknown>(args: readonly string[]): Promise<T> {
    return JSON.parse(await this.ok([...args, '--output', 'json'])) as T;
  }
}

/**
 * A live server, a logged-in CLI user (its session in a context directory of its own), and an SDK
 * client of the test's own for fixtures and for checking effects without spawning the CLI.
 */
export class LiveFixture {
  private constructor(
    readonly server: TestServer,
    readonly cli: CliUser,
    readonly admin: IggyClient,
  ) {}

  static async start(): Promise<LiveFixture> {
    const server = await startServer();
    const cli = new CliUser(server.address, temporaryDirectory('context'));
    const admin = IggyClient.fromAddress(server.address, { credentials: { username: 'iggy', password: 'iggy' } });
    await Promise.all([cli.login(), admin.connect()]);
    return new LiveFixture(server, cli, admin);
  }

  /** A stream with one topic of `partitionsCount` partitions, made through the SDK. */
  async topic(stream: string, topic: string, partitionsCount = 1): Promise<void> {
    await this.admin.createStream({ name: stream });
    await this.admin.createTopic({ streamId: stream, name: topic, partitionsCount });
  }

  async stop(): Promise<void> {
    await this.admin.close();
    await this.server.stop();
    removeDirectory(this.cli.contextDirectory);
  }
}

/** True when stderr is one `error: ...` line without a stack trace. */
export function isReadableError(stderr: string): boolean {
  const lines = stderr.trimEnd().split('\n');
  return lines.length === 1 && lines[0]!.startsWith('error: ') && !/\n\s+at |Error:|node:internal/.test(stderr);
}

/** The real server binary as a child process (for the quick start, which restarts it). */
export class ServerProcess {
  private child: ChildProcess | undefined;

  constructor(
    readonly port: number,
    readonly dataPath: string,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts `iggy-server --with-default-root-credentials` and waits until it accepts connections. */
  async start(): Promise<void> {
    const child = spawn(process.execPath, [SERVER_BINARY, '--with-default-root-credentials', '--data-path', this.dataPath, '--tcp-address', this.address, '--shards', '1', '--log-level', 'warn'], {
      cwd: REPOSITORY_ROOT,
      env: cleanEnvironment(),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`iggy-server exited with ${child.exitCode}: ${stderr}`);
      if (await canConnect(this.port)) return;
      if (Date.now() > deadline) throw new Error(`iggy-server did not listen on ${this.address}: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Stops it with SIGTERM (a clean shutdown) and waits for the exit. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** The certificate a TLS server presents, as PEM (to trust it with --tls-ca). */
export function peerCertificatePem(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const der = socket.getPeerCertificate().raw;
      socket.destroy();
      resolve(`-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`);
    });
    socket.once('error', reject);
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
