import { appendFileSync, existsSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { IggyError, initHashes } from '@iggy-ts/protocol';
import { PartitionLog } from './partition-log.js';
import type { PartitionLogOptions } from './options.js';
import { ManualClock, buildBatch, numberedMessages, parseMessages, recordingLogger, temporaryDirectory } from './testing.js';

beforeAll(async () => {
  await initHashes();
});

const MESSAGE_SIZE_BYTES = 164; // 64-byte header + 100-byte payload

function file(directory: string, startOffset: number, extension: 'log' | 'index'): string {
  return join(directory, `${String(startOffset).padStart(20, '0')}.${extension}`);
}

/**
 * A closed partition with sealed segments [0..5], [6..11] and an active segment [12..16]
 * (segments roll over at 900 bytes, batches of 3 messages of 164 bytes, then one batch of 5).
 */
function populatedDirectory(options: Partial<PartitionLogOptions> = {}): string {
  const directory = temporaryDirectory();
  const clock = new ManualClock();
  const log = PartitionLog.open({ directory, segmentSizeBytes: 900, durability: { mode: 'fsync' }, clock: clock.now, ...options });
  for (let batch = 0; batch < 4; batch += 1) {
    log.append(buildBatch(numberedMessages(3, 'm', 100, batch * 3)), 3);
    clock.advance(10);
  }
  log.append(buildBatch(numberedMessages(5, 'm', 100, 12)), 5);
  log.close();
  return directory;
}

function reopen(directory: string, options: Partial<PartitionLogOptions> = {}): { log: PartitionLog; logger: ReturnType<typeof recordingLogger> } {
  const logger = recordingLogger();
  const log = PartitionLog.open({ directory, segmentSizeBytes: 900, durability: { mode: 'fsync' }, logger, ...options });
  return { log, logger };
}

function offsetsOf(log: PartitionLog, start = 0, count = 1000): number[] {
  const result = log.poll(start, count, 0);
  return parseMessages(result.bytes, 0, result.messagesCount).map((message) => message.offset);
}

function range(from: number, to: number): number[] {
  const list: number[] = [];
  for (let i = from; i <= to; i += 1) list.push(i);
  return list;
}

describe('recovery', () => {
  it('reopens a cleanly closed partition with every message, segment and timestamp', () => {
    const directory = populatedDirectory();
    const first = reopen(directory);
    const before = first.log.poll(0, 100, 0).bytes;
    first.log.close();
    const { log, logger } = reopen(directory);
    expect(log.recovery).toEqual({ segments: 3, truncatedBytes: 0, trimmedPaddingBytes: 0, rebuiltIndexes: 0, validatedMessages: 5, removedFiles: 0 });
    expect(logger.warnings()).toEqual([]);
    expect(log.messagesCount).toBe(17);
    expect(log.segmentsCount).toBe(3);
    expect(log.poll(0, 100, 0).bytes.equals(before)).toBe(true);
    expect(log.offsetAtTimestamp(log.lastTimestampUs)).toBe(12);
    expect(log.append(buildBatch(numberedMessages(1)), 1).firstOffset).toBe(17);
    log.close();
  });

  it('truncates a log torn in the middle of a message and continues the offsets without a gap', () => {
    const directory = populatedDirectory();
    const path = file(directory, 12, 'log');
    truncateSync(path, 5 * MESSAGE_SIZE_BYTES - 30);
    const { log, logger } = reopen(directory);
    expect(log.recovery.truncatedBytes).toBe(MESSAGE_SIZE_BYTES - 30);
    expect(log.recovery.rebuiltIndexes).toBe(1);
    expect(log.messagesCount).toBe(16);
    expect(statSync(path).size).toBe(4 * MESSAGE_SIZE_BYTES);
    expect(statSync(file(directory, 12, 'index')).size).toBe(4 * 16);
    expect(logger.warnings().map((entry) => entry.message)).toContain('truncated torn or corrupt tail of the active segment log');
    expect(log.append(buildBatch(numberedMessages(2)), 2).firstOffset).toBe(16);
    expect(offsetsOf(log)).toEqual(range(0, 17));
    log.close();
  });

  it('cuts garbage appended after the last message', () => {
    const directory = populatedDirectory();
    appendFileSync(file(directory, 12, 'log'), Buffer.from('this is not a message header, it is garbage '.repeat(10)));
    appendFileSync(file(directory, 12, 'log'), Buffer.alloc(100));
    const { log } = reopen(directory);
    expect(log.recovery.truncatedBytes).toBe(440 + 100);
    expect(log.recovery.rebuiltIndexes).toBe(0);
    expect(log.messagesCount).toBe(17);
    expect(offsetsOf(log)).toEqual(range(0, 16));
    log.close();
  });

  it('truncates at a message whose payload byte flipped (checksum) in the tail it validates', () => {
    const directory = populatedDirectory();
    const path = file(directory, 12, 'log');
    const bytes = readFileSync(path);
    bytes[3 * MESSAGE_SIZE_BYTES + 80] ^= 0x01; // payload of offset 15
    writeFileSync(path, bytes);
    const { log } = reopen(directory);
    expect(log.recovery.truncatedBytes).toBe(2 * MESSAGE_SIZE_BYTES);
    expect(log.messagesCount).toBe(15);
    expect(log.append(buildBatch(numberedMessages(1)), 1).firstOffset).toBe(15);
    expect(offsetsOf(log)).toEqual(range(0, 15));
    log.close();
  });

  it('leaves older corruption to read verification, which refuses to serve it', () => {
    const directory = populatedDirectory();
    const path = file(directory, 12, 'log');
    const bytes = readFileSync(path);
    bytes[80] ^= 0x01; // payload of offset 12, before the validated tail
    writeFileSync(path, bytes);
    const { log } = reopen(directory, { recoveryVerifyTailBytes: MESSAGE_SIZE_BYTES });
    expect(log.recovery.truncatedBytes).toBe(0);
    expect(log.recovery.validatedMessages).toBe(1);
    expect(() => log.poll(12, 1, 0)).toThrowError(IggyError);
    expect(offsetsOf(log, 13)).toEqual([13, 14, 15, 16]);
    log.close();
  });

  it('validates every message when asked and refuses a corrupt sealed segment', () => {
    const directory = populatedDirectory();
    const clean = reopen(directory, { validateChecksumsOnOpen: true }).log;
    expect(clean.recovery.validatedMessages).toBe(17);
    clean.close();
    const path = file(directory, 6, 'log');
    const bytes = readFileSync(path);
    bytes[MESSAGE_SIZE_BYTES + 90] ^= 0x10; // payload of offset 7
    writeFileSync(path, bytes);
    let code = 0;
    try {
      reopen(directory, { validateChecksumsOnOpen: true });
    } catch (error) {
      code = error instanceof IggyError ? error.code : -1;
    }
    expect(code).toBe(4027);
    const tolerant = reopen(directory).log; // without the option the damage surfaces on read
    expect(() => tolerant.poll(7, 1, 0)).toThrowError(IggyError);
    tolerant.close();
  });

  it('re-indexes messages written to the log whose index records never reached the file', () => {
    const directory = populatedDirectory();
    truncateSync(file(directory, 12, 'index'), 2 * 16 + 5); // short, and not a whole number of records
    const { log } = reopen(directory);
    expect(log.recovery.truncatedBytes).toBe(0);
    expect(log.recovery.rebuiltIndexes).toBe(1);
    expect(log.messagesCount).toBe(17);
    expect(statSync(file(directory, 12, 'index')).size).toBe(5 * 16);
    expect(offsetsOf(log, 12)).toEqual(range(12, 16));
    log.close();
  });

  it('rebuilds missing index files of sealed and active segments byte for byte', () => {
    const directory = populatedDirectory();
    const sealedIndex = readFileSync(file(directory, 6, 'index'));
    const activeIndex = readFileSync(file(directory, 12, 'index'));
    rmSync(file(directory, 6, 'index'));
    rmSync(file(directory, 12, 'index'));
    const { log, logger } = reopen(directory);
    expect(log.recovery.rebuiltIndexes).toBe(2);
    expect(log.recovery.truncatedBytes).toBe(0);
    expect(readFileSync(file(directory, 6, 'index')).equals(sealedIndex)).toBe(true);
    expect(readFileSync(file(directory, 12, 'index')).equals(activeIndex)).toBe(true);
    expect(logger.warnings().map((entry) => entry.message)).toContain('rebuilt sealed segment index from its log');
    expect(offsetsOf(log)).toEqual(range(0, 16));
    log.close();
  });

  it('rebuilds a short or inconsistent sealed index', () => {
    const directory = populatedDirectory();
    const original = readFileSync(file(directory, 0, 'index'));
    truncateSync(file(directory, 0, 'index'), original.byteLength - 8);
    const damaged = Buffer.from(readFileSync(file(directory, 6, 'index')));
    damaged.writeUInt32LE(7, damaged.byteLength - 16); // wrong relative offset in the last record
    writeFileSync(file(directory, 6, 'index'), damaged);
    const { log } = reopen(directory);
    expect(log.recovery.rebuiltIndexes).toBe(2);
    expect(readFileSync(file(directory, 0, 'index')).equals(original)).toBe(true);
    expect(offsetsOf(log)).toEqual(range(0, 16));
    expect(log.offsetAtTimestamp(0)).toBe(0);
    log.close();
  });

  it('truncates a torn sealed segment without an index and serves across the offset gap', () => {
    const directory = populatedDirectory();
    rmSync(file(directory, 0, 'index'));
    truncateSync(file(directory, 0, 'log'), 4 * MESSAGE_SIZE_BYTES + 10);
    const { log, logger } = reopen(directory);
    expect(log.recovery.truncatedBytes).toBe(10); // the part of offset 4 that survived
    expect(logger.warnings().map((entry) => entry.message)).toContain('offset gap between segments');
    expect(log.messagesCount).toBe(15);
    expect(offsetsOf(log)).toEqual([...range(0, 3), ...range(6, 16)]);
    expect(offsetsOf(log, 4, 2)).toEqual([6, 7]);
    log.close();
  });

  it('opens segments whose log is empty and removes index files without a log', () => {
    const directory = temporaryDirectory();
    writeFileSync(file(directory, 0, 'log'), Buffer.alloc(0));
    writeFileSync(file(directory, 7, 'index'), Buffer.alloc(32));
    const { log } = reopen(directory);
    expect(log.isEmpty).toBe(true);
    expect(log.recovery.removedFiles).toBe(1);
    expect(existsSync(file(directory, 7, 'index'))).toBe(false);
    expect(existsSync(file(directory, 0, 'index'))).toBe(true);
    log.close();

    // Just after a rollover the active segment is empty: reopening keeps it.
    const rolled = populatedDirectory({ segmentSizeBytes: 820 });
    const reopened = reopen(rolled, { segmentSizeBytes: 820 }).log;
    expect(reopened.segmentsCount).toBe(4);
    expect(reopened.nextOffset).toBe(17);
    expect(reopened.append(buildBatch(numberedMessages(1)), 1).firstOffset).toBe(17);
    reopened.close();
  });

  it('drops index records of a last segment whose log is empty', () => {
    const directory = populatedDirectory();
    truncateSync(file(directory, 12, 'log'), 0);
    const { log } = reopen(directory);
    expect(log.nextOffset).toBe(12);
    expect(statSync(file(directory, 12, 'index')).size).toBe(0);
    expect(log.append(buildBatch(numberedMessages(1)), 1).firstOffset).toBe(12);
    log.close();
  });

  it('rolls over at open when the recovered active segment is already full', () => {
    const directory = populatedDirectory();
    const { log } = reopen(directory, { segmentSizeBytes: 500 });
    expect(log.segmentsCount).toBe(4);
    expect(existsSync(file(directory, 17, 'log'))).toBe(true);
    log.close();
  });
});
