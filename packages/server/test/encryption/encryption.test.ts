/**
 * Encryption at rest through the whole server: messages sent and polled over TCP come back exactly
 * (payloads, user headers, checksums of the plaintext frames) while no plaintext reaches the data
 * directory; a restart with a wrong key, without a key, or with a key over unencrypted data refuses
 * to start with a precise message; a restart with the right key serves the data.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CommandCode,
  ConsumerKind,
  balanced,
  decodeCreateStreamResponse,
  decodeCreateTopicResponse,
  decodePollMessagesResponse,
  decodeUserHeaders,
  encodeCreateStreamRequest,
  encodeCreateTopicRequest,
  encodeLoginUserRequest,
  encodePollMessagesRequest,
  encodeSendMessagesRequest,
  encodeUserHeaders,
  initHashes,
  pollingStrategy,
  xxh3,
  type PolledMessage,
  type SendMessage,
} from '@iggy-ts/protocol';
import { IggyServer } from '@iggy-ts/server';
import { TcpTransport } from '@iggy-ts/sdk';

const PAYLOAD_SECRET = 'classified-payload';
const HEADER_SECRET = 'classified-header-value';
const KEY = randomBytes(32).toString('base64');
const WRONG_KEY = randomBytes(32).toString('base64');

beforeAll(async () => {
  await initHashes();
});

const directories: string[] = [];
const servers: IggyServer[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function dataDirectory(): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'iggy-ts-encryption-'));
  directories.push(directory);
  return directory;
}

function start(dataPath: string, key: string | undefined): Promise<IggyServer> {
  return IggyServer.start({
    env: {},
    overrides: {
      system: { path: dataPath, shardCount: 1 },
      tcp: { address: '127.0.0.1:0' },
      root: { username: 'iggy', password: 'iggy' },
      logging: { level: 'silent' },
      encryption: key === undefined ? { enabled: false, key: '' } : { enabled: true, key },
    },
  });
}

async function startTracked(dataPath: string, key: string | undefined): Promise<IggyServer> {
  const server = await start(dataPath, key);
  servers.push(server);
  return server;
}

async function stopTracked(server: IggyServer): Promise<void> {
  await server.stop();
  servers.splice(servers.indexOf(server), 1);
}

/** The message the start was refused with. */
async function refusal(dataPath: string, key: string | undefined): Promise<string> {
  try {
    servers.push(await start(dataPath, key));
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the server started');
}

class Client {
  private constructor(private readonly transport: TcpTransport) {}

  static async login(server: IggyServer): Promise<Client> {
    const transport = new TcpTransport({ host: '127.0.0.1', port: server.addresses.tcp!.port });
    await transport.connect();
    const client = new Client(transport);
    await client.ok(CommandCode.LoginUser, encodeLoginUserRequest({ username: 'iggy', password: 'iggy', version: 'encryption-test', context: '' }));
    return client;
  }

  async ok(code: number, payload: Uint8Array): Promise<Buffer> {
    const reply = await this.transport.request(code, payload);
    if (reply.status !== 0) throw new Error(`command ${code} failed with status ${reply.status}`);
    return reply.payload;
  }

  async createTopic(): Promise<{ streamId: number; topicId: number }> {
    const stream = decodeCreateStreamResponse(await this.ok(CommandCode.CreateStream, encodeCreateStreamRequest({ name: 'vault' })));
    const topic = decodeCreateTopicResponse(
      await this.ok(
        CommandCode.CreateTopic,
        encodeCreateTopicRequest({ streamId: stream.id, name: 'documents', partitionsCount: 1, compressionAlgorithm: 1, messageExpiry: 0n, maxTopicSize: 0n, replicationFactor: 1 }),
      ),
    );
    return { streamId: stream.id, topicId: topic.id };
  }

  async send(streamId: number, topicId: number, messages: readonly SendMessage[]): Promise<void> {
    await this.ok(CommandCode.SendMessages, encodeSendMessagesRequest({ streamId, topicId, partitioning: balanced(), messages }));
  }

  async pollAll(streamId: number, topicId: number): Promise<PolledMessage[]> {
    const request = { consumer: { kind: ConsumerKind.Consumer, id: 1 }, streamId, topicId, partitionId: 0, count: 1000, autoCommit: false };
    return [...decodePollMessagesResponse(await this.ok(CommandCode.PollMessages, encodePollMessagesRequest({ ...request, strategy: pollingStrategy.first() }))).messages];
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}

function secretMessages(count: number, first = 0): SendMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    id: BigInt(first + i + 1),
    payload: Buffer.from(`${PAYLOAD_SECRET}-${first + i}`),
    userHeaders: (first + i) % 3 === 2 ? undefined : encodeUserHeaders(new Map([['label', { kind: 2, value: `${HEADER_SECRET}-${first + i}` }]])),
    originTimestamp: 1_000 + first + i,
  }));
}

/** XXH3-64 of the plaintext frame's bytes 8..end: what an unencrypted server stores and sends. */
function plaintextChecksum(message: PolledMessage): bigint {
  const header = Buffer.alloc(56);
  header.writeBigUInt64LE(message.id & 0xffff_ffff_ffff_ffffn, 0);
  header.writeBigUInt64LE(message.id >> 64n, 8);
  header.writeBigUInt64LE(BigInt(message.offset), 16);
  header.writeBigUInt64LE(BigInt(message.timestamp), 24);
  header.writeBigUInt64LE(BigInt(message.originTimestamp), 32);
  header.writeUInt32LE(message.userHeaders.length, 40);
  header.writeUInt32LE(message.payload.length, 44);
  return xxh3(Buffer.concat([header, message.payload, message.userHeaders]));
}

function expectMessages(polled: readonly PolledMessage[], count: number): void {
  expect(polled).toHaveLength(count);
  for (let i = 0; i < count; i += 1) {
    const message = polled[i]!;
    expect(message.offset).toBe(i);
    expect(message.id).toBe(BigInt(i + 1));
    expect(message.originTimestamp).toBe(1_000 + i);
    expect(message.payload.toString()).toBe(`${PAYLOAD_SECRET}-${i}`);
    if (i % 3 === 2) expect(message.userHeaders.length).toBe(0);
    else expect(decodeUserHeaders(message.userHeaders)).toEqual([{ key: { kind: 2, value: 'label' }, value: { kind: 2, value: `${HEADER_SECRET}-${i}` } }]);
    expect(message.checksum).toBe(plaintextChecksum(message));
  }
}

/** Files under `directory` that contain `needle`. */
function filesContaining(directory: string, needle: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (readFileSync(file).includes(needle)) found.push(file);
  }
  return found;
}

describe('encryption at rest', () => {
  it('serves plaintext to clients, stores none, and starts again only with the right key', async () => {
    const dataPath = dataDirectory();
    const server = await startTracked(dataPath, KEY);
    expect(existsSync(path.join(dataPath, 'encryption.check'))).toBe(true);
    const client = await Client.login(server);
    const { streamId, topicId } = await client.createTopic();
    await client.send(streamId, topicId, secretMessages(20));
    await client.send(streamId, topicId, secretMessages(10, 20));
    expectMessages(await client.pollAll(streamId, topicId), 30);
    await client.close();
    await stopTracked(server);

    expect(filesContaining(dataPath, PAYLOAD_SECRET)).toEqual([]);
    expect(filesContaining(dataPath, HEADER_SECRET)).toEqual([]);
    expect(filesContaining(dataPath, 'label')).toEqual([]); // header keys are encrypted too

    expect(await refusal(dataPath, WRONG_KEY)).toMatch(/encryption\.key is not the key the data in .* was encrypted with/);
    expect(await refusal(dataPath, undefined)).toMatch(/holds messages encrypted at rest .* but encryption is disabled/);

    const restarted = await startTracked(dataPath, KEY);
    const again = await Client.login(restarted);
    expectMessages(await again.pollAll(streamId, topicId), 30);
    await again.send(streamId, topicId, secretMessages(5, 30));
    expectMessages(await again.pollAll(streamId, topicId), 35);
    await again.close();
  });

  it('refuses to enable encryption over a data directory that holds unencrypted messages', async () => {
    const dataPath = dataDirectory();
    const server = await startTracked(dataPath, undefined);
    const client = await Client.login(server);
    const { streamId, topicId } = await client.createTopic();
    await client.send(streamId, topicId, secretMessages(3));
    await client.close();
    await stopTracked(server);
    expect(filesContaining(dataPath, PAYLOAD_SECRET).length).toBeGreaterThan(0);

    expect(await refusal(dataPath, KEY)).toMatch(/encryption is enabled but the data directory .* already holds unencrypted messages/);
    expect(existsSync(path.join(dataPath, 'encryption.check'))).toBe(false);
    const plain = await startTracked(dataPath, undefined);
    const reader = await Client.login(plain);
    expectMessages(await reader.pollAll(streamId, topicId), 3);
    await reader.close();
  });
});
