import { describe, expect, it } from 'vitest';
import { type Permissions, allGlobalPermissions, decodePermissions, encodePermissions, noGlobalPermissions, permissionsSize } from './permissions.js';
import { expectDecodeError, hex, thrown } from '../test/helpers.js';
import { DecodeError } from './reader.js';

const streamFlags = { manageStream: false, readStream: true, manageTopics: false, readTopics: true, pollMessages: true, sendMessages: false };
const topicFlags = { manageTopic: false, readTopic: true, pollMessages: true, sendMessages: true };

const nested: Permissions = {
  global: { ...noGlobalPermissions(), readStreams: true },
  streams: new Map([
    [9, { ...streamFlags, topics: new Map() }],
    [
      2,
      {
        ...streamFlags,
        topics: new Map([
          [5, topicFlags],
          [1, { ...topicFlags, sendMessages: false }],
        ]),
      },
    ],
  ]),
};

describe('permissions blob', () => {
  it('is 11 bytes without streams and 23 bytes with one stream without topics', () => {
    const none: Permissions = { global: allGlobalPermissions(), streams: new Map() };
    expect(encodePermissions(none)).toEqual(hex('01010101010101010101 00'));
    expect(permissionsSize(none)).toBe(11);
    const one: Permissions = { global: noGlobalPermissions(), streams: new Map([[3, { ...streamFlags, topics: new Map() }]]) };
    expect(encodePermissions(one)).toEqual(hex('00000000000000000000 01 03000000 000100010100 00 00'));
    expect(permissionsSize(one)).toBe(23);
  });

  it('writes streams and topics sorted by id with every has-next flag', () => {
    expect(encodePermissions(nested)).toEqual(
      hex(`
        00000000000100000000 01
        02000000 000100010100 01
          01000000 00010100 01
          05000000 00010101 00
        01
        09000000 000100010100 00
        00`),
    );
  });

  it('round-trips nested permissions', () => {
    expect(decodePermissions(encodePermissions(nested))).toEqual(nested);
  });

  it('treats any non-zero flag as true', () => {
    const decoded = decodePermissions(hex('02000000000000000000 00'));
    expect(decoded.global.manageServers).toBe(true);
  });

  it('accepts Node blobs that omit the trailing has-next flags', () => {
    // One stream with one topic, no has_next_topic / has_next_stream bytes (Node SDK 0.8).
    const node = hex('00000000000000000000 01 04000000 010000000000 01 07000000 01000000');
    expect(decodePermissions(node)).toEqual({
      global: noGlobalPermissions(),
      streams: new Map([
        [
          4,
          {
            manageStream: true,
            readStream: false,
            manageTopics: false,
            readTopics: false,
            pollMessages: false,
            sendMessages: false,
            topics: new Map([[7, { manageTopic: true, readTopic: false, pollMessages: false, sendMessages: false }]]),
          },
        ],
      ]),
    });
    expect(decodePermissions(hex('00000000000000000000')).streams.size).toBe(0);
  });

  it('rejects truncation inside an entry with 3 and leftover bytes with 4', () => {
    const blob = encodePermissions(nested);
    for (let length = 0; length < blob.length; length += 1) {
      const error = thrown(() => decodePermissions(Buffer.from(blob.subarray(0, length))));
      if (error !== undefined) expect(error, `prefix ${length}`).toBeInstanceOf(DecodeError);
    }
    expectDecodeError(() => decodePermissions(hex('000000000000000000')), 3);
    expectDecodeError(() => decodePermissions(hex('00000000000000000000 01 0400')), 3);
    expectDecodeError(() => decodePermissions(hex('00000000000000000000 00 00')), 4);
  });
});
