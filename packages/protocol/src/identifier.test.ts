import { describe, expect, it } from 'vitest';
import { decodeIdentifier, encodeIdentifier, formatIdentifier, identifierSize, writeIdentifier } from './identifier.js';
import { expectDecodeError, expectIggyError, expectTruncationsRejected, hex } from '../test/helpers.js';

describe('identifier', () => {
  it('encodes numeric and string identifiers as in the reference examples', () => {
    expect(encodeIdentifier(0)).toEqual(hex('01 04 00 00 00 00'));
    expect(encodeIdentifier(7)).toEqual(hex('01 04 07 00 00 00'));
    expect(encodeIdentifier('orders')).toEqual(hex('02 06 6f 72 64 65 72 73'));
  });

  it('round-trips numbers, names and names that look like numbers', () => {
    for (const id of [0, 1, 0xffff_ffff, 'orders', '123', 'ż'.repeat(127)]) {
      const bytes = encodeIdentifier(id);
      expect(bytes.length).toBe(identifierSize(id));
      expect(decodeIdentifier(bytes)).toBe(id);
    }
  });

  it('writes in place and returns the next offset', () => {
    const target = Buffer.alloc(16, 0xee);
    expect(writeIdentifier(target, 2, 'ab')).toBe(6);
    expect(writeIdentifier(target, 6, 9)).toBe(12);
    expect(target.subarray(2, 12)).toEqual(hex('02 02 61 62 01 04 09 00 00 00'));
    expect(decodeIdentifier(target, 6)).toBe(9);
  });

  it('rejects every truncated identifier with code 3', () => {
    expectTruncationsRejected(encodeIdentifier(7), decodeIdentifier);
    expectTruncationsRejected(encodeIdentifier('orders'), decodeIdentifier);
  });

  it('rejects unknown kinds with 3 and bad lengths with 4', () => {
    expectDecodeError(() => decodeIdentifier(hex('00 04 00 00 00 00')), 3);
    expectDecodeError(() => decodeIdentifier(hex('03 01 61')), 3);
    expectDecodeError(() => decodeIdentifier(hex('01 02 00 00')), 4);
    expectDecodeError(() => decodeIdentifier(hex('01 00')), 4);
    expectDecodeError(() => decodeIdentifier(hex('02 00')), 4);
    expectDecodeError(() => decodeIdentifier(hex('02 01 ff')), 3);
  });

  it('refuses to encode empty, oversized or out-of-range identifiers', () => {
    expectIggyError(() => encodeIdentifier(''), 4);
    expectIggyError(() => encodeIdentifier('x'.repeat(256)), 4);
    expectIggyError(() => encodeIdentifier(-1), 4);
    expectIggyError(() => encodeIdentifier(2 ** 32), 4);
    expectIggyError(() => writeIdentifier(Buffer.alloc(6), 0, 1.5), 4);
  });

  it('formats identifiers for logs', () => {
    expect(formatIdentifier(3)).toBe('#3');
    expect(formatIdentifier('3')).toBe('"3"');
  });
});
