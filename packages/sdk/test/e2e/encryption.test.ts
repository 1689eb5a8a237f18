/**
 * Client-side encryption end to end: a Producer with an encryptor stores only ciphertext (a second
 * client without the key polls sealed bytes that neither equal nor contain the plaintext, while
 * headers stay readable), a Consumer with the same key reads plaintext, and a Consumer with a
 * wrong key fails with CannotDecryptData (72). Runs over TCP and over the HTTP API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IggyServer } from '@iggy-ts/server';
import { AES_GCM_NONCE_SIZE_BYTES, AES_GCM_TAG_SIZE_BYTES, AesGcmEncryptor, ErrorCode, IggyClient, IggyError, Message, header, pollingStrategy } from '@iggy-ts/sdk';

let server: IggyServer;
let dataDir: string;
const credentials = { username: 'iggy', password: 'iggy' };

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'iggy-sdk-encryption-'));
  server = await IggyServer.start({
    overrides: {
      system: { path: dataDir, shardCount: 1 },
      tcp: { address: '127.0.0.1:0' },
      http: { enabled: true, address: '127.0.0.1:0' },
      root: credentials,
      logging: { level: 'silent' },
    },
  } as Parameters<typeof IggyServer.start>[0]);
});

afterAll(async () => {
  await server?.stop();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

const transports = {
  tcp: (): IggyClient => new IggyClient({ tcp: { host: '127.0.0.1', port: server.addresses.tcp!.port }, credentials }),
  http: (): IggyClient => new IggyClient({ http: { url: `http://127.0.0.1:${server.addresses.http!.port}` }, credentials }),
};

describe.each(Object.keys(transports) as (keyof typeof transports)[])('payload encryption over %s', (kind) => {
  it('stores only ciphertext, decrypts for the keyed consumer, and fails with 72 for a wrong key', async () => {
    const client = transports[kind]();
    const raw = transports[kind](); // a second client that has no key
    const key = AesGcmEncryptor.generateKey();
    const stream = await client.createStream({ name: `encrypted-${kind}-${process.pid}` });
    await client.createTopic({ streamId: stream.id, name: 't', partitionsCount: 1 });

    const plaintexts = Array.from({ length: 12 }, (_, i) => `card 4111-1111-1111-${String(1000 + i)} for order ${i}`);
    const producer = client.producer({ stream: stream.id, topic: 't', encryptor: new AesGcmEncryptor(key), batchMaxMessages: 5 });
    await producer.send(plaintexts.map((text, i) => Message.from(text, { headers: { order: header.uint32(i) } })));
    await producer.close();

    const stored = await raw.pollMessages({ streamId: stream.id, topicId: 't', partitionId: 0, strategy: pollingStrategy.first(), count: 100 });
    expect(stored.messages).toHaveLength(plaintexts.length);
    stored.messages.forEach((message, i) => {
      const plaintext = Buffer.from(plaintexts[i]!);
      expect(message.payload.length).toBe(AES_GCM_NONCE_SIZE_BYTES + plaintext.length + AES_GCM_TAG_SIZE_BYTES);
      expect(message.payload.equals(plaintext)).toBe(false);
      expect(message.payload.includes(plaintext)).toBe(false);
      expect(message.payload.includes(Buffer.from('4111-1111'))).toBe(false);
      expect(message.header('order')).toBe(i); // headers stay in clear
    });

    const reader = client.consumer({ stream: stream.id, topic: 't', partitionId: 0, strategy: 'first', consumerId: 1, encryptor: new AesGcmEncryptor(key), autoCommit: 'never' });
    const received: string[] = [];
    for await (const message of reader) {
      received.push(message.text());
      if (received.length === plaintexts.length) break;
    }
    expect(received).toEqual(plaintexts);

    const wrong = raw.consumer({ stream: stream.id, topic: 't', partitionId: 0, strategy: 'first', consumerId: 2, encryptor: new AesGcmEncryptor(AesGcmEncryptor.generateKey()), autoCommit: 'never' });
    const error = await wrong.next().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(IggyError);
    expect((error as IggyError).code).toBe(ErrorCode.CannotDecryptData);
    expect((error as IggyError).message).not.toContain(key);
    await wrong.close();

    await client.deleteStream({ streamId: stream.id });
    await raw.close();
    await client.close();
  });
});
