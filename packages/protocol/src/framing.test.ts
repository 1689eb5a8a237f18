import { describe, expect, it } from 'vitest';
import {
  CONTROL_PAYLOAD_SIZE_BYTES_MAX_DEFAULT,
  RequestFrameDecoder,
  type RequestFrame,
  ResponseFrameDecoder,
  type ResponseFrame,
  encodeErrorResponse,
  encodeOkResponse,
  encodeRequestFrame,
  writeRequestHeader,
  writeResponseHeader,
} from './framing.js';
import { hex } from '../test/helpers.js';

function requestDecoder(options: Partial<ConstructorParameters<typeof RequestFrameDecoder>[0]> = {}) {
  const frames: RequestFrame[] = [];
  const decoder = new RequestFrameDecoder({ onFrame: (frame) => frames.push(frame), ...options });
  return { decoder, frames };
}

describe('request frames', () => {
  it('encodes Ping as the reference frame', () => {
    expect(encodeRequestFrame(1)).toEqual(hex('04 00 00 00 01 00 00 00'));
  });

  it('encodes GetStream by name "s" as the reference frame', () => {
    expect(encodeRequestFrame(200, hex('02 01 73'))).toEqual(hex('07 00 00 00 c8 00 00 00 02 01 73'));
  });

  it('writes a request header in place before a payload', () => {
    const frame = Buffer.alloc(11);
    expect(writeRequestHeader(frame, 0, 200, 3)).toBe(8);
    frame.set(hex('02 01 73'), 8);
    expect(frame).toEqual(hex('07 00 00 00 c8 00 00 00 02 01 73'));
  });

  it('delivers frames inside one chunk as views of that chunk', () => {
    const { decoder, frames } = requestDecoder();
    const chunk = Buffer.concat([encodeRequestFrame(1), encodeRequestFrame(200, hex('02 01 73')), encodeRequestFrame(39)]);
    decoder.push(chunk);
    expect(frames.map((f) => [f.code, f.payload.toString('hex'), f.errorCode])).toEqual([
      [1, '', 0],
      [200, '020173', 0],
      [39, '', 0],
    ]);
    expect(frames[1]!.payload.buffer).toBe(chunk.buffer);
    expect(decoder.atFrameBoundary).toBe(true);
  });

  it('assembles a frame spanning chunks into one allocated buffer', () => {
    const allocations: number[] = [];
    const { decoder, frames } = requestDecoder({
      allocate: (size) => {
        allocations.push(size);
        return Buffer.allocUnsafeSlow(size);
      },
    });
    const payload = Buffer.from('x'.repeat(100));
    const frame = encodeRequestFrame(202, payload);
    decoder.push(frame.subarray(0, 10));
    decoder.push(frame.subarray(10, 50));
    expect(decoder.pendingSizeBytes).toBe(58);
    decoder.push(frame.subarray(50));
    expect(allocations).toEqual([100]);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.payload).toEqual(payload);
    expect(frames[0]!.payload.byteOffset).toBe(0);
    expect(frames[0]!.payload.buffer.byteLength).toBe(100);
  });

  it('reads a header split byte by byte', () => {
    const { decoder, frames } = requestDecoder();
    const bytes = Buffer.concat([encodeRequestFrame(200, hex('02 01 73')), encodeRequestFrame(1)]);
    for (const byte of bytes) decoder.push(Buffer.from([byte]));
    expect(frames.map((f) => [f.code, f.payload.toString('hex')])).toEqual([
      [200, '020173'],
      [1, ''],
    ]);
  });

  it('drains an oversized control frame without buffering it and stays in sync', () => {
    const allocations: number[] = [];
    const { decoder, frames } = requestDecoder({
      controlPayloadSizeBytesMax: 8,
      allocate: (size) => {
        allocations.push(size);
        return Buffer.allocUnsafeSlow(size);
      },
    });
    const big = encodeRequestFrame(202, Buffer.alloc(100, 7));
    decoder.push(big.subarray(0, 20));
    expect(frames).toEqual([{ code: 202, payload: Buffer.alloc(0), errorCode: 3, declaredSizeBytes: 100 }]);
    decoder.push(Buffer.concat([big.subarray(20), encodeRequestFrame(1)]));
    expect(frames.map((f) => [f.code, f.errorCode])).toEqual([
      [202, 3],
      [1, 0],
    ]);
    expect(allocations).toEqual([]);
  });

  it('applies the SendMessages limit to code 101 only', () => {
    const { decoder, frames } = requestDecoder({ controlPayloadSizeBytesMax: 4, sendMessagesPayloadSizeBytesMax: 16 });
    decoder.push(encodeRequestFrame(101, Buffer.alloc(16)));
    decoder.push(encodeRequestFrame(101, Buffer.alloc(17)));
    decoder.push(encodeRequestFrame(100, Buffer.alloc(5)));
    decoder.push(encodeRequestFrame(100, Buffer.alloc(4)));
    expect(frames.map((f) => [f.code, f.errorCode, f.declaredSizeBytes])).toEqual([
      [101, 0, 16],
      [101, 3, 17],
      [100, 3, 5],
      [100, 0, 4],
    ]);
  });

  it('defaults the control limit to 10 MiB', () => {
    expect(CONTROL_PAYLOAD_SIZE_BYTES_MAX_DEFAULT).toBe(10_485_760);
    const { decoder, frames } = requestDecoder();
    const header = Buffer.alloc(8);
    writeRequestHeader(header, 0, 202, 10_485_761);
    decoder.push(header);
    expect(frames[0]!.errorCode).toBe(3);
    expect(decoder.pendingSizeBytes).toBe(10_485_761);
  });

  it('reports a length below 4 and skips only the bytes it declares', () => {
    const { decoder, frames } = requestDecoder();
    // length 2 declares two bytes after the length field; then a valid Ping follows.
    decoder.push(Buffer.concat([hex('02 00 00 00 aa bb'), encodeRequestFrame(1)]));
    expect(frames.map((f) => [f.code, f.errorCode, f.declaredSizeBytes])).toEqual([
      [0, 3, 2],
      [1, 0, 0],
    ]);
  });

  it('handles a short length whose bytes arrive one at a time', () => {
    const { decoder, frames } = requestDecoder();
    const bytes = Buffer.concat([hex('00 00 00 00'), hex('01 00 00 00 ff'), encodeRequestFrame(1)]);
    for (const byte of bytes) decoder.push(Buffer.from([byte]));
    expect(frames.map((f) => [f.code, f.errorCode])).toEqual([
      [0, 3],
      [0, 3],
      [1, 0],
    ]);
  });

  it('lets the admission check drain a frame with its own error code', () => {
    const { decoder, frames } = requestDecoder({ checkFrameHeader: (code) => (code === 101 ? 40 : 0) });
    decoder.push(Buffer.concat([encodeRequestFrame(101, Buffer.alloc(30)), encodeRequestFrame(1)]));
    expect(frames.map((f) => [f.code, f.errorCode])).toEqual([
      [101, 40],
      [1, 0],
    ]);
  });

  it('forgets a partial frame on reset', () => {
    const { decoder, frames } = requestDecoder();
    decoder.push(encodeRequestFrame(200, hex('02 01 73')).subarray(0, 9));
    expect(decoder.atFrameBoundary).toBe(false);
    decoder.reset();
    decoder.push(encodeRequestFrame(1));
    expect(frames.map((f) => f.code)).toEqual([1]);
  });
});

describe('response frames', () => {
  it('encodes an empty OK response as eight zero bytes', () => {
    expect(encodeOkResponse()).toEqual(hex('00 00 00 00 00 00 00 00'));
    expect(encodeOkResponse(hex('01 00 00 00'))).toEqual(hex('00 00 00 00 04 00 00 00 01 00 00 00'));
  });

  it('encodes an error response as the code and a zero length', () => {
    expect(encodeErrorResponse(1009)).toEqual(hex('f1 03 00 00 00 00 00 00'));
    expect(() => encodeErrorResponse(0)).toThrow();
  });

  it('refuses a 1-byte success payload that would desynchronise the Rust SDK', () => {
    expect(() => encodeOkResponse(hex('00'))).toThrow(/1-byte/);
  });

  it('writes a response header at an offset', () => {
    const target = Buffer.alloc(12);
    expect(writeResponseHeader(target, 0, 4, 4)).toBe(12);
    expect(target).toEqual(hex('00 00 00 00 00 00 00 00 04 00 00 00'));
  });

  it('splits a server stream into status and payload', () => {
    const frames: ResponseFrame[] = [];
    const decoder = new ResponseFrameDecoder({ onFrame: (frame) => frames.push(frame) });
    const stream = Buffer.concat([encodeOkResponse(hex('07 00 00 00')), encodeErrorResponse(42), encodeOkResponse()]);
    decoder.push(stream.subarray(0, 5));
    decoder.push(stream.subarray(5, 13));
    decoder.push(stream.subarray(13));
    expect(frames.map((f) => [f.status, f.payload.toString('hex'), f.errorCode])).toEqual([
      [0, '07000000', 0],
      [42, '', 0],
      [0, '', 0],
    ]);
  });

  it('drains a response above its limit', () => {
    const frames: ResponseFrame[] = [];
    const decoder = new ResponseFrameDecoder({ onFrame: (frame) => frames.push(frame), payloadSizeBytesMax: 2 });
    decoder.push(Buffer.concat([encodeOkResponse(hex('01 02 03')), encodeOkResponse()]));
    expect(frames.map((f) => [f.status, f.errorCode, f.declaredSizeBytes])).toEqual([
      [0, 3, 3],
      [0, 0, 0],
    ]);
  });
});
