/**
 * TCP (and TLS) listener: accepts connections, splits the byte stream into request frames and hands
 * them to the router one at a time per connection (responses go back in request order, §1.6).
 * Responses of a burst are coalesced: the socket is corked while a frame batch is handled.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { RequestFrameDecoder, encodeErrorResponse } from '@iggy-ts/protocol';
import type { Router } from './router.js';
import { Transport } from './sessions.js';
import { readIntoReusedBuffer } from './socket-read-buffer.js';

export interface TcpListenerOptions {
  host: string;
  port: number;
  tls?: tls.TlsOptions;
  noDelay: boolean;
  controlPayloadSizeBytesMax: number;
  sendMessagesPayloadSizeBytesMax: number;
}

interface PendingFrame {
  code: number;
  payload: Buffer | undefined;
  errorCode: number;
}

export class TcpListener {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly router: Router, private readonly options: TcpListenerOptions, private readonly logger: Logger) {}

  async start(): Promise<net.AddressInfo> {
    const onConnection = (socket: net.Socket): void => this.onConnection(socket);
    // Plain TCP sockets are accepted paused so that their reads can be switched to a reused buffer first.
    const server = this.options.tls ? tls.createServer(this.options.tls, onConnection) : net.createServer({ pauseOnConnect: true }, onConnection);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => this.logger.error({ err: error }, 'tcp listener error'));
    return server.address() as net.AddressInfo;
  }

  private onConnection(socket: net.Socket): void {
    socket.setNoDelay(this.options.noDelay);
    this.sockets.add(socket);
    const address = `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`.replace(/^::ffff:/, '');
    const session = this.router.sessions.open(address, Transport.tcp);
    session.close = () => socket.destroy();
    this.logger.debug({ clientId: session.clientId, address }, 'client connected');
    const queue: PendingFrame[] = [];
    let busy = false;

    const drainQueue = async (): Promise<void> => {
      busy = true;
      socket.cork();
      try {
        while (queue.length > 0 && !socket.destroyed) {
          const frame = queue.shift()!;
          if (frame.errorCode !== 0) {
            socket.write(encodeErrorResponse(frame.errorCode));
            continue;
          }
          const response = await this.router.handle(session, frame.code, frame.payload!);
          if (socket.destroyed) break;
          socket.write(response);
          if (session.closeAfterResponse) {
            socket.end();
            break;
          }
          if (queue.length === 0) {
            // Let the response leave before waiting for the next request.
            socket.uncork();
            socket.cork();
          }
        }
      } catch (error) {
        this.logger.error({ err: error, clientId: session.clientId }, 'connection handler failed');
        socket.destroy();
      } finally {
        busy = false;
        socket.uncork();
      }
    };

    const decoder = new RequestFrameDecoder({
      controlPayloadSizeBytesMax: this.options.controlPayloadSizeBytesMax,
      sendMessagesPayloadSizeBytesMax: this.options.sendMessagesPayloadSizeBytesMax,
      // Frames spanning socket chunks (every large SendMessages) are assembled in pooled buffers.
      allocate: (sizeBytes) => this.router.state.shards.buffers.acquire(sizeBytes),
      onFrame: (frame) => {
        let payload = frame.payload;
        // A frame lying inside one read is a view of the reused read buffer, which the next read
        // overwrites: keep a copy (small frames; large ones are assembled in pooled buffers).
        if (readBuffer !== undefined && payload.buffer === readBuffer.buffer && payload.length > 0) payload = Buffer.from(payload);
        queue.push({ code: frame.code, payload, errorCode: frame.errorCode });
      },
    });

    const onBytes = (bytes: Buffer): void => {
      decoder.push(bytes);
      if (!busy && queue.length > 0) void drainQueue();
    };
    const readBuffer = this.options.tls ? undefined : readIntoReusedBuffer(socket, onBytes);
    if (readBuffer === undefined) socket.on('data', onBytes);
    socket.resume();
    const cleanup = (): void => {
      this.sockets.delete(socket);
      this.router.onDisconnect(session);
      this.logger.debug({ clientId: session.clientId }, 'client disconnected');
    };
    socket.once('close', cleanup);
    socket.on('error', (error) => this.logger.debug({ err: error, clientId: session.clientId }, 'socket error'));
  }

  /** Stops accepting, tells connected clients the server is going away (status 8) and closes them. */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) {
      socket.end(encodeErrorResponse(8));
      socket.destroySoon?.();
    }
    setTimeout(() => {
      for (const socket of this.sockets) socket.destroy();
    }, 200).unref();
    await closed;
  }
}
