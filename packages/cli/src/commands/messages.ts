/**
 * `iggy message send|poll|flush`.
 *
 * send: messages come from the arguments, from --file (one per line, or the whole file with --raw)
 * or from stdin (same rules); they are sent in batches of --batch-size messages (at most ~1 MiB
 * each) with one set of user headers (--header key:kind:value) and one partitioning.
 *
 * poll: one strategy (--offset, --timestamp, --first, --last, --next; default --first); counts above
 * one poll's worth are read in chunks that continue by offset on the partition the first poll read.
 * Output as a text table, JSON, or raw payloads (one per line).
 */
import { readFile } from 'node:fs/promises';
import {
  type WireConsumer,
  type HeaderField,
  type Identifier,
  type Partitioning,
  type PollingStrategy,
  type ReceivedMessage,
  type SendMessage,
  balanced,
  encodeHeaders,
  groupConsumer,
  individualConsumer,
  messagesKey,
  partitionId as partitionIdPartitioning,
  pollingStrategy,
  PollingKind,
} from '@iggy-ts/sdk';
import type { YargsOptionDefinition } from 'yargs';
import { UsageError } from '../errors.js';
import { formatTable, formatTimestampUs, toJson } from '../output.js';
import { ProgressBar } from '../progress.js';
import { HEADER_KIND_NAMES, formatHeaderValue, parseHeader, parseIdentifier, parseInteger } from '../values.js';
import { type Args, type CommandContext, type CommandSpec, done, shown } from './command.js';

const STREAM = { name: 'stream', describe: 'Stream id or name' } as const;
const TOPIC = { name: 'topic', describe: 'Topic id or name' } as const;

/** Messages per SendMessages request by default, and the byte budget of one request. */
const SEND_BATCH_MESSAGES_DEFAULT = 1000;
const SEND_BATCH_BYTES_MAX = 1024 * 1024;
/** Messages asked for in one PollMessages request. */
const POLL_CHUNK_MESSAGES_MAX = 1000;
/** Payload bytes shown (as hex) for a binary payload in text output. */
const BINARY_PREVIEW_BYTES = 32;

// ---------------------------------------------------------------------------------------------
// send

/** Splits text into messages: one per line (\n or \r\n), empty lines skipped. */
export function splitLines(content: Buffer): Buffer[] {
  const messages: Buffer[] = [];
  let start = 0;
  while (start <= content.length) {
    let end = content.indexOf(0x0a, start);
    if (end < 0) end = content.length;
    let lineEnd = end;
    if (lineEnd > start && content[lineEnd - 1] === 0x0d) lineEnd -= 1;
    if (lineEnd > start) messages.push(content.subarray(start, lineEnd));
    start = end + 1;
  }
  return messages;
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The payloads to send, from the arguments, --file or stdin. */
async function payloadsToSend(context: CommandContext, args: Args): Promise<Buffer[]> {
  const fromArguments = [...args.strings('messages'), ...args.strings('--')];
  const file = args.optionalString('file');
  const raw = args.flag('raw');
  if (fromArguments.length > 0 && file !== undefined) throw new UsageError('give messages either as arguments or with --file, not both');
  if (fromArguments.length > 0) {
    if (raw) throw new UsageError('--raw applies to --file and stdin, not to messages given as arguments');
    return fromArguments.map((text) => Buffer.from(text, 'utf8'));
  }
  let content: Buffer;
  if (file !== undefined) content = await readFile(file);
  else {
    if (context.inShell || process.stdin.isTTY === true) throw new UsageError('no messages given: pass them as arguments, with --file, or on stdin');
    content = await readStdin();
  }
  const payloads = raw ? (content.length === 0 ? [] : [content]) : splitLines(content);
  if (payloads.length === 0) throw new UsageError(file === undefined ? 'no messages on stdin' : `no messages in '${file}'`);
  return payloads;
}

function partitioningOf(args: Args): { partitioning: Partitioning; description: string } {
  const partition = args.optionalInteger('partition-id', 0, 0xffff_ffff);
  const key = args.optionalString('key');
  const chosen = [partition !== undefined, key !== undefined, args.flag('balanced')].filter(Boolean).length;
  if (chosen > 1) throw new UsageError('choose one of --partition-id, --key and --balanced');
  if (partition !== undefined) return { partitioning: partitionIdPartitioning(partition), description: `partition ${partition}` };
  if (key !== undefined) {
    const bytes = Buffer.byteLength(key, 'utf8');
    if (bytes < 1 || bytes > 255) throw new UsageError(`--key must be 1..255 bytes, got ${bytes}`);
    return { partitioning: messagesKey(key), description: `key '${key}'` };
  }
  return { partitioning: balanced(), description: 'balanced' };
}

function headersOf(args: Args): Buffer {
  const headers = new Map<string, HeaderField>();
  for (const text of args.strings('header')) {
    const { key, value } = parseHeader(text);
    if (headers.has(key)) throw new UsageError(`--header '${key}' was given twice`);
    headers.set(key, value);
  }
  return headers.size === 0 ? Buffer.alloc(0) : encodeHeaders(headers);
}

/** Groups messages into requests of at most `batchMessages` messages and ~1 MiB. */
function batches(messages: readonly SendMessage[], batchMessages: number): SendMessage[][] {
  const result: SendMessage[][] = [];
  let current: SendMessage[] = [];
  let currentBytes = 0;
  for (const message of messages) {
    const size = 64 + message.payload.length + (message.userHeaders?.length ?? 0);
    if (current.length > 0 && (current.length >= batchMessages || currentBytes + size > SEND_BATCH_BYTES_MAX)) {
      result.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(message);
    currentBytes += size;
  }
  if (current.length > 0) result.push(current);
  return result;
}

async function sendMessages(context: CommandContext, args: Args): Promise<void> {
  const streamId = args.identifier('stream');
  const topicId = args.identifier('topic');
  const { partitioning, description } = partitioningOf(args);
  const userHeaders = headersOf(args);
  const batchMessages = args.optionalInteger('batch-size', 1, 100_000) ?? SEND_BATCH_MESSAGES_DEFAULT;
  const payloads = await payloadsToSend(context, args);
  const originTimestamp = Date.now() * 1000;
  // One header block shared by every message: it is encoded once, not per message.
  const messages: SendMessage[] = payloads.map((payload) => ({ id: 0n, payload, userHeaders, originTimestamp }));
  const client = await context.client();
  const groups = batches(messages, batchMessages);
  const progress = new ProgressBar(groups.length > 1 ? context.io.progressStream : undefined, messages.length, 'sent');
  try {
    for (const group of groups) {
      await client.sendMessages({ streamId, topicId, partitioning, messages: group });
      progress.advance(group.length);
    }
  } finally {
    progress.finish();
  }
  const count = messages.length;
  done(context, `sent ${count} message${count === 1 ? '' : 's'} to topic ${shown(topicId)} in stream ${shown(streamId)} (${description})`, {
    count,
    stream: streamId,
    topic: topicId,
    partitioning: description,
  });
}

// ---------------------------------------------------------------------------------------------
// poll

/** --timestamp: µs since the epoch, or a date/time that Date.parse understands. */
function parseTimestampUs(text: string): number {
  if (/^\d+$/.test(text)) return parseInteger(text, '--timestamp');
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new UsageError(`--timestamp must be µs since the epoch or a date like 2026-01-31T12:00:00Z, got '${text}'`);
  return ms * 1000;
}

function strategyOf(args: Args): PollingStrategy {
  const chosen: PollingStrategy[] = [];
  const offset = args.optionalInteger('offset');
  if (offset !== undefined) chosen.push(pollingStrategy.offset(offset));
  const timestamp = args.optionalString('timestamp');
  if (timestamp !== undefined) chosen.push(pollingStrategy.timestamp(parseTimestampUs(timestamp)));
  if (args.flag('first')) chosen.push(pollingStrategy.first());
  if (args.flag('last')) chosen.push(pollingStrategy.last());
  if (args.flag('next')) chosen.push(pollingStrategy.next());
  if (chosen.length > 1) throw new UsageError('choose one of --offset, --timestamp, --first, --last and --next');
  return chosen[0] ?? pollingStrategy.first();
}

/** The wire consumer of --consumer / --group (default: individual consumer 0). */
export function consumerOf(args: Args): { consumer: WireConsumer; group: Identifier | undefined; description: string } {
  const consumerText = args.optionalString('consumer');
  const groupText = args.optionalString('group');
  if (consumerText !== undefined && groupText !== undefined) throw new UsageError('choose either --consumer or --group');
  if (groupText !== undefined) {
    const group = parseIdentifier(groupText, '--group');
    return { consumer: groupConsumer(group), group, description: `consumer group ${shown(group)}` };
  }
  const id = consumerText === undefined ? 0 : parseIdentifier(consumerText, '--consumer');
  return { consumer: individualConsumer(id), group: undefined, description: `consumer ${shown(id)}` };
}

/** Options shared by poll and the offset commands. */
export const CONSUMER_OPTIONS: Readonly<Record<string, YargsOptionDefinition>> = {
  'partition-id': { type: 'string', requiresArg: true, describe: 'Partition id (default 0 for a consumer; for a group, one of its partitions)' },
  consumer: { type: 'string', requiresArg: true, describe: 'Consumer id or name (default 0)' },
  group: { type: 'string', requiresArg: true, describe: 'Consumer group id or name (this connection joins it)' },
};

/** True when the bytes are valid UTF-8. */
function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** A payload on one line: text with control characters escaped, or a hex preview of binary data. */
function payloadText(payload: Buffer): string {
  if (isUtf8(payload)) {
    // eslint-disable-next-line no-control-regex
    return payload.toString('utf8').replace(/[\u0000-\u001f\u007f]/g, (char) => (char === '\n' ? '\\n' : char === '\t' ? '\\t' : char === '\r' ? '\\r' : `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`));
  }
  const preview = payload.subarray(0, BINARY_PREVIEW_BYTES).toString('hex');
  return `0x${preview}${payload.length > BINARY_PREVIEW_BYTES ? '…' : ''} (${payload.length} bytes)`;
}

function headersText(message: ReceivedMessage): string {
  const pairs = message.headerPairs();
  if (pairs.length === 0) return '-';
  return pairs.map(({ key, value }) => `${formatHeaderValue(key)}:${HEADER_KIND_NAMES[value.kind] ?? value.kind}:${formatHeaderValue(value)}`).join(' ');
}

function messageJson(message: ReceivedMessage): Record<string, unknown> {
  const headers: Record<string, { kind: string; value: unknown }> = {};
  for (const { key, value } of message.headerPairs()) {
    headers[formatHeaderValue(key)] = { kind: HEADER_KIND_NAMES[value.kind] ?? String(value.kind), value: value.kind === 1 ? formatHeaderValue(value) : value.value };
  }
  const text = isUtf8(message.payload);
  return {
    partitionId: message.partitionId,
    offset: message.offset,
    id: message.uuid,
    timestamp: message.timestamp,
    originTimestamp: message.originTimestamp,
    checksum: message.checksum.toString(),
    headers,
    ...(text ? { payload: message.payload.toString('utf8') } : { payloadBase64: message.payload.toString('base64') }),
  };
}

async function pollMessages(context: CommandContext, args: Args): Promise<void> {
  const streamId = args.identifier('stream');
  const topicId = args.identifier('topic');
  const requestedPartition = args.optionalInteger('partition-id', 0, 0xffff_ffff);
  const count = args.optionalInteger('count', 1, 100_000_000) ?? 10;
  const autoCommit = args.flag('auto-commit');
  const { consumer, group } = consumerOf(args);
  let strategy = strategyOf(args);
  const client = await context.client();
  if (group !== undefined) await client.joinConsumerGroup({ streamId, topicId, groupId: group });

  const messages: ReceivedMessage[] = [];
  let partitionId = requestedPartition;
  let currentOffset = 0;
  let polledPartition: number | undefined;
  const progress = new ProgressBar(count > POLL_CHUNK_MESSAGES_MAX ? context.io.progressStream : undefined, count, 'polled');
  try {
    let remaining = count;
    while (remaining > 0) {
      const chunk = Math.min(remaining, POLL_CHUNK_MESSAGES_MAX);
      const batch = await client.pollMessages({ streamId, topicId, consumer, partitionId, strategy, count: chunk, autoCommit });
      polledPartition = batch.partitionId;
      currentOffset = batch.currentOffset;
      if (context.output === 'raw') {
        for (const message of batch.messages) {
          context.io.raw(message.payload);
          context.io.raw('\n');
        }
      } else messages.push(...batch.messages);
      remaining -= batch.messages.length;
      progress.advance(batch.messages.length);
      // 'last' is one window; a short batch means the partition has no more.
      if (batch.messages.length < chunk || strategy.kind === PollingKind.Last || batch.messages.length === 0) break;
      partitionId = batch.partitionId;
      strategy = pollingStrategy.offset(batch.messages[batch.messages.length - 1]!.offset + 1);
    }
  } finally {
    progress.finish();
  }
  if (context.output === 'raw') return;
  if (context.output === 'json') {
    context.io.out(toJson({ partitionId: polledPartition ?? requestedPartition ?? null, currentOffset, count: messages.length, messages: messages.map(messageJson) }));
    return;
  }
  if (messages.length === 0) {
    context.io.out(`no messages (partition ${polledPartition ?? requestedPartition ?? 0}, current offset ${currentOffset})`);
    return;
  }
  const withHeaders = messages.some((message) => message.userHeaders.length > 0);
  const headers = withHeaders ? ['OFFSET', 'TIMESTAMP', 'HEADERS', 'PAYLOAD'] : ['OFFSET', 'TIMESTAMP', 'PAYLOAD'];
  const rows = messages.map((message) => {
    const payload = payloadText(message.payload);
    const timestamp = formatTimestampUs(message.timestamp, true);
    return withHeaders ? [message.offset, timestamp, headersText(message), payload] : [message.offset, timestamp, payload];
  });
  context.io.out(formatTable(headers, rows));
}

// ---------------------------------------------------------------------------------------------

const SEND_OPTIONS: Readonly<Record<string, YargsOptionDefinition>> = {
  'partition-id': { type: 'string', requiresArg: true, describe: 'Send to this partition' },
  key: { type: 'string', requiresArg: true, describe: 'Messages key: equal keys go to the same partition' },
  balanced: { type: 'boolean', describe: 'Let the server pick partitions round robin (the default)' },
  header: { type: 'string', array: true, requiresArg: true, describe: 'User header key:kind:value (kinds: string, bool, int8..int128, uint8..uint128, float32, float64, raw as hex); repeatable' },
  file: { type: 'string', requiresArg: true, describe: 'Read messages from a file, one per line' },
  raw: { type: 'boolean', describe: 'With --file or stdin: the whole content is one message' },
  'batch-size': { type: 'string', requiresArg: true, describe: `Messages per request (default ${SEND_BATCH_MESSAGES_DEFAULT})` },
};

const POLL_OPTIONS: Readonly<Record<string, YargsOptionDefinition>> = {
  ...CONSUMER_OPTIONS,
  offset: { type: 'string', requiresArg: true, describe: 'Start at this offset' },
  timestamp: { type: 'string', requiresArg: true, describe: 'Start at this time (µs since the epoch, or e.g. 2026-01-31T12:00:00Z)' },
  first: { type: 'boolean', describe: 'Start at the first message (the default)' },
  last: { type: 'boolean', describe: 'The last --count messages' },
  next: { type: 'boolean', describe: "Start after the consumer's stored offset" },
  count: { type: 'string', requiresArg: true, describe: 'Most messages to return (default 10)' },
  'auto-commit': { type: 'boolean', describe: 'Store the offset of the last returned message' },
};

export const messageCommands: readonly CommandSpec[] = [
  {
    path: ['message', 'send'],
    describe: 'Send messages (from the arguments, --file or stdin)',
    positionals: [STREAM, TOPIC, { name: 'messages', describe: 'Message payloads (UTF-8)', optional: true, variadic: true }],
    options: SEND_OPTIONS,
    examples: [
      ['iggy message send dev sample --partition-id 1 "hello world" "lorem ipsum"', 'two messages to partition 1'],
      ['iggy message send dev sample --key user-7 --header source:string:cli "hi"', 'keyed message with a header'],
      ['iggy message send dev sample --file events.txt', 'one message per line of events.txt'],
      ['cat image.png | iggy message send dev sample --raw', 'stdin as one message'],
    ],
    run: sendMessages,
  },
  {
    path: ['message', 'poll'],
    describe: 'Poll messages from a partition',
    positionals: [STREAM, TOPIC],
    options: POLL_OPTIONS,
    rawOutput: true,
    examples: [
      ['iggy message poll dev sample --partition-id 1 --offset 0 --count 10', 'ten messages from offset 0'],
      ['iggy message poll dev sample --group workers --next --auto-commit', 'the next messages of a consumer group'],
      ['iggy message poll dev sample --last --count 5 --output raw', 'the last five payloads, one per line'],
    ],
    run: pollMessages,
  },
  {
    path: ['message', 'flush'],
    describe: "Write a partition's buffered messages to disk",
    positionals: [STREAM, TOPIC, { name: 'partition', describe: 'Partition id' }],
    options: { fsync: { type: 'boolean', describe: 'Also fsync the files' } },
    async run(context, args) {
      const streamId = args.identifier('stream');
      const topicId = args.identifier('topic');
      const partitionId = args.integer('partition', 0, 0xffff_ffff);
      const fsync = args.flag('fsync');
      await (await context.client()).flushUnsavedBuffer({ streamId, topicId, partitionId, fsync });
      done(context, `flushed partition ${partitionId} of topic ${shown(topicId)} in stream ${shown(streamId)}${fsync ? ' (fsync)' : ''}`);
    },
  },
];
