/**
 * A lean TCP connection for the benchmark's hot path: one request in flight, the request written as
 * ONE prebuilt frame (header and payload in the same buffer, reused for every send), responses read
 * through a single reused read buffer (`onread`), and of a hot response only the status, the size and
 * the first 16 payload bytes (the poll header) are kept; the rest is counted and dropped. Nothing is
 * allocated per message, and per batch only the promise.
 *
 *   request frame:  [length:u32 = 4 + N][code:u32][payload:N]
 *   response frame: [status:u32][length:u32 = N][payload:N]
 *
 * Control commands (login, create stream, ...) use `command`, which keeps the whole payload.
 */
import net from 'node:net';
import { errorInfo, writeRequestHeader, REQUEST_HEADER_SIZE_BYTES } from '@iggy-ts/protocol';

/** Bytes of a hot response's payload kept in `head`: the poll response header. */
export const HEAD_SIZE_BYTES = 16;
const READ_BUFFER_SIZE_BYTES = 1024 * 1024;
const CONNECT_TIMEOUT_MS = 5000;

/** A failed benchmark operation; `code` is the Iggy status when the server answered with one. */
export class BenchError extends Error {
  constructor(
    message: string,
    readonly code = 0,
  ) {
    super(message);
    this.name = 'BenchError';
  }
}

/** A prebuilt request frame for `code` with `payload` behind its 8-byte header (one copy, once). */
export function buildRequestFrame(code: number, payload: Uint8Array): Buffer {
  // Allocated outside the pool so a large batch owns its memory (it is reused for the whole run).
  const frame = Buffer.allocUnsafeSlow(REQUEST_HEADER_SIZE_BYTES + payload.length);
  writeRequestHeader(frame, 0, code, payload.length);
  frame.set(payload, REQUEST_HEADER_SIZE_BYTES);
  return frame;
}

/** "StreamIdNotFound (1009)". */
export function statusName(status: number): string {
  return `${errorInfo(status).name} (${status})`;
}

/**
 * What the runner and the actors need from a connection, whatever the transport: one request in
 * flight; after `send` resolves, `status`, `payloadSizeBytes`, `head` and `latencyMs` describe it.
 */
export interface BenchLink {
  readonly status: number;
  readonly payloadSizeBytes: number;
  readonly latencyMs: number;
  readonly head: Buffer;
  send(frame: Buffer): Promise<void>;
  command(code: number, payload: Uint8Array, what: string): Promise<Buffer>;
  close(): Promise<void>;
}

export class BenchConnection implements BenchLink {
  /** Status of the last response (0 = OK). */
  status = 0;
  /** Payload size of the last response. */
  payloadSizeBytes = 0;
  /** Time from writing the last request to reading the last byte of its response, in ms. */
  latencyMs = 0;
  /** The first min(16, payloadSizeBytes) bytes of the last response's payload. */
  readonly head = Buffer.alloc(HEAD_SIZE_BYTES);

  private readonly socket: net.Socket;
  private readonly headerScratch = Buffer.alloc(8);
  private headerFilled = 0;
  private inPayload = false;
  private payloadLeft = 0;
  private payloadReceived = 0;
  /** Set for a `command`: the whole payload is kept here. */
  private fullPayload: Buffer | undefined;
  private keepFullPayload = false;
  private requestStartMs = 0;
  private resolvePending: (() => void) | undefined;
  private rejectPending: ((error: Error) => void) | undefined;
  private failure: Error | undefined;

  private constructor(socket: net.Socket) {
    this.socket = socket;
  }

  static connect(host: string, port: number): Promise<BenchConnection> {
    return new Promise((resolve, reject) => {
      let connection: BenchConnection | undefined = undefined;
      const socket = net.connect({
        host,
        port,
        noDelay: true,
        onread: {
          buffer: Buffer.allocUnsafeSlow(READ_BUFFER_SIZE_BYTES),
          callback: (bytesCount: number, buffer: Uint8Array): boolean => {
            connection!.onBytes(buffer as Buffer, bytesCount);
            return true;
          },
        },
      });
      connection = new BenchConnection(socket);
      const timer = setTimeout(() => socket.destroy(new Error(`connect timeout after ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(connection!);
      });
      socket.on('error', (error) => {
        clearTimeout(timer);
        connection!.fail(new BenchError(`connection to ${host}:${port}: ${error.message}`));
        reject(new BenchError(`cannot connect to ${host}:${port}: ${error.message}`));
      });
      socket.on('close', () => connection!.fail(new BenchError(`connection to ${host}:${port} closed`)));
    });
  }

  /**
   * Writes a prebuilt frame and resolves when its whole response has arrived; then read `status`,
   * `payloadSizeBytes`, `head` and `latencyMs`. The frame must not change until then.
   */
  send(frame: Buffer): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.resolvePending !== undefined) return Promise.reject(new BenchError('a request is already in flight'));
    return new Promise<void>((resolve, reject) => {
      this.resolvePending = resolve;
      this.rejectPending = reject;
      this.keepFullPayload = false;
      this.requestStartMs = performance.now();
      this.socket.write(frame);
    });
  }

  /** A control command: returns the response payload, throws BenchError on a non-zero status. */
  async command(code: number, payload: Uint8Array, what: string): Promise<Buffer> {
    const frame = buildRequestFrame(code, payload);
    if (this.failure !== undefined) throw this.failure;
    if (this.resolvePending !== undefined) throw new BenchError('a request is already in flight');
    await new Promise<void>((resolve, reject) => {
      this.resolvePending = resolve;
      this.rejectPending = reject;
      this.keepFullPayload = true;
      this.requestStartMs = performance.now();
      this.socket.write(frame);
    });
    const result = this.fullPayload ?? Buffer.alloc(0);
    this.fullPayload = undefined;
    if (this.status !== 0) throw new BenchError(`${what} failed: ${statusName(this.status)}`, this.status);
    return result;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) {
        resolve();
        return;
      }
      this.socket.once('close', () => resolve());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1000).unref();
    });
  }

  private fail(error: Error): void {
    if (this.failure === undefined) this.failure = error;
    const reject = this.rejectPending;
    this.resolvePending = undefined;
    this.rejectPending = undefined;
    if (reject !== undefined) reject(error);
  }

  private onBytes(chunk: Buffer, size: number): void {
    let at = 0;
    while (at < size) {
      if (!this.inPayload) {
        const take = Math.min(8 - this.headerFilled, size - at);
        chunk.copy(this.headerScratch, this.headerFilled, at, at + take);
        this.headerFilled += take;
        at += take;
        if (this.headerFilled < 8) return;
        this.headerFilled = 0;
        this.status = this.headerScratch.readUInt32LE(0);
        const payloadSize = this.headerScratch.readUInt32LE(4);
        this.payloadSizeBytes = payloadSize;
        this.payloadReceived = 0;
        this.payloadLeft = payloadSize;
        if (this.keepFullPayload) this.fullPayload = Buffer.allocUnsafe(payloadSize);
        if (payloadSize === 0) this.complete();
        else this.inPayload = true;
        continue;
      }
      const take = Math.min(this.payloadLeft, size - at);
      if (this.fullPayload !== undefined) chunk.copy(this.fullPayload, this.payloadReceived, at, at + take);
      else if (this.payloadReceived < HEAD_SIZE_BYTES) {
        const headTake = Math.min(take, HEAD_SIZE_BYTES - this.payloadReceived);
        chunk.copy(this.head, this.payloadReceived, at, at + headTake);
      }
      this.payloadReceived += take;
      this.payloadLeft -= take;
      at += take;
      if (this.payloadLeft === 0) {
        this.inPayload = false;
        this.complete();
      }
    }
  }

  private complete(): void {
    this.latencyMs = performance.now() - this.requestStartMs;
    const resolve = this.resolvePending;
    this.resolvePending = undefined;
    this.rejectPending = undefined;
    // A frame nobody waits for (status 8 when the server stops) is dropped.
    if (resolve !== undefined) resolve();
  }
}
