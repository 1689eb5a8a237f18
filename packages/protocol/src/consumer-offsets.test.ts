import { describe, expect, it } from 'vitest';
import {
  decodeDeleteConsumerOffsetRequest,
  decodeDeleteConsumerOffsetResponse,
  decodeGetConsumerOffsetRequest,
  decodeGetConsumerOffsetResponse,
  decodeStoreConsumerOffsetRequest,
  encodeDeleteConsumerOffsetRequest,
  encodeGetConsumerOffsetRequest,
  encodeGetConsumerOffsetResponse,
  encodeStoreConsumerOffsetRequest,
  encodeStoreConsumerOffsetResponse,
} from './consumer-offsets.js';
import { expectCodec, expectDecodeError, hex } from '../test/helpers.js';

describe('consumer offsets', () => {
  it('encodes GetConsumerOffset as consumer, ids and an optional partition', () => {
    const bytes = expectCodec(encodeGetConsumerOffsetRequest, decodeGetConsumerOffsetRequest, { consumer: { kind: 1, id: 0 }, streamId: 0, topicId: 0, partitionId: undefined });
    expect(bytes).toEqual(hex('01 01 04 00000000  01 04 00000000  01 04 00000000  00 00000000'));
  });

  it('round-trips store and delete requests and rejects truncations', () => {
    expectCodec(encodeStoreConsumerOffsetRequest, decodeStoreConsumerOffsetRequest, { consumer: { kind: 2, id: 'g' }, streamId: 's', topicId: 't', partitionId: 3, offset: 2 ** 40 });
    expectCodec(encodeDeleteConsumerOffsetRequest, decodeDeleteConsumerOffsetRequest, { consumer: { kind: 1, id: 'worker-1' }, streamId: 1, topicId: 2, partitionId: 0 });
  });

  it('answers 20 bytes or the empty payload when nothing is stored', () => {
    const info = { partitionId: 1, currentOffset: 10, storedOffset: 7 };
    expect(expectCodec(encodeGetConsumerOffsetResponse, decodeGetConsumerOffsetResponse, info, [0])).toEqual(hex('01000000 0a00000000000000 0700000000000000'));
    expect(encodeGetConsumerOffsetResponse(undefined)).toHaveLength(0);
    expect(decodeGetConsumerOffsetResponse(Buffer.alloc(0))).toBeUndefined();
  });

  it('rejects an unknown consumer kind with 3', () => {
    expectDecodeError(() => decodeGetConsumerOffsetRequest(hex('00 01 04 00000000 01 04 00000000 01 04 00000000 00 00000000')), 3);
  });

  it('has empty responses for store and delete', () => {
    expect(encodeStoreConsumerOffsetResponse()).toHaveLength(0);
    expect(decodeDeleteConsumerOffsetResponse(Buffer.alloc(0))).toBeUndefined();
  });
});
