/**
 * QUIC transport (Node only): the Iggy binary protocol over QUIC, via @matrixai/quic (quiche).
 *
 * Every request opens a NEW bidirectional stream, writes its request frame and ends the stream's
 * send side; the response frame comes back on the same stream (reference 1.1). Concurrent requests
 * use concurrent streams; the server runs a connection's requests in stream order.
 *
 * @matrixai/quic is a native addon, loaded by `connect()` only, so importing the SDK does not
 * need it. The ALPN is "iggy", which iggy-ts servers expect.
 */
import { randomFillSync } from 'node:crypto';
import type dgram from 'node:dgram';
import type { QUICClient } from '@matrixai/quic';
import MatrixLogger, { LogLevel } from '@matrixai/logger';
import { ErrorCode, IggyError, ResponseFrameDecoder, writeRequestHeader } from '@iggy-ts/protocol';
import type { RawResponse, Transport } from './transport.js';

/** ALPN protocol id of iggy-ts QUIC servers. */
export const IGGY_QUIC_ALPN = 'iggy';

/** Options of {@link QuicTransport}. */
export interface QuicTransportOptions {
  /** Host name or IP address of the server. */
  host: string;
  /** UDP port of the server (Iggy's default is 8080). */
  port: number;
  /** Name the server certificate must carry (and SNI); default `host`. */
  serverName?: string;
  /** PEM CA certificate(s) the server certificate must chain to; default the system store. */
  ca?: string | string[];
  /** Verify the server certificate (default true); false accepts any, e.g. a `self_signed` development server. */
  verifyPeer?: boolean;
  /** Connect timeout in milliseconds (default 5000). */
  connectTimeoutMs?: number;
  /** Close the connection after this many silent milliseconds; 0 = never (default 10000, as Iggy). */
  idleTimeoutMs?: number;
  /** Keep-alive ping period in milliseconds; 0 = none (default 5000, as Iggy). */
  keepAliveIntervalMs?: number;
  /** Flow-control window of one response stream in bytes (default 16 MiB). */
  streamWindowSizeBytes?: number;
  /** Flow-control window of the connection in bytes (default 64 MiB). */
  connectionWindowSizeBytes?: number;
  /** Buffer each stream is read into, in bytes (default 64 KiB). */
  readChunkSizeBytes?: number;
  /** Largest UDP payload sent, in bytes (default 1350; QUIC's minimum is 1200). */
  datagramSizeBytesMax?: number;
  /** UDP socket receive/send buffer in bytes (default 4 MiB; capped by the kernel). */
  socketBufferSizeBytes?: number;
  /** Largest response payload accepted, in bytes (default the u32 range). */
  responsePayloadSizeBytesMax?: number;
}

const MiB = 1024 * 1024;

/** The Iggy binary protocol over QUIC (Node only). */
export class QuicTransport implements Transport {
  private client: QUICClient | undefined;
  private readonly inFlight = new Set<(error: Error) => void>();
  private readonly disconnectListeners = new Set<(error: Error) => void>();
  private closing = false;

  constructor(private readonly options: QuicTransportOptions) {}

  /** True while the QUIC connection is open. */
  get connected(): boolean {
    return this.client !== undefined && !this.client.closed;
  }

  /** Opens the QUIC connection (closing the previous one, if any, first). */
  async connect(): Promise<void> {
    const options = this.options;
    if (this.client !== undefined) await this.close();
    this.closing = false;
    const quic = await import('@matrixai/quic');
    const where = `${options.host}:${options.port}`;
    let client: QUICClient;
    try {
      client = await quic.QUICClient.createQUICClient(
        {
          host: options.host,
          port: options.port,
          serverName: options.serverName ?? options.host,
          crypto: { ops: { randomBytes: async (data: ArrayBuffer) => void randomFillSync(new Uint8Array(data)) } },
          config: {
            applicationProtos: [IGGY_QUIC_ALPN],
            verifyPeer: options.verifyPeer ?? true,
            ...(options.ca === undefined ? {} : { ca: options.ca }),
            maxIdleTimeout: options.idleTimeoutMs ?? 10_000,
            keepAliveIntervalTime: (options.keepAliveIntervalMs ?? 5000) === 0 ? undefined : (options.keepAliveIntervalMs ?? 5000),
            initialMaxData: options.connectionWindowSizeBytes ?? 64 * MiB,
            initialMaxStreamDataBidiLocal: options.streamWindowSizeBytes ?? 16 * MiB,
            initialMaxStreamDataBidiRemote: options.streamWindowSizeBytes ?? 16 * MiB,
            initialMaxStreamsBidi: 0,
            initialMaxStreamsUni: 0,
            readableChunkSize: options.readChunkSizeBytes ?? 64 * 1024,
            maxSendUdpPayloadSize: options.datagramSizeBytesMax ?? 1350,
            maxRecvUdpPayloadSize: 65_527,
          },
          logger: new MatrixLogger('iggy-quic', LogLevel.SILENT),
        },
        { timer: options.connectTimeoutMs ?? 5000 },
      );
    } catch (error) {
      throw new IggyError(ErrorCode.CannotEstablishConnection, `cannot connect to ${where} over QUIC: ${describe(error)}`);
    }
    setSocketBufferSizes(client, options.socketBufferSizeBytes ?? 4 * MiB);
    this.client = client;
    client.addEventListener(
      quic.events.EventQUICClientDestroyed.name,
      () => {
        const error = new IggyError(ErrorCode.Disconnected, `QUIC connection to ${where} closed`);
        for (const fail of this.inFlight) fail(error);
        this.inFlight.clear();
        const dropped = !this.closing && this.client === client;
        if (this.client === client) this.client = undefined;
        if (dropped) for (const listener of this.disconnectListeners) listener(error);
      },
      { once: true },
    );
  }

  /** Opens a stream, writes the request frame, ends the send side and resolves with the response frame. */
  request(code: number, payload: Uint8Array): Promise<RawResponse> {
    const client = this.client;
    if (client === undefined || client.closed) return Promise.reject(new IggyError(ErrorCode.NotConnected, 'not connected'));
    return new Promise<RawResponse>((resolve, reject) => {
      let settled = false;
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        this.inFlight.delete(fail);
        reject(error);
      };
      this.inFlight.add(fail);
      let stream: ReturnType<QUICClient['connection']['newStream']>;
      try {
        stream = client.connection.newStream('bidi');
      } catch (error) {
        fail(new IggyError(ErrorCode.Disconnected, `cannot open a QUIC stream: ${describe(error)}`));
        return;
      }
      const decoder = new ResponseFrameDecoder({
        payloadSizeBytesMax: this.options.responsePayloadSizeBytesMax,
        onFrame: (frame) => {
          if (settled) return;
          if (frame.errorCode !== 0) {
            fail(new IggyError(frame.errorCode, 'response frame too large'));
            return;
          }
          settled = true;
          this.inFlight.delete(fail);
          resolve({ status: frame.status, payload: frame.payload });
        },
      });
      void (async () => {
        try {
          const writer = stream.writable.getWriter();
          const header = Buffer.allocUnsafe(8);
          writeRequestHeader(header, 0, code, payload.length);
          await writer.write(header);
          if (payload.length > 0) await writer.write(payload);
          await writer.close();
          // Each chunk is a fresh copy made by the library, so the payload may stay a view of it.
          for await (const chunk of stream.readable) if (!settled) decoder.push(chunk as Buffer);
          fail(new IggyError(ErrorCode.Disconnected, 'QUIC stream ended before a whole response'));
        } catch (error) {
          fail(new IggyError(ErrorCode.Disconnected, `QUIC request failed: ${describe(error)}`));
        }
      })();
    });
  }

  /** Calls `listener` whenever an open connection drops without `close()`; returns the remover. */
  onDisconnect(listener: (error: Error) => void): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  /** Closes the connection (application close, code 0); pending requests fail with Disconnected. */
  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client === undefined) return;
    this.closing = true;
    const error = new IggyError(ErrorCode.Disconnected, 'connection closed');
    for (const fail of this.inFlight) fail(error);
    this.inFlight.clear();
    await client.destroy({ isApp: true, errorCode: 0, force: true }).catch(() => {});
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}

/** quiche sends whole congestion windows at once; default-sized UDP buffers drop part of them. */
function setSocketBufferSizes(client: QUICClient, sizeBytes: number): void {
  // @matrixai/quic keeps its node:dgram socket in protected fields; there is no public setter.
  const socket = (client as unknown as { socket?: { socket?: dgram.Socket } }).socket?.socket;
  try {
    socket?.setRecvBufferSize(sizeBytes);
    socket?.setSendBufferSize(sizeBytes);
  } catch {
    // The kernel refused the size: keep its default.
  }
}
