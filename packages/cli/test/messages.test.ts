/**
 * `iggy message send|poll|flush` and `iggy offset get|set|delete`, run as a user runs them (the
 * built binary in a child process) against a live server: every message source, header kind,
 * partitioning, poll strategy and output format.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { type IggyClient, individualConsumer, partitionId } from '@iggy-ts/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliUser, LiveFixture, removeDirectory, temporaryDirectory } from './helpers.js';

let fixture: LiveFixture;
let cli: CliUser;
let admin: IggyClient;

beforeAll(async () => {
  fixture = await LiveFixture.start();
  ({ cli, admin } = fixture);
});

afterAll(async () => {
  await fixture?.stop();
});

interface PolledJson {
  partitionId: number;
  currentOffset: number;
  count: number;
  messages: { offset: number; payload?: string; payloadBase64?: string; headers: Record<string, { kind: string; value: unknown }> }[];
}

const payloads = (result: PolledJson): string[] => result.messages.map((message) => message.payload ?? `base64:${message.payloadBase64}`);

describe('iggy message and offset commands against a live server', () => {
  it('sends messages from arguments, stdin and files, with headers, keys and partitions', async () => {
    await fixture.topic('send', 'events', 2);
    const directory = temporaryDirectory('files');
    const lines = path.join(directory, 'lines.txt');
    const binary = path.join(directory, 'blob.bin');
    writeFileSync(lines, 'one\r\ntwo\n\nthree\n');
    writeFileSync(binary, Buffer.from([0, 1, 2, 255]));
    const sent = (count: number, where: string): string => `sent ${count} message${count === 1 ? '' : 's'} to topic 'events' in stream 'send' (${where})\n`;
    try {
      // Sequential: the order in partition 0 is checked below.
      expect(await cli.ok(['message', 'send', 'send', 'events', '--partition-id', '0', 'hello', 'world', '--header', 'source:string:cli', '--header', 'n:u32:7', '--header', 'ok:bool:true', '--header', 'tag:raw:beef'])).toBe(sent(2, 'partition 0'));
      expect(await cli.ok(['message', 'send', 'send', 'events', '--partition-id', '0'], { stdin: 'from\nstdin\n' })).toBe(sent(2, 'partition 0'));
      expect(await cli.ok(['message', 'send', 'send', 'events', '--partition-id', '0', '--file', lines])).toBe(sent(3, 'partition 0'));
      expect(await cli.ok(['message', 'send', 'send', 'events', '--partition-id', '0', '--file', binary, '--raw'])).toBe(sent(1, 'partition 0'));
      expect(await cli.ok(['message', 'send', 'send', 'events', '--partition-id', '0', '--raw'], { stdin: 'multi\nline' })).toBe(sent(1, 'partition 0'));
      const [keyed, balanced] = await Promise.all([
        cli.ok(['message', 'send', 'send', 'events', '--key', 'user-7', 'keyed']),
        cli.ok(['message', 'send', 'send', 'events', '--balanced', 'spread', '--', '--dashed']),
      ]);
      expect(keyed).toBe(sent(1, "key 'user-7'"));
      expect(balanced).toBe(sent(2, 'balanced'));
      const [polled, text] = await Promise.all([
        cli.json<PolledJson>(['message', 'poll', 'send', 'events', '--partition-id', '0', '--count', '9']),
        cli.ok(['message', 'poll', 'send', 'events', '--partition-id', '0', '--count', '9']),
      ]);
      expect(payloads(polled)).toEqual(['hello', 'world', 'from', 'stdin', 'one', 'two', 'three', 'base64:AAEC/w==', 'multi\nline']);
      expect(polled.messages[0]!.headers).toEqual({ source: { kind: 'string', value: 'cli' }, n: { kind: 'uint32', value: 7 }, ok: { kind: 'bool', value: true }, tag: { kind: 'raw', value: 'beef' } });
      expect(text).toMatch(/^OFFSET\s+TIMESTAMP\s+HEADERS\s+PAYLOAD\n0\s+\S+ \S+\s+source:string:cli n:uint32:7 ok:bool:true tag:raw:beef\s+hello\n/);
      expect(text).toMatch(/^7\s+\S+ \S+\s+-\s+0x000102ff \(4 bytes\)$/m);
      expect(text).toMatch(/^8\s+\S+ \S+\s+-\s+multi\\nline$/m);
      expect((await admin.getTopic({ streamId: 'send', topicId: 'events' }))!.messagesCount).toBe(12);
    } finally {
      removeDirectory(directory);
    }
  });

  it('sends a large file in batches and polls it back in chunks as raw payloads', async () => {
    await fixture.topic('bulk', 'b');
    const directory = temporaryDirectory('bulk');
    const file = path.join(directory, 'many.txt');
    writeFileSync(file, Array.from({ length: 5000 }, (_unused, index) => `message-${index}`).join('\n'));
    try {
      expect(await cli.ok(['message', 'send', 'bulk', 'b', '--file', file, '--partition-id', '0', '--batch-size', '700'])).toBe("sent 5000 messages to topic 'b' in stream 'bulk' (partition 0)\n");
      const raw = await cli.ok(['message', 'poll', 'bulk', 'b', '--count', '5000', '--output', 'raw']);
      const lines = raw.split('\n').filter((line) => line !== '');
      expect(lines).toHaveLength(5000);
      expect(lines[0]).toBe('message-0');
      expect(lines[4999]).toBe('message-4999');
    } finally {
      removeDirectory(directory);
    }
  });

  it('polls with every strategy, named consumers and groups, and flushes', async () => {
    await fixture.topic('poll', 't');
    await admin.sendMessages({ streamId: 'poll', topicId: 't', partitioning: partitionId(0), messages: ['m0', 'm1', 'm2', 'm3', 'm4'] });
    const [offset, first, last, timestamp, future] = await Promise.all([
      cli.json<PolledJson>(['message', 'poll', 'poll', 't', '--offset', '2', '--count', '2']),
      cli.json<PolledJson>(['message', 'poll', 'poll', 't', '--first', '--count', '1']),
      cli.json<PolledJson>(['message', 'poll', 'poll', 't', '--last', '--count', '2']),
      cli.json<PolledJson>(['message', 'poll', 'poll', 't', '--timestamp', '2000-01-01T00:00:00Z', '--count', '1']),
      cli.ok(['message', 'poll', 'poll', 't', '--timestamp', String((Date.now() + 3_600_000) * 1000)]),
    ]);
    expect(payloads(offset)).toEqual(['m2', 'm3']);
    expect(payloads(first)).toEqual(['m0']);
    expect(payloads(last)).toEqual(['m3', 'm4']);
    expect(payloads(timestamp)).toEqual(['m0']);
    expect(future).toBe('no messages (partition 0, current offset 4)\n');

    // --next with --auto-commit moves a named consumer's stored offset.
    const next = ['message', 'poll', 'poll', 't', '--next', '--count', '2', '--consumer', 'reader', '--auto-commit'];
    expect(payloads(await cli.json<PolledJson>(next))).toEqual(['m0', 'm1']);
    expect(payloads(await cli.json<PolledJson>(next))).toEqual(['m2', 'm3']);

    // A consumer group: the command joins it for its connection.
    await admin.createConsumerGroup({ streamId: 'poll', topicId: 't', name: 'workers' });
    expect(payloads(await cli.json<PolledJson>(['message', 'poll', 'poll', 't', '--group', 'workers', '--next', '--count', '3', '--auto-commit']))).toEqual(['m0', 'm1', 'm2']);
    expect(payloads(await cli.json<PolledJson>(['message', 'poll', 'poll', 't', '--group', 'workers', '--next', '--count', '3']))).toEqual(['m3', 'm4']);
    expect(await cli.ok(['message', 'flush', 'poll', 't', '0', '--fsync'])).toBe("flushed partition 0 of topic 't' in stream 'poll' (fsync)\n");
  });

  it('gets, sets and deletes stored offsets of consumers and groups', async () => {
    await fixture.topic('offsets', 't');
    await admin.sendMessages({ streamId: 'offsets', topicId: 't', partitioning: partitionId(0), messages: ['a', 'b', 'c'] });
    await admin.createConsumerGroup({ streamId: 'offsets', topicId: 't', name: 'g' });
    const [none, consumerSet, groupSet] = await Promise.all([
      cli.ok(['offset', 'get', 'offsets', 't']),
      cli.ok(['offset', 'set', 'offsets', 't', '1', '--partition-id', '0', '--consumer', '5']),
      cli.ok(['offset', 'set', 'offsets', 't', '2', '--partition-id', '0', '--group', 'g']),
    ]);
    expect(none).toBe("no stored offset for consumer 0 on partition 0 of topic 't'\n");
    expect(consumerSet).toBe("stored offset 1 for consumer 5 on partition 0 of topic 't'\n");
    expect(groupSet).toBe("stored offset 2 for consumer group 'g' on partition 0 of topic 't'\n");
    const [consumer, group] = await Promise.all([
      cli.ok(['offset', 'get', 'offsets', 't', '--partition-id', '0', '--consumer', '5']),
      cli.json<{ storedOffset: number }>(['offset', 'get', 'offsets', 't', '--partition-id', '0', '--group', 'g']),
    ]);
    expect(consumer).toBe('consumer:       consumer 5\npartition:      0\nstored offset:  1\ncurrent offset: 2\n');
    expect(group.storedOffset).toBe(2);
    expect(await cli.ok(['offset', 'delete', 'offsets', 't', '--partition-id', '0', '--consumer', '5'])).toBe("deleted the stored offset of consumer 5 on partition 0 of topic 't'\n");
    expect(await admin.getConsumerOffset({ streamId: 'offsets', topicId: 't', partitionId: 0, consumer: individualConsumer(5) })).toBeUndefined();
  });
});
