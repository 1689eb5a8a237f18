import { describe, expect, it } from 'vitest';
import { decodeSendMessagesRequest, encodePollMessagesResponse, encodeSendMessagesRequest, balanced } from '@iggy-ts/protocol';
import { Message, ReceivedMessage, decodePolledBatch, encodeHeaders, header, toSendMessage } from './messages.js';

describe('Message', () => {
  it('builds from text, bytes and JSON with typed headers and a default origin timestamp', () => {
    const before = Date.now() * 1000;
    const json = Message.fromJson({ type: 'order', payload: { id: 1 } }, { headers: { message_type: header.string('order'), n: header.uint32(1) } });
    expect(JSON.parse(Buffer.from(json.payload).toString())).toEqual({ type: 'order', payload: { id: 1 } });
    expect(json.originTimestamp).toBeGreaterThanOrEqual(before);
    expect(json.id).toBe(0n);
    expect(Message.from('hi').payload).toEqual(Buffer.from('hi'));
    expect(Message.from('x', { id: 'uuidv7' }).id).not.toBe(0n);
    expect(json.sizeBytes).toBe(64 + json.payload.length + json.userHeaders.length);
    expect(() => Message.fromJson(undefined)).toThrow(TypeError);
  });

  it('encodes header records, maps and pairs to the same block', () => {
    const record = encodeHeaders({ a: header.string('x'), b: header.uint64(5n) });
    const map = encodeHeaders(new Map([['a', header.string('x')], ['b', header.uint64(5n)]]));
    expect(record).toEqual(map);
    expect(encodeHeaders({})).toHaveLength(0);
  });

  it('normalises inputs and fills a missing origin timestamp only', () => {
    expect(toSendMessage({ payload: Buffer.from('a'), originTimestamp: 0 }).originTimestamp).toBe(0);
    expect(toSendMessage({ payload: Buffer.from('a') }).originTimestamp).toBeGreaterThan(0);
    expect(toSendMessage(Buffer.from('b')).payload).toEqual(Buffer.from('b'));
  });

  it('survives a SendMessages encode/decode round trip', () => {
    const message = Message.from('payload', { id: 42n, headers: { k: header.bool(true) }, originTimestampUs: 7 });
    const decoded = decodeSendMessagesRequest(encodeSendMessagesRequest({ streamId: 1, topicId: 2, partitioning: balanced(), messages: [message] }));
    expect(decoded.messages[0]).toMatchObject({ id: 42n, originTimestamp: 7 });
    expect(decoded.messages[0]!.userHeaders).toEqual(message.userHeaders);
  });
});

describe('ReceivedMessage', () => {
  it('decodes a poll response with typed headers, text and JSON', () => {
    const userHeaders = encodeHeaders({ message_type: header.string('order'), count: header.int32(-3) });
    const payload = encodePollMessagesResponse({
      partitionId: 2,
      currentOffset: 10,
      count: 1,
      messages: [{ checksum: 9n, id: 5n, offset: 10, timestamp: 100, originTimestamp: 50, payload: Buffer.from('{"a":1}'), userHeaders }],
    });
    const batch = decodePolledBatch(payload);
    expect(batch).toMatchObject({ partitionId: 2, currentOffset: 10, count: 1 });
    const message = batch.messages[0]!;
    expect(message).toBeInstanceOf(ReceivedMessage);
    expect(message).toMatchObject({ partitionId: 2, offset: 10, id: 5n, timestamp: 100, originTimestamp: 50, checksum: 9n });
    expect(message.json<{ a: number }>().a).toBe(1);
    expect(message.text()).toBe('{"a":1}');
    expect(message.header('message_type')).toBe('order');
    expect(message.header('count')).toBe(-3);
    expect(message.header('missing')).toBeUndefined();
    expect(message.headerPairs()).toHaveLength(2);
  });
});
