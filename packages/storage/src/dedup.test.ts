import { beforeAll, describe, expect, it } from 'vitest';
import { initHashes } from '@iggy-ts/protocol';
import { PartitionLog } from './partition-log.js';
import { ManualClock, buildBatch, parseMessages, temporaryDirectory } from './testing.js';

beforeAll(async () => {
  await initHashes();
});

function idsOf(log: PartitionLog): bigint[] {
  const result = log.poll(0, 1000, 0);
  return parseMessages(result.bytes, 0, result.messagesCount).map((message) => message.id);
}

describe('deduplication', () => {
  it('drops messages whose id was seen and keeps offsets dense', () => {
    const clock = new ManualClock();
    const log = PartitionLog.open({ directory: temporaryDirectory(), clock: clock.now, dedup: { enabled: true } });
    expect(log.append(buildBatch([{ payload: 'a', id: 1n }, { payload: 'b', id: 2n }]), 2)).toMatchObject({ firstOffset: 0, lastOffset: 1 });
    const result = log.append(buildBatch([{ payload: 'c', id: 2n }, { payload: 'd', id: 3n }, { payload: 'e', id: 1n }, { payload: 'f', id: 4n }, { payload: 'g', id: 4n }]), 5);
    expect(result).toMatchObject({ firstOffset: 2, lastOffset: 3, messagesCount: 2, duplicatesCount: 3, sizeBytes: 2 * 65 });
    const polled = log.poll(0, 10, 0);
    const messages = parseMessages(polled.bytes, 0, polled.messagesCount);
    expect(messages.map((message) => [message.offset, message.payload.toString()])).toEqual([
      [0, 'a'],
      [1, 'b'],
      [2, 'd'],
      [3, 'f'],
    ]);
    log.destroy();
  });

  it('writes nothing when every message is a duplicate', () => {
    const log = PartitionLog.open({ directory: temporaryDirectory(), dedup: { enabled: true } });
    log.append(buildBatch([{ payload: 'a', id: 1n }]), 1);
    const result = log.append(buildBatch([{ payload: 'a', id: 1n }, { payload: 'a', id: 1n }]), 2);
    expect(result).toMatchObject({ firstOffset: undefined, lastOffset: undefined, messagesCount: 0, duplicatesCount: 2 });
    expect(log.messagesCount).toBe(1);
    expect(log.nextOffset).toBe(1);
    log.destroy();
  });

  it('never deduplicates zero ids and forgets ids after the expiry or beyond the entry limit', () => {
    const clock = new ManualClock();
    const log = PartitionLog.open({ directory: temporaryDirectory(), clock: clock.now, dedup: { enabled: true, expiryMs: 1000, maxEntries: 3 } });
    expect(log.append(buildBatch([{ payload: 'x' }, { payload: 'x' }]), 2).messagesCount).toBe(2);
    log.append(buildBatch([{ payload: 'a', id: 10n }]), 1);
    clock.advance(1_000_001);
    expect(log.append(buildBatch([{ payload: 'a', id: 10n }]), 1).messagesCount).toBe(1);
    log.append(buildBatch([{ payload: 'b', id: 11n }, { payload: 'c', id: 12n }, { payload: 'd', id: 13n }]), 3);
    expect(log.append(buildBatch([{ payload: 'a', id: 10n }]), 1).messagesCount).toBe(1); // evicted by the limit
    expect(log.append(buildBatch([{ payload: 'd', id: 13n }]), 1).messagesCount).toBe(0);
    log.destroy();
  });

  it('rebuilds the window from the newest messages of the log at open', () => {
    const directory = temporaryDirectory();
    const clock = new ManualClock();
    const options = { directory, clock: clock.now, segmentSizeBytes: 200, dedup: { enabled: true, expiryMs: 1000 } } as const;
    const log = PartitionLog.open(options);
    log.append(buildBatch([{ payload: 'old', id: 1n }]), 1);
    clock.advance(2_000_000);
    log.append(buildBatch([{ payload: 'a', id: 2n }, { payload: 'b', id: 3n }, { payload: 'c', id: 4n }]), 3);
    log.append(buildBatch([{ payload: 'd', id: 5n }]), 1);
    log.close();

    const reopened = PartitionLog.open(options);
    expect(reopened.segmentsCount).toBeGreaterThan(1);
    const result = reopened.append(buildBatch([{ payload: 'a', id: 2n }, { payload: 'old', id: 1n }, { payload: 'd', id: 5n }, { payload: 'e', id: 6n }]), 4);
    expect(result).toMatchObject({ firstOffset: 5, messagesCount: 2, duplicatesCount: 2 });
    expect(idsOf(reopened)).toEqual([1n, 2n, 3n, 4n, 5n, 1n, 6n]);
    reopened.destroy();
  });
});
