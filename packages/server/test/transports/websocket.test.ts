/**
 * The WebSocket listener's framing, seen from a raw `ws` client: binary messages are one byte
 * stream (a frame may span messages, several frames may share one, reference 1.1), each response
 * is one binary message, text is refused, and a stopping server says status 8 then closes (1001).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CommandCode, ErrorCode, decodeGetClientsResponse, decodeGetMeResponse, encodeLoginUserRequest, encodeRequestFrame } from '@iggy-ts/protocol';
import { startServerWith, type RunningServer } from './harness.js';

/** A raw client: sends arbitrary messages, collects every binary message received. */
class RawClient {
  readonly messages: Buffer[] = [];
  private waiting: (() => void) | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return;
      this.messages.push(Buffer.from(data));
      this.waiting?.();
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static open(port: number): Promise<RawClient> {
    const socket = new WebSocket(`ws://127.0.0.1:${port}`);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  send(bytes: Uint8Array): void {
    this.socket.send(bytes, { binary: true });
  }

  /** Waits until `count` messages have arrived in total. */
  async received(count: number): Promise<Buffer[]> {
    const deadline = Date.now() + 5000;
    while (this.messages.length < count) {
      if (Date.now() > deadline) throw new Error(`received ${this.messages.length} of ${count} messages`);
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
        setTimeout(resolve, 50);
      });
    }
    return this.messages.slice(0, count);
  }

  close(): void {
    this.socket.close();
  }
}

function status(message: Buffer): number {
  return message.readUInt32LE(0);
}

let server: RunningServer;
let port: number;

beforeAll(async () => {
  server = await startServerWith({ websocket: { enabled: true, address: '127.0.0.1:0' } });
  port = server.server.addresses.websocket!.port;
});
afterAll(() => server?.stop());

describe('WebSocket framing', () => {
  it('assembles a request frame split across several messages', async () => {
    const client = await RawClient.open(port);
    const frame = encodeRequestFrame(CommandCode.LoginUser, encodeLoginUserRequest({ username: 'iggy', password: 'iggy' }));
    client.send(frame.subarray(0, 3));
    client.send(frame.subarray(3, 11));
    client.send(frame.subarray(11));
    const [response] = await client.received(1);
    expect(status(response!)).toBe(0);
    expect(response!.readUInt32LE(4)).toBe(response!.length - 8);
    client.close();
  });

  it('answers several frames sharing one message, one response message each, in order', async () => {
    const client = await RawClient.open(port);
    const frames = Buffer.concat([
      encodeRequestFrame(CommandCode.Ping),
      encodeRequestFrame(CommandCode.GetStreams), // not logged in yet: Unauthenticated
      encodeRequestFrame(CommandCode.LoginUser, encodeLoginUserRequest({ username: 'iggy', password: 'iggy' })),
      encodeRequestFrame(CommandCode.GetStreams),
    ]);
    client.send(frames);
    const responses = await client.received(4);
    expect(responses.map(status)).toEqual([0, ErrorCode.Unauthenticated, 0, 0]);
    expect(responses[0]!.length).toBe(8);
    client.close();
  });

  it('answers an oversized frame with InvalidCommand and keeps the connection', async () => {
    const client = await RawClient.open(port);
    const header = Buffer.alloc(8);
    header.writeUInt32LE(4 + 11 * 1024 * 1024, 0); // over the 10 MiB control payload limit
    header.writeUInt32LE(CommandCode.GetStreams, 4);
    client.send(header);
    const [response] = await client.received(1);
    expect(status(response!)).toBe(ErrorCode.InvalidCommand);
    client.close();
  });

  it('closes a connection that sends text with 1003', async () => {
    const client = await RawClient.open(port);
    client.socket.send('hello', { binary: false });
    expect((await client.closed).code).toBe(1003);
  });

  it('registers the session as ip:0 and ends it when the client goes away', async () => {
    const client = await RawClient.open(port);
    client.send(encodeRequestFrame(CommandCode.LoginUser, encodeLoginUserRequest({ username: 'iggy', password: 'iggy' })));
    client.send(encodeRequestFrame(CommandCode.GetMe));
    const [, meResponse] = await client.received(2);
    const me = decodeGetMeResponse(meResponse!.subarray(8));
    expect(me.transport).toBe(4);
    expect(me.address).toBe('127.0.0.1:0');

    const observer = await RawClient.open(port);
    client.close();
    await client.closed;
    observer.send(encodeRequestFrame(CommandCode.LoginUser, encodeLoginUserRequest({ username: 'iggy', password: 'iggy' })));
    observer.send(encodeRequestFrame(CommandCode.GetClients));
    const [, after] = await observer.received(2);
    expect(decodeGetClientsResponse(after!.subarray(8)).map((entry) => entry.clientId)).not.toContain(me.clientId);
    observer.close();
  });
});

describe('WebSocket listener stop', () => {
  it('sends status 8 and closes with 1001 when the server stops', async () => {
    const own = await startServerWith({ websocket: { enabled: true, address: '127.0.0.1:0' } });
    const client = await RawClient.open(own.server.addresses.websocket!.port);
    await own.stop();
    const closed = await client.closed;
    expect(closed.code).toBe(1001);
    expect(client.messages.map(status)).toEqual([ErrorCode.Disconnected]);
  });
});
