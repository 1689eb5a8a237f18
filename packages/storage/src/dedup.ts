/**
 * Message deduplication by id (reference 5.6), per partition, optional.
 *
 * The window remembers the u128 id of every appended message (ids the server generated included, as
 * Iggy does: a random UUID never collides, and the window then matches what a rebuild from the log
 * sees) for `expiryUs`, at most `maxEntries` of them, oldest evicted first. Unlike Iggy 0.8, duplicates
 * are removed BEFORE offsets are assigned, so offsets stay dense, and a batch of only duplicates is
 * simply not written.
 *
 * Keys are the 16 id bytes as a latin1 string (one small string per message: this path is opt-in).
 */
import { MessageHeader } from '@iggy-ts/protocol';
import { assert } from './assert.js';
import type { RandomIdPool } from './message-stamper.js';

export interface DedupFilterResult {
  /** Bytes of the kept messages, compacted at the front of the batch buffer. */
  sizeBytes: number;
  messagesCount: number;
  duplicatesCount: number;
}

export class DedupWindow {
  /** id key → expiry time in µs, in insertion (= time) order. */
  private readonly seen = new Map<string, number>();

  constructor(
    readonly maxEntries: number,
    readonly expiryUs: number,
  ) {}

  get size(): number {
    return this.seen.size;
  }

  /** Drops expired ids and the oldest ones beyond maxEntries. */
  evict(nowUs: number): void {
    for (const [key, expiresAtUs] of this.seen) {
      if (expiresAtUs > nowUs && this.seen.size <= this.maxEntries) break;
      this.seen.delete(key);
    }
  }

  /** Remembers an id seen at `timestampUs` (used when rebuilding from the log, oldest first). */
  remember(key: string, timestampUs: number): void {
    this.seen.delete(key);
    this.seen.set(key, timestampUs + this.expiryUs);
  }

  has(key: string, nowUs: number): boolean {
    const expiresAtUs = this.seen.get(key);
    return expiresAtUs !== undefined && expiresAtUs > nowUs;
  }

  clear(): void {
    this.seen.clear();
  }

  /**
   * Gives zero ids a random UUID v4, removes messages whose id is in the window (or earlier in the same
   * batch) by compacting the kept ones to the front of `messages` in place (one copy per run of kept
   * messages), and remembers the kept ids.
   */
  filter(messages: Buffer, count: number, nowUs: number, ids: RandomIdPool): DedupFilterResult {
    this.evict(nowUs);
    const view = new DataView(messages.buffer, messages.byteOffset, messages.byteLength);
    let readPosition = 0;
    let writePosition = 0;
    let runStart = 0; // start of the current run of kept messages not yet moved
    let kept = 0;
    for (let i = 0; i < count; i += 1) {
      const size = MessageHeader.size + view.getUint32(readPosition + MessageHeader.payloadLength, true) + view.getUint32(readPosition + MessageHeader.userHeadersLength, true);
      const idAt = readPosition + MessageHeader.id;
      if ((view.getUint32(idAt, true) | view.getUint32(idAt + 4, true) | view.getUint32(idAt + 8, true) | view.getUint32(idAt + 12, true)) === 0) {
        ids.writeUuidV4(messages, idAt);
      }
      const key = messages.toString('latin1', idAt, idAt + 16);
      if (this.has(key, nowUs)) {
        if (runStart < readPosition) {
          if (writePosition !== runStart) messages.copyWithin(writePosition, runStart, readPosition);
          writePosition += readPosition - runStart;
        }
        runStart = readPosition + size;
      } else {
        this.remember(key, nowUs);
        kept += 1;
      }
      readPosition += size;
    }
    assert(readPosition === messages.byteLength, `dedup walk covered ${readPosition} of ${messages.byteLength} bytes`);
    if (runStart < readPosition) {
      if (writePosition !== runStart) messages.copyWithin(writePosition, runStart, readPosition);
      writePosition += readPosition - runStart;
    }
    this.evict(nowUs);
    return { sizeBytes: writePosition, messagesCount: kept, duplicatesCount: count - kept };
  }
}
