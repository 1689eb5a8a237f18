/**
 * User headers of a message (reference 5.2): a block of key/value pairs, each pair two TLV items.
 *
 *   [key_kind:u8][key_length:u32 LE][key:key_length][value_kind:u8][value_length:u32 LE][value:value_length]
 *
 * Kinds 1..=15 (Raw, String, Bool, Int8..Int128, Uint8..Uint128, Float32, Float64), lengths 1..=255,
 * fixed-size kinds must have their exact size; numbers are little-endian. The 0.8 server stores the
 * block verbatim (only its size is checked, 4017); clients validate when decoding. Keys carry a kind
 * too (usually String). The encoder keeps the given order (a Map is written in insertion order).
 *
 * Errors: truncated → 4016, bad kind → 4040, bad key → 4018, bad value → 4019.
 */
import { ErrorCode, IggyError } from './errors.js';
import { DecodeError, decodeUtf8 } from './reader.js';

export const HeaderKind = {
  Raw: 1,
  String: 2,
  Bool: 3,
  Int8: 4,
  Int16: 5,
  Int32: 6,
  Int64: 7,
  Int128: 8,
  Uint8: 9,
  Uint16: 10,
  Uint32: 11,
  Uint64: 12,
  Uint128: 13,
  Float32: 14,
  Float64: 15,
} as const;

/** One typed TLV item (a key or a value). Numbers up to 32 bits and floats are `number`; 64/128-bit integers are `bigint`. */
export type HeaderField =
  | { readonly kind: 1; readonly value: Uint8Array }
  | { readonly kind: 2; readonly value: string }
  | { readonly kind: 3; readonly value: boolean }
  | { readonly kind: 4 | 5 | 6 | 9 | 10 | 11 | 14 | 15; readonly value: number }
  | { readonly kind: 7 | 8 | 12 | 13; readonly value: bigint };

export interface UserHeader {
  readonly key: HeaderField;
  readonly value: HeaderField;
}

/** A list of typed pairs, or a map from string keys (written as kind-2 keys) to typed values. */
export type UserHeadersInput = readonly UserHeader[] | ReadonlyMap<string, HeaderField>;

/** Constructors for typed fields: `headerField.string('eu-west')`, `headerField.uint64(7n)`. */
export const headerField = {
  raw: (value: Uint8Array): HeaderField => ({ kind: 1, value }),
  string: (value: string): HeaderField => ({ kind: 2, value }),
  bool: (value: boolean): HeaderField => ({ kind: 3, value }),
  int8: (value: number): HeaderField => ({ kind: 4, value }),
  int16: (value: number): HeaderField => ({ kind: 5, value }),
  int32: (value: number): HeaderField => ({ kind: 6, value }),
  int64: (value: bigint): HeaderField => ({ kind: 7, value }),
  int128: (value: bigint): HeaderField => ({ kind: 8, value }),
  uint8: (value: number): HeaderField => ({ kind: 9, value }),
  uint16: (value: number): HeaderField => ({ kind: 10, value }),
  uint32: (value: number): HeaderField => ({ kind: 11, value }),
  uint64: (value: bigint): HeaderField => ({ kind: 12, value }),
  uint128: (value: bigint): HeaderField => ({ kind: 13, value }),
  float32: (value: number): HeaderField => ({ kind: 14, value }),
  float64: (value: number): HeaderField => ({ kind: 15, value }),
} as const;

/** Size of each kind's value (index = kind); 0 = variable (Raw, String). */
const FIXED_SIZE_BYTES = [0, 0, 0, 1, 1, 2, 4, 8, 16, 1, 2, 4, 8, 16, 4, 8] as const;
const ITEM_HEADER_SIZE_BYTES = 5;
const FIELD_SIZE_BYTES_MAX = 255;

const INT_RANGES: Record<number, readonly [number, number]> = {
  4: [-0x80, 0x7f],
  5: [-0x8000, 0x7fff],
  6: [-0x8000_0000, 0x7fff_ffff],
  9: [0, 0xff],
  10: [0, 0xffff],
  11: [0, 0xffff_ffff],
};
const BIGINT_RANGES: Record<number, readonly [bigint, bigint]> = {
  7: [-(1n << 63n), (1n << 63n) - 1n],
  8: [-(1n << 127n), (1n << 127n) - 1n],
  12: [0n, (1n << 64n) - 1n],
  13: [0n, (1n << 128n) - 1n],
};

function pairInputs(input: UserHeadersInput): readonly UserHeader[] {
  if (Array.isArray(input)) return input as readonly UserHeader[];
  const pairs: UserHeader[] = [];
  for (const [key, value] of input as ReadonlyMap<string, HeaderField>) pairs.push({ key: { kind: 2, value: key }, value });
  return pairs;
}

/** Content size of one field, validated; `errorCode` is 4018 for keys and 4019 for values. */
function fieldSize(field: HeaderField, errorCode: number): number {
  const kind = field.kind as number;
  if (!Number.isInteger(kind) || kind < 1 || kind > 15) throw new IggyError(ErrorCode.InvalidHeaderKind, `header kind must be 1..15, got ${kind}`);
  let size: number;
  if (field.kind === 1) size = field.value.length;
  else if (field.kind === 2) size = Buffer.byteLength(field.value, 'utf8');
  else size = FIXED_SIZE_BYTES[kind]!;
  if (size < 1 || size > FIELD_SIZE_BYTES_MAX) throw new IggyError(errorCode, `header field must be 1..255 bytes, got ${size}`);
  const intRange = INT_RANGES[kind];
  if (intRange !== undefined) {
    const value = field.value as number;
    if (!Number.isInteger(value) || value < intRange[0] || value > intRange[1]) throw new IggyError(errorCode, `header value out of range for kind ${kind}: ${value}`);
  }
  const bigRange = BIGINT_RANGES[kind];
  if (bigRange !== undefined) {
    const value = field.value as bigint;
    if (typeof value !== 'bigint' || value < bigRange[0] || value > bigRange[1]) throw new IggyError(errorCode, `header value out of range for kind ${kind}: ${String(value)}`);
  }
  return size;
}

/** Exact size of the encoded block (validates every field). */
export function userHeadersSize(input: UserHeadersInput): number {
  let size = 0;
  for (const pair of pairInputs(input)) {
    size += 2 * ITEM_HEADER_SIZE_BYTES + fieldSize(pair.key, ErrorCode.InvalidHeaderKey) + fieldSize(pair.value, ErrorCode.InvalidHeaderValue);
  }
  return size;
}

function writeField(target: Buffer, at: number, field: HeaderField, errorCode: number): number {
  const size = fieldSize(field, errorCode);
  target[at] = field.kind;
  target.writeUInt32LE(size, at + 1);
  const v = at + ITEM_HEADER_SIZE_BYTES;
  switch (field.kind) {
    case 1: target.set(field.value, v); break;
    case 2: target.write(field.value, v, size, 'utf8'); break;
    case 3: target[v] = field.value ? 1 : 0; break;
    case 4: target.writeInt8(field.value, v); break;
    case 5: target.writeInt16LE(field.value, v); break;
    case 6: target.writeInt32LE(field.value, v); break;
    case 7: target.writeBigInt64LE(field.value, v); break;
    case 8:
      target.writeBigUInt64LE(BigInt.asUintN(64, field.value), v);
      target.writeBigInt64LE(BigInt.asIntN(64, field.value >> 64n), v + 8);
      break;
    case 9: target[v] = field.value; break;
    case 10: target.writeUInt16LE(field.value, v); break;
    case 11: target.writeUInt32LE(field.value, v); break;
    case 12: target.writeBigUInt64LE(field.value, v); break;
    case 13:
      target.writeBigUInt64LE(BigInt.asUintN(64, field.value), v);
      target.writeBigUInt64LE(field.value >> 64n, v + 8);
      break;
    case 14: target.writeFloatLE(field.value, v); break;
    case 15: target.writeDoubleLE(field.value, v); break;
  }
  return v + size;
}

/** Writes the block at `at`; returns the next offset. `target` needs userHeadersSize(input) bytes. */
export function writeUserHeaders(target: Buffer, at: number, input: UserHeadersInput): number {
  for (const pair of pairInputs(input)) {
    at = writeField(target, at, pair.key, ErrorCode.InvalidHeaderKey);
    at = writeField(target, at, pair.value, ErrorCode.InvalidHeaderValue);
  }
  return at;
}

/** The block as its own buffer (empty when there are no headers). */
export function encodeUserHeaders(input: UserHeadersInput): Buffer {
  const block = Buffer.allocUnsafe(userHeadersSize(input));
  const end = writeUserHeaders(block, 0, input);
  if (end !== block.length) throw new Error(`encoder bug: wrote ${end} of ${block.length} bytes`);
  return block;
}

function readField(block: Buffer, at: number, errorCode: number): [HeaderField, number] {
  const have = block.length - at;
  if (have < ITEM_HEADER_SIZE_BYTES) throw new DecodeError(ErrorCode.CannotReadHeadersPayload, 'truncated user header', at, ITEM_HEADER_SIZE_BYTES, have);
  const kind = block[at]!;
  if (kind < 1 || kind > 15) throw new DecodeError(ErrorCode.InvalidHeaderKind, `invalid user header kind ${kind}`, at, 1, kind);
  const size = block.readUInt32LE(at + 1);
  if (size < 1 || size > FIELD_SIZE_BYTES_MAX) throw new DecodeError(errorCode, 'user header length must be 1..255', at + 1, 1, size);
  const fixed = FIXED_SIZE_BYTES[kind]!;
  if (fixed !== 0 && size !== fixed) throw new DecodeError(errorCode, `user header of kind ${kind} must be ${fixed} bytes`, at + 1, fixed, size);
  const v = at + ITEM_HEADER_SIZE_BYTES;
  if (block.length - v < size) throw new DecodeError(ErrorCode.CannotReadHeadersPayload, 'truncated user header', v, size, block.length - v);
  let field: HeaderField;
  switch (kind) {
    case 1: field = { kind, value: block.subarray(v, v + size) }; break;
    case 2: {
      let value: string;
      try {
        value = decodeUtf8(block, v, v + size, 'user header');
      } catch {
        throw new DecodeError(errorCode, 'invalid UTF-8 in user header', v, size, 0);
      }
      field = { kind, value };
      break;
    }
    case 3: {
      const byte = block[v]!;
      if (byte > 1) throw new DecodeError(errorCode, 'user header bool must be 0 or 1', v, 1, byte);
      field = { kind, value: byte === 1 };
      break;
    }
    case 4: field = { kind, value: block.readInt8(v) }; break;
    case 5: field = { kind, value: block.readInt16LE(v) }; break;
    case 6: field = { kind, value: block.readInt32LE(v) }; break;
    case 7: field = { kind, value: block.readBigInt64LE(v) }; break;
    case 8: field = { kind, value: (block.readBigInt64LE(v + 8) << 64n) | block.readBigUInt64LE(v) }; break;
    case 9: field = { kind, value: block[v]! }; break;
    case 10: field = { kind, value: block.readUInt16LE(v) }; break;
    case 11: field = { kind, value: block.readUInt32LE(v) }; break;
    case 12: field = { kind, value: block.readBigUInt64LE(v) }; break;
    case 13: field = { kind, value: (block.readBigUInt64LE(v + 8) << 64n) | block.readBigUInt64LE(v) }; break;
    case 14: field = { kind, value: block.readFloatLE(v) }; break;
    default: field = { kind: 15, value: block.readDoubleLE(v) }; break;
  }
  return [field, v + size];
}

/** Decodes and validates a whole block. Raw values are views of `block`. */
export function decodeUserHeaders(block: Buffer): UserHeader[] {
  const headers: UserHeader[] = [];
  let at = 0;
  while (at < block.length) {
    const [key, afterKey] = readField(block, at, ErrorCode.InvalidHeaderKey);
    const [value, afterValue] = readField(block, afterKey, ErrorCode.InvalidHeaderValue);
    headers.push({ key, value });
    at = afterValue;
  }
  return headers;
}

/** The pairs whose key is a String, as a map (later duplicates win). */
export function userHeadersByName(headers: readonly UserHeader[]): Map<string, HeaderField> {
  const map = new Map<string, HeaderField>();
  for (const { key, value } of headers) if (key.kind === 2) map.set(key.value, value);
  return map;
}
