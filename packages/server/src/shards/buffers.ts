/** Buffer helpers shared by the router and the shard workers. */

/** Size of a response frame header: [status:u32][length:u32]. */
export const RESPONSE_HEADER_SIZE_BYTES = 8;
/** Size of the PollMessages response header: [partition_id:u32][current_offset:u64][count:u32]. */
export const POLL_HEADER_SIZE_BYTES = 16;
/** Bytes a worker leaves in front of polled messages: response frame header + poll header. */
export const POLL_RESERVE_BYTES = RESPONSE_HEADER_SIZE_BYTES + POLL_HEADER_SIZE_BYTES;

/**
 * An ArrayBuffer that holds exactly `bytes` and nothing else, so it can be transferred.
 * Transferring the backing store of a pooled Buffer would detach unrelated data, so a view that
 * does not span its whole ArrayBuffer is copied (deliberately: one copy per poll, not per message).
 */
export function ownedArrayBuffer(bytes: Buffer): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return copy;
}

/**
 * Fills the frame header and the poll header in front of polled messages:
 * [status=0:u32][length:u32][partition_id:u32][current_offset:u64][count:u32][messages...]
 * `reserve` must be POLL_RESERVE_BYTES.
 */
export function writePollHeaders(buffer: ArrayBuffer, reserve: number, partitionId: number, currentOffset: number, count: number): void {
  const view = new DataView(buffer);
  const headerStart = reserve - POLL_RESERVE_BYTES;
  view.setUint32(headerStart, 0, true);
  view.setUint32(headerStart + 4, buffer.byteLength - headerStart - RESPONSE_HEADER_SIZE_BYTES, true);
  view.setUint32(headerStart + 8, partitionId, true);
  view.setUint32(headerStart + 12, currentOffset >>> 0, true);
  view.setUint32(headerStart + 16, Math.floor(currentOffset / 0x1_0000_0000), true);
  view.setUint32(headerStart + 20, count, true);
}
