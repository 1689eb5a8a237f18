import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initHashes } from '@iggy-ts/protocol';
import { DIRECT_IO_BLOCK_SIZE_BYTES } from './log-writer.js';
import { PartitionLog } from './partition-log.js';
import { buildBatch, numberedMessages, parseMessages, temporaryDirectory } from './testing.js';

beforeAll(async () => {
  await initHashes();
});

const LOG_FILE = '00000000000000000000.log';

function payloads(log: PartitionLog, from: number, count: number): string[] {
  const result = log.poll(from, count, 0);
  return parseMessages(result.bytes, 0, result.messagesCount).map((message) => message.payload.toString().replace(/\.+$/, ''));
}

describe('direct I/O segment writes', () => {
  it('writes whole blocks while open and trims the padding when the log closes', () => {
    const directory = temporaryDirectory();
    const log = PartitionLog.open({ directory, durability: { mode: 'fsync' }, directIo: true });
    expect(log.directIo).toBe(true);
    log.append(buildBatch(numberedMessages(3, 'm', 100)), 3);
    log.append(buildBatch(numberedMessages(2, 'n', 50)), 2);
    const logicalSize = 3 * (64 + 100) + 2 * (64 + 50);
    expect(statSync(join(directory, LOG_FILE)).size % DIRECT_IO_BLOCK_SIZE_BYTES).toBe(0);
    expect(log.sizeBytes).toBe(logicalSize);
    log.close();
    expect(statSync(join(directory, LOG_FILE)).size).toBe(logicalSize);
    const reopened = PartitionLog.open({ directory, directIo: true });
    expect(reopened.recovery.truncatedBytes).toBe(0);
    expect(payloads(reopened, 0, 10)).toEqual(['m0', 'm1', 'm2', 'n0', 'n1']);
    reopened.close();
  });

  it('rewrites the partial last block with each append, so appends spanning blocks read back intact', () => {
    const directory = temporaryDirectory();
    // A 64 KiB ring forces later polls of early offsets to read the file.
    const log = PartitionLog.open({ directory, durability: { mode: 'fsync' }, directIo: true, cacheSizeBytes: 64 * 1024 });
    const expected: string[] = [];
    for (let batch = 0; batch < 60; batch += 1) {
      const messages = numberedMessages(7, `b${batch}-`, 300 + batch * 37);
      log.append(buildBatch(messages), messages.length);
      expected.push(...messages.map((message) => String(message.payload).replace(/\.+$/, '')));
    }
    expect(log.cacheMisses).toBe(0);
    expect(payloads(log, 0, expected.length)).toEqual(expected);
    expect(log.cacheMisses).toBeGreaterThan(0);
    log.close();
    const file = readFileSync(join(directory, LOG_FILE));
    expect(file.byteLength).toBe(log.sizeBytes);
  });

  it('treats the block padding left by a crash as padding, not as a torn tail', () => {
    const directory = temporaryDirectory();
    const log = PartitionLog.open({ directory, durability: { mode: 'fsync' }, directIo: true });
    log.append(buildBatch(numberedMessages(5, 'm', 10)), 5);
    log.abandon();
    expect(statSync(join(directory, LOG_FILE)).size).toBe(DIRECT_IO_BLOCK_SIZE_BYTES);
    const reopened = PartitionLog.open({ directory, directIo: true });
    expect(reopened.recovery.truncatedBytes).toBe(0);
    expect(reopened.recovery.trimmedPaddingBytes).toBe(DIRECT_IO_BLOCK_SIZE_BYTES - 5 * 74);
    expect(payloads(reopened, 0, 10)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(reopened.append(buildBatch(numberedMessages(1, 'x', 10)), 1).firstOffset).toBe(5);
    reopened.close();
  });

  it('seals segments at their exact size', () => {
    const directory = temporaryDirectory();
    const log = PartitionLog.open({ directory, durability: { mode: 'buffered', flushMessagesCount: 1 }, directIo: true, segmentSizeBytes: 1000 });
    for (let i = 0; i < 6; i += 1) log.append(buildBatch(numberedMessages(2, `s${i}-`, 200)), 2);
    const sealed = log.sealedSegments();
    expect(sealed.length).toBeGreaterThan(0);
    for (const segment of sealed) {
      const path = join(directory, `${String(segment.startOffset).padStart(20, '0')}.log`);
      expect(statSync(path).size).toBe(segment.sizeBytes);
    }
    log.close();
  });
});
