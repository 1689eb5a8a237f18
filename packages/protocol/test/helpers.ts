/**
 * Shared builders and assertions for the protocol tests (not part of the package build).
 */
import { expect } from 'vitest';
import { DecodeError } from '../src/reader.js';
import { IggyError } from '../src/errors.js';

/** Bytes from a hex string; whitespace is ignored. */
export function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

/** The value `fn` threw, or undefined. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** Asserts `fn` throws a DecodeError with `code` and returns it. */
export function expectDecodeError(fn: () => unknown, code: number): DecodeError {
  const error = thrown(fn);
  expect(error, 'expected a DecodeError').toBeInstanceOf(DecodeError);
  expect((error as DecodeError).code).toBe(code);
  return error as DecodeError;
}

/** Asserts `fn` throws an IggyError (any subclass) with `code`. */
export function expectIggyError(fn: () => unknown, code: number): IggyError {
  const error = thrown(fn);
  expect(error, 'expected an IggyError').toBeInstanceOf(IggyError);
  expect((error as IggyError).code).toBe(code);
  return error as IggyError;
}

/**
 * Every strict prefix of `payload` must fail with a DecodeError of code 3 (truncation) — never a
 * RangeError or any other crash — except prefix lengths listed in `decodable`, which may decode
 * (list responses end at entry boundaries, "not found" is the empty payload, ...) but still must
 * not crash. Each prefix is copied so no decoder can see bytes past its end.
 */
export function expectTruncationsRejected(payload: Buffer, decode: (bytes: Buffer) => unknown, decodable: readonly number[] = []): void {
  for (let length = 0; length < payload.length; length += 1) {
    const prefix = Buffer.from(payload.subarray(0, length));
    const error = thrown(() => decode(prefix));
    if (error !== undefined && !(error instanceof DecodeError)) {
      throw new Error(`prefix of ${length}/${payload.length} bytes crashed: ${String(error)}`);
    }
    if (decodable.includes(length)) continue;
    if (error === undefined) throw new Error(`prefix of ${length}/${payload.length} bytes decoded without error`);
    expect((error as DecodeError).code, `prefix of ${length} bytes`).toBe(3);
  }
}

/** decode(encode(value)) equals value, and every truncation of the encoding is rejected. */
export function expectCodec<T>(encode: (value: T) => Buffer, decode: (bytes: Buffer) => unknown, value: T, decodable: readonly number[] = []): Buffer {
  const bytes = encode(value);
  expect(decode(bytes)).toEqual(value);
  expectTruncationsRejected(bytes, decode, decodable);
  return bytes;
}
