import { describe, expect, it } from 'vitest';
import {
  EXPIRY_NEVER,
  MAX_TOPIC_SIZE_UNLIMITED,
  type TopicDetails,
  decodeCreateTopicRequest,
  decodeCreateTopicResponse,
  decodeDeleteTopicRequest,
  decodeGetTopicRequest,
  decodeGetTopicResponse,
  decodeGetTopicsRequest,
  decodeGetTopicsResponse,
  decodePurgeTopicRequest,
  decodePurgeTopicResponse,
  decodeUpdateTopicRequest,
  encodeCreateTopicRequest,
  encodeCreateTopicResponse,
  encodeDeleteTopicRequest,
  encodeGetTopicRequest,
  encodeGetTopicResponse,
  encodeGetTopicsRequest,
  encodeGetTopicsResponse,
  encodePurgeTopicRequest,
  encodePurgeTopicResponse,
  encodeUpdateTopicRequest,
} from './topics.js';
import { expectCodec, expectDecodeError, expectIggyError, hex } from '../test/helpers.js';

const details: TopicDetails = {
  id: 2,
  createdAt: 1_700_000_000_000_000,
  partitionsCount: 2,
  messageExpiry: EXPIRY_NEVER,
  compressionAlgorithm: 2,
  maxTopicSize: MAX_TOPIC_SIZE_UNLIMITED,
  replicationFactor: 1,
  sizeBytes: 100,
  messagesCount: 3,
  name: 't',
  partitions: [
    { id: 0, createdAt: 1_700_000_000_000_000, segmentsCount: 1, currentOffset: 2, sizeBytes: 100, messagesCount: 3 },
    { id: 1, createdAt: 1_700_000_000_000_000, segmentsCount: 1, currentOffset: 0, sizeBytes: 0, messagesCount: 0 },
  ],
};

describe('topic requests', () => {
  it('writes CreateTopic with compression before message expiry', () => {
    const bytes = encodeCreateTopicRequest({
      streamId: 1,
      partitionsCount: 3,
      compressionAlgorithm: 1,
      messageExpiry: 0n,
      maxTopicSize: 0n,
      replicationFactor: 0,
      name: 'ab',
    });
    expect(bytes).toEqual(hex('01 04 01000000 03000000 01 0000000000000000 0000000000000000 00 02 6162'));
    expect(decodeCreateTopicRequest(bytes).name).toBe('ab');
  });

  it('round-trips CreateTopic and UpdateTopic with u64 sentinels and rejects truncations', () => {
    expectCodec(encodeCreateTopicRequest, decodeCreateTopicRequest, {
      streamId: 'orders',
      partitionsCount: 1000,
      compressionAlgorithm: 2,
      messageExpiry: EXPIRY_NEVER,
      maxTopicSize: (1n << 40n) + 1n,
      replicationFactor: 3,
      name: 'events',
    });
    expectCodec(encodeUpdateTopicRequest, decodeUpdateTopicRequest, {
      streamId: 1,
      topicId: 'events',
      compressionAlgorithm: 1,
      messageExpiry: 60_000_000n,
      maxTopicSize: MAX_TOPIC_SIZE_UNLIMITED,
      replicationFactor: 1,
      name: 'events-2',
    });
  });

  it('round-trips stream/topic requests', () => {
    for (const [encode, decode] of [
      [encodeGetTopicRequest, decodeGetTopicRequest],
      [encodeDeleteTopicRequest, decodeDeleteTopicRequest],
      [encodePurgeTopicRequest, decodePurgeTopicRequest],
    ] as const) {
      expectCodec(encode, decode, { streamId: 0, topicId: 'name' });
    }
    expectCodec(encodeGetTopicsRequest, decodeGetTopicsRequest, { streamId: 'orders' });
  });

  it('rejects unknown compression with 3 and empty names with 4', () => {
    const bytes = encodeCreateTopicRequest({ streamId: 1, partitionsCount: 1, compressionAlgorithm: 1, messageExpiry: 0n, maxTopicSize: 0n, replicationFactor: 1, name: 'a' });
    const badCompression = Buffer.from(bytes);
    badCompression[10] = 3;
    expectDecodeError(() => decodeCreateTopicRequest(badCompression), 3);
    const emptyName = Buffer.from(bytes.subarray(0, bytes.length - 1));
    emptyName[emptyName.length - 1] = 0;
    expectDecodeError(() => decodeCreateTopicRequest(emptyName), 4);
    expectIggyError(() => encodeUpdateTopicRequest({ streamId: 1, topicId: 1, compressionAlgorithm: 0, messageExpiry: 0n, maxTopicSize: 0n, replicationFactor: 1, name: 'a' }), 4);
    expectIggyError(() => encodeCreateTopicRequest({ streamId: 1, partitionsCount: 1, compressionAlgorithm: 1, messageExpiry: -1n, maxTopicSize: 0n, replicationFactor: 1, name: 'a' }), 4);
  });
});

describe('topic responses', () => {
  it('lays out the topic header with message expiry at 16 and compression at 24', () => {
    const bytes = encodeGetTopicResponse({ ...details, partitionsCount: 0, partitions: [] });
    expect(bytes).toHaveLength(51 + 1);
    expect(bytes.readBigUInt64LE(16)).toBe(EXPIRY_NEVER);
    expect(bytes[24]).toBe(2);
    expect(bytes.readBigUInt64LE(25)).toBe(MAX_TOPIC_SIZE_UNLIMITED);
    expect(bytes[50]).toBe(1);
  });

  it('appends 40-byte partition records', () => {
    const bytes = encodeCreateTopicResponse(details);
    expect(bytes).toHaveLength(52 + 80);
    expect(bytes.subarray(52, 92)).toEqual(hex('00000000 00401e18240a0600 01000000 0200000000000000 6400000000000000 0300000000000000'));
  });

  it('round-trips TopicDetails and rejects truncations', () => {
    expectCodec(encodeGetTopicResponse, decodeGetTopicResponse, details, [0]);
    expectCodec(encodeCreateTopicResponse, decodeCreateTopicResponse, details);
  });

  it('answers "not found" with the empty payload', () => {
    expect(encodeGetTopicResponse(undefined)).toHaveLength(0);
    expect(decodeGetTopicResponse(Buffer.alloc(0))).toBeUndefined();
  });

  it('round-trips topic lists as headers back to back', () => {
    const { partitions: _partitions, ...header } = details;
    const list = [header, { ...header, id: 3, name: 'u' }];
    expectCodec(encodeGetTopicsResponse, decodeGetTopicsResponse, list, [0, 52]);
    expect(decodeGetTopicsResponse(Buffer.alloc(0))).toEqual([]);
  });

  it('refuses details whose partitions count disagrees with the records', () => {
    expect(() => encodeGetTopicResponse({ ...details, partitionsCount: 5 })).toThrow(/partitionsCount/);
  });

  it('has empty responses for mutations', () => {
    expect(encodePurgeTopicResponse()).toHaveLength(0);
    expect(decodePurgeTopicResponse(Buffer.alloc(0))).toBeUndefined();
  });
});
