/**
 * The QUIC listener's stream handling, seen from a raw @matrixai/quic client: one request frame per
 * bidirectional stream, answered on that stream, which the server then ends; a frame is run as
 * soon as it is complete (the client's FIN is not needed), malformed streams get InvalidCommand,
 * and a closed connection ends its session.
 */
import { randomFillSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import MatrixLogger, { LogLevel } from '@matrixai/logger';
import { QUICClient } from '@matrixai/quic';
import { CommandCode, ErrorCode, decodeGetClientsResponse, decodeGetMeResponse, encodeLoginUserRequest, encodeRequestFrame } from '@iggy-ts/protocol';
import { startServerWith, type RunningServer } from './harness.js';

let server: RunningServer;
let port: number;

beforeAll(async () => {
  server = await startServerWith({ quic: { enabled: true, address: '127.0.0.1:0', selfSigned: true } });
  port = server.server.addresses.quic!.port;
});
afterAll(() => server?.stop());

function connect(): Promise<QUICClient> {
  return QUICClient.createQUICClient({
    host: '127.0.0.1',
    port,
    crypto: { ops: { randomBytes: async (data: ArrayBuffer) => void randomFillSync(new Uint8Array(data)) } },
    config: { verifyPeer: false, applicationProtos: ['iggy'] },
    logger: new MatrixLogger('test', LogLevel.SILENT),
  });
}

/** Writes `chunks` on a new stream (ending it when `finish`), then reads the whole answer. */
async function exchange(client: QUICClient, chunks: readonly Uint8Array[], finish = true): Promise<Buffer> {
  const stream = client.connection.newStream('bidi');
  const writer = stream.writable.getWriter();
  for (const chunk of chunks) await writer.write(chunk);
  if (finish) await writer.close();
  const received: Buffer[] = [];
  for await (const chunk of stream.readable) received.push(Buffer.from(chunk));
  return Buffer.concat(received);
}

const login = (): Buffer => encodeRequestFrame(CommandCode.LoginUser, encodeLoginUserRequest({ username: 'iggy', password: 'iggy' }));

describe('QUIC request streams', () => {
  it('answers one frame per stream and ends the stream', async () => {
    const client = await connect();
    try {
      const response = await exchange(client, [encodeRequestFrame(CommandCode.Ping)]);
      expect(response).toEqual(Buffer.alloc(8));
    } finally {
      await client.destroy({ force: true });
    }
  });

  it('assembles a frame written in pieces', async () => {
    const client = await connect();
    try {
      const frame = login();
      const response = await exchange(client, [frame.subarray(0, 2), frame.subarray(2, 9), frame.subarray(9)]);
      expect(response.readUInt32LE(0)).toBe(0);
      expect(response.readUInt32LE(4)).toBe(response.length - 8);
    } finally {
      await client.destroy({ force: true });
    }
  });

  it('runs a complete frame without waiting for the client to end its side', async () => {
    const client = await connect();
    try {
      const response = await exchange(client, [encodeRequestFrame(CommandCode.Ping)], false);
      expect(response.readUInt32LE(0)).toBe(0);
    } finally {
      await client.destroy({ force: true });
    }
  });

  it('answers InvalidCommand to an empty stream and to a stream ending mid-frame', async () => {
    const client = await connect();
    try {
      expect((await exchange(client, [])).readUInt32LE(0)).toBe(ErrorCode.InvalidCommand);
      expect((await exchange(client, [login().subarray(0, 10)])).readUInt32LE(0)).toBe(ErrorCode.InvalidCommand);
      // The connection still serves requests.
      expect((await exchange(client, [encodeRequestFrame(CommandCode.Ping)])).readUInt32LE(0)).toBe(0);
    } finally {
      await client.destroy({ force: true });
    }
  });

  it('answers an oversized frame with InvalidCommand from its header alone', async () => {
    const client = await connect();
    try {
      const header = Buffer.alloc(8);
      header.writeUInt32LE(4 + 11 * 1024 * 1024, 0);
      header.writeUInt32LE(CommandCode.GetStreams, 4);
      expect((await exchange(client, [header], false)).readUInt32LE(0)).toBe(ErrorCode.InvalidCommand);
    } finally {
      await client.destroy({ force: true });
    }
  });

  it('keeps the login of the connection across streams and ends the session on close', async () => {
    const client = await connect();
    const me = await (async () => {
      try {
        expect((await exchange(client, [login()])).readUInt32LE(0)).toBe(0);
        const response = await exchange(client, [encodeRequestFrame(CommandCode.GetMe)]);
        expect(response.readUInt32LE(0)).toBe(0);
        return decodeGetMeResponse(response.subarray(8));
      } finally {
        await client.destroy({ force: true });
      }
    })();
    expect(me.transport).toBe(2);
    expect(me.address).toMatch(/^127\.0\.0\.1:\d+$/);

    const observer = await connect();
    try {
      await exchange(observer, [login()]);
      const deadline = Date.now() + 5000;
      let ids: number[] = [];
      do {
        const response = await exchange(observer, [encodeRequestFrame(CommandCode.GetClients)]);
        ids = decodeGetClientsResponse(response.subarray(8)).map((entry) => entry.clientId);
        if (!ids.includes(me.clientId)) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      } while (Date.now() < deadline);
      expect(ids).not.toContain(me.clientId);
    } finally {
      await observer.destroy({ force: true });
    }
  });
});
