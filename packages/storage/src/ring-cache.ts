/**
 * Ring-buffer cache of the active segment's tail.
 *
 * The ring holds the log bytes of positions [startPosition, endPosition) of the active segment,
 * position p at ring byte p mod capacity. endPosition is always the segment's written size, so the
 * ring is the newest bytes of the log; the part beyond the flushed position is the buffered-mode
 * journal (the owner flushes before an append would overwrite unflushed bytes). A poll of recent
 * messages is one or two copies out of the ring (two when the range wraps), never a disk read.
 *
 * Backed by a SharedArrayBuffer so another thread may later be handed a read-only view; this class
 * itself is used by the single writer thread only.
 */
import { assert } from './assert.js';

export class RingCache {
  readonly capacityBytes: number;
  readonly bytes: Buffer;
  /** Oldest segment position held. */
  startPosition = 0;
  /** One past the newest segment position held (= the active segment's written size). */
  endPosition = 0;

  constructor(capacityBytes: number) {
    this.capacityBytes = capacityBytes;
    this.bytes = Buffer.from(new SharedArrayBuffer(capacityBytes));
  }

  /** Empties the ring, continuing at `position` (a new segment, or after a batch bypassed the ring). */
  reset(position: number): void {
    this.startPosition = position;
    this.endPosition = position;
  }

  /** True when a batch of `sizeBytes` can be held at all. */
  fits(sizeBytes: number): boolean {
    return this.capacityBytes > 0 && sizeBytes <= this.capacityBytes;
  }

  /** Oldest position that will still be held after appending `sizeBytes` more. */
  startAfterAppend(sizeBytes: number): number {
    return Math.max(this.startPosition, this.endPosition + sizeBytes - this.capacityBytes);
  }

  /** Appends `source[start, end)` at endPosition, evicting the oldest bytes as needed. */
  append(source: Uint8Array, start: number, end: number): void {
    const length = end - start;
    assert(length <= this.capacityBytes, `ring append of ${length} bytes into ${this.capacityBytes}`);
    const capacity = this.capacityBytes;
    const at = this.endPosition % capacity;
    const firstPart = Math.min(length, capacity - at);
    this.bytes.set(source.subarray(start, start + firstPart), at);
    if (firstPart < length) this.bytes.set(source.subarray(start + firstPart, end), 0);
    this.endPosition += length;
    this.startPosition = Math.max(this.startPosition, this.endPosition - capacity);
  }

  /** True when [from, to) is held. */
  holds(from: number, to: number): boolean {
    return this.capacityBytes > 0 && from >= this.startPosition && to <= this.endPosition && from <= to;
  }

  /** Copies positions [from, to) into `target` at `targetOffset` (one or two copies). */
  copyTo(from: number, to: number, target: Uint8Array, targetOffset: number): void {
    assert(this.holds(from, to), `ring read [${from}, ${to}) outside [${this.startPosition}, ${this.endPosition})`);
    const capacity = this.capacityBytes;
    const length = to - from;
    const at = from % capacity;
    const firstPart = Math.min(length, capacity - at);
    target.set(this.bytes.subarray(at, at + firstPart), targetOffset);
    if (firstPart < length) target.set(this.bytes.subarray(0, length - firstPart), targetOffset + firstPart);
  }

  /**
   * The ring bytes of positions [from, to) as at most two views (no copy), for writing the journal
   * to the file. Returns the split: views [from, middle) and [middle, to).
   */
  view(from: number, to: number): { first: Buffer; second: Buffer | undefined } {
    assert(this.holds(from, to), `ring view [${from}, ${to}) outside [${this.startPosition}, ${this.endPosition})`);
    const capacity = this.capacityBytes;
    const length = to - from;
    const at = from % capacity;
    const firstPart = Math.min(length, capacity - at);
    return {
      first: this.bytes.subarray(at, at + firstPart),
      second: firstPart < length ? this.bytes.subarray(0, length - firstPart) : undefined,
    };
  }
}
