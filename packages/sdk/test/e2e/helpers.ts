/**
 * Shared builders for the SDK's live-server tests: an in-process server on 127.0.0.1 port 0 with a
 * temporary data directory (restartable on the same port and directory), and root clients.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IggyServer } from '@iggy-ts/server';
import { CommandCode, IggyClient, type IggyClientOptions, type RawResponse, TcpTransport, type Transport, protocol } from '@iggy-ts/sdk';

export interface TestServer {
  readonly port: number;
  readonly dataDir: string;
  /** The running server (replaced by restart). */
  server: IggyServer;
  /** Stops the server, keeping its data directory. */
  stop(): Promise<void>;
  /** Starts the server again on the same port and data directory. */
  restart(): Promise<void>;
  /** Stops the server and deletes its data directory. */
  dispose(): Promise<void>;
}

function startOn(dataDir: string, port: number): Promise<IggyServer> {
  return IggyServer.start({
    overrides: {
      system: { path: dataDir, shardCount: 2 },
      tcp: { address: `127.0.0.1:${port}` },
      root: { username: 'iggy', password: 'iggy' },
      logging: { level: 'silent' },
    },
  } as Parameters<typeof IggyServer.start>[0]);
}

export async function startServer(): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'iggy-sdk-e2e-'));
  const first = await startOn(dataDir, 0);
  const port = first.addresses.tcp!.port;
  let running = true;
  const handle: TestServer = {
    port,
    dataDir,
    server: first,
    async stop() {
      if (!running) return;
      running = false;
      await handle.server.stop();
    },
    async restart() {
      if (running) await handle.stop();
      handle.server = await startOn(dataDir, port);
      running = true;
    },
    async dispose() {
      await handle.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}

/** A client logged in as root (iggy/iggy) on the test server. */
export function rootClient(server: TestServer, options: Omit<IggyClientOptions, 'tcp' | 'transport'> = {}): IggyClient {
  return new IggyClient({ tcp: { host: '127.0.0.1', port: server.port }, credentials: { username: 'iggy', password: 'iggy' }, ...options });
}

let counter = 0;
/** A name unique within the test run (streams, topics, users, groups). */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

/** Resolves once `predicate` holds, checking every 10 ms, or rejects after `timeoutMs`. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A TCP transport that records SendMessages batch sizes and can delay their acknowledgements. */
export class RecordingTransport implements Transport {
  /** Message count of every SendMessages request, in order. */
  readonly sentBatchSizes: number[] = [];
  /** Extra delay in ms before a SendMessages response is delivered. */
  ackDelayMs = 0;
  private readonly inner: TcpTransport;

  constructor(port: number) {
    this.inner = new TcpTransport({ host: '127.0.0.1', port });
  }

  get connected(): boolean {
    return this.inner.connected;
  }

  connect(): Promise<void> {
    return this.inner.connect();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  onDisconnect(listener: (error: Error) => void): () => void {
    return this.inner.onDisconnect(listener);
  }

  async request(code: number, payload: Uint8Array): Promise<RawResponse> {
    if (code !== CommandCode.SendMessages) return this.inner.request(code, payload);
    this.sentBatchSizes.push(protocol.decodeSendMessagesRequest(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)).messages.length);
    const response = await this.inner.request(code, payload);
    if (this.ackDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.ackDelayMs));
    return response;
  }
}

/** A root client over a RecordingTransport. */
export function recordingClient(server: TestServer): { client: IggyClient; transport: RecordingTransport } {
  const transport = new RecordingTransport(server.port);
  return { client: new IggyClient({ transport, credentials: { username: 'iggy', password: 'iggy' } }), transport };
}
