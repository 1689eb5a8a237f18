/**
 * IggyClient's connection life cycle against a scripted in-memory transport: automatic login,
 * reconnection with backoff and re-join, request timeouts, readable errors.
 */
import { describe, expect, it } from 'vitest';
import { CommandCode, ErrorCode, IggyError, decodeJoinConsumerGroupRequest, encodeLoginUserResponse } from '@iggy-ts/protocol';
import { IggyClient, parseAddress } from './client.js';
import type { RawResponse, Transport } from './transports/transport.js';

type Handler = (code: number, payload: Buffer) => RawResponse | Promise<RawResponse>;

class FakeTransport implements Transport {
  readonly requests: number[] = [];
  readonly payloads: Buffer[] = [];
  connectAttempts = 0;
  /** connect() fails while this is > 0 (decremented per attempt). */
  failingConnects = 0;
  connected = false;
  private listeners = new Set<(error: Error) => void>();

  constructor(private readonly handler: Handler = () => ({ status: 0, payload: Buffer.alloc(0) })) {}

  async connect(): Promise<void> {
    this.connectAttempts += 1;
    if (this.failingConnects > 0) {
      this.failingConnects -= 1;
      throw new IggyError(ErrorCode.CannotEstablishConnection, 'refused');
    }
    this.connected = true;
  }

  request(code: number, payload: Uint8Array): Promise<RawResponse> {
    if (!this.connected) return Promise.reject(new IggyError(ErrorCode.NotConnected, 'not connected'));
    this.requests.push(code);
    this.payloads.push(Buffer.from(payload));
    return Promise.resolve(this.handler(code, Buffer.from(payload)));
  }

  async close(): Promise<void> {
    this.connected = false;
  }

  onDisconnect(listener: (error: Error) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Simulates the server going away. */
  drop(): void {
    this.connected = false;
    for (const listener of this.listeners) listener(new IggyError(ErrorCode.Disconnected, 'dropped'));
  }
}

const loginOk: Handler = (code) => ({ status: 0, payload: code === CommandCode.LoginUser ? encodeLoginUserResponse({ userId: 3 }) : Buffer.alloc(0) });

describe('IggyClient connection', () => {
  it('connects lazily and logs in before the first command', async () => {
    const transport = new FakeTransport(loginOk);
    const client = new IggyClient({ transport, credentials: { username: 'u', password: 'p' } });
    await client.ping();
    expect(transport.requests).toEqual([CommandCode.LoginUser, CommandCode.Ping]);
    expect(client.userId).toBe(3);
    expect(client.connected).toBe(true);
    await client.close();
    expect(client.connected).toBe(false);
    await expect(client.ping()).rejects.toMatchObject({ code: ErrorCode.NotConnected });
  });

  it('does not log in without credentials or with autoLogin off', async () => {
    const transport = new FakeTransport();
    const client = new IggyClient({ transport, credentials: { username: 'u', password: 'p' }, autoLogin: false });
    await client.ping();
    expect(transport.requests).toEqual([CommandCode.Ping]);
  });

  it('retries the first connect with backoff, then gives up after maxAttempts', async () => {
    const transport = new FakeTransport();
    transport.failingConnects = 2;
    const client = new IggyClient({ transport, reconnect: { initialDelayMs: 1, maxAttempts: 3 } });
    const delays: number[] = [];
    client.on('reconnecting', (event: { delayMs: number }) => delays.push(event.delayMs));
    await client.connect();
    expect(transport.connectAttempts).toBe(3);
    expect(delays).toEqual([1, 2]);

    const failing = new FakeTransport();
    failing.failingConnects = 10;
    const gaveUp = new IggyClient({ transport: failing, reconnect: { initialDelayMs: 1, maxAttempts: 3 } });
    await expect(gaveUp.ping()).rejects.toMatchObject({ code: ErrorCode.CannotEstablishConnection });
    expect(failing.connectAttempts).toBe(3);
  });

  it('fails at once when reconnecting is disabled', async () => {
    const transport = new FakeTransport();
    transport.failingConnects = 1;
    const client = new IggyClient({ transport, reconnect: { enabled: false } });
    await expect(client.connect()).rejects.toMatchObject({ code: ErrorCode.CannotEstablishConnection });
    expect(transport.connectAttempts).toBe(1);
  });

  it('does not retry a rejected login', async () => {
    const transport = new FakeTransport(() => ({ status: ErrorCode.InvalidCredentials, payload: Buffer.alloc(0) }));
    const client = new IggyClient({ transport, credentials: { username: 'u', password: 'bad' }, reconnect: { initialDelayMs: 1 } });
    const error = await client.ping().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: ErrorCode.InvalidCredentials });
    expect((error as Error).message).toContain('LoginUser');
    expect(transport.connectAttempts).toBe(1);
  });

  it('reconnects after a drop, logs in again and re-joins its consumer groups', async () => {
    const transport = new FakeTransport(loginOk);
    const client = new IggyClient({ transport, credentials: { username: 'u', password: 'p' }, reconnect: { initialDelayMs: 1 } });
    await client.joinConsumerGroup({ streamId: 's', topicId: 't', groupId: 'g' });
    const reconnected = new Promise<void>((resolve) => client.once('connect', () => resolve()));
    transport.requests.length = 0;
    transport.payloads.length = 0;
    transport.failingConnects = 2;
    transport.drop();
    expect(client.connected).toBe(false);
    await reconnected;
    expect(transport.requests).toEqual([CommandCode.LoginUser, CommandCode.JoinConsumerGroup]);
    expect(decodeJoinConsumerGroupRequest(transport.payloads[1]!)).toEqual({ streamId: 's', topicId: 't', groupId: 'g' });
    await client.leaveConsumerGroup({ streamId: 's', topicId: 't', groupId: 'g' });
    transport.requests.length = 0;
    transport.drop();
    await client.ping();
    expect(transport.requests).toEqual([CommandCode.LoginUser, CommandCode.Ping]);
  });

  it('fails a request that exceeds requestTimeoutMs with TaskTimeout', async () => {
    const transport = new FakeTransport((code) => (code === CommandCode.GetStats ? new Promise<RawResponse>(() => undefined) : { status: 0, payload: Buffer.alloc(0) }));
    const client = new IggyClient({ transport, requestTimeoutMs: 20 });
    const error = await client.getStats().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: ErrorCode.TaskTimeout });
    expect((error as Error).message).toMatch(/GetStats timed out after 20 ms/);
    await client.ping();
  });

  it('names the error, its code and the command in failures', async () => {
    const transport = new FakeTransport(() => ({ status: ErrorCode.StreamIdNotFound, payload: Buffer.alloc(0) }));
    const client = new IggyClient({ transport });
    const error = (await client.getTopics({ streamId: 7 }).catch((caught: unknown) => caught)) as IggyError;
    expect(error).toBeInstanceOf(IggyError);
    expect(error.code).toBe(1009);
    expect(error.message).toBe('Stream id not found (StreamIdNotFound, code 1009) in GetTopics');
  });
});

describe('parseAddress', () => {
  it('parses host:port, IPv6 and a missing port', () => {
    expect(parseAddress('localhost:9000')).toEqual({ host: 'localhost', port: 9000 });
    expect(parseAddress('[::1]:8091')).toEqual({ host: '::1', port: 8091 });
    expect(parseAddress('10.0.0.1')).toEqual({ host: '10.0.0.1', port: 8090 });
    expect(() => parseAddress('host:99999')).toThrow(IggyError);
    expect(IggyClient.fromAddress('127.0.0.1:1234').transport).toBeDefined();
  });
});
