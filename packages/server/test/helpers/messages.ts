/**
 * Messages for live-server tests: random batches with user headers, and a strict parser of poll
 * responses that keeps each message's raw bytes and checks its checksum (XXH3-64 of bytes 8..end,
 * reference 5.5). Call `await initHashes()` once before parsing.
 */
import { CHECKSUM_START_BYTE, MessageHeader, encodeUserHeaders, headerField, xxh3LeEquals, type SendMessage, type UserHeader } from '@iggy-ts/protocol';
import type { Random } from './random.js';

/** A message as polled back, with its raw frame. */
export interface StoredMessage {
  offset: number;
  id: bigint;
  /** Server append time, µs. */
  timestamp: number;
  originTimestamp: number;
  checksum: bigint;
  /** True when `checksum` equals XXH3-64 of the message bytes 8..end. */
  checksumValid: boolean;
  reserved: bigint;
  payload: Buffer;
  userHeaders: Buffer;
  /** The whole message frame (64-byte header, payload, user headers). */
  raw: Buffer;
}

export interface PolledBatch {
  partitionId: number;
  currentOffset: number;
  messages: StoredMessage[];
}

/** Parses a PollMessages response payload; throws on any framing inconsistency (never trusts a length). */
export function parsePollResponse(payload: Buffer): PolledBatch {
  if (payload.length < 16) throw new Error(`poll response of ${payload.length} bytes has no 16-byte header`);
  const partitionId = payload.readUInt32LE(0);
  const currentOffset = Number(payload.readBigUInt64LE(4));
  const count = payload.readUInt32LE(12);
  const messages: StoredMessage[] = [];
  let at = 16;
  for (let i = 0; i < count; i += 1) {
    if (at + MessageHeader.size > payload.length) throw new Error(`message ${i} of ${count}: header runs past the response (${at} + 64 > ${payload.length})`);
    const userHeadersLength = payload.readUInt32LE(at + MessageHeader.userHeadersLength);
    const payloadLength = payload.readUInt32LE(at + MessageHeader.payloadLength);
    const end = at + MessageHeader.size + payloadLength + userHeadersLength;
    if (end > payload.length) throw new Error(`message ${i} of ${count}: body runs past the response (${end} > ${payload.length})`);
    const raw = payload.subarray(at, end);
    messages.push({
      checksum: raw.readBigUInt64LE(MessageHeader.checksum),
      checksumValid: xxh3LeEquals(raw, CHECKSUM_START_BYTE, raw.length, raw, MessageHeader.checksum),
      id: raw.readBigUInt64LE(MessageHeader.id) | (raw.readBigUInt64LE(MessageHeader.id + 8) << 64n),
      offset: Number(raw.readBigUInt64LE(MessageHeader.offset)),
      timestamp: Number(raw.readBigUInt64LE(MessageHeader.timestamp)),
      originTimestamp: Number(raw.readBigUInt64LE(MessageHeader.originTimestamp)),
      reserved: raw.readBigUInt64LE(MessageHeader.reserved),
      payload: raw.subarray(MessageHeader.size, MessageHeader.size + payloadLength),
      userHeaders: raw.subarray(MessageHeader.size + payloadLength),
      raw,
    });
    at = end;
  }
  if (at !== payload.length) throw new Error(`poll response has ${payload.length - at} trailing bytes after ${count} messages`);
  return { partitionId, currentOffset, messages };
}

/** A random, valid user-header block of 1..`pairsMax` pairs (string keys, mixed value kinds). */
export function randomUserHeaders(random: Random, pairsMax = 4): Buffer {
  const pairs: UserHeader[] = [];
  const count = random.between(1, pairsMax);
  for (let i = 0; i < count; i += 1) {
    const key = headerField.string(`k${i}-${random.integer(1000)}`);
    let value;
    switch (random.integer(4)) {
      case 0:
        value = headerField.string('v'.repeat(random.between(1, 40)));
        break;
      case 1:
        value = headerField.uint64(BigInt(random.integer(0x7fff_ffff)) * 3n);
        break;
      case 2:
        value = headerField.raw(random.bytes(random.between(1, 64)));
        break;
      default:
        value = headerField.bool(random.chance(0.5));
    }
    pairs.push({ key, value });
  }
  return encodeUserHeaders(pairs);
}

export interface RandomMessagesOptions {
  /** Largest payload in bytes (payloads are 1..payloadSizeBytesMax). Default 512. */
  payloadSizeBytesMax?: number;
  /** Probability that a message carries user headers. Default 0.5. */
  headersChance?: number;
  /** Give each message a non-zero id (else the server assigns one). Default true. */
  withIds?: boolean;
}

/** `count` random messages with unique ids, random payloads and (sometimes) user headers. */
export function randomMessages(random: Random, count: number, options: RandomMessagesOptions = {}): SendMessage[] {
  const payloadMax = options.payloadSizeBytesMax ?? 512;
  const headersChance = options.headersChance ?? 0.5;
  const messages: SendMessage[] = [];
  for (let i = 0; i < count; i += 1) {
    const id = options.withIds === false ? 0n : (BigInt(random.integer(0x7fff_ffff) + 1) << 64n) | BigInt(random.integer(0x7fff_ffff) + 1);
    messages.push({
      id,
      payload: random.bytes(random.between(1, payloadMax)),
      userHeaders: random.chance(headersChance) ? randomUserHeaders(random) : undefined,
      originTimestamp: random.integer(0x7fff_ffff),
    });
  }
  return messages;
}

/** Describes the first difference between a sent message and a stored one, or undefined when equal. */
export function messageDifference(sent: SendMessage, stored: StoredMessage): string | undefined {
  if (!stored.checksumValid) return `offset ${stored.offset}: checksum does not match its bytes`;
  if (stored.reserved !== 0n) return `offset ${stored.offset}: reserved is ${stored.reserved}`;
  if (sent.id !== undefined && sent.id !== 0n && stored.id !== sent.id) return `offset ${stored.offset}: id ${stored.id} != sent ${sent.id}`;
  if (!stored.payload.equals(Buffer.from(sent.payload))) return `offset ${stored.offset}: payload differs (${stored.payload.length} vs ${sent.payload.length} bytes)`;
  const sentHeaders = sent.userHeaders === undefined ? Buffer.alloc(0) : Buffer.from(sent.userHeaders);
  if (!stored.userHeaders.equals(sentHeaders)) return `offset ${stored.offset}: user headers differ`;
  if ((sent.originTimestamp ?? 0) !== stored.originTimestamp) return `offset ${stored.offset}: origin timestamp ${stored.originTimestamp} != ${sent.originTimestamp ?? 0}`;
  return undefined;
}
