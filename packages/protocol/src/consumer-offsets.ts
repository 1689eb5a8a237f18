/**
 * Consumer offsets (reference 4.5): GetConsumerOffset 120, StoreConsumerOffset 121, DeleteConsumerOffset 122.
 *
 *   get / delete: [consumer][stream:Id][topic:Id][OptPart:5]
 *   store:        [consumer][stream:Id][topic:Id][OptPart:5][offset:u64]
 *   get response (20 bytes, or empty when nothing is stored / not found):
 *                 [partition_id:u32][current_offset:u64][stored_offset:u64]
 */
import { type Consumer, consumerSize, OPTIONAL_PARTITION_SIZE_BYTES, readConsumer, readOptionalPartition, writeConsumer, writeOptionalPartition } from './consumer.js';
import type { Identifier } from './identifier.js';
import { EMPTY_BUFFER, Reader, Writer, identifierSize } from './reader.js';

export interface ConsumerOffsetInfo {
  readonly partitionId: number;
  /** The partition's last offset (0 if empty). */
  readonly currentOffset: number;
  readonly storedOffset: number;
}

export const CONSUMER_OFFSET_INFO_SIZE_BYTES = 20;

export interface ConsumerOffsetRequest {
  readonly consumer: Consumer;
  readonly streamId: Identifier;
  readonly topicId: Identifier;
  /** undefined = OptPart absent. */
  readonly partitionId: number | undefined;
}

function requestSize(value: ConsumerOffsetRequest): number {
  return consumerSize(value.consumer) + identifierSize(value.streamId) + identifierSize(value.topicId) + OPTIONAL_PARTITION_SIZE_BYTES;
}

function writeRequest(writer: Writer, value: ConsumerOffsetRequest): void {
  writeConsumer(writer, value.consumer);
  writer.id(value.streamId, 'stream id').id(value.topicId, 'topic id');
  writeOptionalPartition(writer, value.partitionId);
}

function readRequest(reader: Reader): ConsumerOffsetRequest {
  const consumer = readConsumer(reader);
  const streamId = reader.id('stream id');
  const topicId = reader.id('topic id');
  const partitionId = readOptionalPartition(reader);
  return { consumer, streamId, topicId, partitionId };
}

// GetConsumerOffset (120) → ConsumerOffsetInfo | empty

export type GetConsumerOffsetRequest = ConsumerOffsetRequest;

export function encodeGetConsumerOffsetRequest(value: GetConsumerOffsetRequest): Buffer {
  const writer = new Writer(requestSize(value));
  writeRequest(writer, value);
  return writer.finish();
}

export function decodeGetConsumerOffsetRequest(payload: Buffer): GetConsumerOffsetRequest {
  return readRequest(new Reader(payload));
}

export function encodeGetConsumerOffsetResponse(value: ConsumerOffsetInfo | undefined): Buffer {
  if (value === undefined) return EMPTY_BUFFER;
  return new Writer(CONSUMER_OFFSET_INFO_SIZE_BYTES)
    .u32(value.partitionId, 'partition id')
    .u64(value.currentOffset, 'current offset')
    .u64(value.storedOffset, 'stored offset')
    .finish();
}

export function decodeGetConsumerOffsetResponse(payload: Buffer): ConsumerOffsetInfo | undefined {
  if (payload.length === 0) return undefined;
  const reader = new Reader(payload);
  const partitionId = reader.u32('partition id');
  const currentOffset = reader.u64('current offset');
  const storedOffset = reader.u64('stored offset');
  return { partitionId, currentOffset, storedOffset };
}

// StoreConsumerOffset (121) → empty

export interface StoreConsumerOffsetRequest extends ConsumerOffsetRequest {
  readonly offset: number;
}

export function encodeStoreConsumerOffsetRequest(value: StoreConsumerOffsetRequest): Buffer {
  const writer = new Writer(requestSize(value) + 8);
  writeRequest(writer, value);
  writer.u64(value.offset, 'offset');
  return writer.finish();
}

export function decodeStoreConsumerOffsetRequest(payload: Buffer): StoreConsumerOffsetRequest {
  const reader = new Reader(payload);
  const request = readRequest(reader);
  const offset = reader.u64('offset');
  return { ...request, offset };
}

export function encodeStoreConsumerOffsetResponse(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodeStoreConsumerOffsetResponse(_payload: Buffer): undefined {
  return undefined;
}

// DeleteConsumerOffset (122) → empty

export type DeleteConsumerOffsetRequest = ConsumerOffsetRequest;

export function encodeDeleteConsumerOffsetRequest(value: DeleteConsumerOffsetRequest): Buffer {
  const writer = new Writer(requestSize(value));
  writeRequest(writer, value);
  return writer.finish();
}

export function decodeDeleteConsumerOffsetRequest(payload: Buffer): DeleteConsumerOffsetRequest {
  return readRequest(new Reader(payload));
}

export function encodeDeleteConsumerOffsetResponse(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodeDeleteConsumerOffsetResponse(_payload: Buffer): undefined {
  return undefined;
}
