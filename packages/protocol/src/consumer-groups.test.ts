import { describe, expect, it } from 'vitest';
import {
  type ConsumerGroupDetails,
  decodeCreateConsumerGroupRequest,
  decodeCreateConsumerGroupResponse,
  decodeDeleteConsumerGroupRequest,
  decodeGetConsumerGroupRequest,
  decodeGetConsumerGroupResponse,
  decodeGetConsumerGroupsRequest,
  decodeGetConsumerGroupsResponse,
  decodeJoinConsumerGroupRequest,
  decodeJoinConsumerGroupResponse,
  decodeLeaveConsumerGroupRequest,
  encodeCreateConsumerGroupRequest,
  encodeCreateConsumerGroupResponse,
  encodeDeleteConsumerGroupRequest,
  encodeGetConsumerGroupRequest,
  encodeGetConsumerGroupResponse,
  encodeGetConsumerGroupsRequest,
  encodeGetConsumerGroupsResponse,
  encodeJoinConsumerGroupRequest,
  encodeLeaveConsumerGroupRequest,
  encodeLeaveConsumerGroupResponse,
} from './consumer-groups.js';
import { expectCodec, expectDecodeError, hex } from '../test/helpers.js';

const group: ConsumerGroupDetails = {
  id: 0,
  partitionsCount: 3,
  membersCount: 2,
  name: 'g',
  members: [
    { id: 0, partitionsCount: 2, partitions: [0, 2] },
    { id: 1, partitionsCount: 1, partitions: [1] },
  ],
};

describe('consumer groups', () => {
  it('lays out the header and member records', () => {
    expect(encodeGetConsumerGroupResponse(group)).toEqual(
      hex('00000000 03000000 02000000 01 67  00000000 02000000 00000000 02000000  01000000 01000000 01000000'),
    );
  });

  it('round-trips details and answers "not found" with the empty payload', () => {
    expectCodec(encodeGetConsumerGroupResponse, decodeGetConsumerGroupResponse, group, [0]);
    expect(decodeGetConsumerGroupResponse(Buffer.alloc(0))).toBeUndefined();
  });

  it('answers CreateConsumerGroup with the header and no members', () => {
    const created = { id: 4, partitionsCount: 3, membersCount: 0, name: 'new', members: [] };
    expect(expectCodec(encodeCreateConsumerGroupResponse, decodeCreateConsumerGroupResponse, created)).toHaveLength(16);
  });

  it('round-trips group lists', () => {
    const list = [
      { id: 0, partitionsCount: 3, membersCount: 2, name: 'g' },
      { id: 1, partitionsCount: 3, membersCount: 0, name: 'h' },
    ];
    expectCodec(encodeGetConsumerGroupsResponse, decodeGetConsumerGroupsResponse, list, [0, 14]);
  });

  it('round-trips every request and rejects truncations', () => {
    const ids = { streamId: 1, topicId: 'events', groupId: 'g' };
    for (const [encode, decode] of [
      [encodeGetConsumerGroupRequest, decodeGetConsumerGroupRequest],
      [encodeDeleteConsumerGroupRequest, decodeDeleteConsumerGroupRequest],
      [encodeJoinConsumerGroupRequest, decodeJoinConsumerGroupRequest],
      [encodeLeaveConsumerGroupRequest, decodeLeaveConsumerGroupRequest],
    ] as const) {
      expectCodec(encode, decode, ids);
    }
    expectCodec(encodeGetConsumerGroupsRequest, decodeGetConsumerGroupsRequest, { streamId: 0, topicId: 0 });
    expectCodec(encodeCreateConsumerGroupRequest, decodeCreateConsumerGroupRequest, { streamId: 0, topicId: 1, name: 'workers' });
    expectDecodeError(() => decodeCreateConsumerGroupRequest(hex('01 04 00000000 01 04 01000000 00')), 4);
  });

  it('has empty responses for join, leave and delete', () => {
    expect(encodeLeaveConsumerGroupResponse()).toHaveLength(0);
    expect(decodeJoinConsumerGroupResponse(Buffer.alloc(0))).toBeUndefined();
  });

  it('refuses member records whose counts disagree', () => {
    expect(() => encodeGetConsumerGroupResponse({ ...group, membersCount: 1 })).toThrow(/membersCount/);
  });
});
