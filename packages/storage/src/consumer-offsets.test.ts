import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initHashes } from '@iggy-ts/protocol';
import { ConsumerOffsetStore } from './consumer-offsets.js';
import { PartitionLog } from './partition-log.js';
import { buildBatch, numberedMessages, recordingLogger, temporaryDirectory } from './testing.js';

beforeAll(async () => {
  await initHashes();
});

describe('consumer offsets', () => {
  it('persist consumer and group offsets as one u64 LE per file across reopen', () => {
    const directory = temporaryDirectory();
    const log = PartitionLog.open({ directory, durability: { mode: 'fsync' } });
    log.append(buildBatch(numberedMessages(10)), 10);
    log.storeConsumerOffset('consumer', 7, 3);
    log.storeConsumerOffset('consumer', 7, 4);
    log.storeConsumerOffset('group', 2, 9);
    log.storeConsumerOffset('consumer', 2 ** 32 - 1, 2 ** 40 + 5);
    expect(readFileSync(join(directory, 'offsets', 'consumers', '7')).toString('hex')).toBe('0400000000000000');
    expect(readFileSync(join(directory, 'offsets', 'groups', '2')).readBigUInt64LE(0)).toBe(9n);
    log.close();

    const reopened = PartitionLog.open({ directory });
    expect(reopened.getConsumerOffset('consumer', 7)).toBe(4);
    expect(reopened.getConsumerOffset('group', 2)).toBe(9);
    expect(reopened.getConsumerOffset('group', 7)).toBeUndefined();
    expect(reopened.getConsumerOffset('consumer', 2 ** 32 - 1)).toBe(2 ** 40 + 5);
    expect([...reopened.consumerOffsets('consumer').entries()].sort((a, b) => a[0] - b[0])).toEqual([
      [7, 4],
      [2 ** 32 - 1, 2 ** 40 + 5],
    ]);
    expect(reopened.lowestStoredOffset()).toBe(4);
    reopened.destroy();
  });

  it('deletes an offset and its file, and reports when none was stored', () => {
    const log = PartitionLog.open({ directory: temporaryDirectory() });
    log.storeConsumerOffset('group', 1, 0);
    expect(log.deleteConsumerOffset('group', 1)).toBe(true);
    expect(log.deleteConsumerOffset('group', 1)).toBe(false);
    expect(existsSync(join(log.options.directory, 'offsets', 'groups', '1'))).toBe(false);
    expect(log.lowestStoredOffset()).toBeUndefined();
    log.destroy();
  });

  it('keeps at most the configured number of files open and still writes every offset', () => {
    const directory = temporaryDirectory();
    const store = ConsumerOffsetStore.open(directory, false, 2, undefined);
    for (let id = 0; id < 10; id += 1) store.store('consumer', id, id * 10);
    store.store('consumer', 0, 1);
    store.store('group', 4, 2);
    store.sync(); // buffered mode: syncs open and already closed files alike
    store.closeAll();
    const reopened = ConsumerOffsetStore.open(directory, false, 2, undefined);
    expect(reopened.get('consumer', 0)).toBe(1);
    expect(reopened.get('consumer', 9)).toBe(90);
    expect(reopened.get('group', 4)).toBe(2);
    reopened.closeAll();
  });

  it('removes offset files that were created but never written', () => {
    const directory = temporaryDirectory();
    ConsumerOffsetStore.open(directory, false, 4, undefined).closeAll();
    writeFileSync(join(directory, 'offsets', 'consumers', '3'), Buffer.alloc(0));
    const logger = recordingLogger();
    const store = ConsumerOffsetStore.open(directory, false, 4, logger);
    expect(store.get('consumer', 3)).toBeUndefined();
    expect(existsSync(join(directory, 'offsets', 'consumers', '3'))).toBe(false);
    expect(logger.warnings()).toHaveLength(1);
    store.closeAll();
  });
});
