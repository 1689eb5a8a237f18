/**
 * Message commands (reference 4.4, 5): PollMessages (100), SendMessages (101), FlushUnsavedBuffer (102).
 *
 * SendMessages is the hot path. The server never materialises messages: decodeSendMessagesHeader reads
 * the metadata, validateSendMessages walks the index and the 64-byte message headers with DataView reads
 * only (no allocation per message). After it returns 0 the messages lie back to back in
 * `payload[messagesStart, payload.length)`, each 64 + payload_length + user_headers_length bytes.
 *
 *   SendMessages: [metadata_length:u32 = M][stream:Id][topic:Id][partitioning][messages_count:u32 = K]
 *                 [index:16·K = (relative_offset:u32 = 0)(end_position:u32)(timestamp:u64 = 0)][messages]
 *   message:      [checksum:u64][id:u128][offset:u64][timestamp:u64][origin_timestamp:u64]
 *                 [user_headers_length:u32 = h][payload_length:u32 = p][reserved:u64][payload:p][user_headers:h]
 *   PollMessages request:  [consumer][stream:Id][topic:Id][OptPart:5][kind:u8][value:u64][count:u32][auto_commit:u8]
 *   PollMessages response: [partition_id:u32][current_offset:u64][count:u32][messages]
 *   FlushUnsavedBuffer:    [stream:Id][topic:Id][partition_id:u32][fsync:u8]
 */
import { ErrorCode, IggyError } from './errors.js';
import type { Identifier } from './identifier.js';
import {
  INDEX_ENTRY_SIZE_BYTES,
  MESSAGE_PAYLOAD_SIZE_BYTES_MAX,
  MessageHeader,
  USER_HEADERS_SIZE_BYTES_MAX,
} from './message-layout.js';
import { type Consumer, consumerSize, OPTIONAL_PARTITION_SIZE_BYTES, readConsumer, readOptionalPartition, writeConsumer, writeOptionalPartition } from './consumer.js';
import { type Partitioning, partitioningSize, readPartitioning, writePartitioning } from './partitioning.js';
import { DecodeError, EMPTY_BUFFER, Reader, Writer, badDiscriminant, identifierSize } from './reader.js';

const TWO_POW_32 = 0x1_0000_0000;

// ---------------------------------------------------------------------------------------------
// Polling strategy (reference 2.6): [kind:u8][value:u64] — always 9 bytes.

export const PollingKind = { Offset: 1, Timestamp: 2, First: 3, Last: 4, Next: 5 } as const;
export type PollingKindValue = (typeof PollingKind)[keyof typeof PollingKind];

/** `value` is the start offset (Offset) or µs timestamp (Timestamp); 0 for First/Last/Next. */
export interface PollingStrategy {
  readonly kind: PollingKindValue;
  readonly value: number;
}

export const pollingStrategy = {
  offset: (value: number): PollingStrategy => ({ kind: PollingKind.Offset, value }),
  timestamp: (valueUs: number): PollingStrategy => ({ kind: PollingKind.Timestamp, value: valueUs }),
  first: (): PollingStrategy => ({ kind: PollingKind.First, value: 0 }),
  last: (): PollingStrategy => ({ kind: PollingKind.Last, value: 0 }),
  next: (): PollingStrategy => ({ kind: PollingKind.Next, value: 0 }),
} as const;

// ---------------------------------------------------------------------------------------------
// FlushUnsavedBuffer (102): [stream:Id][topic:Id][partition_id:u32][fsync:u8] → empty

export interface FlushUnsavedBufferRequest {
  readonly streamId: Identifier;
  readonly topicId: Identifier;
  readonly partitionId: number;
  readonly fsync: boolean;
}

export function encodeFlushUnsavedBufferRequest(value: FlushUnsavedBufferRequest): Buffer {
  return new Writer(identifierSize(value.streamId) + identifierSize(value.topicId) + 5)
    .id(value.streamId, 'stream id')
    .id(value.topicId, 'topic id')
    .u32(value.partitionId, 'partition id')
    .bool8(value.fsync)
    .finish();
}

export function decodeFlushUnsavedBufferRequest(payload: Buffer): FlushUnsavedBufferRequest {
  const reader = new Reader(payload);
  const streamId = reader.id('stream id');
  const topicId = reader.id('topic id');
  const partitionId = reader.u32('partition id');
  const fsync = reader.bool8('fsync');
  return { streamId, topicId, partitionId, fsync };
}

export function encodeFlushUnsavedBufferResponse(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodeFlushUnsavedBufferResponse(_payload: Buffer): undefined {
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// PollMessages (100)

export interface PollMessagesRequest {
  readonly consumer: Consumer;
  readonly streamId: Identifier;
  readonly topicId: Identifier;
  /** undefined = OptPart absent (partition 0 for individual consumers, the group's choice for groups). */
  readonly partitionId: number | undefined;
  readonly strategy: PollingStrategy;
  /** Most messages to return. */
  readonly count: number;
  readonly autoCommit: boolean;
}

export function encodePollMessagesRequest(value: PollMessagesRequest): Buffer {
  const size = consumerSize(value.consumer) + identifierSize(value.streamId) + identifierSize(value.topicId) + OPTIONAL_PARTITION_SIZE_BYTES + 9 + 4 + 1;
  const writer = new Writer(size);
  writeConsumer(writer, value.consumer);
  writer.id(value.streamId, 'stream id').id(value.topicId, 'topic id');
  writeOptionalPartition(writer, value.partitionId);
  const kind = value.strategy.kind;
  if (kind < 1 || kind > 5 || !Number.isInteger(kind)) throw new IggyError(ErrorCode.InvalidFormat, `polling kind must be 1..5, got ${kind}`);
  writer.u8(kind).u64(value.strategy.value, 'polling value').u32(value.count, 'count').bool8(value.autoCommit);
  return writer.finish();
}

/** Unknown consumer or polling kind → 3. */
export function decodePollMessagesRequest(payload: Buffer): PollMessagesRequest {
  const reader = new Reader(payload);
  const consumer = readConsumer(reader);
  const streamId = reader.id('stream id');
  const topicId = reader.id('topic id');
  const partitionId = readOptionalPartition(reader);
  const kindAt = reader.offset;
  const kind = reader.u8('polling kind');
  if (kind < 1 || kind > 5) throw badDiscriminant('polling kind', kindAt, kind);
  const strategyValue = reader.u64('polling value');
  const count = reader.u32('count');
  const autoCommit = reader.bool8('auto commit');
  return { consumer, streamId, topicId, partitionId, strategy: { kind: kind as PollingKindValue, value: strategyValue }, count, autoCommit };
}

/** The poll response header: [partition_id:u32][current_offset:u64][count:u32]. Always present. */
export const POLL_RESPONSE_HEADER_SIZE_BYTES = 16;

/**
 * Writes the 16-byte poll response header at `at` and returns `at + 16`; the `count` message frames
 * follow it, copied verbatim from storage. `currentOffset` is a number below 2^53 (no BigInt).
 */
export function writePollMessagesResponseHeader(target: Buffer, at: number, partitionId: number, currentOffset: number, count: number): number {
  target.writeUInt32LE(partitionId, at);
  target.writeUInt32LE(currentOffset >>> 0, at + 4);
  target.writeUInt32LE(Math.floor(currentOffset / TWO_POW_32), at + 8);
  target.writeUInt32LE(count, at + 12);
  return at + POLL_RESPONSE_HEADER_SIZE_BYTES;
}

/** A message as returned by a poll. `payload` and `userHeaders` are views of the response. */
export interface PolledMessage {
  readonly checksum: bigint;
  readonly id: bigint;
  readonly offset: number;
  /** Server append time, µs since epoch. */
  readonly timestamp: number;
  /** Client-supplied, stored verbatim (µs by Rust convention, ms from the Node SDK). */
  readonly originTimestamp: number;
  readonly payload: Buffer;
  /** The raw TLV block (decode with decodeUserHeaders); empty when none. */
  readonly userHeaders: Buffer;
}

export interface PolledMessages {
  readonly partitionId: number;
  readonly currentOffset: number;
  readonly count: number;
  readonly messages: readonly PolledMessage[];
}

/** Size of one message frame: 64 + payload + user headers. */
function polledMessageSize(message: PolledMessage): number {
  return MessageHeader.size + message.payload.length + message.userHeaders.length;
}

/**
 * Encodes a whole poll response from message values (cold path, tests; the server copies stored
 * frames behind writePollMessagesResponseHeader instead). `count` written = messages.length;
 * checksum and id are written verbatim, reserved as 0.
 */
export function encodePollMessagesResponse(value: PolledMessages): Buffer {
  let size = POLL_RESPONSE_HEADER_SIZE_BYTES;
  for (const message of value.messages) size += polledMessageSize(message);
  const writer = new Writer(size);
  writePollMessagesResponseHeader(writer.buffer, 0, value.partitionId, value.currentOffset, value.messages.length);
  writer.offset = POLL_RESPONSE_HEADER_SIZE_BYTES;
  for (const message of value.messages) {
    writer
      .u64BigInt(message.checksum, 'checksum')
      .u128BigInt(message.id, 'id')
      .u64(message.offset, 'offset')
      .u64(message.timestamp, 'timestamp')
      .u64(message.originTimestamp, 'origin timestamp')
      .u32(message.userHeaders.length)
      .u32(message.payload.length)
      .u64(0)
      .bytes(message.payload)
      .bytes(message.userHeaders);
  }
  return writer.finish();
}

/**
 * Client side: decodes a poll response; payloads and header blocks are views. Messages whose
 * `reserved` field is not 0 are rejected with 4101 like the Rust SDK (reference 1.9).
 */
export function decodePollMessagesResponse(payload: Buffer): PolledMessages {
  const reader = new Reader(payload);
  const partitionId = reader.u32('partition id');
  const currentOffset = reader.u64('current offset');
  const count = reader.u32('messages count');
  const messages: PolledMessage[] = [];
  for (let i = 0; i < count; i += 1) {
    const start = reader.offset;
    reader.need(MessageHeader.size, 'message header');
    const checksum = reader.u64BigInt('checksum');
    const id = reader.u128BigInt('id');
    const offset = reader.u64('offset');
    const timestamp = reader.u64('timestamp');
    const originTimestamp = reader.u64('origin timestamp');
    const userHeadersLength = reader.u32('user headers length');
    const payloadLength = reader.u32('payload length');
    if (payload.readUInt32LE(reader.offset) !== 0 || payload.readUInt32LE(reader.offset + 4) !== 0) {
      throw new DecodeError(ErrorCode.InvalidReservedField, 'message reserved field is not 0', start + MessageHeader.reserved, 0, 1);
    }
    reader.offset += 8;
    const messagePayload = reader.bytes(payloadLength, 'message payload');
    const userHeaders = reader.bytes(userHeadersLength, 'user headers');
    messages.push({ checksum, id, offset, timestamp, originTimestamp, payload: messagePayload, userHeaders });
  }
  return { partitionId, currentOffset, count, messages };
}

// ---------------------------------------------------------------------------------------------
// SendMessages (101)

/** A message to send. `id` 0/undefined lets the server assign a random one. */
export interface SendMessage {
  readonly id?: bigint;
  readonly payload: Uint8Array;
  /** Raw TLV block (build it with encodeUserHeaders). */
  readonly userHeaders?: Uint8Array;
  /** Written verbatim; default 0 (this package has no clock, the SDK fills it, µs since epoch). */
  readonly originTimestamp?: number;
}

export interface SendMessagesRequest {
  readonly streamId: Identifier;
  readonly topicId: Identifier;
  readonly partitioning: Partitioning;
  readonly messages: readonly SendMessage[];
}

const U128_MAX = (1n << 128n) - 1n;
const U64_MASK = 0xffff_ffff_ffff_ffffn;

/**
 * Client side: the exact SendMessages payload with its index (cumulative end positions). The size is
 * computed once and the payload allocated once. Invalid batches throw IggyError with the code the
 * server would answer: 4009 (empty), 4022 (payload too big), 4017 (headers too big).
 */
export function encodeSendMessagesRequest(value: SendMessagesRequest): Buffer {
  const messages = value.messages;
  const count = messages.length;
  if (count === 0) throw new IggyError(ErrorCode.InvalidMessagesCount, 'a SendMessages batch needs at least one message');
  const metadataSize = identifierSize(value.streamId) + identifierSize(value.topicId) + partitioningSize(value.partitioning) + 4;
  let blockSize = 0;
  for (let i = 0; i < count; i += 1) {
    const message = messages[i]!;
    const payloadLength = message.payload.length;
    const userHeadersLength = message.userHeaders === undefined ? 0 : message.userHeaders.length;
    if (payloadLength > MESSAGE_PAYLOAD_SIZE_BYTES_MAX) throw new IggyError(ErrorCode.TooBigMessagePayload, `message ${i}: payload of ${payloadLength} bytes exceeds ${MESSAGE_PAYLOAD_SIZE_BYTES_MAX}`);
    if (userHeadersLength > USER_HEADERS_SIZE_BYTES_MAX) throw new IggyError(ErrorCode.TooBigUserHeaders, `message ${i}: user headers of ${userHeadersLength} bytes exceed ${USER_HEADERS_SIZE_BYTES_MAX}`);
    blockSize += MessageHeader.size + payloadLength + userHeadersLength;
  }
  if (blockSize > 0xffff_ffff) throw new IggyError(ErrorCode.InvalidMessagesSize, `message block of ${blockSize} bytes exceeds the u32 index positions`);
  const indexStart = 4 + metadataSize;
  const messagesStart = indexStart + INDEX_ENTRY_SIZE_BYTES * count;
  const writer = new Writer(messagesStart + blockSize);
  writer.u32(metadataSize).id(value.streamId, 'stream id').id(value.topicId, 'topic id');
  writePartitioning(writer, value.partitioning);
  writer.u32(count);

  const buffer = writer.buffer;
  // Zero the index block and every header in one fill per region, then write only non-zero fields.
  buffer.fill(0, indexStart, messagesStart);
  let position = 0;
  let at = messagesStart;
  for (let i = 0; i < count; i += 1) {
    const message = messages[i]!;
    const payloadLength = message.payload.length;
    const userHeaders = message.userHeaders;
    const userHeadersLength = userHeaders === undefined ? 0 : userHeaders.length;
    position += MessageHeader.size + payloadLength + userHeadersLength;
    buffer.writeUInt32LE(position, indexStart + i * INDEX_ENTRY_SIZE_BYTES + 4);

    buffer.fill(0, at, at + MessageHeader.size);
    const id = message.id;
    if (id !== undefined && id !== 0n) {
      if (id < 0n || id > U128_MAX) throw new IggyError(ErrorCode.InvalidFormat, `message ${i}: id out of u128 range`);
      buffer.writeBigUInt64LE(id & U64_MASK, at + MessageHeader.id);
      buffer.writeBigUInt64LE(id >> 64n, at + MessageHeader.id + 8);
    }
    const originTimestamp = message.originTimestamp ?? 0;
    if (originTimestamp !== 0) {
      if (!Number.isSafeInteger(originTimestamp) || originTimestamp < 0) throw new IggyError(ErrorCode.InvalidFormat, `message ${i}: origin timestamp must be a safe non-negative integer`);
      buffer.writeUInt32LE(originTimestamp >>> 0, at + MessageHeader.originTimestamp);
      buffer.writeUInt32LE(Math.floor(originTimestamp / TWO_POW_32), at + MessageHeader.originTimestamp + 4);
    }
    buffer.writeUInt32LE(userHeadersLength, at + MessageHeader.userHeadersLength);
    buffer.writeUInt32LE(payloadLength, at + MessageHeader.payloadLength);
    at += MessageHeader.size;
    buffer.set(message.payload, at);
    at += payloadLength;
    if (userHeaders !== undefined) {
      buffer.set(userHeaders, at);
      at += userHeadersLength;
    }
  }
  writer.offset = at;
  return writer.finish();
}

/** The decoded SendMessages metadata and where the index and message blocks start. */
export interface SendMessagesHeader {
  readonly streamId: Identifier;
  readonly topicId: Identifier;
  readonly partitioning: Partitioning;
  readonly messagesCount: number;
  /** Offset of the index block in the payload (= 4 + metadata_length). */
  readonly indexStart: number;
  /** Offset of the message block in the payload (= indexStart + 16 · messagesCount). */
  readonly messagesStart: number;
}

function readSendMessagesIdentifier(reader: Reader, field: string): Identifier {
  try {
    return reader.id(field);
  } catch (error) {
    if (error instanceof DecodeError) throw new DecodeError(ErrorCode.InvalidIdentifier, `invalid ${field}`, error.offset, error.need, error.have);
    throw error;
  }
}

/**
 * Server side, steps 2–4 of reference 5.3.3. Throws DecodeError with:
 *   3 — payload shorter than 4, metadata_length beyond the payload, bad/truncated partitioning,
 *       no room for messages_count, or an index block that does not fit;
 *   6 — bad or truncated stream/topic identifier (within the metadata bytes).
 * Extra metadata bytes are ignored.
 */
export function decodeSendMessagesHeader(payload: Buffer): SendMessagesHeader {
  if (payload.length < 4) throw new DecodeError(ErrorCode.InvalidCommand, 'truncated metadata length', 0, 4, payload.length);
  const metadataSize = payload.readUInt32LE(0);
  if (metadataSize > payload.length - 4) throw new DecodeError(ErrorCode.InvalidCommand, 'metadata length exceeds the payload', 0, metadataSize, payload.length - 4);
  const indexStart = 4 + metadataSize;
  const reader = new Reader(payload, 4, indexStart);
  const streamId = readSendMessagesIdentifier(reader, 'stream id');
  const topicId = readSendMessagesIdentifier(reader, 'topic id');
  const partitioning = readPartitioning(reader);
  const messagesCount = reader.u32('messages count');
  const indexSize = INDEX_ENTRY_SIZE_BYTES * messagesCount;
  if (indexSize > payload.length - indexStart) throw new DecodeError(ErrorCode.InvalidCommand, 'index block exceeds the payload', indexStart, indexSize, payload.length - indexStart);
  return { streamId, topicId, partitioning, messagesCount, indexStart, messagesStart: indexStart + indexSize };
}

/**
 * Server side, steps 5–7 of reference 5.3.3 plus a `reserved` check. Returns 0 when the batch is valid,
 * else the first failing code, checking message by message in order:
 *   4009 no messages; 4031 index relative offset ≠ 0; 4032 index timestamp ≠ 0;
 *   4033 the index slice [pos[i-1], pos[i]) (the last message extends to the block end) is outside
 *        the block, reversed, under 64 bytes, or smaller than 64 + p + h;
 *   4022 payload > 64 000 000; 4017 user headers > 100 000; 4100 header offset below the previous one;
 *   10011 index position below the previous one; 4 reserved ≠ 0 (0.8 stores it; the Rust SDK then
 *   fails the poll with 4101, so it is refused here);
 *   then 4036 when the message sizes do not add up to the message block.
 * DataView reads only, no allocation per message.
 */
export function validateSendMessages(payload: Buffer, header: SendMessagesHeader): number {
  const count = header.messagesCount;
  if (count === 0) return ErrorCode.InvalidMessagesCount;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const indexStart = header.indexStart;
  const blockStart = header.messagesStart;
  const blockSize = payload.length - blockStart;
  const last = count - 1;
  let previousPosition = 0;
  let previousOffsetHigh = 0;
  let previousOffsetLow = 0;
  let total = 0;
  for (let i = 0; i < count; i += 1) {
    const entry = indexStart + i * INDEX_ENTRY_SIZE_BYTES;
    if (view.getUint32(entry, true) !== 0) return ErrorCode.NonZeroOffset;
    if (view.getUint32(entry + 8, true) !== 0 || view.getUint32(entry + 12, true) !== 0) return ErrorCode.NonZeroTimestamp;
    const position = view.getUint32(entry + 4, true);
    const sliceStart = previousPosition;
    const sliceEnd = i === last ? blockSize : position;
    if (sliceEnd > blockSize || sliceStart > sliceEnd || sliceEnd - sliceStart < MessageHeader.size) return ErrorCode.MissingIndex;
    const message = blockStart + sliceStart;
    const userHeadersLength = view.getUint32(message + MessageHeader.userHeadersLength, true);
    const payloadLength = view.getUint32(message + MessageHeader.payloadLength, true);
    const messageSize = MessageHeader.size + payloadLength + userHeadersLength;
    if (messageSize > sliceEnd - sliceStart) return ErrorCode.MissingIndex;
    if (payloadLength > MESSAGE_PAYLOAD_SIZE_BYTES_MAX) return ErrorCode.TooBigMessagePayload;
    if (userHeadersLength > USER_HEADERS_SIZE_BYTES_MAX) return ErrorCode.TooBigUserHeaders;
    const offsetLow = view.getUint32(message + MessageHeader.offset, true);
    const offsetHigh = view.getUint32(message + MessageHeader.offset + 4, true);
    if (i > 0 && (offsetHigh < previousOffsetHigh || (offsetHigh === previousOffsetHigh && offsetLow < previousOffsetLow))) return ErrorCode.InvalidOffset;
    if (position < previousPosition) return ErrorCode.CannotReadIndexPosition;
    if (view.getUint32(message + MessageHeader.reserved, true) !== 0 || view.getUint32(message + MessageHeader.reserved + 4, true) !== 0) return ErrorCode.InvalidFormat;
    total += messageSize;
    previousPosition = position;
    previousOffsetHigh = offsetHigh;
    previousOffsetLow = offsetLow;
  }
  if (total !== blockSize) return ErrorCode.InvalidMessagesSize;
  return 0;
}

/** A fully decoded SendMessages request (cold path: tests, tools). */
export interface DecodedSendMessage {
  readonly id: bigint;
  readonly payload: Buffer;
  readonly userHeaders: Buffer;
  readonly originTimestamp: number;
}

export interface DecodedSendMessagesRequest {
  readonly streamId: Identifier;
  readonly topicId: Identifier;
  readonly partitioning: Partitioning;
  readonly messages: DecodedSendMessage[];
}

/** Decodes and validates a whole SendMessages payload; failures throw DecodeError with the code of 5.3.3. */
export function decodeSendMessagesRequest(payload: Buffer): DecodedSendMessagesRequest {
  const header = decodeSendMessagesHeader(payload);
  const code = validateSendMessages(payload, header);
  if (code !== 0) throw new DecodeError(code, 'invalid SendMessages batch', header.messagesStart, 0, 0);
  const reader = new Reader(payload, header.messagesStart);
  const messages: DecodedSendMessage[] = [];
  for (let i = 0; i < header.messagesCount; i += 1) {
    reader.offset += MessageHeader.id;
    const id = reader.u128BigInt('id');
    reader.offset += 16; // offset and timestamp: set by the server
    const originTimestamp = reader.u64('origin timestamp');
    const userHeadersLength = reader.u32('user headers length');
    const payloadLength = reader.u32('payload length');
    reader.offset += 8; // reserved (validated as 0)
    const messagePayload = reader.bytes(payloadLength, 'payload');
    const userHeaders = reader.bytes(userHeadersLength, 'user headers');
    messages.push({ id, payload: messagePayload, userHeaders, originTimestamp });
  }
  return { streamId: header.streamId, topicId: header.topicId, partitioning: header.partitioning, messages };
}

export function encodeSendMessagesResponse(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodeSendMessagesResponse(_payload: Buffer): undefined {
  return undefined;
}
