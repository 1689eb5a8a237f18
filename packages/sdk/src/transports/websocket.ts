/**
 * WebSocket transport: the Iggy binary protocol over WebSocket (server default port 8092).
 *
 * Each request frame is sent as one binary message; the server's binary messages are read as one
 * byte stream and cut into response frames (a frame may span messages), matched to requests in
 * order. Written against the standard WebSocket API only (no node: imports, no Buffer), so it runs
 * in browsers; in Node pass `createWebSocket` (Node 20 has no global WebSocket without
 * `--experimental-websocket`; the `ws` package fits: `(url) => new WebSocket(url, { ca })`).
 *
 * In a browser `RawResponse.payload` is a plain Uint8Array (Buffer does not exist there); in Node
 * it is a Buffer view of the received bytes.
 *
 *   request message bytes: [length:u32 LE = 4 + N][code:u32 LE][payload:N]
 *   response stream:       [status:u32 LE][length:u32 LE = N][payload:N] ...
 */
import { ErrorCode, IggyError } from '@iggy-ts/protocol';
import type { RawResponse, Transport } from './transport.js';

/** The part of the standard WebSocket API this transport uses (browsers, Node 22+, `ws`). */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
}

/** Options of {@link WebSocketTransport}. */
export interface WebSocketTransportOptions {
  /** Server URL, e.g. `ws://127.0.0.1:8092` or `wss://iggy.example.com:8092`. */
  url: string;
  /** Opens the socket; default `new globalThis.WebSocket(url)`. */
  createWebSocket?: (url: string) => WebSocketLike;
  /** Connect timeout in milliseconds (default 5000). */
  connectTimeoutMs?: number;
  /** Largest response payload accepted, in bytes (default 4 GiB − 1, the u32 range). */
  responsePayloadSizeBytesMax?: number;
}

interface Waiter {
  resolve(response: RawResponse): void;
  reject(error: Error): void;
}

const OPEN = 1;
const HEADER_SIZE_BYTES = 8;

type PayloadWrapper = (bytes: Uint8Array) => Buffer;

/** In Node, wrap payloads as Buffer views (no copy); in a browser hand the Uint8Array over. */
const wrapPayload: PayloadWrapper = (() => {
  const NodeBuffer = (globalThis as { Buffer?: { from(buffer: ArrayBufferLike, offset: number, length: number): Buffer } }).Buffer;
  if (NodeBuffer === undefined) return (bytes: Uint8Array) => bytes as Buffer;
  return (bytes: Uint8Array) => NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
})();

/**
 * Cuts a byte stream into response frames. A frame lying inside one message is a view of it; a
 * frame spanning messages is assembled into one buffer of its declared size. The declared size is
 * checked before anything is buffered.
 */
class ResponseSplitter {
  private readonly header = new Uint8Array(HEADER_SIZE_BYTES);
  private readonly headerView = new DataView(this.header.buffer);
  private headerFilled = 0;
  private status = 0;
  private body: Uint8Array | undefined;
  private bodyFilled = 0;

  constructor(
    private readonly payloadSizeBytesMax: number,
    private readonly onFrame: (status: number, payload: Uint8Array) => void,
    private readonly onTooLarge: (sizeBytes: number) => void,
  ) {}

  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.body !== undefined) {
        const take = Math.min(chunk.length - at, this.body.length - this.bodyFilled);
        this.body.set(chunk.subarray(at, at + take), this.bodyFilled);
        this.bodyFilled += take;
        at += take;
        if (this.bodyFilled === this.body.length) {
          const body = this.body;
          this.body = undefined;
          this.onFrame(this.status, body);
        }
        continue;
      }
      const take = Math.min(chunk.length - at, HEADER_SIZE_BYTES - this.headerFilled);
      this.header.set(chunk.subarray(at, at + take), this.headerFilled);
      this.headerFilled += take;
      at += take;
      if (this.headerFilled < HEADER_SIZE_BYTES) continue;
      this.headerFilled = 0;
      const status = this.headerView.getUint32(0, true);
      const length = this.headerView.getUint32(4, true);
      if (length > this.payloadSizeBytesMax) {
        this.onTooLarge(length);
        return; // the stream cannot be trusted past this point; the transport closes it
      }
      if (length === 0) {
        this.onFrame(status, new Uint8Array(0));
      } else if (chunk.length - at >= length) {
        this.onFrame(status, chunk.subarray(at, at + length));
        at += length;
      } else {
        this.status = status;
        this.body = new Uint8Array(length);
        this.bodyFilled = 0;
      }
    }
  }
}

/** One socket and everything that belongs to it. */
class Connection {
  readonly waiters: Waiter[] = [];
  closed = false;
  constructor(readonly socket: WebSocketLike) {}

  failAll(error: Error): void {
    while (this.waiters.length > 0) this.waiters.shift()!.reject(error);
  }
}

/** The Iggy binary protocol over WebSocket (browsers and Node). */
export class WebSocketTransport implements Transport {
  private connection: Connection | undefined;
  private readonly disconnectListeners = new Set<(error: Error) => void>();

  constructor(private readonly options: WebSocketTransportOptions) {}

  /** True while the socket is open. */
  get connected(): boolean {
    const connection = this.connection;
    return connection !== undefined && !connection.closed && connection.socket.readyState === OPEN;
  }

  /** Opens a new socket (closing the previous one, if any, first). */
  connect(): Promise<void> {
    const { url } = this.options;
    const previous = this.connection;
    if (previous !== undefined && !previous.closed) {
      previous.closed = true;
      previous.socket.close(1000);
      previous.failAll(new IggyError(ErrorCode.Disconnected, 'connection replaced'));
    }
    const create = this.options.createWebSocket ?? defaultWebSocket;
    return new Promise((resolve, reject) => {
      let settled = false;
      let socket: WebSocketLike;
      try {
        socket = create(url);
      } catch (error) {
        reject(new IggyError(ErrorCode.CannotEstablishConnection, `cannot connect to ${url}: ${(error as Error).message}`));
        return;
      }
      socket.binaryType = 'arraybuffer';
      const connection = new Connection(socket);
      this.connection = connection;
      const fail = (reason: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        connection.closed = true;
        socket.close();
        reject(new IggyError(ErrorCode.CannotEstablishConnection, `cannot connect to ${url}: ${reason}`));
      };
      const timer = setTimeout(() => fail('connect timeout'), this.options.connectTimeoutMs ?? 5000);
      const splitter = new ResponseSplitter(
        this.options.responsePayloadSizeBytesMax ?? 0xffff_ffff,
        (status, payload) => {
          const waiter = connection.waiters.shift();
          if (waiter === undefined) return; // unsolicited frame (status 8 when the server stops)
          waiter.resolve({ status, payload: wrapPayload(payload) });
        },
        (sizeBytes) => {
          connection.failAll(new IggyError(ErrorCode.InvalidCommand, `response payload of ${sizeBytes} bytes is over the limit`));
          connection.closed = true;
          socket.close(1009, 'response too large');
        },
      );
      socket.onopen = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve();
      };
      socket.onmessage = (event) => {
        if (connection.closed) return;
        const data = event.data;
        if (typeof data === 'string') return; // text is not part of the protocol
        if (ArrayBuffer.isView(data)) splitter.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        else splitter.push(new Uint8Array(data as ArrayBuffer)); // binaryType 'arraybuffer' (checked across realms by shape)
      };
      socket.onerror = () => fail('WebSocket error');
      socket.onclose = (event) => {
        if (!settled) {
          fail(`closed (${event.code}${event.reason === '' ? '' : ` ${event.reason}`})`);
          return;
        }
        const wasOpen = !connection.closed;
        connection.closed = true;
        const error = new IggyError(ErrorCode.Disconnected, `connection to ${url} closed`);
        connection.failAll(error);
        if (wasOpen && this.connection === connection) for (const listener of this.disconnectListeners) listener(error);
      };
    });
  }

  /** Sends one request frame as one binary message and resolves with its response. */
  request(code: number, payload: Uint8Array): Promise<RawResponse> {
    const connection = this.connection;
    if (connection === undefined || connection.closed || connection.socket.readyState !== OPEN) {
      return Promise.reject(new IggyError(ErrorCode.NotConnected, 'not connected'));
    }
    return new Promise<RawResponse>((resolve, reject) => {
      // One message per request: the header and payload are copied into one frame.
      const frame = new Uint8Array(HEADER_SIZE_BYTES + payload.length);
      const view = new DataView(frame.buffer);
      view.setUint32(0, payload.length + 4, true);
      view.setUint32(4, code, true);
      frame.set(payload, HEADER_SIZE_BYTES);
      connection.waiters.push({ resolve, reject });
      try {
        connection.socket.send(frame);
      } catch (error) {
        connection.waiters.pop();
        reject(new IggyError(ErrorCode.Disconnected, `send failed: ${(error as Error).message}`));
      }
    });
  }

  /** Calls `listener` whenever an open connection drops without `close()`; returns the remover. */
  onDisconnect(listener: (error: Error) => void): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  /** Closes the socket (normal closure); pending requests fail with Disconnected. */
  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (connection === undefined || connection.closed) return;
    connection.closed = true;
    const socket = connection.socket;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      socket.onclose = () => {
        clearTimeout(timer);
        resolve();
      };
      socket.close(1000);
    });
    connection.failAll(new IggyError(ErrorCode.Disconnected, 'connection closed'));
  }
}

function defaultWebSocket(url: string): WebSocketLike {
  const Native = (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket;
  if (Native === undefined) {
    throw new Error('no global WebSocket: pass createWebSocket (Node 20: run with --experimental-websocket or use the "ws" package)');
  }
  return new Native(url);
}
