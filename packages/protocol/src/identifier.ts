/**
 * Identifier (reference 2.1): `[kind:u8][length:u8][value:length]`.
 *
 * In TypeScript an identifier is a `number` (kind 1, numeric, u32, always 6 bytes on the wire) or a
 * `string` (kind 2, resolved by name even if it looks like a number, 1..=255 UTF-8 bytes).
 * Decode failures: truncated or unknown kind → 3; empty or numeric length ≠ 4 → 4 (reference 1.8).
 */
import { ErrorCode, IggyError } from './errors.js';
import { Reader, Writer, identifierSize } from './reader.js';

/** number = numeric id (kind 1); string = name (kind 2). */
export type Identifier = number | string;

export const IdentifierKind = { Numeric: 1, String: 2 } as const;

export { identifierSize };

/** Writes `id` at `at` in `target` and returns the next offset. `target` must have room (identifierSize). */
export function writeIdentifier(target: Buffer, at: number, id: Identifier): number {
  if (typeof id === 'number') {
    if (!Number.isInteger(id) || id < 0 || id > 0xffff_ffff) throw new IggyError(ErrorCode.InvalidFormat, `numeric identifier out of u32 range: ${id}`);
    target[at] = 1;
    target[at + 1] = 4;
    return target.writeUInt32LE(id, at + 2);
  }
  const length = identifierSize(id) - 2;
  target[at] = 2;
  target[at + 1] = length;
  return at + 2 + target.write(id, at + 2, length, 'utf8');
}

/** `id` as its own buffer (6 bytes for numbers). */
export function encodeIdentifier(id: Identifier): Buffer {
  return new Writer(identifierSize(id)).id(id).finish();
}

/** Decodes one identifier at `at` (default 0); trailing bytes are ignored. */
export function decodeIdentifier(bytes: Buffer, at = 0): Identifier {
  return new Reader(bytes, at).id();
}

/** Reads one identifier from a reader (advancing it). */
export function readIdentifier(reader: Reader, field?: string): Identifier {
  return reader.id(field);
}

/** Human form for logs and errors: `#7` or `"orders"`. */
export function formatIdentifier(id: Identifier): string {
  return typeof id === 'number' ? `#${id}` : JSON.stringify(id);
}
