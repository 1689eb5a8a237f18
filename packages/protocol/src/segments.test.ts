import { describe, expect, it } from 'vitest';
import { decodeDeleteSegmentsRequest, decodeDeleteSegmentsResponse, encodeDeleteSegmentsRequest, encodeDeleteSegmentsResponse } from './segments.js';
import { expectCodec, hex } from '../test/helpers.js';

describe('DeleteSegments', () => {
  it('encodes stream, topic, partition id and segments count', () => {
    const bytes = expectCodec(encodeDeleteSegmentsRequest, decodeDeleteSegmentsRequest, { streamId: 1, topicId: 2, partitionId: 0, segmentsCount: 5 });
    expect(bytes).toEqual(hex('01 04 01000000 01 04 02000000 00000000 05000000'));
  });

  it('has an empty response', () => {
    expect(encodeDeleteSegmentsResponse()).toHaveLength(0);
    expect(decodeDeleteSegmentsResponse(Buffer.alloc(0))).toBeUndefined();
  });
});
