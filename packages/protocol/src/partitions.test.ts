import { describe, expect, it } from 'vitest';
import {
  decodeCreatePartitionsRequest,
  decodeCreatePartitionsResponse,
  decodeDeletePartitionsRequest,
  encodeCreatePartitionsRequest,
  encodeDeletePartitionsRequest,
  encodeDeletePartitionsResponse,
} from './partitions.js';
import { expectCodec, hex } from '../test/helpers.js';

describe('partitions', () => {
  it('encodes CreatePartitions as stream, topic and count', () => {
    expect(encodeCreatePartitionsRequest({ streamId: 1, topicId: 'a', partitionsCount: 3 })).toEqual(hex('01 04 01000000 02 01 61 03000000'));
  });

  it('round-trips both commands and rejects truncations', () => {
    expectCodec(encodeCreatePartitionsRequest, decodeCreatePartitionsRequest, { streamId: 'orders', topicId: 0, partitionsCount: 1000 });
    expectCodec(encodeDeletePartitionsRequest, decodeDeletePartitionsRequest, { streamId: 0, topicId: 'events', partitionsCount: 1 });
  });

  it('has empty responses', () => {
    expect(encodeDeletePartitionsResponse()).toHaveLength(0);
    expect(decodeCreatePartitionsResponse(Buffer.alloc(0))).toBeUndefined();
  });
});
