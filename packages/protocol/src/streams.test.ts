import { describe, expect, it } from 'vitest';
import {
  type StreamDetails,
  type StreamInfo,
  decodeCreateStreamRequest,
  decodeCreateStreamResponse,
  decodeDeleteStreamRequest,
  decodeDeleteStreamResponse,
  decodeGetStreamRequest,
  decodeGetStreamResponse,
  decodeGetStreamsRequest,
  decodeGetStreamsResponse,
  decodePurgeStreamRequest,
  decodeUpdateStreamRequest,
  encodeCreateStreamRequest,
  encodeCreateStreamResponse,
  encodeDeleteStreamRequest,
  encodeDeleteStreamResponse,
  encodeGetStreamRequest,
  encodeGetStreamResponse,
  encodeGetStreamsRequest,
  encodeGetStreamsResponse,
  encodePurgeStreamRequest,
  encodeUpdateStreamRequest,
} from './streams.js';
import type { TopicInfo } from './topics.js';
import { encodeRequestFrame } from './framing.js';
import { expectCodec, expectDecodeError, expectIggyError, hex } from '../test/helpers.js';

const topic: TopicInfo = {
  id: 0,
  createdAt: 1_700_000_000_000_000,
  partitionsCount: 3,
  messageExpiry: 0xffff_ffff_ffff_ffffn,
  compressionAlgorithm: 1,
  maxTopicSize: 0xffff_ffff_ffff_ffffn,
  replicationFactor: 1,
  sizeBytes: 1234,
  messagesCount: 10,
  name: 'events',
};

const stream: StreamInfo = { id: 7, createdAt: 1_700_000_000_000_001, topicsCount: 0, sizeBytes: 0, messagesCount: 0, name: 'orders' };
const details: StreamDetails = { ...stream, topicsCount: 2, sizeBytes: 2468, messagesCount: 20, topics: [topic, { ...topic, id: 1, name: 'audit' }] };

describe('stream requests', () => {
  it('encodes GetStream by name "s" as the reference frame', () => {
    expect(encodeRequestFrame(200, encodeGetStreamRequest({ streamId: 's' }))).toEqual(hex('07 00 00 00 c8 00 00 00 02 01 73'));
  });

  it('round-trips every id-only request and rejects truncations', () => {
    for (const [encode, decode] of [
      [encodeGetStreamRequest, decodeGetStreamRequest],
      [encodeDeleteStreamRequest, decodeDeleteStreamRequest],
      [encodePurgeStreamRequest, decodePurgeStreamRequest],
    ] as const) {
      expectCodec(encode, decode, { streamId: 3 });
      expectCodec(encode, decode, { streamId: 'orders' });
    }
  });

  it('round-trips CreateStream and UpdateStream', () => {
    expect(expectCodec(encodeCreateStreamRequest, decodeCreateStreamRequest, { name: 'orders' })).toEqual(hex('06 6f 72 64 65 72 73'));
    expectCodec(encodeUpdateStreamRequest, decodeUpdateStreamRequest, { streamId: 1, name: 'renamed' });
  });

  it('rejects empty names with 4 on both sides', () => {
    expectDecodeError(() => decodeCreateStreamRequest(hex('00')), 4);
    expectDecodeError(() => decodeUpdateStreamRequest(hex('01 04 01 00 00 00 00')), 4);
    expectIggyError(() => encodeCreateStreamRequest({ name: '' }), 4);
  });

  it('ignores trailing bytes after a complete request', () => {
    expect(decodeGetStreamRequest(hex('01 04 05 00 00 00 ff ff'))).toEqual({ streamId: 5 });
  });

  it('has empty GetStreams requests and empty responses for mutations', () => {
    expect(encodeGetStreamsRequest()).toHaveLength(0);
    expect(decodeGetStreamsRequest(Buffer.alloc(0))).toBeUndefined();
    expect(encodeDeleteStreamResponse()).toHaveLength(0);
    expect(decodeDeleteStreamResponse(Buffer.alloc(0))).toBeUndefined();
  });
});

describe('stream responses', () => {
  it('lays out the stream header in 33 + n bytes', () => {
    const bytes = encodeCreateStreamResponse({ ...stream, topics: [] });
    expect(bytes).toHaveLength(33 + 6);
    expect(bytes).toEqual(
      hex('07000000 01401e18240a0600 00000000 0000000000000000 0000000000000000 06 6f7264657273'),
    );
  });

  it('round-trips StreamDetails with topic headers and rejects truncations', () => {
    expectCodec(encodeGetStreamResponse, decodeGetStreamResponse, details, [0]);
    expectCodec(encodeCreateStreamResponse, decodeCreateStreamResponse, { ...stream, topics: [] });
  });

  it('answers "not found" with the empty payload', () => {
    expect(encodeGetStreamResponse(undefined)).toHaveLength(0);
    expect(decodeGetStreamResponse(Buffer.alloc(0))).toBeUndefined();
  });

  it('round-trips stream lists, empty included', () => {
    const list = [stream, { ...stream, id: 8, name: 'payments' }];
    const bytes = encodeGetStreamsResponse(list);
    expect(decodeGetStreamsResponse(bytes)).toEqual(list);
    expect(decodeGetStreamsResponse(Buffer.alloc(0))).toEqual([]);
    expectCodec(encodeGetStreamsResponse, decodeGetStreamsResponse, list, [0, 39]);
  });

  it('refuses details whose topics count disagrees with the topic list', () => {
    expect(() => encodeGetStreamResponse({ ...details, topicsCount: 1 })).toThrow(/topicsCount/);
  });
});
