/**
 * Goal: no payload a peer can send makes a decoder crash. Every decode*Request / decode*Response
 * (and the other whole-buffer decoders) either returns a value or throws a DecodeError carrying a
 * wire code — never a RangeError, TypeError or any other exception.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as protocol from '../../src/index.js';

const decoders = Object.entries(protocol).filter(
  ([name, value]) => typeof value === 'function' && (/^decode\w+(Request|Response)$/.test(name) || ['decodeSendMessagesHeader', 'decodeUserHeaders', 'decodePermissions', 'decodeIdentifier'].includes(name)),
) as [string, (payload: Buffer) => unknown][];

/** Mostly small, structured-looking bytes: small numbers make lengths and kinds plausible. */
const payload = fc.oneof(
  fc.uint8Array({ maxLength: 96 }),
  fc.array(fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 0xff), { maxLength: 96 }).map((bytes) => Uint8Array.from(bytes)),
);

describe('decoder fuzz', () => {
  it('covers every command decoder', () => {
    expect(decoders.length).toBeGreaterThanOrEqual(47 * 2);
  });

  it.each(decoders)('%s never throws anything but a DecodeError', (_name, decode) => {
    fc.assert(
      fc.property(payload, (bytes) => {
        try {
          decode(Buffer.from(bytes));
        } catch (error) {
          if (!(error instanceof protocol.DecodeError)) throw error;
          expect(error.code).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('validateSendMessages returns a code and never throws for any header-valid payload', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 80 }), { minLength: 1, maxLength: 4 }), fc.array(fc.tuple(fc.nat(200), fc.nat(255)), { maxLength: 12 }), (bodies, edits) => {
        const bytes = protocol.encodeSendMessagesRequest({ streamId: 1, topicId: 1, partitioning: protocol.balanced(), messages: bodies.map((b) => ({ payload: Buffer.from(b) })) });
        for (const [at, value] of edits) bytes[at % bytes.length] = value;
        let header: protocol.SendMessagesHeader;
        try {
          header = protocol.decodeSendMessagesHeader(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(protocol.DecodeError);
          return;
        }
        const code = protocol.validateSendMessages(bytes, header);
        expect(Number.isInteger(code)).toBe(true);
        if (code === 0) expect(protocol.decodeSendMessagesRequest(bytes).messages).toHaveLength(header.messagesCount);
      }),
      { numRuns: 2000, seed: 13 },
    );
  });
});
