/**
 * segment.validate_checksums_on_start: a server asked to verify every stored checksum at start
 * refuses to start over a corrupted sealed segment (as Iggy's validate_checksum does), while the
 * default start (which verifies on read instead) comes up.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import {
  CommandCode,
  encodeCreateStreamRequest,
  encodeCreateTopicRequest,
  encodeLoginUserRequest,
  encodeSendMessagesRequest,
  partitionId,
} from '@iggy-ts/protocol';
import { TcpTransport } from '@iggy-ts/sdk';
import { IggyServer } from '@iggy-ts/server';

const directory = mkdtempSync(path.join(os.tmpdir(), 'iggy-ts-validate-'));

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

function overrides(validateChecksumsOnStart: boolean) {
  return {
    system: { path: directory, shardCount: 1 },
    tcp: { address: '127.0.0.1:0' },
    segment: { sizeBytes: 64 * 1024, validateChecksumsOnStart },
    root: { username: 'iggy', password: 'iggy' },
    logging: { level: 'silent' as const },
  };
}

it('refuses to start over a corrupted sealed segment when asked to validate checksums at start', async () => {
  const server = await IggyServer.start({ overrides: overrides(false) });
  const tcp = new TcpTransport({ host: '127.0.0.1', port: server.addresses.tcp!.port });
  await tcp.connect();
  const ok = async (code: number, payload: Buffer): Promise<void> => {
    expect((await tcp.request(code, payload)).status).toBe(0);
  };
  await ok(CommandCode.LoginUser, encodeLoginUserRequest({ username: 'iggy', password: 'iggy' }));
  await ok(CommandCode.CreateStream, encodeCreateStreamRequest({ name: 'checked' }));
  await ok(CommandCode.CreateTopic, encodeCreateTopicRequest({ streamId: 'checked', name: 'data', partitionsCount: 1, compressionAlgorithm: 1, messageExpiry: 0n, maxTopicSize: 0n, replicationFactor: 1 }));
  for (let batch = 0; batch < 4; batch += 1) {
    const messages = Array.from({ length: 40 }, (_, index) => ({ payload: Buffer.alloc(1000, batch * 40 + index) }));
    await ok(CommandCode.SendMessages, encodeSendMessagesRequest({ streamId: 'checked', topicId: 'data', partitioning: partitionId(0), messages }));
  }
  await tcp.close();
  await server.stop();

  const partition = path.join(directory, 'streams', '0', 'topics', '0', 'partitions', '0');
  const logs = readdirSync(partition).filter((name) => name.endsWith('.log')).sort();
  expect(logs.length).toBeGreaterThan(1);
  const sealed = path.join(partition, logs[0]!);
  const bytes = readFileSync(sealed);
  bytes[64 + 500] ^= 0xff; // a payload byte of the first message
  writeFileSync(sealed, bytes);

  await expect(IggyServer.start({ overrides: overrides(true) })).rejects.toThrow();
  const lenient = await IggyServer.start({ overrides: overrides(false) });
  await lenient.stop();
});
