import { describe, expect, it } from 'vitest';
import { ActiveIndex, firstRecordAtOrAfter, lastRecordEndingBy, segmentFileStem, startPositionOf } from './segment.js';
import { RandomIdPool } from './message-stamper.js';

describe('segment index', () => {
  it('names segments by their start offset zero-padded to 20 digits', () => {
    expect(segmentFileStem(0)).toBe('00000000000000000000');
    expect(segmentFileStem(1234)).toBe('00000000000000001234');
    expect(segmentFileStem(Number.MAX_SAFE_INTEGER)).toBe('00009007199254740991');
  });

  it('grows the in-memory index by doubling and keeps its records', () => {
    const index = new ActiveIndex(32);
    for (let i = 0; i < 1000; i += 1) index.push(i, (i + 1) * 100, 2 ** 40 + Math.floor(i / 10));
    expect(index.count).toBe(1000);
    expect(index.bytes.byteLength).toBe(16384);
    expect(index.relativeOffsetAt(999)).toBe(999);
    expect(index.endPositionAt(999)).toBe(100_000);
    expect(index.timestampAt(999)).toBe(2 ** 40 + 99);
    expect(startPositionOf(index, 0)).toBe(0);
    expect(startPositionOf(index, 5)).toBe(500);
  });

  it('finds the first record at or after a timestamp and the last record within a byte budget', () => {
    const index = new ActiveIndex();
    for (let i = 0; i < 100; i += 1) index.push(i, (i + 1) * 100, 1000 + Math.floor(i / 10) * 10); // 10 records per timestamp
    expect(firstRecordAtOrAfter(index, 0)).toBe(0);
    expect(firstRecordAtOrAfter(index, 1000)).toBe(0);
    expect(firstRecordAtOrAfter(index, 1001)).toBe(10);
    expect(firstRecordAtOrAfter(index, 1090)).toBe(90);
    expect(firstRecordAtOrAfter(index, 1091)).toBe(100);
    expect(lastRecordEndingBy(index, 0, 99, 10_000)).toBe(99);
    expect(lastRecordEndingBy(index, 0, 99, 550)).toBe(4);
    expect(lastRecordEndingBy(index, 10, 99, 1150)).toBe(10);
    expect(lastRecordEndingBy(index, 10, 99, 50)).toBe(10);
  });
});

describe('RandomIdPool', () => {
  it('refills from the random source and sets the UUID v4 version and variant bits', () => {
    let refills = 0;
    const pool = new RandomIdPool(2, (target) => {
      refills += 1;
      target.fill(0xff);
    });
    const target = Buffer.alloc(48);
    pool.writeUuidV4(target, 0);
    pool.writeUuidV4(target, 16);
    pool.writeUuidV4(target, 32);
    expect(refills).toBe(2);
    expect(target[6]).toBe(0x4f);
    expect(target[8]).toBe(0xbf);
    expect(target[16 + 6]).toBe(0x4f);
    expect(target[32 + 15]).toBe(0xff);
  });
});
