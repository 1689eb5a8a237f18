/**
 * Partition commands (reference 4.8): CreatePartitions 402, DeletePartitions 403.
 *
 *   [stream:Id][topic:Id][partitions_count:u32] → empty
 *
 * The count range (1..=1000 → 2015) is a server rule, not a codec rule.
 */
import type { Identifier } from './identifier.js';
import { EMPTY_BUFFER, Reader, Writer, identifierSize } from './reader.js';

export interface PartitionsCountRequest {
  readonly streamId: Identifier;
  readonly topicId: Identifier;
  readonly partitionsCount: number;
}

function encodePartitionsCount(value: PartitionsCountRequest): Buffer {
  return new Writer(identifierSize(value.streamId) + identifierSize(value.topicId) + 4)
    .id(value.streamId, 'stream id')
    .id(value.topicId, 'topic id')
    .u32(value.partitionsCount, 'partitions count')
    .finish();
}

function decodePartitionsCount(payload: Buffer): PartitionsCountRequest {
  const reader = new Reader(payload);
  const streamId = reader.id('stream id');
  const topicId = reader.id('topic id');
  const partitionsCount = reader.u32('partitions count');
  return { streamId, topicId, partitionsCount };
}

// CreatePartitions (402)

export type CreatePartitionsRequest = PartitionsCountRequest;

export function encodeCreatePartitionsRequest(value: CreatePartitionsRequest): Buffer {
  return encodePartitionsCount(value);
}

export function decodeCreatePartitionsRequest(payload: Buffer): CreatePartitionsRequest {
  return decodePartitionsCount(payload);
}

export function encodeCreatePartitionsResponse(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodeCreatePartitionsResponse(_payload: Buffer): undefined {
  return undefined;
}

// DeletePartitions (403)

export type DeletePartitionsRequest = PartitionsCountRequest;

export function encodeDeletePartitionsRequest(value: DeletePartitionsRequest): Buffer {
  return encodePartitionsCount(value);
}

export function decodeDeletePartitionsRequest(payload: Buffer): DeletePartitionsRequest {
  return decodePartitionsCount(payload);
}

export function encodeDeletePartitionsResponse(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodeDeletePartitionsResponse(_payload: Buffer): undefined {
  return undefined;
}
