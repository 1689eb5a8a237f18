/**
 * A raw TCP connection to the server for tests: request frames out, response frames matched to
 * requests in order (the protocol answers in request order, reference 1.6). Modelled on the SDK's
 * TcpTransport but kept here, so the server tests do not depend on the SDK while it changes, and
 * extended with what the fuzz test needs: writing arbitrary bytes in arbitrary chunks while
 * expecting a given number of responses, and recording frames nobody asked for.
 */
import net from 'node:net';
import { ResponseFrameDecoder, writeRequestHeader } from '@iggy-ts/protocol';

export interface RawResponse {
  /** 0 = OK, otherwise an Iggy error code. */
  status: number;
  payload: Buffer;
}

/** A request whose response did not come because the connection closed. */
export class ConnectionClosedError extends Error {
  constructor() {
    super('connection closed before the response arrived');
    this.name = 'ConnectionClosedError';
  }
}

interface Waiter {
  resolve(response: RawResponse): void;
  reject(error: Error): void;
}

export class Connection {
  private readonly waiters: Waiter[] = [];
  private readonly decoder: ResponseFrameDecoder;
  /** Frames that arrived while no request was waiting (e.g. status 8 when the server stops). */
  readonly unsolicited: RawResponse[] = [];
  /** Resolves when the socket closes, for whatever reason. */
  readonly closed: Promise<void>;
  private isClosed = false;

  private constructor(private readonly socket: net.Socket) {
    this.decoder = new ResponseFrameDecoder({
      onFrame: (frame) => {
        const response = { status: frame.status, payload: Buffer.from(frame.payload) };
        const waiter = this.waiters.shift();
        if (waiter === undefined) this.unsolicited.push(response);
        else waiter.resolve(response);
      },
    });
    socket.on('data', (chunk: Buffer) => this.decoder.push(chunk));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.isClosed = true;
        while (this.waiters.length > 0) this.waiters.shift()!.reject(new ConnectionClosedError());
        resolve();
      });
    });
  }

  static open(port: number, host = '127.0.0.1', timeoutMs = 5000): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new Connection(socket));
      });
    });
  }

  get isOpen(): boolean {
    return !this.isClosed && !this.socket.destroyed;
  }

  /** Requests written whose responses have not arrived yet. */
  get pendingCount(): number {
    return this.waiters.length;
  }

  /** Sends one request frame and resolves with its response (requests may be pipelined). */
  request(code: number, payload: Uint8Array = Buffer.alloc(0)): Promise<RawResponse> {
    if (!this.isOpen) return Promise.reject(new ConnectionClosedError());
    const response = this.expectResponse();
    const header = Buffer.allocUnsafe(8);
    writeRequestHeader(header, 0, code, payload.length);
    this.socket.cork();
    this.socket.write(header);
    if (payload.length > 0) this.socket.write(payload);
    this.socket.uncork();
    return response;
  }

  /**
   * Registers a waiter for the next response without writing anything: pair it with `writeRaw`.
   * Waiters are answered in registration order.
   */
  expectResponse(): Promise<RawResponse> {
    if (!this.isOpen) return Promise.reject(new ConnectionClosedError());
    return new Promise<RawResponse>((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Writes raw bytes (any framing, any chunking); resolves once they are handed to the kernel. */
  writeRaw(bytes: Uint8Array): Promise<void> {
    if (!this.isOpen) return Promise.reject(new ConnectionClosedError());
    return new Promise((resolve, reject) => this.socket.write(bytes, (error) => (error ? reject(error) : resolve())));
  }

  /** Closes the connection; pending requests fail with ConnectionClosedError. */
  async close(): Promise<void> {
    if (!this.isClosed) {
      this.socket.end();
      const timer = setTimeout(() => this.socket.destroy(), 1000);
      await this.closed;
      clearTimeout(timer);
    }
  }

  /** Closes at once (RST), without waiting for the server. */
  destroy(): void {
    this.socket.destroy();
  }
}
