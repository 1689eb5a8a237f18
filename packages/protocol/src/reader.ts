/**
 * Bounds-checked reading and exact-size writing of the Iggy 0.8 wire primitives (reference 0.2, 2.1, 2.2).
 *
 * Decoders never trust a length: every read checks the bytes left before touching the buffer, and every
 * failure is a `DecodeError` carrying `{offset, need, have}` and the wire status of reference 1.8:
 *   - truncated field, unknown discriminant, invalid UTF-8            → 3 InvalidCommand
 *   - validation failure (empty name, numeric id length ≠ 4, ...)     → 4 InvalidFormat
 * so a server can answer `error.code` directly. A RangeError or TypeError escaping a decoder is a bug.
 *
 * Encoders compute the exact size first, allocate once (`new Writer(size)`), write in place and
 * `finish()` checks that every byte was written (allocUnsafe memory must never leak onto the wire).
 *
 * u64 fields are read as JS numbers (two u32 reads, exact below 2^53) unless a field carries
 * sentinels near u64::MAX, which use the bigint variants.
 */
import { isUtf8 } from 'node:buffer';
import { ErrorCode, IggyError } from './errors.js';
import type { Identifier } from './identifier.js';

const TWO_POW_32 = 0x1_0000_0000;
const U64_MAX = 0xffff_ffff_ffff_ffffn;
const U128_MAX = (1n << 128n) - 1n;

/** A payload failed to decode. `code` is the wire status to answer with (reference 1.8). */
export class DecodeError extends IggyError {
  /** Byte offset (within the decoded buffer) of the field that failed. */
  readonly offset: number;
  /** Bytes (or, for a validation failure, the value) the field needed. */
  readonly need: number;
  /** Bytes (or value) actually available. */
  readonly have: number;
  constructor(code: number, message: string, offset: number, need: number, have: number) {
    super(code, `${message} (offset ${offset}, need ${need}, have ${have})`);
    this.name = 'DecodeError';
    this.offset = offset;
    this.need = need;
    this.have = have;
  }
}

/** A field runs past the end of the buffer: code 3. */
export function truncated(field: string, offset: number, need: number, have: number): DecodeError {
  return new DecodeError(ErrorCode.InvalidCommand, `truncated ${field}`, offset, need, have);
}

/** A discriminant (kind byte) has no meaning: code 3. */
export function badDiscriminant(field: string, offset: number, value: number): DecodeError {
  return new DecodeError(ErrorCode.InvalidCommand, `unknown ${field} ${value}`, offset, 1, value);
}

/** A field decoded but failed validation: code 4. */
export function invalidFormat(field: string, offset: number, need: number, have: number): DecodeError {
  return new DecodeError(ErrorCode.InvalidFormat, `invalid ${field}`, offset, need, have);
}

function isAscii(bytes: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i += 1) if (bytes[i]! > 0x7f) return false;
  return true;
}

/** Decodes UTF-8 strictly; invalid sequences are code 3 (reference 1.8). */
export function decodeUtf8(bytes: Buffer, start: number, end: number, field = 'string'): string {
  if (end - start <= 32 && isAscii(bytes, start, end)) return bytes.toString('latin1', start, end);
  const view = bytes.subarray(start, end);
  if (!isUtf8(view)) throw new DecodeError(ErrorCode.InvalidCommand, `invalid UTF-8 in ${field}`, start, end - start, 0);
  return view.toString('utf8');
}

/** A cursor over `buffer[offset, end)`. Every read advances `offset`. */
export class Reader {
  readonly buffer: Buffer;
  offset: number;
  readonly end: number;

  constructor(buffer: Buffer, offset = 0, end = buffer.length) {
    this.buffer = buffer;
    this.offset = offset;
    this.end = end;
  }

  /** Bytes left before `end`. */
  get remaining(): number {
    return this.end - this.offset;
  }

  /** Throws a code-3 DecodeError unless `sizeBytes` bytes are left. */
  need(sizeBytes: number, field: string): void {
    const have = this.end - this.offset;
    if (have < sizeBytes) throw truncated(field, this.offset, sizeBytes, have);
  }

  u8(field = 'u8'): number {
    this.need(1, field);
    return this.buffer[this.offset++]!;
  }

  u16(field = 'u16'): number {
    this.need(2, field);
    const value = this.buffer.readUInt16LE(this.offset);
    this.offset += 2;
    return value;
  }

  u32(field = 'u32'): number {
    this.need(4, field);
    const value = this.buffer.readUInt32LE(this.offset);
    this.offset += 4;
    return value;
  }

  /** u64 as a number: exact below 2^53 (offsets, µs timestamps, sizes, counts). */
  u64(field = 'u64'): number {
    this.need(8, field);
    const at = this.offset;
    this.offset += 8;
    return this.buffer.readUInt32LE(at) + this.buffer.readUInt32LE(at + 4) * TWO_POW_32;
  }

  /** u64 as a bigint, for fields with sentinels near u64::MAX (expiry, max topic size). */
  u64BigInt(field = 'u64'): bigint {
    this.need(8, field);
    const value = this.buffer.readBigUInt64LE(this.offset);
    this.offset += 8;
    return value;
  }

  /** u128 LE as a bigint (message ids). */
  u128BigInt(field = 'u128'): bigint {
    this.need(16, field);
    const low = this.buffer.readBigUInt64LE(this.offset);
    const high = this.buffer.readBigUInt64LE(this.offset + 8);
    this.offset += 16;
    return (high << 64n) | low;
  }

  f32(field = 'f32'): number {
    this.need(4, field);
    const value = this.buffer.readFloatLE(this.offset);
    this.offset += 4;
    return value;
  }

  /** bool8: any non-zero byte is true (reference 2.15). */
  bool8(field = 'bool8'): boolean {
    return this.u8(field) !== 0;
  }

  /** A view (no copy) of the next `sizeBytes` bytes. */
  bytes(sizeBytes: number, field = 'bytes'): Buffer {
    this.need(sizeBytes, field);
    const start = this.offset;
    this.offset += sizeBytes;
    return this.buffer.subarray(start, this.offset);
  }

  /** `sizeBytes` bytes of strict UTF-8. */
  utf8(sizeBytes: number, field = 'string'): string {
    this.need(sizeBytes, field);
    const start = this.offset;
    this.offset += sizeBytes;
    return decodeUtf8(this.buffer, start, this.offset, field);
  }

  /** `[len:u8][utf8:len]` with len 1..=255; len 0 is code 4 (names, usernames, tokens). */
  name8(field = 'name'): string {
    const at = this.offset;
    const length = this.u8(field);
    if (length === 0) throw invalidFormat(`${field} (empty)`, at, 1, 0);
    return this.utf8(length, field);
  }

  /** `[len:u8][utf8:len]` with len 0..=255 (passwords: their rules are checked by the server, not here). */
  str8(field = 'string'): string {
    const length = this.u8(field);
    return this.utf8(length, field);
  }

  /** `[len:u32][utf8:len]`, no minimum. */
  str32(field = 'string'): string {
    const length = this.u32(field);
    return this.utf8(length, field);
  }

  /**
   * Identifier (reference 2.1): `[kind:u8][length:u8][value:length]`.
   * kind 1 → number (length must be 4), kind 2 → string (length 1..=255).
   */
  id(field = 'identifier'): Identifier {
    const at = this.offset;
    this.need(2, field);
    const kind = this.buffer[at]!;
    const length = this.buffer[at + 1]!;
    if (kind !== 1 && kind !== 2) throw badDiscriminant(`${field} kind`, at, kind);
    if (length === 0) throw invalidFormat(`${field} length`, at + 1, 1, 0);
    if (kind === 1 && length !== 4) throw invalidFormat(`${field} numeric length`, at + 1, 4, length);
    this.offset += 2;
    if (kind === 1) return this.u32(field);
    return this.utf8(length, field);
  }
}

function assertU(value: number, max: number, field: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new IggyError(ErrorCode.InvalidFormat, `${field} out of range: ${value}`);
  }
}

/** UTF-8 size of a Name8 string, checked to be 1..=255 bytes. */
export function name8Size(value: string, field = 'name'): number {
  const length = Buffer.byteLength(value, 'utf8');
  if (length < 1 || length > 255) throw new IggyError(ErrorCode.InvalidFormat, `${field} must be 1..255 UTF-8 bytes, got ${length}`);
  return 1 + length;
}

/** UTF-8 size of a `[len:u8]` string, checked to be 0..=255 bytes. */
export function str8Size(value: string, field = 'string'): number {
  const length = Buffer.byteLength(value, 'utf8');
  if (length > 255) throw new IggyError(ErrorCode.InvalidFormat, `${field} must be at most 255 UTF-8 bytes, got ${length}`);
  return 1 + length;
}

/** Size of a Str32 string. */
export function str32Size(value: string): number {
  return 4 + Buffer.byteLength(value, 'utf8');
}

/** Size of an identifier on the wire: 6 for numbers, 2 + UTF-8 length for names. */
export function identifierSize(id: Identifier): number {
  if (typeof id === 'number') return 6;
  return 1 + name8Size(id, 'identifier');
}

/**
 * Writes into a buffer allocated once at its exact size. Values are validated (range, name length)
 * and an invalid one throws IggyError(4): encoders never emit a frame the peer must reject.
 */
export class Writer {
  readonly buffer: Buffer;
  offset: number;

  constructor(sizeBytes: number) {
    // allocUnsafe is safe here: finish() proves every byte was overwritten.
    this.buffer = Buffer.allocUnsafe(sizeBytes);
    this.offset = 0;
  }

  u8(value: number, field = 'u8'): this {
    assertU(value, 0xff, field);
    this.buffer[this.offset++] = value;
    return this;
  }

  u16(value: number, field = 'u16'): this {
    assertU(value, 0xffff, field);
    this.offset = this.buffer.writeUInt16LE(value, this.offset);
    return this;
  }

  u32(value: number, field = 'u32'): this {
    assertU(value, 0xffff_ffff, field);
    this.offset = this.buffer.writeUInt32LE(value, this.offset);
    return this;
  }

  /** u64 from a safe non-negative integer, without BigInt. */
  u64(value: number, field = 'u64'): this {
    assertU(value, Number.MAX_SAFE_INTEGER, field);
    this.buffer.writeUInt32LE(value >>> 0, this.offset);
    this.buffer.writeUInt32LE(Math.floor(value / TWO_POW_32), this.offset + 4);
    this.offset += 8;
    return this;
  }

  u64BigInt(value: bigint, field = 'u64'): this {
    if (value < 0n || value > U64_MAX) throw new IggyError(ErrorCode.InvalidFormat, `${field} out of u64 range: ${value}`);
    this.offset = this.buffer.writeBigUInt64LE(value, this.offset);
    return this;
  }

  u128BigInt(value: bigint, field = 'u128'): this {
    if (value < 0n || value > U128_MAX) throw new IggyError(ErrorCode.InvalidFormat, `${field} out of u128 range: ${value}`);
    this.buffer.writeBigUInt64LE(value & U64_MAX, this.offset);
    this.buffer.writeBigUInt64LE(value >> 64n, this.offset + 8);
    this.offset += 16;
    return this;
  }

  f32(value: number): this {
    this.offset = this.buffer.writeFloatLE(value, this.offset);
    return this;
  }

  bool8(value: boolean): this {
    this.buffer[this.offset++] = value ? 1 : 0;
    return this;
  }

  bytes(value: Uint8Array): this {
    this.buffer.set(value, this.offset);
    this.offset += value.length;
    return this;
  }

  /** `[len:u8][utf8]`, 1..=255 bytes. */
  name8(value: string, field = 'name'): this {
    const length = name8Size(value, field) - 1;
    this.buffer[this.offset++] = length;
    this.offset += this.buffer.write(value, this.offset, length, 'utf8');
    return this;
  }

  /** `[len:u8][utf8]`, 0..=255 bytes. */
  str8(value: string, field = 'string'): this {
    const length = str8Size(value, field) - 1;
    this.buffer[this.offset++] = length;
    this.offset += this.buffer.write(value, this.offset, length, 'utf8');
    return this;
  }

  /** `[len:u32][utf8]`. */
  str32(value: string): this {
    const length = Buffer.byteLength(value, 'utf8');
    this.offset = this.buffer.writeUInt32LE(length, this.offset);
    this.offset += this.buffer.write(value, this.offset, length, 'utf8');
    return this;
  }

  /** Identifier: number → `01 04 u32`, string → `02 len utf8`. */
  id(value: Identifier, field = 'identifier'): this {
    if (typeof value === 'number') {
      assertU(value, 0xffff_ffff, field);
      this.buffer[this.offset] = 1;
      this.buffer[this.offset + 1] = 4;
      this.offset = this.buffer.writeUInt32LE(value, this.offset + 2);
      return this;
    }
    this.buffer[this.offset++] = 2;
    return this.name8(value, field);
  }

  /** Returns the buffer after checking that exactly its size was written. */
  finish(): Buffer {
    if (this.offset !== this.buffer.length) {
      throw new Error(`encoder bug: wrote ${this.offset} of ${this.buffer.length} bytes`);
    }
    return this.buffer;
  }
}

/** The shared empty payload (never written to). */
export const EMPTY_BUFFER: Buffer = Buffer.alloc(0);
