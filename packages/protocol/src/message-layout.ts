/**
 * The Iggy 0.8 message frame, identical in SendMessages, PollMessages responses and on disk
 * (reference 5.1). A message is a 64-byte header, then the payload, then the user-header block.
 *
 * [checksum:u64][id:u128][offset:u64][timestamp:u64][origin_timestamp:u64]
 * [user_headers_length:u32][payload_length:u32][reserved:u64][payload:p][user_headers:h]
 *
 * All integers little-endian. Hot paths read and write these fields as pairs of u32 through a
 * DataView or directly on bytes, never through BigInt.
 */
export const MessageHeader = {
  checksum: 0,
  id: 8,
  offset: 24,
  timestamp: 32,
  originTimestamp: 40,
  userHeadersLength: 48,
  payloadLength: 52,
  reserved: 56,
  size: 64,
} as const;

/** The checksum covers the message from this byte to its end (reference 5.5). */
export const CHECKSUM_START_BYTE = 8;

/** Largest payload of one message (reference 1.5, error 4022). */
export const MESSAGE_PAYLOAD_SIZE_BYTES_MAX = 64_000_000;
/** Largest user-header block of one message (reference 1.5, error 4017). */
export const USER_HEADERS_SIZE_BYTES_MAX = 100_000;

/** The SendMessages index entry sent by clients: [relative_offset:u32][end_position:u32][timestamp:u64]. */
export const INDEX_ENTRY_SIZE_BYTES = 16;

/** Size in bytes of the message starting at `start` in `bytes` (header + payload + user headers). */
export function messageSizeAt(view: DataView, start: number): number {
  return MessageHeader.size + view.getUint32(start + MessageHeader.payloadLength, true) + view.getUint32(start + MessageHeader.userHeadersLength, true);
}

/** Reads a u64 LE as a JS number; exact up to 2^53, which offsets and µs timestamps stay below. */
export function readU64(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 0x1_0000_0000;
}

/** Writes a non-negative integer below 2^53 as a u64 LE without BigInt. */
export function writeU64(view: DataView, at: number, value: number): void {
  view.setUint32(at, value >>> 0, true);
  view.setUint32(at + 4, Math.floor(value / 0x1_0000_0000), true);
}
