/**
 * WebSocket listener (uWebSockets.js): the binary protocol over WebSocket, on its own port.
 *
 * The binary messages of a connection are read as ONE byte stream cut into request frames by a
 * RequestFrameDecoder (a frame may span messages or share one with others, reference 1.1); each
 * response frame goes back as one binary message. Requests of a connection run one at a time, so
 * responses keep request order. Text messages are refused (close 1003).
 *
 * Backpressure: uWS buffers what the socket cannot take; while more than `SEND_BUFFERED_BYTES_MAX`
 * wait, the connection stops running requests until uWS reports `drain`. uWS cannot pause reading,
 * so requests that arrive meanwhile wait in the per-connection queue (as on TCP).
 *
 * WSS: uWS reads certificates from files, so generated (self-signed) ones are written to a private
 * temporary directory, removed once the app has loaded them. uWS accepts any client certificate it
 * is offered and exposes none, so `websocket.tls.client_auth` is refused at start rather than
 * silently not enforced. uWS exposes no remote port either: sessions are registered as `ip:0`.
 */
import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import type { TemplatedApp, WebSocket, us_listen_socket, us_socket } from 'uwebsockets';
import { ErrorCode, RequestFrameDecoder, encodeErrorResponse } from '@iggy-ts/protocol';
import { parseListenAddress } from '../config/address.js';
import type { ServerState } from '../router/context.js';
import type { Router } from '../router/router.js';
import { Transport, type Session } from '../router/sessions.js';
import type { Listener, ListenerFactory } from './listener.js';
import { loadTlsMaterial, writeTemporaryPemFiles } from './tls.js';

type UwsModule = typeof import('uwebsockets');

/** Pause running requests while more than this many response bytes wait in uWS's send buffer. */
const SEND_BUFFERED_BYTES_MAX = 4 * 1024 * 1024;
/** uWS drops (rather than buffers) a message past this backpressure; we never get near it (see above). */
const BACKPRESSURE_BYTES_MAX = 2 ** 31 - 1;
/** Close code sent to clients when the server stops (RFC 6455 "going away"). */
const CLOSE_GOING_AWAY = 1001;
const CLOSE_UNSUPPORTED_DATA = 1003;
const CLOSE_NORMAL = 1000;
/** How long stop() waits for clients to acknowledge the close before dropping them. */
const STOP_GRACE_MS = 200;

interface PendingFrame {
  readonly code: number;
  readonly payload: Buffer;
  readonly errorCode: number;
}

/** Per-connection state, kept as the uWS user data. */
interface Connection {
  session: Session | undefined;
  readonly address: string;
  decoder: RequestFrameDecoder | undefined;
  readonly queue: PendingFrame[];
  busy: boolean;
  closed: boolean;
  /** Set while the loop waits for uWS's send buffer to drain. */
  resumeAfterDrain: (() => void) | undefined;
}

/** Loads the uWS addon (CommonJS; its index is not statically analysable for ESM named imports). */
function loadUws(): UwsModule {
  const require = createRequire(import.meta.url);
  try {
    return require('uwebsockets') as UwsModule;
  } catch (error) {
    throw new Error(
      `the WebSocket transport needs uWebSockets.js (package "uwebsockets"), which cannot load on this platform ` +
        `(${process.platform}-${process.arch}, Node ABI ${process.versions.modules}): ${(error as Error).message}. ` +
        'Disable websocket.enabled or run on glibc Linux, macOS or Windows with a supported Node version.',
      { cause: error },
    );
  }
}

export const startWebSocketListener: ListenerFactory = async (state, router, logger) => {
  const config = state.config.websocket;
  if (!config.enabled) return undefined;
  if (config.tls.enabled && config.tls.clientAuth) {
    throw new Error('websocket.tls.client_auth = true is not supported: uWebSockets.js cannot verify client certificates (use TCP with tcp.tls.client_auth for mutual TLS)');
  }
  const uws = loadUws();
  const address = parseListenAddress(config.address);
  const app = createApp(uws, state, logger);
  const connections = new Set<WebSocket<Connection>>();
  const limits = state.config.limits;
  const adapter = new WebSocketAdapter(router, logger, limits.controlPayloadSizeBytesMax, limits.sendMessagesPayloadSizeBytesMax);

  app.ws<Connection>('/*', {
    // A frame may span messages, but a client that sends a whole SendMessages frame in one message
    // must fit: the largest frame plus its 8-byte header.
    maxPayloadLength: Math.min(Math.max(limits.controlPayloadSizeBytesMax, limits.sendMessagesPayloadSizeBytesMax) + 8, 2 ** 32 - 1),
    maxBackpressure: BACKPRESSURE_BYTES_MAX,
    closeOnBackpressureLimit: 0,
    // Liveness is the heartbeat's job (heartbeat.*), as on TCP.
    idleTimeout: 0,
    sendPingsAutomatically: false,
    compression: uws.DISABLED,
    upgrade: (res, req, context) => {
      const userData: Connection = {
        session: undefined,
        address: `${Buffer.from(res.getRemoteAddressAsText()).toString()}:0`,
        decoder: undefined,
        queue: [],
        busy: false,
        closed: false,
        resumeAfterDrain: undefined,
      };
      res.upgrade(userData, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context);
    },
    open: (ws) => {
      connections.add(ws);
      adapter.open(ws);
    },
    message: (ws, message, isBinary) => adapter.message(ws, message, isBinary),
    drain: (ws) => {
      const connection = ws.getUserData();
      if (connection.resumeAfterDrain !== undefined && ws.getBufferedAmount() < SEND_BUFFERED_BYTES_MAX) connection.resumeAfterDrain();
    },
    close: (ws) => {
      connections.delete(ws);
      adapter.closed(ws);
    },
  });

  const listenSocket = await new Promise<us_listen_socket>((resolve, reject) => {
    app.listen(address.host, address.port, (token) => {
      if (token === false) reject(new Error(`cannot listen for WebSocket connections on ${config.address} (address in use or not available)`));
      else resolve(token);
    });
  });
  const port = uws.us_socket_local_port(listenSocket as us_socket);
  logger.info({ address: `${address.host}:${port}`, tls: config.tls.enabled }, 'WebSocket listener started');

  let stopping: Promise<void> | undefined;
  const listener: Listener = {
    port,
    stop: () => {
      stopping ??= (async () => {
        uws.us_listen_socket_close(listenSocket);
        // Tell clients the server is going away (status 8, as on TCP), then close them.
        for (const ws of connections) {
          const connection = ws.getUserData();
          if (connection.closed) continue;
          ws.cork(() => {
            ws.send(encodeErrorResponse(ErrorCode.Disconnected), true);
            ws.end(CLOSE_GOING_AWAY, 'server stopping');
          });
        }
        const deadline = Date.now() + STOP_GRACE_MS;
        while (connections.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
        app.close();
        logger.info('WebSocket listener stopped');
      })();
      return stopping;
    },
  };
  return listener;
};

function createApp(uws: UwsModule, state: ServerState, logger: Logger): TemplatedApp {
  const tlsConfig = state.config.websocket.tls;
  if (!tlsConfig.enabled) return uws.App();
  const material = loadTlsMaterial(tlsConfig, 'websocket');
  if (material.selfSigned) logger.warn('WebSocket TLS uses a self-signed certificate generated at start (development only)');
  // uWS takes file names; configured files are used in place, generated ones written privately.
  if (!material.selfSigned && tlsConfig.certFile !== null && tlsConfig.keyFile !== null) {
    return uws.SSLApp({ cert_file_name: tlsConfig.certFile, key_file_name: tlsConfig.keyFile });
  }
  const files = writeTemporaryPemFiles({ cert: material.certPem, key: material.keyPem });
  try {
    return uws.SSLApp({ cert_file_name: files.paths.cert!, key_file_name: files.paths.key! });
  } finally {
    files.remove();
  }
}

/** Adapts uWS WebSocket events onto the router, one request at a time per connection. */
class WebSocketAdapter {
  constructor(
    private readonly router: Router,
    private readonly logger: Logger,
    private readonly controlPayloadSizeBytesMax: number,
    private readonly sendMessagesPayloadSizeBytesMax: number,
  ) {}

  open(ws: WebSocket<Connection>): void {
    const connection = ws.getUserData();
    const session = this.router.sessions.open(connection.address, Transport.websocket);
    session.close = () => {
      if (!connection.closed) ws.end(CLOSE_NORMAL, 'closed by server');
    };
    connection.session = session;
    connection.decoder = new RequestFrameDecoder({
      controlPayloadSizeBytesMax: this.controlPayloadSizeBytesMax,
      sendMessagesPayloadSizeBytesMax: this.sendMessagesPayloadSizeBytesMax,
      // Frames spanning messages are assembled in pooled buffers, which SendMessages moves to its shard.
      allocate: (sizeBytes) => this.router.state.shards.buffers.acquire(sizeBytes),
      onFrame: (frame) => connection.queue.push({ code: frame.code, payload: frame.payload, errorCode: frame.errorCode }),
    });
    this.logger.debug({ clientId: session.clientId, address: connection.address }, 'client connected');
  }

  message(ws: WebSocket<Connection>, message: ArrayBuffer, isBinary: boolean): void {
    const connection = ws.getUserData();
    if (!isBinary) {
      ws.end(CLOSE_UNSUPPORTED_DATA, 'binary messages only');
      return;
    }
    // uWS reuses the message's memory once this callback returns; frames outlive it in the queue.
    const chunk = Buffer.from(new Uint8Array(message));
    connection.decoder!.push(chunk);
    if (!connection.busy && connection.queue.length > 0) void this.drainQueue(ws, connection);
  }

  closed(ws: WebSocket<Connection>): void {
    const connection = ws.getUserData();
    connection.closed = true;
    connection.queue.length = 0;
    connection.resumeAfterDrain?.();
    const session = connection.session;
    if (session === undefined) return;
    this.router.onDisconnect(session);
    this.logger.debug({ clientId: session.clientId }, 'client disconnected');
  }

  private async drainQueue(ws: WebSocket<Connection>, connection: Connection): Promise<void> {
    connection.busy = true;
    const session = connection.session!;
    try {
      while (connection.queue.length > 0 && !connection.closed) {
        if (ws.getBufferedAmount() >= SEND_BUFFERED_BYTES_MAX) {
          await new Promise<void>((resolve) => {
            connection.resumeAfterDrain = resolve;
          });
          connection.resumeAfterDrain = undefined;
          if (connection.closed) break;
        }
        const frame = connection.queue.shift()!;
        const response = frame.errorCode !== 0 ? encodeErrorResponse(frame.errorCode) : await this.router.handle(session, frame.code, frame.payload);
        if (connection.closed) break;
        let sent = 0;
        ws.cork(() => {
          sent = ws.send(response, true);
          if (session.closeAfterResponse) ws.end(CLOSE_NORMAL, 'closed by server');
        });
        if (sent === 2) {
          // Dropped by uWS: the client's byte stream would be corrupt from here on.
          this.logger.error({ clientId: session.clientId }, 'WebSocket response dropped by backpressure; closing the connection');
          ws.close();
          break;
        }
        if (session.closeAfterResponse) break;
      }
    } catch (error) {
      this.logger.error({ err: error, clientId: session.clientId }, 'connection handler failed');
      if (!connection.closed) ws.close();
    } finally {
      connection.busy = false;
    }
  }
}
