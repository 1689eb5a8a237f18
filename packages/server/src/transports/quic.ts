/**
 * QUIC listener (@matrixai/quic, Cloudflare quiche underneath): the binary protocol over QUIC.
 *
 * Each request travels on a NEW client-initiated bidirectional stream carrying exactly one request
 * frame; the server answers on the same stream and ends it (reference 1.1). The request is run as
 * soon as its frame is complete (the client's FIN is not awaited, then drained). Requests of one
 * connection run one at a time in stream order, as on TCP, so a pipelining client sees the same
 * ordering semantics; streams may still arrive and buffer concurrently.
 *
 * QUIC always uses TLS 1.3: certificate and key from `quic.cert_file` / `quic.key_file`, or a
 * self-signed pair generated at start (`quic.self_signed`). ALPN is "iggy" (quiche requires one).
 * The module is loaded only when QUIC is enabled: it is a native addon.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { QUICConnection, QUICServer, QUICStream } from '@matrixai/quic';
import MatrixLogger, { Handler, LogLevel, type LogRecord } from '@matrixai/logger';
import { ErrorCode, RequestFrameDecoder, encodeErrorResponse } from '@iggy-ts/protocol';
import { parseListenAddress } from '../config/address.js';
import type { QuicConfig } from '../config/schema.js';
import type { Router } from '../router/router.js';
import { Transport, type Session } from '../router/sessions.js';
import type { Listener, ListenerFactory } from './listener.js';
import { generateSelfSignedCertificate, loadTlsMaterial } from './tls.js';

/** ALPN protocol id offered and required by both ends (quiche refuses a handshake without ALPN). */
export const IGGY_QUIC_ALPN = 'iggy';
/** Largest UDP payload accepted (IPv6 maximum); the send size is configured. */
const DATAGRAM_RECEIVE_SIZE_BYTES_MAX = 65_527;

interface RequestFrame {
  readonly code: number;
  readonly payload: Buffer;
  readonly errorCode: number;
}

/** The @matrixai/quic (quiche) settings of the `quic` config section. */
function quicTransportConfig(config: QuicConfig) {
  return {
    applicationProtos: [IGGY_QUIC_ALPN],
    maxIdleTimeout: config.idleTimeoutMs ?? 0,
    keepAliveIntervalTime: config.keepAliveIntervalMs ?? undefined,
    initialMaxData: config.connectionWindowSizeBytes,
    initialMaxStreamDataBidiLocal: config.streamWindowSizeBytes,
    initialMaxStreamDataBidiRemote: config.streamWindowSizeBytes,
    initialMaxStreamDataUni: 0,
    initialMaxStreamsBidi: config.bidiStreamCountMax,
    initialMaxStreamsUni: 0,
    readableChunkSize: config.readChunkSizeBytes,
    maxSendUdpPayloadSize: config.datagramSizeBytesMax,
    maxRecvUdpPayloadSize: DATAGRAM_RECEIVE_SIZE_BYTES_MAX,
  };
}

export const startQuicListener: ListenerFactory = async (state, router, logger) => {
  const config = state.config.quic;
  if (!config.enabled) return undefined;
  const quic = await import('@matrixai/quic');
  const address = parseListenAddress(config.address);
  const material = config.selfSigned
    ? generateSelfSignedCertificate()
    : loadTlsMaterial({ enabled: true, certFile: config.certFile, keyFile: config.keyFile, selfSigned: false, caFile: null, clientAuth: false }, 'quic');
  if (config.selfSigned) logger.warn('QUIC uses a self-signed certificate generated at start (development only)');

  // Stateless-retry tokens are HMACs under a key that lives as long as the process.
  const tokenKey = randomBytes(32);
  const server: QUICServer = new quic.QUICServer({
    crypto: {
      key: toArrayBuffer(tokenKey),
      ops: {
        sign: async (key, data) => toArrayBuffer(hmac(key, data)),
        verify: async (key, data, signature) => {
          const expected = hmac(key, data);
          return signature.byteLength === expected.length && timingSafeEqual(expected, Buffer.from(signature));
        },
      },
    },
    config: { key: material.keyPem, cert: material.certPem, verifyPeer: false, ...quicTransportConfig(config) },
    logger: quicLogger(logger),
  });
  const adapter = new QuicAdapter(router, logger, state.config.limits.controlPayloadSizeBytesMax, state.config.limits.sendMessagesPayloadSizeBytesMax);
  server.addEventListener(quic.events.EventQUICServerConnection.name, (event: Event) => {
    adapter.open((event as InstanceType<typeof quic.events.EventQUICServerConnection>).detail, quic.events);
  });
  // Errors of individual connections are reported on them; this catches the server's own.
  server.addEventListener(quic.events.EventQUICServerError.name, (event: Event) => {
    logger.error({ err: (event as InstanceType<typeof quic.events.EventQUICServerError>).detail }, 'QUIC server error');
  });

  try {
    await server.start({ host: address.host, port: address.port });
  } catch (error) {
    throw new Error(`cannot listen for QUIC on ${config.address}: ${(error as Error).message}`, { cause: error });
  }
  setSocketBufferSizes(server, config.socketBufferSizeBytes, logger);
  const port = server.port as number;
  logger.info({ address: `${address.host}:${port}` }, 'QUIC listener started');

  let stopping: Promise<void> | undefined;
  const listener: Listener = {
    port,
    stop: () => {
      stopping ??= (async () => {
        // Application close (code 0) of every connection, then the socket.
        await server.stop({ isApp: true, errorCode: 0, force: true }).catch((error: unknown) => logger.warn({ err: error }, 'QUIC stop failed'));
        logger.info('QUIC listener stopped');
      })();
      return stopping;
    },
  };
  return listener;
};

/** Adapts QUIC connections and streams onto the router. */
class QuicAdapter {
  constructor(
    private readonly router: Router,
    private readonly logger: Logger,
    private readonly controlPayloadSizeBytesMax: number,
    private readonly sendMessagesPayloadSizeBytesMax: number,
  ) {}

  open(connection: QUICConnection, events: typeof import('@matrixai/quic').events): void {
    const address = `${connection.remoteHost}:${connection.remotePort}`.replace(/^::ffff:/, '');
    const session = this.router.sessions.open(address, Transport.quic);
    let closed = false;
    session.close = () => {
      if (!closed) void connection.stop({ isApp: true, errorCode: 0, force: true }).catch(() => {});
    };
    this.logger.debug({ clientId: session.clientId, address }, 'client connected');
    // Requests run one at a time in stream order; `tail` is the last one queued.
    let tail: Promise<void> = Promise.resolve();
    connection.addEventListener(events.EventQUICConnectionStream.name, (event: Event) => {
      const stream = (event as InstanceType<typeof events.EventQUICConnectionStream>).detail;
      const frame = this.readRequest(stream);
      tail = tail.then(() => this.answer(session, stream, frame));
    });
    connection.addEventListener(
      events.EventQUICConnectionStopped.name,
      () => {
        closed = true;
        this.router.onDisconnect(session);
        this.logger.debug({ clientId: session.clientId }, 'client disconnected');
      },
      { once: true },
    );
    connection.addEventListener(events.EventQUICConnectionError.name, (event: Event) => {
      this.logger.debug({ err: (event as InstanceType<typeof events.EventQUICConnectionError>).detail, clientId: session.clientId }, 'QUIC connection closed with error');
    });
  }

  /**
   * Reads the stream until one request frame is complete (size limits are checked on its header,
   * before its payload is buffered); the rest of the stream, normally just the FIN, is drained.
   * Resolves undefined when the stream ends before a whole frame.
   */
  private readRequest(stream: QUICStream): Promise<RequestFrame | undefined> {
    return new Promise((resolve) => {
      let frame: RequestFrame | undefined;
      const decoder = new RequestFrameDecoder({
        controlPayloadSizeBytesMax: this.controlPayloadSizeBytesMax,
        sendMessagesPayloadSizeBytesMax: this.sendMessagesPayloadSizeBytesMax,
        // Frames spanning chunks (every large SendMessages) are assembled in pooled buffers, which
        // SendMessages moves to its shard without a copy.
        allocate: (sizeBytes) => this.router.state.shards.buffers.acquire(sizeBytes),
        onFrame: (decoded) => {
          if (frame !== undefined) return; // one request per stream; extra frames are ignored
          frame = { code: decoded.code, payload: decoded.payload, errorCode: decoded.errorCode };
          resolve(frame);
        },
      });
      void (async () => {
        try {
          // Each chunk is a fresh copy made by the library, so frames may keep views of it.
          for await (const chunk of stream.readable) {
            if (frame === undefined) decoder.push(chunk as Buffer);
          }
        } catch (error) {
          this.logger.debug({ err: error }, 'QUIC request stream failed');
        }
        resolve(frame);
      })();
    });
  }

  private async answer(session: Session, stream: QUICStream, framePromise: Promise<RequestFrame | undefined>): Promise<void> {
    try {
      const frame = await framePromise;
      let response: Uint8Array;
      if (frame === undefined) response = encodeErrorResponse(ErrorCode.InvalidCommand);
      else if (frame.errorCode !== 0) response = encodeErrorResponse(frame.errorCode);
      else response = await this.router.handle(session, frame.code, frame.payload);
      const writer = stream.writable.getWriter();
      await writer.write(response);
      await writer.close();
      if (session.closeAfterResponse) session.close();
    } catch (error) {
      // The client reset the stream or went away; the connection's own events report the rest.
      this.logger.debug({ err: error, clientId: session.clientId }, 'QUIC response not delivered');
      await stream.destroy({ force: true }).catch(() => {});
    }
  }
}

/** Raises the UDP socket buffers: quiche sends whole congestion windows at once and a default-sized buffer drops them. */
function setSocketBufferSizes(server: QUICServer, sizeBytes: number, logger: Logger): void {
  // @matrixai/quic keeps its node:dgram socket in protected fields; there is no public setter.
  const socket = (server as unknown as { socket?: { socket?: import('node:dgram').Socket } }).socket?.socket;
  if (socket === undefined) {
    logger.warn('cannot reach the QUIC UDP socket to size its buffers');
    return;
  }
  try {
    socket.setRecvBufferSize(sizeBytes);
    socket.setSendBufferSize(sizeBytes);
  } catch (error) {
    logger.warn({ err: error, sizeBytes }, 'cannot set the QUIC UDP socket buffer sizes');
  }
}

function hmac(key: ArrayBuffer, data: ArrayBuffer): Buffer {
  return createHmac('sha256', Buffer.from(key)).update(Buffer.from(data)).digest();
}

function toArrayBuffer(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** Routes @matrixai/quic's log records into pino (its INFO is per-connection chatter: logged as debug). */
class PinoHandler extends Handler {
  constructor(private readonly pino: Logger) {
    super();
  }

  override handle(record: LogRecord): void {
    const message = record.msg ?? '';
    const fields = { quic: record.keys };
    if (record.level >= LogLevel.ERROR) this.pino.error(fields, message);
    else if (record.level >= LogLevel.WARN) this.pino.warn(fields, message);
    else if (record.level >= LogLevel.INFO) this.pino.debug(fields, message);
    else this.pino.trace(fields, message);
  }

  emit(): void {}
}

function quicLogger(logger: Logger): MatrixLogger {
  const levels: Record<string, LogLevel> = { trace: LogLevel.DEBUG, debug: LogLevel.INFO, info: LogLevel.WARN, warn: LogLevel.WARN, error: LogLevel.ERROR, fatal: LogLevel.ERROR };
  return new MatrixLogger('quic', levels[logger.level] ?? LogLevel.SILENT, [new PinoHandler(logger)]);
}
