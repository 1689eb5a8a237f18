import { describe, expect, it } from 'vitest';
import { DecodeError, Reader, Writer, decodeUtf8, identifierSize, name8Size } from './reader.js';
import { ErrorCode, IggyError } from './errors.js';
import { expectDecodeError, expectIggyError, hex } from '../test/helpers.js';

describe('Reader', () => {
  it('reads little-endian primitives and advances its offset', () => {
    const bytes = hex('01 0201 04030201 0807060504030201 00002040');
    const reader = new Reader(bytes);
    expect(reader.u8()).toBe(1);
    expect(reader.u16()).toBe(0x0102);
    expect(reader.u32()).toBe(0x01020304);
    expect(reader.u64BigInt()).toBe(0x0102030405060708n);
    expect(reader.f32()).toBe(2.5);
    expect(reader.remaining).toBe(0);
  });

  it('reads u64 as an exact number up to 2^53 - 1 without BigInt', () => {
    const writer = new Writer(16).u64(Number.MAX_SAFE_INTEGER).u64(1_700_000_000_000_000);
    const reader = new Reader(writer.finish());
    expect(reader.u64()).toBe(Number.MAX_SAFE_INTEGER);
    expect(reader.u64()).toBe(1_700_000_000_000_000);
  });

  it('reports truncation as code 3 with offset, need and have', () => {
    const reader = new Reader(hex('01 02 03'), 1);
    const error = expectDecodeError(() => reader.u32('field'), ErrorCode.InvalidCommand);
    expect(error).toBeInstanceOf(IggyError);
    expect([error.offset, error.need, error.have]).toEqual([1, 4, 2]);
  });

  it('respects an explicit end before the buffer end', () => {
    const reader = new Reader(hex('01 02 03 04 05'), 0, 3);
    expectDecodeError(() => reader.u32(), 3);
  });

  it('returns byte views, not copies', () => {
    const bytes = hex('aa bb cc');
    const view = new Reader(bytes, 1).bytes(2);
    expect(view.buffer).toBe(bytes.buffer);
    expect(view).toEqual(hex('bb cc'));
  });

  it('rejects an empty Name8 with code 4 and accepts a 0-length str8', () => {
    expectDecodeError(() => new Reader(hex('00')).name8(), ErrorCode.InvalidFormat);
    expect(new Reader(hex('00')).str8()).toBe('');
  });

  it('rejects invalid UTF-8 with code 3, short and long strings alike', () => {
    expectDecodeError(() => new Reader(hex('02 c3 28')).name8(), 3);
    const long = Buffer.concat([Buffer.from([40]), Buffer.alloc(39, 0x61), hex('ff')]);
    expectDecodeError(() => new Reader(long).name8(), 3);
    expect(decodeUtf8(Buffer.from('zażółć gęślą jaźń'), 0, Buffer.byteLength('zażółć gęślą jaźń'))).toBe('zażółć gęślą jaźń');
  });

  it('keeps a leading byte-order mark in decoded strings', () => {
    expect(new Reader(hex('03 ef bb bf')).name8()).toBe('\ufeff');
  });

  it('decodes identifiers with the reference error codes', () => {
    expect(new Reader(hex('01 04 07 00 00 00')).id()).toBe(7);
    expect(new Reader(hex('02 06 6f 72 64 65 72 73')).id()).toBe('orders');
    expectDecodeError(() => new Reader(hex('03 04 07 00 00 00')).id(), 3);
    expectDecodeError(() => new Reader(hex('01 05 07 00 00 00 00')).id(), 4);
    expectDecodeError(() => new Reader(hex('02 00')).id(), 4);
    expectDecodeError(() => new Reader(hex('02 03 61 62')).id(), 3);
  });
});

describe('Writer', () => {
  it('writes exactly the allocated size', () => {
    const bytes = new Writer(1 + 2 + 4 + 8 + 8).u8(1).u16(0x0102).u32(0x01020304).u64BigInt(0x0102030405060708n).u64(5).finish();
    expect(bytes).toEqual(hex('01 0201 04030201 0807060504030201 0500000000000000'));
  });

  it('refuses to finish a partially written buffer', () => {
    expect(() => new Writer(4).u8(1).finish()).toThrow(/wrote 1 of 4/);
  });

  it('rejects out-of-range values with code 4 instead of a RangeError', () => {
    expectIggyError(() => new Writer(1).u8(256), 4);
    expectIggyError(() => new Writer(4).u32(-1), 4);
    expectIggyError(() => new Writer(8).u64(2 ** 53), 4);
    expectIggyError(() => new Writer(8).u64(1.5), 4);
    expectIggyError(() => new Writer(8).u64BigInt(1n << 64n), 4);
    expectIggyError(() => new Writer(16).u128BigInt(-1n), 4);
  });

  it('sizes and validates Name8 strings in UTF-8 bytes', () => {
    expect(name8Size('ą')).toBe(3);
    expectIggyError(() => name8Size(''), 4);
    expectIggyError(() => name8Size('x'.repeat(256)), 4);
    expect(name8Size('x'.repeat(255))).toBe(256);
    expect(identifierSize(7)).toBe(6);
    expect(identifierSize('orders')).toBe(8);
  });

  it('writes u128 values across both halves', () => {
    const value = (0x0102030405060708n << 64n) | 0x1112131415161718n;
    const bytes = new Writer(16).u128BigInt(value).finish();
    expect(new Reader(bytes).u128BigInt()).toBe(value);
    expect(bytes).toEqual(hex('1817161514131211 0807060504030201'));
  });
});

describe('DecodeError', () => {
  it('is an IggyError carrying the wire code', () => {
    const error = new DecodeError(4, 'bad', 1, 2, 3);
    expect(error).toBeInstanceOf(IggyError);
    expect(error.code).toBe(4);
    expect(error.codeName).toBe('InvalidFormat');
    expect(error.message).toContain('offset 1, need 2, have 3');
  });
});
