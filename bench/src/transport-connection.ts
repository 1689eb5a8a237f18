/**
 * The bench over the SDK transports (QUIC, HTTP, WebSocket): the same surface as the lean TCP
 * BenchConnection, so the same workload can be measured over each. `send` takes the command code
 * and the payload out of the prebuilt frame as views (no copies) and calls `transport.request`.
 * TCP keeps its own lean path (BenchConnection).
 */
import { REQUEST_HEADER_SIZE_BYTES } from '@iggy-ts/protocol';
import { HttpTransport, QuicTransport, WebSocketTransport, type Transport, type WebSocketLike } from '@iggy-ts/sdk';
import { WebSocket as NodeWebSocket } from 'ws';
import { BenchConnection, BenchError, HEAD_SIZE_BYTES, statusName, type BenchLink } from './connection.js';
import type { TransportName } from './config.js';

/** How long a QUIC connect is retried while a just-spawned server opens its UDP socket. */
const QUIC_CONNECT_RETRY_MS = 5000;

export class TransportConnection implements BenchLink {
  status = 0;
  payloadSizeBytes = 0;
  latencyMs = 0;
  readonly head = Buffer.alloc(HEAD_SIZE_BYTES);
  private busy = false;

  constructor(
    private readonly transport: Transport,
    private readonly description: string,
  ) {}

  static async connect(transport: Transport, description: string): Promise<TransportConnection> {
    try {
      await transport.connect();
    } catch (error) {
      throw new BenchError(`cannot connect to ${description}: ${(error as Error).message}`);
    }
    return new TransportConnection(transport, description);
  }

  async send(frame: Buffer): Promise<void> {
    if (this.busy) throw new BenchError('a request is already in flight');
    this.busy = true;
    const code = frame.readUInt32LE(4);
    const payload = frame.subarray(REQUEST_HEADER_SIZE_BYTES);
    const startMs = performance.now();
    try {
      const response = await this.transport.request(code, payload);
      this.latencyMs = performance.now() - startMs;
      this.status = response.status;
      this.payloadSizeBytes = response.payload.length;
      response.payload.copy(this.head, 0, 0, Math.min(HEAD_SIZE_BYTES, response.payload.length));
    } catch (error) {
      throw error instanceof BenchError ? error : new BenchError(`${this.description}: ${(error as Error).message}`);
    } finally {
      this.busy = false;
    }
  }

  async command(code: number, payload: Uint8Array, what: string): Promise<Buffer> {
    if (this.busy) throw new BenchError('a request is already in flight');
    this.busy = true;
    let response;
    try {
      response = await this.transport.request(code, payload);
    } catch (error) {
      throw new BenchError(`${what} failed: ${(error as Error).message}`);
    } finally {
      this.busy = false;
    }
    this.status = response.status;
    this.payloadSizeBytes = response.payload.length;
    if (response.status !== 0) throw new BenchError(`${what} failed: ${statusName(response.status)}`, response.status);
    return response.payload;
  }

  close(): Promise<void> {
    return this.transport.close().catch(() => undefined);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A connection over `transport` to host:port: the lean TCP path, or an SDK transport. */
export async function openConnection(transport: TransportName, host: string, port: number): Promise<BenchLink> {
  const urlHost = host.includes(':') ? `[${host}]` : host;
  switch (transport) {
    case 'tcp':
      return BenchConnection.connect(host, port);
    case 'http':
      return TransportConnection.connect(new HttpTransport({ url: `http://${urlHost}:${port}` }), `http://${urlHost}:${port}`);
    case 'ws':
      return TransportConnection.connect(
        new WebSocketTransport({ url: `ws://${urlHost}:${port}`, createWebSocket: (url) => new NodeWebSocket(url) as unknown as WebSocketLike }),
        `ws://${urlHost}:${port}`,
      );
    case 'quic': {
      // A benchmark target: the server's certificate (self-signed by default) is not verified.
      const deadline = performance.now() + QUIC_CONNECT_RETRY_MS;
      for (;;) {
        try {
          return await TransportConnection.connect(new QuicTransport({ host, port, serverName: 'localhost', verifyPeer: false }), `quic://${urlHost}:${port}`);
        } catch (error) {
          if (performance.now() > deadline) throw error;
          await sleep(100);
        }
      }
    }
  }
}
