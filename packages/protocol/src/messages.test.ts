import { beforeAll, describe, expect, it } from 'vitest';
import {
  POLL_RESPONSE_HEADER_SIZE_BYTES,
  type PolledMessages,
  type SendMessagesHeader,
  decodeFlushUnsavedBufferRequest,
  decodePollMessagesRequest,
  decodePollMessagesResponse,
  decodeSendMessagesHeader,
  decodeSendMessagesRequest,
  decodeSendMessagesResponse,
  encodeFlushUnsavedBufferRequest,
  encodePollMessagesRequest,
  encodePollMessagesResponse,
  encodeSendMessagesRequest,
  encodeSendMessagesResponse,
  pollingStrategy,
  validateSendMessages,
  writePollMessagesResponseHeader,
} from './messages.js';
import { balanced, messagesKey, partitionId } from './partitioning.js';
import { encodeRequestFrame } from './framing.js';
import { initHashes, writeXxh3Le, xxh3, xxh3LeEquals } from './hash.js';
import { MessageHeader } from './message-layout.js';
import { ErrorCode } from './errors.js';
import { encodeUserHeaders, headerField } from './user-headers.js';
import { expectCodec, expectDecodeError, expectIggyError, expectTruncationsRejected, hex, thrown } from '../test/helpers.js';
import { DecodeError } from './reader.js';

/** The worked example of reference 5.3.5 (origin_timestamp 0). */
const SEND_EXAMPLE_FRAME = hex(`
  6c 00 00 00  65 00 00 00
  12 00 00 00
  01 04 00 00 00 00  01 04 00 00 00 00  01 00  01 00 00 00
  00 00 00 00 42 00 00 00 00 00 00 00 00 00 00 00
  0000000000000000 00000000000000000000000000000000 0000000000000000 0000000000000000
  0000000000000000 00000000 02000000 0000000000000000
  68 69`);

function sendPayload(messages: { payload: Buffer; userHeaders?: Buffer }[]): Buffer {
  return encodeSendMessagesRequest({ streamId: 0, topicId: 0, partitioning: balanced(), messages });
}

function validate(payload: Buffer): number {
  return validateSendMessages(payload, decodeSendMessagesHeader(payload));
}

function headerOf(payload: Buffer): SendMessagesHeader {
  return decodeSendMessagesHeader(payload);
}

describe('SendMessages request', () => {
  it('encodes the reference example frame byte for byte', () => {
    const payload = sendPayload([{ payload: Buffer.from('hi') }]);
    expect(encodeRequestFrame(101, payload)).toEqual(SEND_EXAMPLE_FRAME);
  });

  it('decodes the reference example header on the server side', () => {
    const payload = SEND_EXAMPLE_FRAME.subarray(8);
    expect(decodeSendMessagesHeader(payload)).toEqual({
      streamId: 0,
      topicId: 0,
      partitioning: { kind: 1, value: Buffer.alloc(0) },
      messagesCount: 1,
      indexStart: 22,
      messagesStart: 38,
    });
    expect(validate(payload)).toBe(0);
  });

  it('writes cumulative end positions, ids, origin timestamps and user headers', () => {
    const userHeaders = encodeUserHeaders([{ key: headerField.string('k'), value: headerField.uint32(7) }]);
    const payload = encodeSendMessagesRequest({
      streamId: 'orders',
      topicId: 3,
      partitioning: messagesKey('user-1'),
      messages: [
        { payload: Buffer.from('a'), id: 5n, originTimestamp: 1_700_000_000_000_123 },
        { payload: Buffer.from('bcd'), userHeaders, id: (1n << 127n) + 9n },
        { payload: Buffer.alloc(0) },
      ],
    });
    const header = headerOf(payload);
    expect(header.streamId).toBe('orders');
    expect(header.topicId).toBe(3);
    expect(header.partitioning.value.toString()).toBe('user-1');
    const positions = [0, 1, 2].map((i) => payload.readUInt32LE(header.indexStart + 16 * i + 4));
    expect(positions).toEqual([65, 65 + 67 + userHeaders.length, 65 + 67 + userHeaders.length + 64]);
    expect(validate(payload)).toBe(0);
    const decoded = decodeSendMessagesRequest(payload);
    expect(decoded.messages.map((m) => [m.id, m.payload.toString(), m.userHeaders, m.originTimestamp])).toEqual([
      [5n, 'a', Buffer.alloc(0), 1_700_000_000_000_123],
      [(1n << 127n) + 9n, 'bcd', userHeaders, 0],
      [0n, '', Buffer.alloc(0), 0],
    ]);
  });

  it('round-trips through the full decoder', () => {
    const value = {
      streamId: 1,
      topicId: 'events',
      partitioning: partitionId(2),
      messages: [
        { id: 1n, payload: Buffer.from('one'), userHeaders: Buffer.alloc(0), originTimestamp: 10 },
        { id: 2n, payload: Buffer.from('two'), userHeaders: Buffer.alloc(0), originTimestamp: 20 },
      ],
    };
    expect(decodeSendMessagesRequest(encodeSendMessagesRequest(value))).toEqual(value);
  });

  it('rejects every truncated payload with a DecodeError, never a crash', () => {
    const payload = sendPayload([{ payload: Buffer.from('hello') }, { payload: Buffer.from('world') }]);
    // The full decoder fails every prefix: code 3 up to the index block, then a batch code (4033/4036).
    for (let length = 0; length < payload.length; length += 1) {
      const prefix = Buffer.from(payload.subarray(0, length));
      const error = thrown(() => decodeSendMessagesRequest(prefix));
      expect(error, `prefix ${length}`).toBeInstanceOf(DecodeError);
    }
    // The header decoder alone accepts every prefix that still holds the whole index block.
    const { messagesStart } = headerOf(payload);
    const headerComplete = Array.from({ length: payload.length - messagesStart }, (_, i) => messagesStart + i);
    expectTruncationsRejected(payload, (bytes) => decodeSendMessagesHeader(bytes), headerComplete);
  });

  it('refuses to encode empty batches and oversized messages with the server codes', () => {
    expectIggyError(() => sendPayload([]), ErrorCode.InvalidMessagesCount);
    expectIggyError(() => sendPayload([{ payload: Buffer.alloc(10), userHeaders: Buffer.alloc(100_001) }]), ErrorCode.TooBigUserHeaders);
    expectIggyError(() => encodeSendMessagesRequest({ streamId: 0, topicId: 0, partitioning: balanced(), messages: [{ payload: Buffer.alloc(1), id: -1n }] }), 4);
  });
});

describe('SendMessages header errors (reference 5.3.3 steps 2-4)', () => {
  const valid = SEND_EXAMPLE_FRAME.subarray(8);

  it('answers 3 when the metadata length is missing or exceeds the payload', () => {
    expectDecodeError(() => decodeSendMessagesHeader(hex('12 00')), 3);
    const tooLong = Buffer.from(valid);
    tooLong.writeUInt32LE(valid.length - 3, 0);
    expectDecodeError(() => decodeSendMessagesHeader(tooLong), 3);
  });

  it('answers 6 for bad or truncated identifiers inside the metadata', () => {
    const badKind = Buffer.from(valid);
    badKind[4] = 3;
    expectDecodeError(() => decodeSendMessagesHeader(badKind), ErrorCode.InvalidIdentifier);
    const badLength = Buffer.from(valid);
    badLength[11] = 5;
    expectDecodeError(() => decodeSendMessagesHeader(badLength), ErrorCode.InvalidIdentifier);
    const emptyName = Buffer.from(valid);
    emptyName[4] = 2;
    emptyName[5] = 0;
    expectDecodeError(() => decodeSendMessagesHeader(emptyName), ErrorCode.InvalidIdentifier);
    // Metadata length 8 cuts the topic identifier short.
    const shortMetadata = Buffer.from(valid);
    shortMetadata.writeUInt32LE(8, 0);
    expectDecodeError(() => decodeSendMessagesHeader(shortMetadata), ErrorCode.InvalidIdentifier);
  });

  it('answers 3 for bad partitioning and for a missing messages count', () => {
    const badKind = Buffer.from(valid);
    badKind[16] = 4;
    expectDecodeError(() => decodeSendMessagesHeader(badKind), 3);
    const balancedWithValue = Buffer.from(valid);
    balancedWithValue[17] = 1;
    expectDecodeError(() => decodeSendMessagesHeader(balancedWithValue), 3);
    const noCount = Buffer.from(valid);
    noCount.writeUInt32LE(14, 0);
    expectDecodeError(() => decodeSendMessagesHeader(noCount), 3);
  });

  it('ignores extra metadata bytes', () => {
    const payload = Buffer.concat([hex('13 00 00 00'), valid.subarray(4, 22), hex('ff'), valid.subarray(22)]);
    const header = headerOf(payload);
    expect(header.indexStart).toBe(23);
    expect(validate(payload)).toBe(0);
  });

  it('answers 3 when the index block does not fit', () => {
    const payload = Buffer.from(valid);
    payload.writeUInt32LE(6, 18);
    expectDecodeError(() => decodeSendMessagesHeader(payload), 3);
    payload.writeUInt32LE(0x1000_0000, 18);
    expectDecodeError(() => decodeSendMessagesHeader(payload), 3);
  });
});

describe('SendMessages batch validation (reference 5.3.3 steps 5-7)', () => {
  const two = () => sendPayload([{ payload: Buffer.from('hello') }, { payload: Buffer.from('world!') }]);
  const message = (payload: Buffer, index: number) => {
    const header = headerOf(payload);
    const first = header.messagesStart;
    return index === 0 ? first : first + payload.readUInt32LE(header.indexStart + 4);
  };

  it('answers 4009 for an empty batch', () => {
    const payload = Buffer.from(SEND_EXAMPLE_FRAME.subarray(8, 8 + 22));
    payload.writeUInt32LE(0, 18);
    expect(validate(payload)).toBe(ErrorCode.InvalidMessagesCount);
  });

  it('answers 4031 and 4032 for non-zero index offset and timestamp fields', () => {
    const offset = two();
    offset[headerOf(offset).indexStart + 16] = 1;
    expect(validate(offset)).toBe(ErrorCode.NonZeroOffset);
    const timestamp = two();
    timestamp[headerOf(timestamp).indexStart + 16 + 15] = 1;
    expect(validate(timestamp)).toBe(ErrorCode.NonZeroTimestamp);
  });

  it('answers 4033 when an index slice is outside the block, reversed, short or too small for its message', () => {
    const outside = two();
    outside.writeUInt32LE(10_000, headerOf(outside).indexStart + 4);
    expect(validate(outside)).toBe(ErrorCode.MissingIndex);
    const short = two();
    short.writeUInt32LE(63, headerOf(short).indexStart + 4);
    expect(validate(short)).toBe(ErrorCode.MissingIndex);
    const small = two();
    small.writeUInt32LE(68, headerOf(small).indexStart + 4);
    expect(validate(small)).toBe(ErrorCode.MissingIndex);
    const three = sendPayload([{ payload: Buffer.from('a') }, { payload: Buffer.from('b') }, { payload: Buffer.from('c') }]);
    three.writeUInt32LE(10, headerOf(three).indexStart + 16 + 4);
    expect(validate(three)).toBe(ErrorCode.MissingIndex);
  });

  it('answers 4022 for a payload above 64 000 000 bytes that its slice holds', () => {
    const atLimit = sendPayload([{ payload: Buffer.alloc(64_000_000) }]);
    expect(validate(atLimit)).toBe(0);
    const payload = Buffer.concat([atLimit, hex('00')]);
    payload.writeUInt32LE(64_000_001, message(payload, 0) + MessageHeader.payloadLength);
    expect(validate(payload)).toBe(ErrorCode.TooBigMessagePayload);
  });

  it('answers 4017 for user headers above 100 000 bytes', () => {
    const payload = sendPayload([{ payload: Buffer.from('x'), userHeaders: Buffer.alloc(100_000) }]);
    expect(validate(payload)).toBe(0);
    const at = message(payload, 0);
    const bigger = Buffer.concat([payload, Buffer.alloc(1)]);
    bigger.writeUInt32LE(100_001, at + MessageHeader.userHeadersLength);
    expect(validate(bigger)).toBe(ErrorCode.TooBigUserHeaders);
  });

  it('answers 4100 when client offsets decrease within the batch', () => {
    const payload = two();
    payload[message(payload, 0) + MessageHeader.offset + 4] = 1;
    expect(validate(payload)).toBe(ErrorCode.InvalidOffset);
    const increasing = two();
    increasing[message(increasing, 1) + MessageHeader.offset] = 1;
    expect(validate(increasing)).toBe(0);
  });

  it('answers 10011 when only the last index position decreases', () => {
    const payload = two();
    payload.writeUInt32LE(1, headerOf(payload).indexStart + 16 + 4);
    expect(validate(payload)).toBe(ErrorCode.CannotReadIndexPosition);
  });

  it('answers 4036 when the message sizes do not add up to the block', () => {
    const payload = Buffer.concat([two(), hex('00 00')]);
    expect(validate(payload)).toBe(ErrorCode.InvalidMessagesSize);
  });

  it('answers 4 for a non-zero reserved field', () => {
    const payload = two();
    payload[message(payload, 1) + MessageHeader.reserved + 7] = 1;
    expect(validate(payload)).toBe(ErrorCode.InvalidFormat);
  });

  it('throws the validation code from the full decoder', () => {
    const payload = Buffer.concat([two(), hex('00')]);
    expectDecodeError(() => decodeSendMessagesRequest(payload), ErrorCode.InvalidMessagesSize);
  });

  it('has an empty response', () => {
    expect(encodeSendMessagesResponse()).toHaveLength(0);
    expect(decodeSendMessagesResponse(Buffer.alloc(0))).toBeUndefined();
  });
});

describe('PollMessages', () => {
  const example = hex('01 01 04 00 00 00 00  01 04 00 00 00 00  01 04 00 00 00 00  01 00 00 00 00  05 00 00 00 00 00 00 00 00  0a 00 00 00  01');

  it('encodes the reference request example (38 bytes)', () => {
    const bytes = encodePollMessagesRequest({
      consumer: { kind: 1, id: 0 },
      streamId: 0,
      topicId: 0,
      partitionId: 0,
      strategy: pollingStrategy.next(),
      count: 10,
      autoCommit: true,
    });
    expect(bytes).toHaveLength(38);
    expect(bytes).toEqual(example);
  });

  it('round-trips requests and rejects every truncation', () => {
    expectCodec(encodePollMessagesRequest, decodePollMessagesRequest, {
      consumer: { kind: 2, id: 'group-a' },
      streamId: 'stream',
      topicId: 4,
      partitionId: undefined,
      strategy: pollingStrategy.timestamp(1_700_000_000_000_000),
      count: 1000,
      autoCommit: false,
    });
  });

  it('treats any partition flag other than 1 as absent', () => {
    const bytes = Buffer.from(example);
    bytes[19] = 2;
    expect(decodePollMessagesRequest(bytes).partitionId).toBeUndefined();
  });

  it('rejects unknown consumer and polling kinds with 3', () => {
    const consumer = Buffer.from(example);
    consumer[0] = 3;
    expectDecodeError(() => decodePollMessagesRequest(consumer), 3);
    const polling = Buffer.from(example);
    polling[24] = 6;
    expectDecodeError(() => decodePollMessagesRequest(polling), 3);
    polling[24] = 0;
    expectDecodeError(() => decodePollMessagesRequest(polling), 3);
  });

  it('writes the 16-byte response header without BigInt', () => {
    const target = Buffer.alloc(20);
    expect(writePollMessagesResponseHeader(target, 2, 3, 2 ** 40 + 5, 7)).toBe(18);
    expect(POLL_RESPONSE_HEADER_SIZE_BYTES).toBe(16);
    expect(target.subarray(2, 18)).toEqual(hex('03000000 0500000000010000 07000000'));
  });

  it('round-trips responses with views of payloads and headers', () => {
    const value: PolledMessages = {
      partitionId: 1,
      currentOffset: 41,
      count: 2,
      messages: [
        { checksum: 0xee98_62ec_2594_3e47n, id: 1n, offset: 40, timestamp: 1_700_000_000_000_000, originTimestamp: 5, payload: Buffer.from('hi'), userHeaders: Buffer.alloc(0) },
        { checksum: 1n, id: (1n << 128n) - 1n, offset: 41, timestamp: 1_700_000_000_000_001, originTimestamp: 0, payload: Buffer.alloc(0), userHeaders: hex('02 01000000 6b 0b 04000000 07000000') },
      ],
    };
    const bytes = expectCodec(encodePollMessagesResponse, decodePollMessagesResponse, value);
    const decoded = decodePollMessagesResponse(bytes);
    expect(decoded.messages[0]!.payload.buffer).toBe(bytes.buffer);
  });

  it('decodes an empty poll as the header alone', () => {
    const bytes = Buffer.alloc(16);
    writePollMessagesResponseHeader(bytes, 0, 0, 0, 0);
    expect(decodePollMessagesResponse(bytes)).toEqual({ partitionId: 0, currentOffset: 0, count: 0, messages: [] });
  });

  it('rejects polled messages with a non-zero reserved field like the Rust SDK (4101)', () => {
    const bytes = encodePollMessagesResponse({
      partitionId: 0,
      currentOffset: 0,
      count: 1,
      messages: [{ checksum: 0n, id: 0n, offset: 0, timestamp: 0, originTimestamp: 0, payload: Buffer.from('x'), userHeaders: Buffer.alloc(0) }],
    });
    bytes[16 + MessageHeader.reserved] = 1;
    expectDecodeError(() => decodePollMessagesResponse(bytes), ErrorCode.InvalidReservedField);
  });
});

describe('FlushUnsavedBuffer', () => {
  it('round-trips and rejects truncations', () => {
    const bytes = expectCodec(encodeFlushUnsavedBufferRequest, decodeFlushUnsavedBufferRequest, { streamId: 1, topicId: 'x', partitionId: 3, fsync: true });
    expect(bytes).toEqual(hex('01 04 01 00 00 00  02 01 78  03 00 00 00  01'));
  });
});

describe('message checksum', () => {
  beforeAll(async () => {
    await initHashes();
  });

  it('matches the reference XXH3 vector over bytes 8..end', () => {
    const polled = encodePollMessagesResponse({
      partitionId: 0,
      currentOffset: 0,
      count: 1,
      messages: [{ checksum: 0n, id: 1n, offset: 0, timestamp: 1_700_000_000_000_000, originTimestamp: 0, payload: Buffer.from('hi'), userHeaders: Buffer.alloc(0) }],
    });
    const message = polled.subarray(16);
    expect(message.subarray(8)).toEqual(
      hex('01000000000000000000000000000000 0000000000000000 00401e18240a0600 0000000000000000 00000000 02000000 0000000000000000 6869'),
    );
    writeXxh3Le(message, 8, message.length, message, 0);
    expect(message.subarray(0, 8)).toEqual(hex('ee 98 62 ec 25 94 3e 47'));
    expect(xxh3LeEquals(message, 8, message.length, message, 0)).toBe(true);
    expect(decodePollMessagesResponse(polled).messages[0]!.checksum).toBe(0x473e9425ec6298een);
    expect(xxh3(Buffer.alloc(0))).toBe(0x2d06800538d394c2n);
  });
});
