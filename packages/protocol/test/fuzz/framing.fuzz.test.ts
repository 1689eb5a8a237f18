/**
 * Goal: the frame splitters are independent of how the byte stream is chunked, and no input — valid,
 * oversized, too short or pure garbage — makes them throw or desynchronise.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RequestFrameDecoder, ResponseFrameDecoder, encodeOkResponse, encodeRequestFrame } from '../../src/framing.js';

const CONTROL_MAX = 64;
const SEND_MAX = 256;

type Summary = [number, string, number, number];

function decodeRequests(chunks: readonly Buffer[]): Summary[] {
  const frames: Summary[] = [];
  const decoder = new RequestFrameDecoder({
    controlPayloadSizeBytesMax: CONTROL_MAX,
    sendMessagesPayloadSizeBytesMax: SEND_MAX,
    onFrame: (frame) => frames.push([frame.code, frame.payload.toString('hex'), frame.errorCode, frame.declaredSizeBytes]),
  });
  for (const chunk of chunks) decoder.push(chunk);
  return frames;
}

function splitAt(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

/** One request frame: valid, oversized (drained) or with a length field below 4. */
const requestFrame = fc.oneof(
  fc.record({ code: fc.constantFrom(1, 38, 100, 101, 200, 302, 605, 9999), payload: fc.uint8Array({ maxLength: 300 }) }).map(({ code, payload }) =>
    encodeRequestFrame(code, Buffer.from(payload)),
  ),
  fc.integer({ min: 0, max: 3 }).map((length) => {
    const frame = Buffer.alloc(4 + length, 0xab);
    frame.writeUInt32LE(length, 0);
    return frame;
  }),
);

describe('request frame decoder fuzz', () => {
  it('decodes randomly split streams exactly like the unsplit stream', () => {
    fc.assert(
      fc.property(fc.array(requestFrame, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 }), (frames, cuts) => {
        const stream = Buffer.concat(frames);
        const whole = decodeRequests([stream]);
        expect(whole).toHaveLength(frames.length);
        expect(decodeRequests(splitAt(stream, cuts))).toEqual(whole);
      }),
      { numRuns: 400, seed: 0x1667 },
    );
  });

  it('decodes a stream fed one byte at a time like the unsplit stream', () => {
    fc.assert(
      fc.property(fc.array(requestFrame, { maxLength: 8 }), (frames) => {
        const stream = Buffer.concat(frames);
        const bytes = [...stream].map((byte) => Buffer.from([byte]));
        expect(decodeRequests(bytes)).toEqual(decodeRequests([stream]));
      }),
      { numRuns: 100, seed: 7 },
    );
  });

  it('never throws on random garbage and never allocates past its limits', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(), { maxLength: 20 }), (garbage, cuts) => {
        let allocatedMax = 0;
        const decoder = new RequestFrameDecoder({
          controlPayloadSizeBytesMax: CONTROL_MAX,
          sendMessagesPayloadSizeBytesMax: SEND_MAX,
          allocate: (size) => {
            allocatedMax = Math.max(allocatedMax, size);
            return Buffer.allocUnsafeSlow(size);
          },
          onFrame: () => undefined,
        });
        for (const chunk of splitAt(Buffer.from(garbage), cuts)) decoder.push(chunk);
        expect(allocatedMax).toBeLessThanOrEqual(SEND_MAX);
      }),
      { numRuns: 500, seed: 42 },
    );
  });
});

describe('response frame decoder fuzz', () => {
  it('decodes randomly split responses exactly like the unsplit stream', () => {
    const response = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).filter((payload) => payload.length !== 1).map((payload) => encodeOkResponse(Buffer.from(payload))),
      fc.integer({ min: 1, max: 13000 }).map((code) => {
        const frame = Buffer.alloc(8);
        frame.writeUInt32LE(code, 0);
        return frame;
      }),
    );
    fc.assert(
      fc.property(fc.array(response, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 }), (frames, cuts) => {
        const decode = (chunks: readonly Buffer[]) => {
          const out: [number, string][] = [];
          const decoder = new ResponseFrameDecoder({ onFrame: (frame) => out.push([frame.status, frame.payload.toString('hex')]) });
          for (const chunk of chunks) decoder.push(chunk);
          return out;
        };
        const stream = Buffer.concat(frames);
        const whole = decode([stream]);
        expect(whole).toHaveLength(frames.length);
        expect(decode(splitAt(stream, cuts))).toEqual(whole);
      }),
      { numRuns: 300, seed: 3 },
    );
  });

  it('never throws on random garbage', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(), { maxLength: 20 }), (garbage, cuts) => {
        const decoder = new ResponseFrameDecoder({ onFrame: () => undefined, payloadSizeBytesMax: 4096 });
        for (const chunk of splitAt(Buffer.from(garbage), cuts)) decoder.push(chunk);
      }),
      { numRuns: 500, seed: 5 },
    );
  });
});
