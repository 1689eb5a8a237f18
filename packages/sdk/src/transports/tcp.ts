/**
 * TCP and TLS transport. Requests are written as soon as they are made (a request frame is one
 * socket write); responses are matched to requests in order, as the protocol answers in order.
 */
import net from 'node:net';
import tls from 'node:tls';
import { ResponseFrameDecoder, writeRequestHeader, ErrorCode, IggyError } from '@iggy-ts/protocol';
import type { RawResponse, Transport } from './transport.js';

export interface TcpTransportOptions {
  host: string;
  port: number;
  /** TLS options; when set the connection uses TLS. */
  tls?: tls.ConnectionOptions;
  /** Disable Nagle's algorithm (default true). */
  noDelay?: boolean;
  /** Connect timeout in milliseconds (default 5000). */
  connectTimeoutMs?: number;
}

interface Waiter {
  resolve(response: RawResponse): void;
  reject(error: Error): void;
}

export class TcpTransport implements Transport {
  private socket: net.Socket | undefined;
  private readonly waiters: Waiter[] = [];
  private readonly decoder: ResponseFrameDecoder;

  constructor(private readonly options: TcpTransportOptions) {
    this.decoder = new ResponseFrameDecoder({
      onFrame: (frame) => {
        const waiter = this.waiters.shift();
        if (waiter === undefined) return; // unsolicited frame (status 8 when the server stops)
        if (frame.errorCode !== 0) waiter.reject(new IggyError(frame.errorCode, 'response frame too large'));
        else waiter.resolve({ status: frame.status, payload: frame.payload });
      },
    });
  }

  get connected(): boolean {
    return this.socket !== undefined && !this.socket.destroyed;
  }

  connect(): Promise<void> {
    const { host, port } = this.options;
    return new Promise((resolve, reject) => {
      const onConnect = (): void => {
        socket.setTimeout(0);
        socket.off('error', onError);
        resolve();
      };
      const onError = (error: Error): void => {
        socket.destroy();
        reject(new IggyError(ErrorCode.CannotEstablishConnection, `cannot connect to ${host}:${port}: ${error.message}`));
      };
      const socket = this.options.tls
        ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ...this.options.tls }, onConnect)
        : net.connect({ host, port }, onConnect);
      socket.setNoDelay(this.options.noDelay ?? true);
      socket.setTimeout(this.options.connectTimeoutMs ?? 5000, () => onError(new Error('connect timeout')));
      socket.once('error', onError);
      socket.on('data', (chunk: Buffer) => this.decoder.push(chunk));
      socket.on('close', () => this.failAll(new IggyError(ErrorCode.Disconnected, 'connection closed')));
      socket.on('error', () => {});
      this.socket = socket;
    });
  }

  request(code: number, payload: Uint8Array): Promise<RawResponse> {
    const socket = this.socket;
    if (socket === undefined || socket.destroyed) return Promise.reject(new IggyError(ErrorCode.NotConnected, 'not connected'));
    return new Promise<RawResponse>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
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

  private failAll(error: Error): void {
    while (this.waiters.length > 0) this.waiters.shift()!.reject(error);
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket === undefined || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
    });
  }
}
