import { closeSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { IggyError, initHashes, writeXxh3Le } from '@iggy-ts/protocol';
import { PartitionLog } from './partition-log.js';
import type { PartitionLogOptions } from './options.js';
import { ManualClock, buildBatch, numberedMessages, parseMessages, temporaryDirectory } from './testing.js';

beforeAll(async () => {
  await initHashes();
});

function openLog(overrides: Partial<PartitionLogOptions> = {}): PartitionLog {
  return PartitionLog.open({ directory: temporaryDirectory(), durability: { mode: 'buffered' }, directIo: false, ...overrides });
}

function expectedChecksum(raw: Buffer): bigint {
  const out = Buffer.alloc(8);
  writeXxh3Le(raw, 8, raw.byteLength, out, 0);
  return out.readBigUInt64LE(0);
}

function errorCodeOf(action: () => unknown): number {
  try {
    action();
  } catch (error) {
    return error instanceof IggyError ? error.code : -1;
  }
  return 0;
}

function payloadsOf(bytes: Buffer, reserve: number, count: number): string[] {
  return parseMessages(bytes, reserve, count).map((message) => message.payload.toString());
}

describe('PartitionLog append and poll', () => {
  it('stamps dense offsets, one batch timestamp, ids and checksums that polls return', () => {
    const clock = new ManualClock();
    const log = openLog({ clock: clock.now });
    const first = log.append(buildBatch(numberedMessages(3)), 3);
    clock.advance(10);
    const second = log.append(buildBatch([{ payload: 'x', id: 42n, originTimestampUs: 7, userHeaders: Buffer.from([2, 1, 0, 0, 0, 107]) }]), 1);
    expect(first).toMatchObject({ firstOffset: 0, lastOffset: 2, timestampUs: clock.nowUs - 10, messagesCount: 3, duplicatesCount: 0 });
    expect(second).toMatchObject({ firstOffset: 3, lastOffset: 3, timestampUs: clock.nowUs });

    const result = log.poll(0, 10, 16);
    expect(result.messagesCount).toBe(4);
    expect(result.firstOffset).toBe(0);
    expect(result.bytes.subarray(0, 16).every((byte) => byte === 0)).toBe(true);
    const messages = parseMessages(result.bytes, 16, 4);
    expect(messages.map((message) => message.offset)).toEqual([0, 1, 2, 3]);
    expect(messages.map((message) => message.timestampUs)).toEqual([first.timestampUs, first.timestampUs, first.timestampUs, second.timestampUs]);
    expect(messages.map((message) => message.payload.toString())).toEqual(['m0', 'm1', 'm2', 'x']);
    expect(messages[3]!.id).toBe(42n);
    expect(messages[3]!.originTimestampUs).toBe(7);
    expect([...messages[3]!.userHeaders]).toEqual([2, 1, 0, 0, 0, 107]);
    for (const message of messages) expect(message.checksum).toBe(expectedChecksum(message.raw));
    expect(log.messagesCount).toBe(4);
    expect(log.currentOffset).toBe(3);
    expect(log.nextOffset).toBe(4);
    log.destroy();
  });

  it('writes the checksum of the reference test vector', () => {
    // Reference 5.5: id 1, offset 0, timestamp 1 700 000 000 000 000, payload "hi" → ee 98 62 ec 25 94 3e 47.
    const log = openLog({ clock: () => 1_700_000_000_000_000 });
    log.append(buildBatch([{ payload: 'hi', id: 1n }]), 1);
    const bytes = log.poll(0, 1, 0).bytes;
    expect(bytes.subarray(0, 8).toString('hex')).toBe('ee9862ec25943e47');
    log.destroy();
  });

  it('replaces zero ids with random UUID v4 ids and keeps client ids', () => {
    const log = openLog();
    log.append(buildBatch([{ payload: 'a' }, { payload: 'b', id: 5n }, { payload: 'c' }]), 3);
    const [a, b, c] = parseMessages(log.poll(0, 3, 0).bytes, 0, 3);
    expect(b!.id).toBe(5n);
    for (const message of [a!, c!]) {
      expect(message.id).not.toBe(0n);
      const idBytes = message.raw.subarray(8, 24);
      expect(idBytes[6]! >> 4).toBe(4);
      expect(idBytes[8]! >> 6).toBe(2);
    }
    expect(a!.id).not.toBe(c!.id);
    log.destroy();
  });

  it('never lets timestamps go backwards when the clock does', () => {
    const clock = new ManualClock();
    const log = openLog({ clock: clock.now });
    const first = log.append(buildBatch(numberedMessages(1)), 1);
    clock.advance(-1_000_000);
    const second = log.append(buildBatch(numberedMessages(1)), 1);
    expect(second.timestampUs).toBe(first.timestampUs);
    log.destroy();
  });

  it('starts below the first offset at the first offset and returns nothing beyond the last', () => {
    const log = openLog();
    expect(log.isEmpty).toBe(true);
    expect(log.currentOffset).toBe(0);
    expect(log.poll(0, 10, 16).messagesCount).toBe(0);
    log.append(buildBatch(numberedMessages(5)), 5);
    expect(log.isEmpty).toBe(false);
    expect(log.poll(5, 10, 0).messagesCount).toBe(0);
    expect(log.poll(100, 10, 0).messagesCount).toBe(0);
    expect(log.poll(0, 0, 4).bytes.byteLength).toBe(4);
    const middle = log.poll(2, 2, 0);
    expect(payloadsOf(middle.bytes, 0, middle.messagesCount)).toEqual(['m2', 'm3']);
    const tail = log.poll(3, 100, 0);
    expect(tail.messagesCount).toBe(2);
    log.destroy();
  });

  it('returns a buffer that owns its whole ArrayBuffer so it can be transferred', () => {
    const log = openLog();
    log.append(buildBatch(numberedMessages(10)), 10);
    for (const result of [log.poll(0, 10, 24), log.poll(50, 10, 24)]) {
      expect(result.bytes.byteOffset).toBe(0);
      expect(result.bytes.buffer.byteLength).toBe(result.bytes.byteLength);
      expect(result.bytes.buffer).toBeInstanceOf(ArrayBuffer);
    }
    log.destroy();
  });

  it('caps a poll at maxPollBytes but always returns at least one message', () => {
    const log = openLog({ maxPollBytes: 3 * 164 });
    log.append(buildBatch(numberedMessages(10, 'm', 100)), 10); // 164 bytes each
    expect(log.poll(0, 10, 0).messagesCount).toBe(3);
    const small = openLog({ maxPollBytes: 100 });
    small.append(buildBatch(numberedMessages(2, 'm', 100)), 2);
    expect(small.poll(0, 10, 0).messagesCount).toBe(1);
    log.destroy();
    small.destroy();
  });
});

describe('PartitionLog segments', () => {
  it('rolls over into segments named by their 20-digit start offset and polls across them', () => {
    const log = openLog({ segmentSizeBytes: 900 });
    for (let batch = 0; batch < 10; batch += 1) log.append(buildBatch(numberedMessages(3, 'm', 100, batch * 3)), 3); // 492 bytes per batch
    const names = readdirSync(log.options.directory).filter((name) => name.endsWith('.log')).sort();
    expect(names).toEqual([
      '00000000000000000000.log',
      '00000000000000000006.log',
      '00000000000000000012.log',
      '00000000000000000018.log',
      '00000000000000000024.log',
      '00000000000000000030.log',
    ]);
    expect(log.segmentsCount).toBe(6);
    expect(statSync(join(log.options.directory, '00000000000000000000.log')).size).toBe(984);
    expect(statSync(join(log.options.directory, '00000000000000000000.index')).size).toBe(6 * 16);
    const all = log.poll(0, 100, 8);
    expect(all.messagesCount).toBe(30);
    expect(parseMessages(all.bytes, 8, 30).map((message) => message.offset)).toEqual([...Array(30).keys()]);
    const spanning = log.poll(4, 5, 0);
    expect(parseMessages(spanning.bytes, 0, 5).map((message) => message.offset)).toEqual([4, 5, 6, 7, 8]);
    expect(log.sealedSegments().map((segment) => [segment.startOffset, segment.endOffset, segment.sizeBytes])).toEqual([
      [0, 5, 984],
      [6, 11, 984],
      [12, 17, 984],
      [18, 23, 984],
      [24, 29, 984],
    ]);
    log.destroy();
  });

  it('finds messages by timestamp in sealed and active segments', () => {
    const clock = new ManualClock(1_000_000);
    const log = openLog({ segmentSizeBytes: 700, clock: clock.now });
    for (let batch = 0; batch < 8; batch += 1) {
      log.append(buildBatch(numberedMessages(2, 'm', 100, batch * 2)), 2); // t = 1 000 000 + 100·batch
      clock.advance(100);
    }
    expect(log.segmentsCount).toBeGreaterThan(2);
    expect(log.offsetAtTimestamp(0)).toBe(0);
    expect(log.offsetAtTimestamp(1_000_000)).toBe(0);
    expect(log.offsetAtTimestamp(1_000_001)).toBe(2);
    expect(log.offsetAtTimestamp(1_000_250)).toBe(6);
    expect(log.offsetAtTimestamp(1_000_700)).toBe(14);
    expect(log.offsetAtTimestamp(1_000_701)).toBeUndefined();
    const result = log.pollByTimestamp(1_000_150, 3, 0);
    expect(parseMessages(result.bytes, 0, 3).map((message) => message.offset)).toEqual([4, 5, 6]);
    expect(log.pollByTimestamp(9_000_000, 3, 0).messagesCount).toBe(0);
    log.destroy();
  });

  it('deletes only sealed segments whose last offset is at most the deletable end offset', () => {
    const log = openLog({ segmentSizeBytes: 900 });
    for (let batch = 0; batch < 5; batch += 1) log.append(buildBatch(numberedMessages(3, 'm', 100, batch * 3)), 3);
    expect(log.sealedSegments().map((segment) => segment.endOffset)).toEqual([5, 11]);
    expect(log.deleteOldestSegments(5, 4)).toBe(0);
    expect(log.deleteOldestSegments(5, 5)).toBe(1);
    expect(log.firstOffset).toBe(6);
    expect(existsSync(join(log.options.directory, '00000000000000000000.log'))).toBe(false);
    expect(existsSync(join(log.options.directory, '00000000000000000000.index'))).toBe(false);
    expect(log.poll(0, 2, 0).firstOffset).toBe(6);
    expect(log.deleteOldestSegments(5, Number.MAX_SAFE_INTEGER)).toBe(1);
    expect(log.segmentsCount).toBe(1);
    expect(log.deleteOldestSegments(5, Number.MAX_SAFE_INTEGER)).toBe(0);
    expect(log.messagesCount).toBe(3);
    expect(log.currentOffset).toBe(14);
    log.destroy();
  });

  it('purges every segment and consumer offset and restarts at offset 0', () => {
    const log = openLog({ segmentSizeBytes: 500 });
    log.append(buildBatch(numberedMessages(10, 'm', 100)), 10);
    log.append(buildBatch(numberedMessages(10, 'm', 100)), 10);
    log.storeConsumerOffset('consumer', 1, 3);
    log.purge();
    expect(log.isEmpty).toBe(true);
    expect(log.segmentsCount).toBe(1);
    expect(log.messagesCount).toBe(0);
    expect(log.getConsumerOffset('consumer', 1)).toBeUndefined();
    expect(readdirSync(log.options.directory).sort()).toEqual(['00000000000000000000.index', '00000000000000000000.log', 'offsets']);
    expect(log.append(buildBatch(numberedMessages(1)), 1).firstOffset).toBe(0);
    log.destroy();
  });

  it('removes its directory on destroy', () => {
    const log = openLog();
    log.append(buildBatch(numberedMessages(1)), 1);
    log.destroy();
    expect(existsSync(log.options.directory)).toBe(false);
  });
});

describe('PartitionLog cache', () => {
  it('serves recent messages from the ring and older ones from disk with identical bytes', () => {
    const directory = temporaryDirectory();
    const log = PartitionLog.open({ directory, directIo: false, cacheSizeBytes: 2000, durability: { mode: 'buffered', flushMessagesCount: 4 } });
    for (let batch = 0; batch < 10; batch += 1) log.append(buildBatch(numberedMessages(2, 'm', 100, batch * 2)), 2);
    // 20 messages × 164 B = 3280 B: the ring holds the newest 2000 bytes.
    const hitsBefore = log.cacheHits;
    const recent = log.poll(15, 5, 0);
    expect(log.cacheHits).toBe(hitsBefore + 1);
    const missesBefore = log.cacheMisses;
    const mixed = log.poll(0, 20, 0); // starts on disk, ends in the ring (journal included)
    expect(log.cacheMisses).toBe(missesBefore + 1);
    log.close();

    const reopened = PartitionLog.open({ directory, directIo: false, cacheSizeBytes: 2000 });
    const fromDisk = reopened.poll(0, 20, 0);
    expect(reopened.cacheMisses).toBe(1);
    expect(fromDisk.bytes.equals(mixed.bytes)).toBe(true);
    expect(reopened.poll(15, 5, 0).bytes.equals(recent.bytes)).toBe(true);
    expect(payloadsOf(fromDisk.bytes, 0, 20)).toEqual(numberedMessages(20, 'm', 100).map((message) => message.payload.toString()));
    reopened.destroy();
  });

  it('serves polls from disk alone when the cache is disabled', () => {
    const log = openLog({ cacheSizeBytes: 0 });
    log.append(buildBatch(numberedMessages(5)), 5);
    expect(log.pendingMessagesCount).toBe(0);
    expect(log.poll(0, 5, 0).messagesCount).toBe(5);
    expect(log.cacheMisses).toBe(1);
    expect(log.cacheHits).toBe(0);
    log.destroy();
  });
});

describe('PartitionLog durability', () => {
  function logFileSize(log: PartitionLog, startOffset = 0): number {
    return statSync(join(log.options.directory, `${String(startOffset).padStart(20, '0')}.log`)).size;
  }
  function indexFileSize(log: PartitionLog, startOffset = 0): number {
    return statSync(join(log.options.directory, `${String(startOffset).padStart(20, '0')}.index`)).size;
  }

  it('keeps buffered appends in the journal until the message count threshold, visible to polls', () => {
    const log = openLog({ durability: { mode: 'buffered', flushMessagesCount: 10, flushSizeBytes: 1 << 20 } });
    log.append(buildBatch(numberedMessages(6)), 6);
    expect(logFileSize(log)).toBe(0);
    expect(indexFileSize(log)).toBe(0);
    expect(log.pendingMessagesCount).toBe(6);
    expect(log.poll(0, 10, 0).messagesCount).toBe(6);
    log.append(buildBatch(numberedMessages(4)), 4);
    expect(log.pendingMessagesCount).toBe(0);
    expect(logFileSize(log)).toBe(log.sizeBytes);
    expect(indexFileSize(log)).toBe(10 * 16);
    log.destroy();
  });

  it('writes a buffered batch at once when it reaches the size threshold', () => {
    const log = openLog({ durability: { mode: 'buffered', flushMessagesCount: 1000, flushSizeBytes: 1000 } });
    log.append(buildBatch(numberedMessages(2, 'm', 100)), 2);
    expect(log.pendingSizeBytes).toBe(328);
    log.append(buildBatch(numberedMessages(7, 'm', 100)), 7);
    expect(log.pendingSizeBytes).toBe(0);
    expect(logFileSize(log)).toBe(9 * 164);
    log.destroy();
  });

  it('writes the journal on flush', () => {
    const log = openLog();
    log.append(buildBatch(numberedMessages(3)), 3);
    expect(logFileSize(log)).toBe(0);
    log.flush(false);
    expect(logFileSize(log)).toBe(log.sizeBytes);
    log.append(buildBatch(numberedMessages(3)), 3);
    log.flush(true);
    expect(logFileSize(log)).toBe(log.sizeBytes);
    expect(indexFileSize(log)).toBe(6 * 16);
    log.destroy();
  });

  it('writes the journal before the ring would overwrite it and bypasses the ring for larger batches', () => {
    const log = openLog({ cacheSizeBytes: 1000 });
    log.append(buildBatch(numberedMessages(5, 'm', 100)), 5); // 820 B pending in the ring
    expect(log.pendingSizeBytes).toBe(820);
    log.append(buildBatch(numberedMessages(2, 'm', 100)), 2); // would evict pending bytes: flush first
    expect(logFileSize(log)).toBe(820);
    expect(log.pendingSizeBytes).toBe(328);
    log.append(buildBatch(numberedMessages(7, 'm', 100)), 7); // 1148 B > ring: written at once
    expect(log.pendingSizeBytes).toBe(0);
    expect(logFileSize(log)).toBe(14 * 164);
    expect(payloadsOf(log.poll(0, 14, 0).bytes, 0, 14)).toHaveLength(14);
    log.destroy();
  });

  it('writes a journal that wraps around the end of the ring in order', () => {
    const log = openLog({ cacheSizeBytes: 1000, durability: { mode: 'buffered', flushMessagesCount: 1000, flushSizeBytes: 1 << 20 } });
    log.append(buildBatch(numberedMessages(3, 'm', 100, 0)), 3);
    log.flush(false);
    log.append(buildBatch(numberedMessages(3, 'm', 100, 3)), 3); // positions 492..984
    log.append(buildBatch(numberedMessages(3, 'm', 100, 6)), 3); // 984..1476: wraps the 1000-byte ring
    expect(log.pendingSizeBytes).toBe(984);
    log.flush(false);
    const onDisk = readFileSync(join(log.options.directory, '00000000000000000000.log'));
    expect(onDisk.equals(log.poll(0, 9, 0).bytes)).toBe(true);
    expect(payloadsOf(onDisk, 0, 9)).toEqual(numberedMessages(9, 'm', 100).map((message) => message.payload.toString()));
    log.destroy();
  });

  it('writes log and index to the files before an fsync-mode append returns', () => {
    const log = openLog({ durability: { mode: 'fsync' } });
    log.append(buildBatch(numberedMessages(3)), 3);
    expect(log.pendingMessagesCount).toBe(0);
    expect(logFileSize(log)).toBe(log.sizeBytes);
    expect(indexFileSize(log)).toBe(3 * 16);
    log.append(buildBatch(numberedMessages(1)), 1);
    expect(logFileSize(log)).toBe(log.sizeBytes);
    expect(indexFileSize(log)).toBe(4 * 16);
    // A process that opens the directory now (as after a crash) sees every acknowledged message.
    const observer = PartitionLog.open({ directory: log.options.directory });
    expect(observer.messagesCount).toBe(4);
    observer.close();
    log.destroy();
  });

  it('loses only the unflushed journal when the process dies in buffered mode', () => {
    const directory = temporaryDirectory();
    const log = PartitionLog.open({ directory, directIo: false, durability: { mode: 'buffered', flushMessagesCount: 5 } });
    log.append(buildBatch(numberedMessages(5)), 5); // written (threshold)
    log.append(buildBatch(numberedMessages(3)), 3); // journal only
    // Simulated crash: the files are closed without writing the journal; a new process opens them.
    log.abandon();
    const recovered = PartitionLog.open({ directory, directIo: false });
    expect(recovered.messagesCount).toBe(5);
    expect(recovered.append(buildBatch(numberedMessages(1)), 1).firstOffset).toBe(5);
    recovered.close();
  });
});

describe('PartitionLog failures', () => {
  it('stops after an I/O error while appending and recovers what the files hold on reopen', () => {
    const directory = temporaryDirectory();
    const log = PartitionLog.open({ directory, directIo: false, durability: { mode: 'fsync' } });
    log.append(buildBatch(numberedMessages(2)), 2);
    closeSync(Reflect.get(log, 'activeLogFd') as number); // the next write fails with EBADF
    expect(() => log.append(buildBatch(numberedMessages(1)), 1)).toThrowError(/EBADF/);
    expect(() => log.append(buildBatch(numberedMessages(1)), 1)).toThrowError(/must be reopened/);
    expect(() => log.poll(0, 1, 0)).toThrowError(/must be reopened/);
    Reflect.set(log, 'activeLogFd', -1); // already closed above
    log.close();
    const reopened = PartitionLog.open({ directory, directIo: false });
    expect(reopened.messagesCount).toBe(2);
    expect(reopened.append(buildBatch(numberedMessages(1)), 1).firstOffset).toBe(2);
    reopened.close();
  });
});

describe('PartitionLog read verification', () => {
  it('refuses to serve a message whose bytes changed on disk', () => {
    const directory = temporaryDirectory();
    const log = PartitionLog.open({ directory, directIo: false, segmentSizeBytes: 500, durability: { mode: 'fsync' } });
    log.append(buildBatch(numberedMessages(4, 'm', 100)), 4);
    log.append(buildBatch(numberedMessages(2, 'm', 100)), 2);
    const path = join(directory, '00000000000000000000.log');
    const bytes = readFileSync(path);
    bytes[164 + 70] ^= 0xff; // payload of offset 1
    writeFileSync(path, bytes);
    expect(errorCodeOf(() => log.poll(0, 4, 0))).toBe(4027);
    expect(errorCodeOf(() => log.poll(1, 1, 0))).toBe(4027);
    expect(log.poll(2, 2, 0).messagesCount).toBe(2);
    log.close();
  });

  it('refuses to serve a message whose offset does not follow', () => {
    const directory = temporaryDirectory();
    const log = PartitionLog.open({ directory, directIo: false, segmentSizeBytes: 500, durability: { mode: 'fsync' } });
    log.append(buildBatch(numberedMessages(4, 'm', 100)), 4);
    log.append(buildBatch(numberedMessages(1, 'm', 100)), 1);
    const path = join(directory, '00000000000000000000.log');
    const bytes = readFileSync(path);
    bytes.writeUInt32LE(9, 164 * 2 + 24); // offset 2 claims to be 9, with a valid checksum
    writeXxh3Le(bytes, 164 * 2 + 8, 164 * 3, bytes, 164 * 2);
    writeFileSync(path, bytes);
    expect(errorCodeOf(() => log.poll(0, 4, 0))).toBe(4100);
    expect(log.poll(0, 2, 0).messagesCount).toBe(2);
    log.close();
  });
});
