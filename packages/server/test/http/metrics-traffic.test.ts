/**
 * Per-topic traffic in /metrics counts every transport: messages sent and polled over TCP show up in
 * iggy_topic_* (and not in the HTTP-only iggy_http_* families).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CommandCode,
  ConsumerKind,
  encodeCreateStreamRequest,
  encodeCreateTopicRequest,
  encodeLoginUserRequest,
  encodePollMessagesRequest,
  encodeSendMessagesRequest,
  partitionId,
  pollingStrategy,
} from '@iggy-ts/protocol';
import { TcpTransport } from '@iggy-ts/sdk';
import { IggyServer } from '@iggy-ts/server';

let directory: string;
let server: IggyServer;

beforeAll(async () => {
  directory = mkdtempSync(path.join(os.tmpdir(), 'iggy-ts-metrics-'));
  server = await IggyServer.start({
    overrides: {
      system: { path: directory, shardCount: 1 },
      tcp: { address: '127.0.0.1:0' },
      http: { enabled: true, address: '127.0.0.1:0' },
      root: { username: 'iggy', password: 'iggy' },
      logging: { level: 'silent' },
    },
  });
});

afterAll(async () => {
  await server?.stop();
  rmSync(directory, { recursive: true, force: true });
});

describe('/metrics per-topic traffic', () => {
  it('counts messages sent and polled over TCP', async () => {
    const tcp = new TcpTransport({ host: '127.0.0.1', port: server.addresses.tcp!.port });
    await tcp.connect();
    const ok = async (code: number, payload: Buffer): Promise<Buffer> => {
      const response = await tcp.request(code, payload);
      expect(response.status).toBe(0);
      return response.payload;
    };
    await ok(CommandCode.LoginUser, encodeLoginUserRequest({ username: 'iggy', password: 'iggy' }));
    await ok(CommandCode.CreateStream, encodeCreateStreamRequest({ name: 'orders' }));
    await ok(CommandCode.CreateTopic, encodeCreateTopicRequest({ streamId: 'orders', name: 'created', partitionsCount: 1, compressionAlgorithm: 1, messageExpiry: 0n, maxTopicSize: 0n, replicationFactor: 1 }));
    const messages = Array.from({ length: 4 }, (_, index) => ({ payload: Buffer.from(`order ${index}`) }));
    await ok(CommandCode.SendMessages, encodeSendMessagesRequest({ streamId: 'orders', topicId: 'created', partitioning: partitionId(0), messages }));
    await ok(
      CommandCode.PollMessages,
      encodePollMessagesRequest({ consumer: { kind: ConsumerKind.Consumer, id: 1 }, streamId: 'orders', topicId: 'created', partitionId: 0, strategy: pollingStrategy.first(), count: 10, autoCommit: false }),
    );
    await tcp.close();

    const text = await (await fetch(`http://127.0.0.1:${server.addresses.http!.port}/metrics`)).text();
    const labels = 'stream_id="0",stream="orders",topic_id="0",topic="created"';
    expect(text).toContain(`iggy_topic_messages_sent_total{${labels}} 4`);
    expect(text).toContain(`iggy_topic_messages_polled_total{${labels}} 4`);
    expect(text).toMatch(new RegExp(`^iggy_topic_message_bytes_sent_total\\{${labels}\\} [1-9]\\d*$`, 'm'));
    expect(text).not.toContain(`iggy_http_messages_sent_total{${labels}}`);
  });
});
