/**
 * DeleteSegments (503), reference 4.9:
 *
 *   [stream:Id][topic:Id][partition_id:u32][segments_count:u32] → empty
 */
import type { Identifier } from './identifier.js';
import { EMPTY_BUFFER, Reader, Writer, identifierSize } from './reader.js';

export interface DeleteSegmentsRequest {
  readonly streamId: Identifier;
  readonly topicId: Identifier;
  readonly partitionId: number;
  /** Up to this many of the oldest sealed segments. */
  readonly segmentsCount: number;
}

export function encodeDeleteSegmentsRequest(value: DeleteSegmentsRequest): Buffer {
  return new Writer(identifierSize(value.streamId) + identifierSize(value.topicId) + 8)
    .id(value.streamId, 'stream id')
    .id(value.topicId, 'topic id')
    .u32(value.partitionId, 'partition id')
    .u32(value.segmentsCount, 'segments count')
    .finish();
}

export function decodeDeleteSegmentsRequest(payload: Buffer): DeleteSegmentsRequest {
  const reader = new Reader(payload);
  const streamId = reader.id('stream id');
  const topicId = reader.id('topic id');
  const partitionId = reader.u32('partition id');
  const segmentsCount = reader.u32('segments count');
  return { streamId, topicId, partitionId, segmentsCount };
}

export function encodeDeleteSegmentsResponse(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodeDeleteSegmentsResponse(_payload: Buffer): undefined {
  return undefined;
}
