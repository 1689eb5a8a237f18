/**
 * Partitioning of a SendMessages batch (reference 2.5): `[kind:u8][length:u8][value:length]`.
 *
 *   kind 1 Balanced     length 0            server round-robin
 *   kind 2 PartitionId  length 4, u32 LE    that partition (0-based)
 *   kind 3 MessagesKey  length 1..=255      XXH32(seed 0, key) % partitions_count (server tolerates 0)
 *
 * In SendMessages every partitioning failure (bad kind, bad length, truncation) is status 3.
 */
import { ErrorCode, IggyError } from './errors.js';
import { xxh32 } from './hash.js';
import { Reader, Writer, badDiscriminant, DecodeError } from './reader.js';

export const PartitioningKind = { Balanced: 1, PartitionId: 2, MessagesKey: 3 } as const;
export type PartitioningKindValue = (typeof PartitioningKind)[keyof typeof PartitioningKind];

export interface Partitioning {
  readonly kind: PartitioningKindValue;
  /** Raw value bytes: empty (Balanced), u32 LE (PartitionId) or the key. */
  readonly value: Buffer;
}

const BALANCED: Partitioning = Object.freeze({ kind: PartitioningKind.Balanced, value: Buffer.alloc(0) });

/** Server-side round robin. */
export function balanced(): Partitioning {
  return BALANCED;
}

/** A fixed partition (0-based). */
export function partitionId(id: number): Partitioning {
  if (!Number.isInteger(id) || id < 0 || id > 0xffff_ffff) throw new IggyError(ErrorCode.InvalidFormat, `partition id out of u32 range: ${id}`);
  const value = Buffer.allocUnsafe(4);
  value.writeUInt32LE(id, 0);
  return { kind: PartitioningKind.PartitionId, value };
}

/**
 * Key partitioning. Key bytes follow the Node SDK so both pick the same partition: bytes as-is,
 * string as UTF-8, number as u32 LE, bigint as u64 LE. 1..=255 bytes.
 */
export function messagesKey(key: Uint8Array | string | number | bigint): Partitioning {
  let value: Buffer;
  if (typeof key === 'string') value = Buffer.from(key, 'utf8');
  else if (typeof key === 'number') {
    if (!Number.isInteger(key) || key < 0 || key > 0xffff_ffff) throw new IggyError(ErrorCode.InvalidFormat, `numeric messages key out of u32 range: ${key}`);
    value = Buffer.allocUnsafe(4);
    value.writeUInt32LE(key, 0);
  } else if (typeof key === 'bigint') {
    if (key < 0n || key > 0xffff_ffff_ffff_ffffn) throw new IggyError(ErrorCode.InvalidFormat, `bigint messages key out of u64 range: ${key}`);
    value = Buffer.allocUnsafe(8);
    value.writeBigUInt64LE(key, 0);
  } else value = Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  if (value.length < 1 || value.length > 255) throw new IggyError(ErrorCode.InvalidKeyValueLength, `messages key must be 1..255 bytes, got ${value.length}`);
  return { kind: PartitioningKind.MessagesKey, value };
}

/** The partition the server picks for a key: XXH32(seed 0) as unsigned, modulo the count (>= 1). */
export function partitionForKey(keyBytes: Uint8Array, partitionsCount: number): number {
  if (!Number.isInteger(partitionsCount) || partitionsCount < 1) throw new RangeError(`partitionsCount must be >= 1, got ${partitionsCount}`);
  return xxh32(keyBytes, 0) % partitionsCount;
}

export function partitioningSize(partitioning: Partitioning): number {
  return 2 + partitioning.value.length;
}

/** Strict encoder: Balanced 0 bytes, PartitionId 4 bytes, MessagesKey 1..=255 bytes. */
export function writePartitioning(writer: Writer, partitioning: Partitioning): void {
  const { kind, value } = partitioning;
  const valid =
    (kind === PartitioningKind.Balanced && value.length === 0) ||
    (kind === PartitioningKind.PartitionId && value.length === 4) ||
    (kind === PartitioningKind.MessagesKey && value.length >= 1 && value.length <= 255);
  if (!valid) throw new IggyError(ErrorCode.InvalidFormat, `invalid partitioning kind ${kind} with ${value.length} value bytes`);
  writer.u8(kind).u8(value.length).bytes(value);
}

/** Reads a partitioning; every failure is code 3. The value is a view. */
export function readPartitioning(reader: Reader): Partitioning {
  const at = reader.offset;
  const kind = reader.u8('partitioning kind');
  const length = reader.u8('partitioning length');
  if (kind !== 1 && kind !== 2 && kind !== 3) throw badDiscriminant('partitioning kind', at, kind);
  if ((kind === 1 && length !== 0) || (kind === 2 && length !== 4)) {
    throw new DecodeError(ErrorCode.InvalidCommand, `invalid partitioning length for kind ${kind}`, at + 1, kind === 1 ? 0 : 4, length);
  }
  return { kind, value: reader.bytes(length, 'partitioning value') };
}
