/**
 * Frame-level fuzzing of a live server. Each round opens a connection and pipelines a random mix of
 * frames, written as one byte stream cut into random chunks:
 *   valid commands (Ping, GetStream, polls of a reference partition whose content is known, sends to
 *   a verified topic whose content is checked at the end), unknown codes, known codes with random payloads, truncated and mutated valid
 *   payloads, frames above the configured size limits, frames whose length field is below 4, and a
 *   few frames before login.
 * Every frame must get exactly one response, in order, with the status its kind implies (the server
 * drains oversized and too-short frames, so the stream never desynchronises; docs: protocol
 * framing.ts), no frame may arrive unasked, valid polls must return the reference bytes unchanged,
 * and after every round a fresh connection must still log in and read the reference partition.
 * Some rounds end by abandoning a half-written frame. Seeded (TEST_SEED / FUZZ_SEED replays), ~8 s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CommandCode,
  ConsumerKind,
  ErrorCode,
  decodeGetStreamResponse,
  encodeGetStreamRequest,
  encodeGetTopicRequest,
  encodeLoginUserRequest,
  encodePollMessagesRequest,
  encodeSendMessagesRequest,
  encodeStoreConsumerOffsetRequest,
  initHashes,
  isKnownCommand,
  partitionId,
  pollingStrategy,
  writeRequestHeader,
  type SendMessage,
} from '@iggy-ts/protocol';
import { TestClient } from '../helpers/client.js';
import { Connection, type RawResponse } from '../helpers/connection.js';
import { messageDifference, parsePollResponse, randomMessages, type StoredMessage } from '../helpers/messages.js';
import { Random, testSeed, withSeed } from '../helpers/random.js';
import { startServer, type TestServer } from '../helpers/server.js';

const CONTROL_PAYLOAD_MAX_BYTES = 16 * 1024;
const SEND_MESSAGES_PAYLOAD_MAX_BYTES = 64 * 1024;
const DURATION_MS = 8_000;
const ROUNDS_MAX = 60;

/**
 * Known commands that random payloads may hit without ending the test's assumptions: no logout, no
 * deletes, purges, user or permission changes, no topic/partition creation (a random partition count
 * up to 1000 would allocate a ring buffer per partition), no snapshot (slow by design).
 */
const SAFE_KNOWN_CODES = [1, 10, 12, 20, 21, 22, 31, 32, 38, 41, 42, 44, 100, 101, 102, 120, 121, 122, 200, 201, 202, 300, 301, 600, 601, 602, 604, 605];

type Expectation = { kind: 'status'; status: number } | { kind: 'nonzero' } | { kind: 'any' } | { kind: 'check'; check: (response: RawResponse) => void };

interface FuzzFrame {
  label: string;
  bytes: Buffer;
  expectation: Expectation;
}

let server: TestServer;
let reference: StoredMessage[] = [];
const REFERENCE_STREAM = 'fuzz-reference';
let referenceStreamId = 0;
let scratchStreamId = 0;
/** Valid sends of the fuzz rounds go here (by stream name); their messages are checked at the end. */
const VERIFIED_STREAM = 'fuzz-verified';
const verifiedSent: SendMessage[][] = [[], []];

beforeAll(async () => {
  await initHashes();
  server = await startServer({
    limits: { controlPayloadSizeBytesMax: CONTROL_PAYLOAD_MAX_BYTES, sendMessagesPayloadSizeBytesMax: SEND_MESSAGES_PAYLOAD_MAX_BYTES },
    durability: { mode: 'buffered' },
  });
  const client = await TestClient.login(server.port);
  const stream = await client.createStream(REFERENCE_STREAM);
  referenceStreamId = stream.id;
  await client.createTopic(stream.id, 'reference', 1);
  const random = new Random(1);
  for (let batch = 0; batch < 5; batch += 1) await client.send(stream.id, 0, partitionId(0), randomMessages(random, 20, { payloadSizeBytesMax: 300 }));
  reference = (await client.poll({ streamId: stream.id, topicId: 0, partitionId: 0, strategy: pollingStrategy.first(), count: 1000 })).messages;
  expect(reference).toHaveLength(100);
  const scratch = await client.createStream('fuzz-scratch');
  scratchStreamId = scratch.id;
  await client.createTopic(scratch.id, 'scratch', 2);
  const verified = await client.createStream(VERIFIED_STREAM);
  await client.createTopic(verified.id, 'verified', 2);
  await client.close();
});

afterAll(async () => {
  await server?.dispose();
});

function frame(code: number, payload: Uint8Array): Buffer {
  const bytes = Buffer.allocUnsafe(8 + payload.length);
  writeRequestHeader(bytes, 0, code, payload.length);
  bytes.set(payload, 8);
  return bytes;
}

/** A frame whose header declares `payload.length` bytes but whose code and payload are as given. */
function framed(label: string, code: number, payload: Uint8Array, expectation: Expectation): FuzzFrame {
  return { label, bytes: frame(code, payload), expectation };
}

function expectReferenceSlice(response: RawResponse, from: number, count: number): void {
  expect(response.status).toBe(0);
  const polled = parsePollResponse(response.payload);
  const expected = reference.slice(from, from + count);
  expect(polled.messages.length).toBe(expected.length);
  polled.messages.forEach((message, i) => expect(message.raw.equals(expected[i]!.raw), `reference offset ${from + i} changed`).toBe(true));
}

function validPoll(random: Random): FuzzFrame {
  const from = random.integer(reference.length);
  const count = random.between(1, 30);
  const payload = encodePollMessagesRequest({
    consumer: { kind: ConsumerKind.Consumer, id: random.integer(5) },
    streamId: random.chance(0.5) ? referenceStreamId : REFERENCE_STREAM,
    topicId: 0,
    partitionId: 0,
    strategy: pollingStrategy.offset(from),
    count: Math.min(count, reference.length - from),
    autoCommit: random.chance(0.3),
  });
  return framed(`poll ${from}+${count}`, CommandCode.PollMessages, payload, { kind: 'check', check: (response) => expectReferenceSlice(response, from, Math.min(count, reference.length - from)) });
}

function validFrames(random: Random): FuzzFrame[] {
  return [
    framed('ping', CommandCode.Ping, Buffer.alloc(0), { kind: 'check', check: (response) => expect(response).toEqual({ status: 0, payload: Buffer.alloc(0) }) }),
    framed('get stream', CommandCode.GetStream, encodeGetStreamRequest({ streamId: referenceStreamId }), {
      kind: 'check',
      check: (response) => {
        expect(response.status).toBe(0);
        expect(decodeGetStreamResponse(response.payload)?.name).toBe(REFERENCE_STREAM);
      },
    }),
    validPoll(random),
    validSend(random),
  ];
}

/**
 * A valid send to the verified stream, recorded when built: frames of one connection are handled in
 * order and rounds run one after another, so the recorded order is the append order. Mutated frames
 * are built from scratch-stream templates with numeric ids; even if one lands here, the final check
 * only looks at messages whose ids were recorded.
 */
function validSend(random: Random): FuzzFrame {
  const partition = random.integer(2);
  const large = random.chance(0.1);
  // Large ones (up to ≈ 57 KB, below the 64 KiB limit) span many socket chunks.
  const messages = randomMessages(random, large ? random.between(15, 30) : random.between(1, 5), { payloadSizeBytesMax: large ? 1500 : 200 });
  const payload = encodeSendMessagesRequest({ streamId: VERIFIED_STREAM, topicId: 0, partitioning: partitionId(partition), messages });
  return framed(`send ${messages.length} to verified/${partition}`, CommandCode.SendMessages, payload, {
    kind: 'check',
    check: (response) => {
      expect(response.status).toBe(0);
      verifiedSent[partition]!.push(...messages);
    },
  });
}

/** Valid payloads of commands whose truncation must fail cleanly (every field is mandatory). */
function truncatablePayloads(random: Random): [number, Buffer][] {
  return [
    [CommandCode.GetStream, encodeGetStreamRequest({ streamId: random.chance(0.5) ? 'some-stream-name' : 3 })],
    [CommandCode.GetTopic, encodeGetTopicRequest({ streamId: referenceStreamId, topicId: 0 })],
    [
      CommandCode.PollMessages,
      encodePollMessagesRequest({ consumer: { kind: ConsumerKind.Consumer, id: 1 }, streamId: referenceStreamId, topicId: 0, partitionId: 0, strategy: pollingStrategy.first(), count: 3, autoCommit: false }),
    ],
    [CommandCode.StoreConsumerOffset, encodeStoreConsumerOffsetRequest({ consumer: { kind: ConsumerKind.Consumer, id: 9 }, streamId: referenceStreamId, topicId: 0, partitionId: 0, offset: 3 })],
    [CommandCode.LoginUser, encodeLoginUserRequest({ username: 'iggy', password: 'iggy' })],
    [CommandCode.SendMessages, encodeSendMessagesRequest({ streamId: scratchStreamId, topicId: 0, partitioning: partitionId(0), messages: randomMessages(random, 3, { payloadSizeBytesMax: 50 }) })],
  ];
}

function unknownCode(random: Random): number {
  for (;;) {
    const code = random.chance(0.5) ? random.integer(1000) : (random.float() * 0x1_0000_0000) >>> 0;
    if (!isKnownCommand(code)) return code;
  }
}

function randomFrame(random: Random): FuzzFrame {
  const choice = random.integer(100);
  if (choice < 30) return random.pick(validFrames(random));
  if (choice < 42) return framed('unknown code', unknownCode(random), random.bytes(random.integer(300)), { kind: 'status', status: ErrorCode.InvalidCommand });
  if (choice < 62) {
    const code = random.pick(SAFE_KNOWN_CODES);
    return framed(`random payload for ${code}`, code, random.bytes(random.integer(random.chance(0.2) ? 4000 : 120)), { kind: 'any' });
  }
  if (choice < 74) {
    const [code, payload] = random.pick(truncatablePayloads(random));
    const cut = random.integer(payload.length);
    return framed(`truncated ${code} (${cut} of ${payload.length})`, code, payload.subarray(0, cut), { kind: 'nonzero' });
  }
  if (choice < 84) {
    const [code, payload] = random.pick(truncatablePayloads(random));
    const mutated = Buffer.from(payload);
    for (let flips = random.between(1, 4); flips > 0; flips -= 1) mutated[random.integer(mutated.length)] = random.integer(256);
    return framed(`mutated ${code}`, code, mutated, { kind: 'any' });
  }
  if (choice < 92) {
    const sendMessages = random.chance(0.3);
    const code = sendMessages ? CommandCode.SendMessages : random.chance(0.5) ? unknownCode(random) : random.pick(SAFE_KNOWN_CODES.filter((known) => known !== CommandCode.SendMessages));
    const limit = sendMessages ? SEND_MESSAGES_PAYLOAD_MAX_BYTES : CONTROL_PAYLOAD_MAX_BYTES;
    return framed(`oversized ${code}`, code, random.bytes(limit + random.between(1, 5000)), { kind: 'status', status: ErrorCode.InvalidCommand });
  }
  // Length field below 4: the server answers 3 and skips the `length` bytes that follow the field.
  const length = random.integer(4);
  const bytes = Buffer.concat([Buffer.from([length, 0, 0, 0]), random.bytes(length)]);
  return { label: `length ${length}`, bytes, expectation: { kind: 'status', status: ErrorCode.InvalidCommand } };
}

function checkResponse(fuzzFrame: FuzzFrame, response: RawResponse, index: number): void {
  const where = `frame ${index} (${fuzzFrame.label})`;
  const expectation = fuzzFrame.expectation;
  if (expectation.kind === 'status') expect(response.status, where).toBe(expectation.status);
  else if (expectation.kind === 'nonzero') expect(response.status, where).not.toBe(0);
  else if (expectation.kind === 'check') {
    try {
      expectation.check(response);
    } catch (error) {
      (error as Error).message = `${where}: ${(error as Error).message}`;
      throw error;
    }
  }
  if (response.status !== 0) expect(response.payload.length, `${where}: error responses carry no payload`).toBe(0);
  // Status 1 (Error) is what the router answers when a handler throws something unexpected: a bug.
  expect(response.status, `${where}: the server failed internally`).not.toBe(ErrorCode.Error);
}

/** Writes `bytes` in random chunks, yielding to the event loop between some of them. */
async function writeChunked(connection: Connection, bytes: Buffer, random: Random): Promise<void> {
  let at = 0;
  while (at < bytes.length) {
    const size = random.chance(0.3) ? random.between(1, 16) : random.between(1, 8192);
    const end = Math.min(bytes.length, at + size);
    await connection.writeRaw(bytes.subarray(at, end));
    at = end;
    if (random.chance(0.1)) await new Promise((resolve) => setImmediate(resolve));
  }
}

async function runRound(random: Random, round: number): Promise<number> {
  const connection = await Connection.open(server.port);
  const frames: FuzzFrame[] = [
    framed('before login: get streams', CommandCode.GetStreams, Buffer.alloc(0), { kind: 'status', status: ErrorCode.Unauthenticated }),
    framed('before login: send', CommandCode.SendMessages, encodeSendMessagesRequest({ streamId: scratchStreamId, topicId: 0, partitioning: partitionId(0), messages: randomMessages(random, 2) }), {
      kind: 'status',
      status: ErrorCode.Unauthenticated,
    }),
    framed('before login: unknown code', unknownCode(random), random.bytes(10), { kind: 'status', status: ErrorCode.InvalidCommand }),
    framed('login', CommandCode.LoginUser, encodeLoginUserRequest({ username: 'iggy', password: 'iggy' }), { kind: 'check', check: (response) => expect(response.status).toBe(0) }),
  ];
  const count = random.between(20, 120);
  for (let i = 0; i < count; i += 1) frames.push(randomFrame(random));
  const responses = frames.map(() => connection.expectResponse());
  const abandon = random.chance(0.2);
  let bytes = Buffer.concat(frames.map((fuzzFrame) => fuzzFrame.bytes));
  if (abandon) {
    // A frame cut short before the connection goes away: no response is expected for it.
    const partial = frame(CommandCode.PollMessages, random.bytes(400));
    bytes = Buffer.concat([bytes, partial.subarray(0, random.between(1, partial.length - 1))]);
  }
  await writeChunked(connection, bytes, random);

  const settled = await Promise.race([
    Promise.allSettled(responses),
    new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000)),
  ]);
  if (settled === 'timeout') expect.fail(`round ${round}: ${connection.pendingCount} of ${frames.length} responses missing after 10 s`);
  settled.forEach((result, i) => {
    if (result.status === 'rejected') expect.fail(`round ${round}: frame ${i} (${frames[i]!.label}) got no response: ${String(result.reason)}`);
    checkResponse(frames[i]!, result.value, i);
  });
  expect(connection.unsolicited, `round ${round}: frames nobody asked for`).toEqual([]);
  expect(connection.isOpen, `round ${round}: the server closed the connection`).toBe(true);
  if (abandon) connection.destroy();
  else await connection.close();
  return frames.length;
}

async function checkServerHealthy(): Promise<void> {
  const client = await TestClient.login(server.port);
  const polled = await client.poll({ streamId: REFERENCE_STREAM, topicId: 0, partitionId: 0, strategy: pollingStrategy.offset(0), count: reference.length });
  expect(polled.messages.length).toBe(reference.length);
  polled.messages.forEach((message, i) => expect(message.raw.equals(reference[i]!.raw), `reference offset ${i} changed`).toBe(true));
  await client.close();
}

/** Every message of the valid sends is stored, in order, byte for byte (frames were split at random). */
async function checkVerifiedStream(): Promise<number> {
  const client = await TestClient.login(server.port);
  let checked = 0;
  for (const partition of [0, 1]) {
    const expected = verifiedSent[partition]!;
    const ids = new Set(expected.map((message) => message.id));
    const stored: StoredMessage[] = [];
    for (let offset = 0; ; ) {
      const page = await client.poll({ streamId: VERIFIED_STREAM, topicId: 0, partitionId: partition, strategy: pollingStrategy.offset(offset), count: 1000 });
      if (page.messages.length === 0) break;
      stored.push(...page.messages);
      offset = page.messages[page.messages.length - 1]!.offset + 1;
    }
    for (const message of stored) expect(message.checksumValid, `verified/${partition} offset ${message.offset}`).toBe(true);
    const recorded = stored.filter((message) => ids.has(message.id));
    expect(recorded.length, `verified/${partition}: stored messages of the valid sends`).toBe(expected.length);
    recorded.forEach((message, i) => {
      const difference = messageDifference(expected[i]!, message);
      if (difference !== undefined) expect.fail(`verified/${partition}: ${difference}`);
    });
    checked += recorded.length;
  }
  await client.close();
  return checked;
}

describe('frame fuzzing against a live server', () => {
  it('answers every frame exactly once and in order, never crashes and never changes acknowledged messages', async () => {
    const seed = testSeed();
    const random = new Random(seed);
    let rounds = 0;
    let frames = 0;
    await withSeed(seed, async () => {
      const started = Date.now();
      while (rounds < ROUNDS_MAX && Date.now() - started < DURATION_MS) {
        frames += await runRound(random, rounds);
        await checkServerHealthy();
        rounds += 1;
      }
    });
    const verified = await withSeed(seed, checkVerifiedStream);
    console.log(`server fuzz (seed ${seed}): ${rounds} rounds, ${frames} frames, ${verified} messages of valid sends verified`);
    expect(rounds).toBeGreaterThan(3);
  });
});
