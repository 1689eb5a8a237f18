/**
 * Stamps an accepted batch in place before it is persisted (reference 5.3.4): offset (dense, from the
 * partition's next offset), one server timestamp for the whole batch, a random UUID v4 for ids that are
 * zero, and the XXH3-64 checksum of bytes 8..end of each message written LE at bytes 0..8. The index
 * records of the batch are written in the same pass.
 *
 * Per message this is a handful of DataView u32 stores: no BigInt, no object, no closure, no
 * allocation (random ids come from a pool refilled by one randomFillSync call). Checksums are computed
 * for the whole batch in one WASM call after the stamping pass (one call per message costs more than
 * the hashing itself).
 */
import { randomFillSync } from 'node:crypto';
import { MessageHeader, checksumBatch } from '@iggy-ts/protocol';
import { assert } from './assert.js';
import type { ActiveIndex } from './segment.js';

const U32 = 0x1_0000_0000;
const ID_SIZE_BYTES = 16;

/** Random bytes for UUID v4 ids, drawn 16 at a time from a refillable pool. */
export class RandomIdPool {
  private readonly pool: Buffer;
  private position: number;

  constructor(idsPerRefill = 4096, private readonly fill: (target: Buffer) => void = (target) => void randomFillSync(target)) {
    this.pool = Buffer.allocUnsafeSlow(idsPerRefill * ID_SIZE_BYTES);
    this.position = this.pool.byteLength;
  }

  /** Writes a random UUID v4 (string byte order) at `target[at..at+16]`. */
  writeUuidV4(target: Buffer, at: number): void {
    if (this.position === this.pool.byteLength) {
      this.fill(this.pool);
      this.position = 0;
    }
    this.pool.copy(target, at, this.position, this.position + ID_SIZE_BYTES);
    this.position += ID_SIZE_BYTES;
    target[at + 6] = (target[at + 6]! & 0x0f) | 0x40; // version 4
    target[at + 8] = (target[at + 8]! & 0x3f) | 0x80; // variant 10xx
  }
}

export interface StampParameters {
  firstOffset: number;
  timestampUs: number;
  /** Start offset of the segment the batch goes into (index relative offsets). */
  segmentStartOffset: number;
  /** Log position of the batch's first byte in that segment (index end positions). */
  segmentPosition: number;
}

/**
 * Stamps `count` messages of `messages` (exactly the whole buffer) and appends their index records to
 * `index`. The caller has validated the structure; the walk asserts it still adds up.
 */
export function stampBatch(messages: Buffer, count: number, parameters: StampParameters, index: ActiveIndex, ids: RandomIdPool): void {
  const view = new DataView(messages.buffer, messages.byteOffset, messages.byteLength);
  const timestampLow = parameters.timestampUs >>> 0;
  const timestampHigh = Math.floor(parameters.timestampUs / U32);
  const relativeBase = parameters.firstOffset - parameters.segmentStartOffset;
  const firstRecord = index.count;
  index.ensureCapacity(firstRecord + count);
  const indexView = index.view;
  let offset = parameters.firstOffset;
  let position = 0;
  const length = messages.byteLength;
  for (let i = 0; i < count; i += 1) {
    if (position + MessageHeader.size > length) assert(false, `message ${i} header beyond the batch`);
    const size = MessageHeader.size + view.getUint32(position + MessageHeader.payloadLength, true) + view.getUint32(position + MessageHeader.userHeadersLength, true);
    const end = position + size;
    if (end > length) assert(false, `message ${i} ends at ${end}, batch has ${length} bytes`);
    view.setUint32(position + MessageHeader.offset, offset >>> 0, true);
    view.setUint32(position + MessageHeader.offset + 4, Math.floor(offset / U32), true);
    view.setUint32(position + MessageHeader.timestamp, timestampLow, true);
    view.setUint32(position + MessageHeader.timestamp + 4, timestampHigh, true);
    const idAt = position + MessageHeader.id;
    if ((view.getUint32(idAt, true) | view.getUint32(idAt + 4, true) | view.getUint32(idAt + 8, true) | view.getUint32(idAt + 12, true)) === 0) {
      ids.writeUuidV4(messages, idAt);
    }
    const record = (firstRecord + i) * 16;
    indexView.setUint32(record, relativeBase + i, true);
    indexView.setUint32(record + 4, parameters.segmentPosition + end, true);
    indexView.setUint32(record + 8, timestampLow, true);
    indexView.setUint32(record + 12, timestampHigh, true);
    offset += 1;
    position = end;
  }
  assert(position === length, `batch of ${count} messages spans ${position} of ${length} bytes`);
  // Checksums last: they cover the offset, timestamp and id written above (reference 5.5).
  assert(checksumBatch(messages, count), 'batch checksums computed over the whole batch');
  index.count = firstRecord + count;
}
