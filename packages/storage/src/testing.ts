/**
 * Builders shared by this package's tests (not exported from the package index): message batches in
 * the Iggy layout as a client sends them, a parser for polled blocks, temp directories, a manual
 * clock and a recording logger.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageHeader } from '@iggy-ts/protocol';
import type { StorageLogger } from './options.js';

export interface TestMessage {
  payload: Buffer | string;
  /** Client id; 0 / undefined asks the server for a random one. */
  id?: bigint;
  userHeaders?: Buffer;
  originTimestampUs?: number;
}

/** A block of messages as SendMessages carries it: checksum, offset and timestamp zero. */
export function buildBatch(messages: readonly TestMessage[]): Buffer {
  let size = 0;
  for (const message of messages) size += MessageHeader.size + Buffer.byteLength(message.payload) + (message.userHeaders?.byteLength ?? 0);
  const batch = Buffer.alloc(size);
  let at = 0;
  for (const message of messages) {
    const payload = typeof message.payload === 'string' ? Buffer.from(message.payload) : message.payload;
    const headers = message.userHeaders ?? Buffer.alloc(0);
    const id = message.id ?? 0n;
    batch.writeBigUInt64LE(id & 0xffff_ffff_ffff_ffffn, at + MessageHeader.id);
    batch.writeBigUInt64LE(id >> 64n, at + MessageHeader.id + 8);
    batch.writeBigUInt64LE(BigInt(message.originTimestampUs ?? 0), at + MessageHeader.originTimestamp);
    batch.writeUInt32LE(headers.byteLength, at + MessageHeader.userHeadersLength);
    batch.writeUInt32LE(payload.byteLength, at + MessageHeader.payloadLength);
    payload.copy(batch, at + MessageHeader.size);
    headers.copy(batch, at + MessageHeader.size + payload.byteLength);
    at += MessageHeader.size + payload.byteLength + headers.byteLength;
  }
  return batch;
}

/** `count` messages with payloads `${prefix}${i}` padded to `sizeBytes` (or unpadded when 0). */
export function numberedMessages(count: number, prefix = 'm', sizeBytes = 0, firstNumber = 0): TestMessage[] {
  const list: TestMessage[] = [];
  for (let i = 0; i < count; i += 1) {
    const text = `${prefix}${firstNumber + i}`;
    list.push({ payload: sizeBytes > 0 ? Buffer.from(text.padEnd(sizeBytes, '.')) : text });
  }
  return list;
}

export interface ParsedMessage {
  checksum: bigint;
  id: bigint;
  offset: number;
  timestampUs: number;
  originTimestampUs: number;
  payload: Buffer;
  userHeaders: Buffer;
  /** The whole message. */
  raw: Buffer;
}

/** Parses `count` contiguous messages of `bytes` from `start` (BigInt is fine in tests). */
export function parseMessages(bytes: Buffer, start: number, count: number): ParsedMessage[] {
  const list: ParsedMessage[] = [];
  let at = start;
  for (let i = 0; i < count; i += 1) {
    const headersLength = bytes.readUInt32LE(at + MessageHeader.userHeadersLength);
    const payloadLength = bytes.readUInt32LE(at + MessageHeader.payloadLength);
    const end = at + MessageHeader.size + payloadLength + headersLength;
    list.push({
      checksum: bytes.readBigUInt64LE(at),
      id: bytes.readBigUInt64LE(at + MessageHeader.id) | (bytes.readBigUInt64LE(at + MessageHeader.id + 8) << 64n),
      offset: Number(bytes.readBigUInt64LE(at + MessageHeader.offset)),
      timestampUs: Number(bytes.readBigUInt64LE(at + MessageHeader.timestamp)),
      originTimestampUs: Number(bytes.readBigUInt64LE(at + MessageHeader.originTimestamp)),
      payload: bytes.subarray(at + MessageHeader.size, at + MessageHeader.size + payloadLength),
      userHeaders: bytes.subarray(at + MessageHeader.size + payloadLength, end),
      raw: bytes.subarray(at, end),
    });
    at = end;
  }
  if (at !== bytes.byteLength) throw new Error(`parsed ${count} messages ending at ${at}, block has ${bytes.byteLength} bytes`);
  return list;
}

export function temporaryDirectory(): string {
  return mkdtempSync(join(tmpdir(), 'iggy-storage-'));
}

/** A clock that only moves when told to (µs). */
export class ManualClock {
  constructor(public nowUs = 1_700_000_000_000_000) {}
  readonly now = (): number => this.nowUs;
  advance(us: number): void {
    this.nowUs += us;
  }
}

export interface LogEntry {
  level: 'info' | 'warn';
  object: Record<string, unknown>;
  message: string;
}

export function recordingLogger(): StorageLogger & { entries: LogEntry[]; warnings: () => LogEntry[] } {
  const entries: LogEntry[] = [];
  return {
    entries,
    info: (object, message) => void entries.push({ level: 'info', object, message }),
    warn: (object, message) => void entries.push({ level: 'warn', object, message }),
    warnings: () => entries.filter((entry) => entry.level === 'warn'),
  };
}
