/**
 * The SDK's WebSocket and QUIC transports when the connection goes away: a stopping server is
 * reported once through `onDisconnect`, later requests fail with NotConnected, `close()` is not
 * reported, and `connect()` works again on a new server.
 */
import { describe, expect, it } from 'vitest';
import { CommandCode, ErrorCode, IggyError } from '@iggy-ts/protocol';
import type { Transport } from '@iggy-ts/sdk';
import { QuicTransport } from '@iggy-ts/sdk';
import { WebSocketTransport } from '@iggy-ts/sdk';
import { nodeWebSocket, startServerWith, type RunningServer } from './harness.js';

interface Case {
  readonly name: string;
  create(server: RunningServer): Transport;
}

const CASES: readonly Case[] = [
  { name: 'websocket', create: (server) => new WebSocketTransport({ url: `ws://127.0.0.1:${server.server.addresses.websocket!.port}`, createWebSocket: nodeWebSocket() }) },
  { name: 'quic', create: (server) => new QuicTransport({ host: '127.0.0.1', port: server.server.addresses.quic!.port, verifyPeer: false }) },
];

const startServer = (): Promise<RunningServer> =>
  startServerWith({ websocket: { enabled: true, address: '127.0.0.1:0' }, quic: { enabled: true, address: '127.0.0.1:0', selfSigned: true } });

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe.each(CASES)('SDK $name transport', (transportCase) => {
  it('reports a server that stops, then fails requests with NotConnected', async () => {
    const server = await startServer();
    const transport = transportCase.create(server);
    try {
      await transport.connect();
      expect((await transport.request(CommandCode.Ping, new Uint8Array(0))).status).toBe(0);
      const reports: Error[] = [];
      const reported = new Promise<void>((resolve) => {
        transport.onDisconnect!((error) => {
          reports.push(error);
          resolve();
        });
      });
      await server.stop();
      await within(reported, 10_000, 'the disconnect report');
      expect(reports).toHaveLength(1);
      expect((reports[0] as IggyError).code).toBe(ErrorCode.Disconnected);
      expect(transport.connected).toBe(false);
      const error = await transport.request(CommandCode.Ping, new Uint8Array(0)).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(IggyError);
      expect((error as IggyError).code).toBe(ErrorCode.NotConnected);
    } finally {
      await transport.close();
      await server.stop();
    }
  });

  it('does not report its own close, and connects again afterwards', async () => {
    const server = await startServer();
    const transport = transportCase.create(server);
    try {
      let reports = 0;
      transport.onDisconnect!(() => {
        reports += 1;
      });
      await transport.connect();
      await transport.close();
      expect(transport.connected).toBe(false);
      await transport.connect();
      expect((await transport.request(CommandCode.Ping, new Uint8Array(0))).status).toBe(0);
      await transport.close();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(reports).toBe(0);
    } finally {
      await transport.close();
      await server.stop();
    }
  });

  it('fails to connect to a port nobody serves with CannotEstablishConnection', async () => {
    const server = await startServer();
    const transport = transportCase.create(server);
    await server.stop();
    const error = await transport.connect().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IggyError);
    expect((error as IggyError).code).toBe(ErrorCode.CannotEstablishConnection);
    await transport.close();
  });
});
