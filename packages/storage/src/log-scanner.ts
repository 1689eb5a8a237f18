/**
 * Sequential validation of a segment's log file, used by recovery to rebuild index records and to
 * find the last valid message of a torn or corrupt tail. Reads the file in 1 MiB chunks (a larger
 * temporary buffer only for a message that does not fit), so memory stays bounded.
 *
 * A message is valid when its header and its 64 + p + h bytes lie inside the file, its lengths are
 * within the protocol limits (with h = 0, p may also be a sealed blob of up to 64 000 000 + 100 000
 * + 32 bytes, see encryption.ts), its offset is the expected next one, and (when asked) its XXH3-64
 * checksum over bytes 8..end matches bytes 0..8.
 */
import { readSync } from 'node:fs';
import { CHECKSUM_START_BYTE, MessageHeader, xxh3LeEquals } from '@iggy-ts/protocol';
import { SEALED_OVERHEAD_BYTES } from './encryption.js';
import type { ActiveIndex } from './segment.js';

const U32 = 0x1_0000_0000;
const CHUNK_SIZE_BYTES = 1024 * 1024;
/** Protocol limits (reference 1.5): larger lengths in a stored header mean garbage, not a message. */
const PAYLOAD_SIZE_BYTES_MAX = 64_000_000;
const USER_HEADERS_SIZE_BYTES_MAX = 100_000;
/** A sealed message (encryption.ts) stores payload and user headers as one blob, 32 bytes longer. */
const SEALED_PAYLOAD_SIZE_BYTES_MAX = PAYLOAD_SIZE_BYTES_MAX + USER_HEADERS_SIZE_BYTES_MAX + SEALED_OVERHEAD_BYTES;

export type ScanStopReason = 'end' | 'limit' | 'torn header' | 'torn message' | 'invalid length' | 'offset mismatch' | 'checksum mismatch';

export interface ScanResult {
  /** Position after the last valid message. */
  endPosition: number;
  /** Valid messages found (records pushed to the index). */
  messagesCount: number;
  stopReason: ScanStopReason;
}

export interface ScanParameters {
  fd: number;
  fileSizeBytes: number;
  /** Position of the first message to check. */
  fromPosition: number;
  /** Offset that message must carry. */
  firstOffset: number;
  segmentStartOffset: number;
  verifyChecksums: boolean;
  /** Stop (reason 'limit') after this many messages. Default: no limit. */
  messagesCountMax?: number;
}

/** Scans messages from `fromPosition` and pushes one index record per valid message onto `index`. */
export function scanLog(parameters: ScanParameters, index: ActiveIndex): ScanResult {
  const { fd, fileSizeBytes } = parameters;
  let chunk = Buffer.allocUnsafeSlow(Math.min(CHUNK_SIZE_BYTES, Math.max(MessageHeader.size, fileSizeBytes - parameters.fromPosition)));
  let chunkView = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  let chunkStart = 0;
  let chunkEnd = 0; // chunk holds file bytes [chunkStart, chunkEnd)
  let position = parameters.fromPosition;
  let expectedOffset = parameters.firstOffset;
  let messagesCount = 0;

  const load = (from: number, length: number): void => {
    if (length > chunk.byteLength) {
      chunk = Buffer.allocUnsafeSlow(length);
      chunkView = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    }
    const want = Math.min(chunk.byteLength, fileSizeBytes - from);
    let done = 0;
    while (done < want) {
      const read = readSync(fd, chunk, done, want - done, from + done);
      if (read === 0) break;
      done += read;
    }
    chunkStart = from;
    chunkEnd = from + done;
  };

  const messagesCountMax = parameters.messagesCountMax ?? Number.POSITIVE_INFINITY;
  let stopReason: ScanStopReason = 'end';
  while (position < fileSizeBytes) {
    if (messagesCount >= messagesCountMax) {
      stopReason = 'limit';
      break;
    }
    if (position + MessageHeader.size > fileSizeBytes) {
      stopReason = 'torn header';
      break;
    }
    if (position < chunkStart || position + MessageHeader.size > chunkEnd) load(position, MessageHeader.size);
    let at = position - chunkStart;
    const payloadLength = chunkView.getUint32(at + MessageHeader.payloadLength, true);
    const userHeadersLength = chunkView.getUint32(at + MessageHeader.userHeadersLength, true);
    if (payloadLength > (userHeadersLength === 0 ? SEALED_PAYLOAD_SIZE_BYTES_MAX : PAYLOAD_SIZE_BYTES_MAX) || userHeadersLength > USER_HEADERS_SIZE_BYTES_MAX) {
      stopReason = 'invalid length';
      break;
    }
    const size = MessageHeader.size + payloadLength + userHeadersLength;
    if (position + size > fileSizeBytes) {
      stopReason = 'torn message';
      break;
    }
    if (position + size > chunkEnd) {
      load(position, size);
      at = 0;
    }
    const offset = chunkView.getUint32(at + MessageHeader.offset, true) + chunkView.getUint32(at + MessageHeader.offset + 4, true) * U32;
    if (offset !== expectedOffset) {
      stopReason = 'offset mismatch';
      break;
    }
    if (parameters.verifyChecksums && !xxh3LeEquals(chunk, at + CHECKSUM_START_BYTE, at + size, chunk, at + MessageHeader.checksum)) {
      stopReason = 'checksum mismatch';
      break;
    }
    const timestampUs = chunkView.getUint32(at + MessageHeader.timestamp, true) + chunkView.getUint32(at + MessageHeader.timestamp + 4, true) * U32;
    position += size;
    index.push(offset - parameters.segmentStartOffset, position, timestampUs);
    expectedOffset += 1;
    messagesCount += 1;
  }
  return { endPosition: position, messagesCount, stopReason };
}
