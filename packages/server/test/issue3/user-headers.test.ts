// User headers (reference 5.2): a block with every one of the 15 kinds, as values and as keys, goes
// through SendMessages and PollMessages byte for byte (the server stores it verbatim), and a block
// over 100,000 bytes is refused with 4017.
import {
  CommandCode,
  ErrorCode,
  HeaderKind,
  MessageHeader,
  decodeSendMessagesHeader,
  decodeUserHeaders,
  encodeSendMessagesRequest,
  encodeUserHeaders,
  headerField,
  partitionId,
  pollingStrategy,
  type UserHeader,
} from '@iggy-ts/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestServer, type TestClient } from './helpers.js';

const RAW = Buffer.from(Array.from({ length: 255 }, (_, i) => i)); // every byte value but 255, longest raw value

/** One value of every kind, at the edges of its range. */
const VALUES: [string, UserHeader['value']][] = [
  ['raw', headerField.raw(RAW)],
  ['string', headerField.string('zażółć gęślą jaźń 🚀')],
  ['bool-true', headerField.bool(true)],
  ['bool-false', headerField.bool(false)],
  ['int8', headerField.int8(-128)],
  ['int16', headerField.int16(-32_768)],
  ['int32', headerField.int32(-2_147_483_648)],
  ['int64', headerField.int64(-(1n << 63n))],
  ['int128', headerField.int128(-(1n << 127n) + 12_345n)],
  ['uint8', headerField.uint8(255)],
  ['uint16', headerField.uint16(65_535)],
  ['uint32', headerField.uint32(4_294_967_295)],
  ['uint64', headerField.uint64((1n << 64n) - 1n)],
  ['uint128', headerField.uint128((1n << 128n) - 2n)],
  ['float32', headerField.float32(Math.fround(-3.4e38))],
  ['float64', headerField.float64(Number.MIN_VALUE)],
];

/** Keys of every kind (the 0.8 format types keys too). */
const KEYS: UserHeader['key'][] = [
  headerField.raw(Buffer.from([0, 255, 1])),
  headerField.string('k'),
  headerField.bool(true),
  headerField.int8(-1),
  headerField.int16(300),
  headerField.int32(-70_000),
  headerField.int64(1n << 40n),
  headerField.int128(-1n),
  headerField.uint8(7),
  headerField.uint16(8),
  headerField.uint32(9),
  headerField.uint64(10n),
  headerField.uint128(11n),
  headerField.float32(0.5),
  headerField.float64(-2.25),
];

describe('user headers', () => {
  let server: TestServer;
  let root: TestClient;
  let streamId: number;
  let topicId: number;

  beforeAll(async () => {
    server = await TestServer.start();
    root = await server.client();
    streamId = (await root.createStream('headers')).id;
    topicId = (await root.createTopic(streamId, 'events', 1)).id;
  });

  afterAll(async () => {
    await root?.close();
    await server?.stop();
  });

  it('round-trips a block with every kind as value and as key, byte for byte', async () => {
    const values: UserHeader[] = VALUES.map(([name, value]) => ({ key: headerField.string(name), value }));
    const keys: UserHeader[] = KEYS.map((key, i) => ({ key, value: headerField.uint16(i) }));
    expect(new Set([...values.map((pair) => pair.value.kind), ...keys.map((pair) => pair.key.kind)])).toEqual(new Set(Object.values(HeaderKind)));
    const blocks = [encodeUserHeaders(values), encodeUserHeaders(keys), encodeUserHeaders([...keys, ...values])];
    const messages = [
      ...blocks.map((userHeaders, i) => ({ payload: Buffer.from(`with-headers-${i}`), userHeaders })),
      { payload: Buffer.from('without-headers') },
    ];
    expect(await root.send(streamId, topicId, 0, messages)).toBe(0);
    const polled = await root.poll(streamId, topicId, 0, pollingStrategy.first(), 10);
    expect(polled.count).toBe(4);
    for (const [i, block] of blocks.entries()) {
      const message = polled.messages[i]!;
      expect(message.payload.toString()).toBe(`with-headers-${i}`);
      expect(message.userHeaders.equals(block)).toBe(true);
    }
    expect(decodeUserHeaders(polled.messages[0]!.userHeaders)).toEqual(values);
    expect(decodeUserHeaders(polled.messages[1]!.userHeaders)).toEqual(keys);
    expect(polled.messages[3]!.userHeaders).toHaveLength(0);
  });

  it('accepts a block of exactly 100,000 bytes and refuses one byte more with 4017', async () => {
    // 370 pairs of 270 bytes (5-byte key, 255-byte raw value) plus one pair of 100 bytes.
    const pairs: UserHeader[] = Array.from({ length: 370 }, (_, i) => ({ key: headerField.string(`k${String(i).padStart(4, '0')}`), value: headerField.raw(RAW) }));
    pairs.push({ key: headerField.string('tail!'), value: headerField.raw(RAW.subarray(0, 85)) });
    const block = encodeUserHeaders(pairs);
    expect(block).toHaveLength(100_000);
    const before = await root.poll(streamId, topicId, 0, pollingStrategy.last(), 1);

    // The client encoder refuses to build an oversized block, so move one byte of payload into the
    // header block by editing the two length fields of an otherwise valid request.
    const request = encodeSendMessagesRequest({ streamId, topicId, partitioning: partitionId(0), messages: [{ payload: Buffer.from('xy'), userHeaders: block }] });
    const message = decodeSendMessagesHeader(request).messagesStart;
    expect(request.readUInt32LE(message + MessageHeader.userHeadersLength)).toBe(100_000);
    request.writeUInt32LE(100_001, message + MessageHeader.userHeadersLength);
    request.writeUInt32LE(1, message + MessageHeader.payloadLength);
    expect(await root.status(CommandCode.SendMessages, request)).toBe(ErrorCode.TooBigUserHeaders);
    // Nothing was appended.
    expect((await root.poll(streamId, topicId, 0, pollingStrategy.last(), 1)).currentOffset).toBe(before.currentOffset);

    expect(await root.send(streamId, topicId, 0, [{ payload: Buffer.from('big'), userHeaders: block }])).toBe(0);
    const polled = await root.poll(streamId, topicId, 0, pollingStrategy.last(), 1);
    expect(polled.currentOffset).toBe(before.currentOffset + 1);
    expect(polled.messages[0]!.payload.toString()).toBe('big');
    expect(polled.messages[0]!.userHeaders.equals(block)).toBe(true);
  });
});
