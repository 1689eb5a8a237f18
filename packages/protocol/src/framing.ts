/**
 * Frame splitting and frame headers (reference 1.2–1.5, 1.7).
 *
 *   request:  [length:u32 = 4 + N][code:u32][payload:N]
 *   response: [status:u32][length:u32 = N][payload:N]
 *
 * The decoders turn an arbitrary chunking of a byte stream into whole frames:
 *   - a frame lying wholly inside one pushed chunk is delivered as a view of that chunk (no copy);
 *   - a frame spanning chunks is assembled into ONE buffer from the injectable `allocate`
 *     (default Buffer.allocUnsafeSlow, so the payload owns its ArrayBuffer and can be transferred);
 *   - a declared size is checked against the limit before a byte of it is buffered; an oversized
 *     frame (or a request with `length < 4`) is reported as an error frame and exactly its declared
 *     bytes are drained (skipped, never buffered), so the stream never desynchronises (unlike the
 *     0.8 server, reference 1.7).
 * No Buffer.concat, no per-byte work: every chunk is processed in O(frames) slices.
 */
import { ErrorCode } from './errors.js';
import { EMPTY_BUFFER } from './reader.js';

/** Both frame headers are 8 bytes. */
export const REQUEST_HEADER_SIZE_BYTES = 8;
export const RESPONSE_HEADER_SIZE_BYTES = 8;

/** Largest payload of every command except SendMessages at 0.8 (reference 1.5): 10 MiB. */
export const CONTROL_PAYLOAD_SIZE_BYTES_MAX_DEFAULT = 10 * 1024 * 1024;
/**
 * Default SendMessages payload limit: 256 MiB. 0.8 accepts the whole u32 range, but a frame spanning
 * chunks is allocated at its declared size, so an unbounded default would let one 8-byte header
 * reserve 4 GiB. Configure up to 0xffff_fffb (the wire maximum) when larger batches are wanted.
 */
export const SEND_MESSAGES_PAYLOAD_SIZE_BYTES_MAX_DEFAULT = 256 * 1024 * 1024;

const SEND_MESSAGES_CODE = 101;

/** A decoded request frame. `errorCode` 0 = valid frame; otherwise `payload` is empty and the frame was drained. */
export interface RequestFrame {
  /** Command code; 0 when the frame was too short to carry one (`length < 4`). */
  readonly code: number;
  /** The payload (a view of the pushed chunk, or one buffer from `allocate`). */
  readonly payload: Buffer;
  /** 0 for a valid frame, else the status to answer with (3 for size violations, or what `checkFrameHeader` returned). */
  readonly errorCode: number;
  /** Payload size the frame header declared (equals payload.length for valid frames). */
  readonly declaredSizeBytes: number;
}

/** A decoded response frame. `errorCode` 0 = valid frame; otherwise the payload was too large and was drained. */
export interface ResponseFrame {
  /** Status from the wire: 0 = OK, otherwise an Iggy error code. */
  readonly status: number;
  readonly payload: Buffer;
  /** 0, or 3 when the declared length exceeded `payloadSizeBytesMax`. */
  readonly errorCode: number;
  readonly declaredSizeBytes: number;
}

export interface RequestFrameDecoderOptions {
  /** Called once per frame, valid or not, in stream order. Must not re-enter `push`. */
  readonly onFrame: (frame: RequestFrame) => void;
  /** Payload limit for every command except SendMessages. Default 10 MiB. */
  readonly controlPayloadSizeBytesMax?: number;
  /** Payload limit for SendMessages (101). Default 256 MiB (0.8 itself has no limit below the u32 range). */
  readonly sendMessagesPayloadSizeBytesMax?: number;
  /**
   * Optional admission check run on each header that passed the size limits, before any payload byte
   * is buffered: return 0 to accept, or an error code to drain the payload and report an error frame
   * with that code (e.g. 40 for SendMessages before login, reference 1.7).
   */
  readonly checkFrameHeader?: (code: number, payloadSizeBytes: number) => number;
  /** Allocator for frames that span chunks. Default Buffer.allocUnsafeSlow. */
  readonly allocate?: (sizeBytes: number) => Buffer;
}

export interface ResponseFrameDecoderOptions {
  /** Called once per frame in stream order. Must not re-enter `push`. */
  readonly onFrame: (frame: ResponseFrame) => void;
  /** Largest payload accepted. Default: the u32 range. */
  readonly payloadSizeBytesMax?: number;
  /** Allocator for frames that span chunks. Default Buffer.allocUnsafeSlow. */
  readonly allocate?: (sizeBytes: number) => Buffer;
}

const PHASE_HEADER = 0;
const PHASE_BODY = 1;
const PHASE_DRAIN = 2;

function defaultAllocate(sizeBytes: number): Buffer {
  return Buffer.allocUnsafeSlow(sizeBytes);
}

/**
 * The splitting state machine shared by both decoders. `isRequest` selects the header meaning:
 * request length includes the code, response length does not. Subclasses only build frame objects.
 */
abstract class FrameSplitter {
  private readonly header = Buffer.allocUnsafe(8);
  private headerFilled = 0;
  private phase = PHASE_HEADER;
  private body: Buffer = EMPTY_BUFFER;
  private bodyFilled = 0;
  private drainLeft = 0;
  /** Code (request) or status (response) of the frame in progress. */
  private tag = 0;
  private readonly allocate: (sizeBytes: number) => Buffer;

  constructor(
    private readonly isRequest: boolean,
    allocate: ((sizeBytes: number) => Buffer) | undefined,
  ) {
    this.allocate = allocate ?? defaultAllocate;
  }

  /** True between frames (nothing partially received). */
  get atFrameBoundary(): boolean {
    return this.phase === PHASE_HEADER && this.headerFilled === 0;
  }

  /** Bytes of the frame in progress still expected (0 at a frame boundary; header bytes count). */
  get pendingSizeBytes(): number {
    if (this.phase === PHASE_BODY) return this.body.length - this.bodyFilled;
    if (this.phase === PHASE_DRAIN) return this.drainLeft;
    return this.headerFilled === 0 ? 0 : 8 - this.headerFilled;
  }

  /** Forgets any partial frame (e.g. after a connection reset). */
  reset(): void {
    this.headerFilled = 0;
    this.phase = PHASE_HEADER;
    this.body = EMPTY_BUFFER;
    this.bodyFilled = 0;
    this.drainLeft = 0;
  }

  protected abstract emit(tag: number, payload: Buffer, errorCode: number, declaredSizeBytes: number): void;
  /** 0 to accept a payload of this size, else the error code; `tag` is the code or status. */
  protected abstract admit(tag: number, payloadSizeBytes: number): number;

  /** Feeds the next chunk of the stream. Frames are emitted synchronously, in order. */
  push(chunk: Buffer): void {
    const size = chunk.length;
    let at = 0;
    while (at < size) {
      if (this.phase === PHASE_BODY) {
        const body = this.body;
        const take = Math.min(size - at, body.length - this.bodyFilled);
        chunk.copy(body, this.bodyFilled, at, at + take);
        this.bodyFilled += take;
        at += take;
        if (this.bodyFilled === body.length) {
          this.phase = PHASE_HEADER;
          this.body = EMPTY_BUFFER;
          this.emit(this.tag, body, 0, body.length);
        }
        continue;
      }
      if (this.phase === PHASE_DRAIN) {
        const take = Math.min(size - at, this.drainLeft);
        this.drainLeft -= take;
        at += take;
        if (this.drainLeft === 0) this.phase = PHASE_HEADER;
        continue;
      }

      // PHASE_HEADER: read [first:u32][second:u32], straight from the chunk when it holds all 8 bytes.
      let first: number;
      let second: number;
      if (this.headerFilled === 0 && size - at >= 8) {
        first = chunk.readUInt32LE(at);
        if (this.isRequest && first < 4) {
          at += 4;
          this.startTooShort(first);
          continue;
        }
        second = chunk.readUInt32LE(at + 4);
        at += 8;
      } else {
        const take = Math.min(size - at, 8 - this.headerFilled);
        chunk.copy(this.header, this.headerFilled, at, at + take);
        const before = this.headerFilled;
        this.headerFilled += take;
        at += take;
        if (this.isRequest && before < 4 && this.headerFilled >= 4) {
          const length = this.header.readUInt32LE(0);
          if (length < 4) {
            // Only 4 bytes belong to this frame; give back what was read past them.
            at -= this.headerFilled - 4;
            this.headerFilled = 0;
            this.startTooShort(length);
            continue;
          }
        }
        if (this.headerFilled < 8) continue;
        this.headerFilled = 0;
        first = this.header.readUInt32LE(0);
        second = this.header.readUInt32LE(4);
      }

      let tag: number;
      let payloadSize: number;
      if (this.isRequest) {
        tag = second;
        payloadSize = first - 4;
      } else {
        tag = first;
        payloadSize = second;
      }
      const errorCode = this.admit(tag, payloadSize);
      if (errorCode !== 0) {
        if (payloadSize > 0) {
          this.phase = PHASE_DRAIN;
          this.drainLeft = payloadSize;
        }
        this.emit(tag, EMPTY_BUFFER, errorCode, payloadSize);
        continue;
      }
      if (payloadSize === 0) {
        this.emit(tag, EMPTY_BUFFER, 0, 0);
        continue;
      }
      if (size - at >= payloadSize) {
        const payload = chunk.subarray(at, at + payloadSize);
        at += payloadSize;
        this.emit(tag, payload, 0, payloadSize);
        continue;
      }
      const allocated = this.allocate(payloadSize);
      if (allocated.length < payloadSize) throw new Error(`allocate(${payloadSize}) returned ${allocated.length} bytes`);
      const body = allocated.length === payloadSize ? allocated : allocated.subarray(0, payloadSize);
      const take = size - at;
      chunk.copy(body, 0, at, size);
      at = size;
      this.body = body;
      this.bodyFilled = take;
      this.tag = tag;
      this.phase = PHASE_BODY;
    }
  }

  /** A request whose length field is below 4: report it, then skip the `length` bytes it declared. */
  private startTooShort(length: number): void {
    if (length > 0) {
      this.phase = PHASE_DRAIN;
      this.drainLeft = length;
    }
    this.emit(0, EMPTY_BUFFER, ErrorCode.InvalidCommand, length);
  }
}

/**
 * Server side: splits a client byte stream into request frames.
 *
 * Malformed frames never desynchronise the stream: `length < 4` → error frame `{code: 0, errorCode: 3}`
 * and the `length` bytes after the length field are skipped; a payload above its limit → error frame
 * `{code, errorCode: 3}` and its bytes are skipped. If `onFrame` throws, the rest of the chunk is
 * lost: treat that as fatal for the connection.
 */
export class RequestFrameDecoder extends FrameSplitter {
  private readonly onFrame: (frame: RequestFrame) => void;
  private readonly controlPayloadSizeBytesMax: number;
  private readonly sendMessagesPayloadSizeBytesMax: number;
  private readonly checkFrameHeader: ((code: number, payloadSizeBytes: number) => number) | undefined;

  constructor(options: RequestFrameDecoderOptions) {
    super(true, options.allocate);
    this.onFrame = options.onFrame;
    this.controlPayloadSizeBytesMax = options.controlPayloadSizeBytesMax ?? CONTROL_PAYLOAD_SIZE_BYTES_MAX_DEFAULT;
    this.sendMessagesPayloadSizeBytesMax = options.sendMessagesPayloadSizeBytesMax ?? SEND_MESSAGES_PAYLOAD_SIZE_BYTES_MAX_DEFAULT;
    this.checkFrameHeader = options.checkFrameHeader;
  }

  protected admit(code: number, payloadSizeBytes: number): number {
    const max = code === SEND_MESSAGES_CODE ? this.sendMessagesPayloadSizeBytesMax : this.controlPayloadSizeBytesMax;
    if (payloadSizeBytes > max) return ErrorCode.InvalidCommand;
    return this.checkFrameHeader === undefined ? 0 : this.checkFrameHeader(code, payloadSizeBytes);
  }

  protected emit(code: number, payload: Buffer, errorCode: number, declaredSizeBytes: number): void {
    this.onFrame({ code, payload, errorCode, declaredSizeBytes });
  }
}

/** Client side: splits a server byte stream into response frames (reference 1.3, 1.9). */
export class ResponseFrameDecoder extends FrameSplitter {
  private readonly onFrame: (frame: ResponseFrame) => void;
  private readonly payloadSizeBytesMax: number;

  constructor(options: ResponseFrameDecoderOptions) {
    super(false, options.allocate);
    this.onFrame = options.onFrame;
    this.payloadSizeBytesMax = options.payloadSizeBytesMax ?? 0xffff_ffff;
  }

  protected admit(_status: number, payloadSizeBytes: number): number {
    return payloadSizeBytes > this.payloadSizeBytesMax ? ErrorCode.InvalidCommand : 0;
  }

  protected emit(status: number, payload: Buffer, errorCode: number, declaredSizeBytes: number): void {
    this.onFrame({ status, payload, errorCode, declaredSizeBytes });
  }
}

/** Writes `[length = 4 + payloadSizeBytes][code]` at `at`; returns the offset of the payload. */
export function writeRequestHeader(target: Buffer, at: number, code: number, payloadSizeBytes: number): number {
  target.writeUInt32LE(payloadSizeBytes + 4, at);
  return target.writeUInt32LE(code, at + 4);
}

/**
 * A whole request frame. Copies the payload once (deliberately: callers that care build the payload
 * behind 8 reserved bytes and use writeRequestHeader instead).
 */
export function encodeRequestFrame(code: number, payload: Uint8Array = EMPTY_BUFFER): Buffer {
  const frame = Buffer.allocUnsafe(REQUEST_HEADER_SIZE_BYTES + payload.length);
  writeRequestHeader(frame, 0, code, payload.length);
  frame.set(payload, REQUEST_HEADER_SIZE_BYTES);
  return frame;
}

/** Writes `[status][length]` at `at` (default 0); returns the offset of the payload. */
export function writeResponseHeader(target: Buffer, status: number, length: number, at = 0): number {
  target.writeUInt32LE(status, at);
  return target.writeUInt32LE(length, at + 4);
}

/** An error response: `[code][0]`, no payload (reference 1.4). */
export function encodeErrorResponse(code: number): Buffer {
  if (code === 0) throw new Error('error responses need a non-zero code');
  const frame = Buffer.allocUnsafe(RESPONSE_HEADER_SIZE_BYTES);
  writeResponseHeader(frame, code, 0);
  return frame;
}

/**
 * A success response `[0][N][payload]` (payload copied once). A 1-byte success payload is refused:
 * the Rust SDK would not read it and desynchronise (reference 1.9).
 */
export function encodeOkResponse(payload: Uint8Array = EMPTY_BUFFER): Buffer {
  if (payload.length === 1) throw new Error('a 1-byte success payload desynchronises the Rust SDK (reference 1.9)');
  const frame = Buffer.allocUnsafe(RESPONSE_HEADER_SIZE_BYTES + payload.length);
  writeResponseHeader(frame, 0, payload.length);
  frame.set(payload, RESPONSE_HEADER_SIZE_BYTES);
  return frame;
}
