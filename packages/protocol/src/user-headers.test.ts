import { describe, expect, it } from 'vitest';
import { type UserHeader, decodeUserHeaders, encodeUserHeaders, headerField, userHeadersByName, userHeadersSize, writeUserHeaders } from './user-headers.js';
import { ErrorCode } from './errors.js';
import { DecodeError } from './reader.js';
import { expectDecodeError, expectIggyError, hex, thrown } from '../test/helpers.js';

const ALL_KINDS: UserHeader[] = [
  { key: headerField.string('raw'), value: headerField.raw(hex('00 ff')) },
  { key: headerField.string('string'), value: headerField.string('zażółć') },
  { key: headerField.string('bool'), value: headerField.bool(true) },
  { key: headerField.string('int8'), value: headerField.int8(-128) },
  { key: headerField.string('int16'), value: headerField.int16(-32768) },
  { key: headerField.string('int32'), value: headerField.int32(-2147483648) },
  { key: headerField.string('int64'), value: headerField.int64(-(1n << 63n)) },
  { key: headerField.string('int128'), value: headerField.int128(-(1n << 127n) + 5n) },
  { key: headerField.string('uint8'), value: headerField.uint8(255) },
  { key: headerField.string('uint16'), value: headerField.uint16(65535) },
  { key: headerField.string('uint32'), value: headerField.uint32(0xffff_ffff) },
  { key: headerField.string('uint64'), value: headerField.uint64((1n << 64n) - 1n) },
  { key: headerField.string('uint128'), value: headerField.uint128((1n << 128n) - 1n) },
  { key: headerField.string('float32'), value: headerField.float32(Math.fround(1.1)) },
  { key: headerField.string('float64'), value: headerField.float64(-1e300) },
  { key: headerField.uint32(7), value: headerField.bool(false) },
];

describe('user headers', () => {
  it('encodes a string pair as kind, u32 length and bytes for key and value', () => {
    const block = encodeUserHeaders([{ key: headerField.string('k'), value: headerField.string('vv') }]);
    expect(block).toEqual(hex('02 01000000 6b 02 02000000 7676'));
  });

  it('round-trips all 15 kinds, including integer keys', () => {
    const block = encodeUserHeaders(ALL_KINDS);
    expect(block.length).toBe(userHeadersSize(ALL_KINDS));
    expect(decodeUserHeaders(block)).toEqual(ALL_KINDS);
  });

  it('writes a map in insertion order with string keys', () => {
    const map = new Map([
      ['b', headerField.int32(-1)],
      ['a', headerField.string('x')],
    ]);
    const block = encodeUserHeaders(map);
    const target = Buffer.alloc(block.length + 2);
    expect(writeUserHeaders(target, 2, map)).toBe(target.length);
    expect(target.subarray(2)).toEqual(block);
    expect(userHeadersByName(decodeUserHeaders(block))).toEqual(map);
  });

  it('decodes the empty block as no headers', () => {
    expect(decodeUserHeaders(Buffer.alloc(0))).toEqual([]);
    expect(encodeUserHeaders([])).toHaveLength(0);
  });

  it('returns raw values as views of the block', () => {
    const block = encodeUserHeaders([{ key: headerField.string('r'), value: headerField.raw(hex('01 02')) }]);
    const value = decodeUserHeaders(block)[0]!.value;
    expect(value.kind).toBe(1);
    expect((value.value as Buffer).buffer).toBe(block.buffer);
  });

  it('rejects every block truncated inside a pair with a DecodeError', () => {
    const block = encodeUserHeaders(ALL_KINDS);
    // A block cut at a pair boundary is a valid shorter block.
    const boundaries = new Set(ALL_KINDS.map((_, i) => userHeadersSize(ALL_KINDS.slice(0, i))));
    for (let length = 1; length < block.length; length += 1) {
      if (boundaries.has(length)) continue;
      const error = thrown(() => decodeUserHeaders(Buffer.from(block.subarray(0, length))));
      expect(error, `prefix ${length}`).toBeInstanceOf(DecodeError);
    }
    expectDecodeError(() => decodeUserHeaders(hex('02 01000000')), ErrorCode.CannotReadHeadersPayload);
  });

  it('rejects invalid kinds, lengths, fixed sizes and booleans', () => {
    expectDecodeError(() => decodeUserHeaders(hex('00 01000000 6b 02 01000000 76')), ErrorCode.InvalidHeaderKind);
    expectDecodeError(() => decodeUserHeaders(hex('10 01000000 6b 02 01000000 76')), ErrorCode.InvalidHeaderKind);
    expectDecodeError(() => decodeUserHeaders(hex('02 00000000 02 01000000 76')), ErrorCode.InvalidHeaderKey);
    expectDecodeError(() => decodeUserHeaders(hex('02 01000000 6b 02 00010000')), ErrorCode.InvalidHeaderValue);
    expectDecodeError(() => decodeUserHeaders(hex('02 01000000 6b 06 02000000 0100')), ErrorCode.InvalidHeaderValue);
    expectDecodeError(() => decodeUserHeaders(hex('02 01000000 6b 03 01000000 02')), ErrorCode.InvalidHeaderValue);
    expectDecodeError(() => decodeUserHeaders(hex('02 01000000 ff 02 01000000 76')), ErrorCode.InvalidHeaderKey);
  });

  it('refuses to encode out-of-range or oversized fields', () => {
    expectIggyError(() => encodeUserHeaders([{ key: headerField.string(''), value: headerField.bool(true) }]), ErrorCode.InvalidHeaderKey);
    expectIggyError(() => encodeUserHeaders([{ key: headerField.string('k'), value: headerField.string('v'.repeat(256)) }]), ErrorCode.InvalidHeaderValue);
    expectIggyError(() => encodeUserHeaders([{ key: headerField.string('k'), value: headerField.int8(128) }]), ErrorCode.InvalidHeaderValue);
    expectIggyError(() => encodeUserHeaders([{ key: headerField.string('k'), value: headerField.uint64(-1n) }]), ErrorCode.InvalidHeaderValue);
    expectIggyError(() => encodeUserHeaders([{ key: headerField.string('k'), value: { kind: 16, value: 1 } as never }]), ErrorCode.InvalidHeaderKind);
  });
});
