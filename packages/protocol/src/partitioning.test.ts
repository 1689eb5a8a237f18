import { describe, expect, it } from 'vitest';
import { balanced, messagesKey, partitionForKey, partitionId, partitioningSize, readPartitioning, writePartitioning, type Partitioning } from './partitioning.js';
import { xxh32 } from './hash.js';
import { Reader, Writer } from './reader.js';
import { expectDecodeError, expectIggyError, expectTruncationsRejected, hex } from '../test/helpers.js';

function encode(partitioning: Partitioning): Buffer {
  const writer = new Writer(partitioningSize(partitioning));
  writePartitioning(writer, partitioning);
  return writer.finish();
}

const decode = (bytes: Buffer) => readPartitioning(new Reader(bytes));

describe('partitioning', () => {
  it('encodes the reference examples', () => {
    expect(encode(balanced())).toEqual(hex('01 00'));
    expect(encode(partitionId(2))).toEqual(hex('02 04 02 00 00 00'));
    expect(encode(messagesKey('user-1'))).toEqual(hex('03 06 75 73 65 72 2d 31'));
  });

  it('builds keys like the Node SDK: u32 for numbers, u64 for bigints, bytes as-is', () => {
    expect(messagesKey(42).value).toEqual(hex('2a 00 00 00'));
    expect(messagesKey(42n).value).toEqual(hex('2a 00 00 00 00 00 00 00'));
    expect(messagesKey(hex('aa bb')).value).toEqual(hex('aa bb'));
  });

  it('round-trips every kind and rejects every truncation with 3', () => {
    for (const partitioning of [balanced(), partitionId(0xffff_ffff), messagesKey('k'.repeat(255))]) {
      const bytes = encode(partitioning);
      expect(decode(bytes)).toEqual(partitioning);
      expectTruncationsRejected(bytes, decode);
    }
  });

  it('rejects bad kinds and lengths with 3, and tolerates an empty key', () => {
    expectDecodeError(() => decode(hex('00 00')), 3);
    expectDecodeError(() => decode(hex('04 00')), 3);
    expectDecodeError(() => decode(hex('01 01 00')), 3);
    expectDecodeError(() => decode(hex('02 03 00 00 00')), 3);
    expect(decode(hex('03 00'))).toEqual({ kind: 3, value: Buffer.alloc(0) });
  });

  it('refuses to build keys outside 1..255 bytes and invalid partitionings', () => {
    expectIggyError(() => messagesKey(''), 4028);
    expectIggyError(() => messagesKey(Buffer.alloc(256)), 4028);
    expectIggyError(() => messagesKey(-1), 4);
    expectIggyError(() => partitionId(-1), 4);
    expectIggyError(() => encode({ kind: 1, value: hex('00') }), 4);
  });
});

describe('key hashing (reference 2.5 vectors)', () => {
  const vectors: [Buffer, number, number, number][] = [
    [Buffer.from('user-1'), 0xa43fb6ad, 0, 1],
    [Buffer.from('orders'), 0xe7b1855b, 2, 3],
    [hex('2a 00 00 00'), 0x454235d1, 1, 1],
    [Buffer.alloc(0), 0x02cc5d05, 1, 1],
  ];

  it.each(vectors)('hashes %s with XXH32 seed 0 and picks the reference partitions', (key, hash, of3, of4) => {
    expect(xxh32(key)).toBe(hash);
    expect(partitionForKey(key, 3)).toBe(of3);
    expect(partitionForKey(key, 4)).toBe(of4);
  });

  it('refuses a topic without partitions', () => {
    expect(() => partitionForKey(Buffer.from('a'), 0)).toThrow(RangeError);
  });
});
