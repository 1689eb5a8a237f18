/**
 * TCP and TLS transport. Requests are written as soon as they are made (a request frame is one
 * corked socket write); responses are matched to requests in order, as the protocol answers in order.
 *
 * Each connection has its own frame decoder and waiter queue, so a late `close` event of a previous
 * socket can never fail the requests of the current one, and a half-received frame never leaks into
 * the next connection.
 */
import net from 'node:net';
import tls from 'node:tls';
import { ResponseFrameDecoder, writeRequestHeader, ErrorCode, IggyError } from '@iggy-ts/protocol';
import type { RawResponse, Transport } from './transport.js';

/** Options of {@link TcpTransport}. */
export interface TcpTransportOptions {
  /** Host name or IP address of the server. */
  host: string;
  /** TCP port of the server (Iggy's default is 8090). */
  port: number;
  /** TLS options; when set the connection uses TLS. */
  tls?: tls.ConnectionOptions;
  /** Disable Nagle's algorithm (default true). */
  noDelay?: boolean;
  /** Connect timeout in milliseconds (default 5000). */
  connectTimeoutMs?: number;
  /** TCP keep-alive initial delay in milliseconds; 0 disables keep-alive (default 5000). */
  keepAliveDelayMs?: number;
}

interface Waiter {
  resolve(response: RawResponse): void;
  reject(error: Error): void;
}

/** One socket and everything that belongs to it. */
class Connection {
  readonly waiters: Waiter[] = [];
  readonly decoder: ResponseFrameDecoder;
  closed = false;

  constructor(readonly socket: net.Socket) {
    this.decoder = new ResponseFrameDecoder({
      onFrame: (frame) => {
        const waiter = this.waiters.shift();
        if (waiter === undefined) return; // unsolicited frame (status 8 when the server stops)
        if (frame.errorCode !== 0) waiter.reject(new IggyError(frame.errorCode, 'response frame too large'));
        else waiter.resolve({ status: frame.status, payload: frame.payload });
      },
    });
  }

  failAll(error: Error): void {
    while (this.waiters.length > 0) this.waiters.shift()!.reject(error);
  }
}

/** The Iggy binary protocol over TCP, or over TLS when `tls` is set. */
export class TcpTransport implements Transport {
  private connection: Connection | undefined;
  private readonly disconnectListeners = new Set<(error: Error) => void>();

  constructor(private readonly options: TcpTransportOptions) {}

  /** True while a socket is open. */
  get connected(): boolean {
    const connection = this.connection;
    return connection !== undefined && !connection.closed && !connection.socket.destroyed;
  }

  /** Opens a new socket (closing the previous one, if any, first). */
  connect(): Promise<void> {
    const { host, port } = this.options;
    const previous = this.connection;
    if (previous !== undefined && !previous.closed) {
      previous.closed = true;
      previous.socket.destroy();
      previous.failAll(new IggyError(ErrorCode.Disconnected, 'connection replaced'));
    }
    return new Promise((resolve, reject) => {
      let settled = false;
      const onConnect = (): void => {
        settled = true;
        socket.setTimeout(0);
        const keepAliveDelayMs = this.options.keepAliveDelayMs ?? 5000;
        if (keepAliveDelayMs > 0) socket.setKeepAlive(true, keepAliveDelayMs);
        resolve();
      };
      const onConnectError = (error: Error): void => {
        if (settled) return;
        settled = true;
        connection.closed = true;
        socket.destroy();
        reject(new IggyError(ErrorCode.CannotEstablishConnection, `cannot connect to ${host}:${port}: ${error.message}`));
      };
      const socket = this.options.tls
        ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ...this.options.tls }, onConnect)
        : net.connect({ host, port }, onConnect);
      const connection = new Connection(socket);
      this.connection = connection;
      socket.setNoDelay(this.options.noDelay ?? true);
      socket.setTimeout(this.options.connectTimeoutMs ?? 5000, () => onConnectError(new Error('connect timeout')));
      socket.on('error', onConnectError);
      socket.on('data', (chunk: Buffer) => connection.decoder.push(chunk));
      socket.on('close', () => {
        const wasOpen = settled && !connection.closed;
        connection.closed = true;
        const error = new IggyError(ErrorCode.Disconnected, `connection to ${host}:${port} closed`);
        connection.failAll(error);
        if (wasOpen && this.connection === connection) for (const listener of this.disconnectListeners) listener(error);
      });
    });
  }

  /** Writes one request frame (header + payload, corked) and resolves with its response. */
  request(code: number, payload: Uint8Array): Promise<RawResponse> {
    const connection = this.connection;
    if (connection === undefined || connection.closed || connection.socket.destroyed) {
      return Promise.reject(new IggyError(ErrorCode.NotConnected, 'not connected'));
    }
    const socket = connection.socket;
    return new Promise<RawResponse>((resolve, reject) => {
      connection.waiters.push({ resolve, reject });
      const header = Buffer.allocUnsafe(8);
      writeRequestHeader(header, 0, code, payload.length);
      if (payload.length === 0) socket.write(header);
      else {
        socket.cork();
        socket.write(header);
        socket.write(payload);
        socket.uncork();
      }
    });
  }

  /** Calls `listener` whenever an open connection drops without `close()`; returns the remover. */
  onDisconnect(listener: (error: Error) => void): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  /** Ends the connection (destroyed after 1 s if the server does not close it); pending requests fail. */
  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (connection === undefined || connection.closed) return;
    connection.closed = true;
    const socket = connection.socket;
    connection.failAll(new IggyError(ErrorCode.Disconnected, 'connection closed by the client'));
    if (socket.destroyed) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
    });
  }
}
