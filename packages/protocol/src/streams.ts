/**
 * Stream commands (reference 4.6): GetStream 200, GetStreams 201, CreateStream 202, DeleteStream 203,
 * UpdateStream 204, PurgeStream 205.
 *
 *   stream header (33 + n): [id:u32][created_at:u64][topics_count:u32][size_bytes:u64][messages_count:u64][name_len:u8][name:n]
 *   StreamDetails = stream header + topics_count topic headers (topics.ts, ascending id, no partitions)
 *
 * GetStream and CreateStream both answer StreamDetails (the Rust SDK checks the topic count).
 */
import type { Identifier } from './identifier.js';
import { EMPTY_BUFFER, Reader, Writer, identifierSize, name8Size } from './reader.js';
import { type TopicInfo, readTopicInfo, topicInfoSize, writeTopicInfo } from './topics.js';

export interface StreamInfo {
  readonly id: number;
  /** µs since epoch. */
  readonly createdAt: number;
  readonly topicsCount: number;
  readonly sizeBytes: number;
  readonly messagesCount: number;
  readonly name: string;
}

export interface StreamDetails extends StreamInfo {
  readonly topics: readonly TopicInfo[];
}

export const STREAM_HEADER_SIZE_BYTES = 33;

export function streamInfoSize(stream: StreamInfo): number {
  return STREAM_HEADER_SIZE_BYTES - 1 + name8Size(stream.name, 'stream name');
}

export function writeStreamInfo(writer: Writer, stream: StreamInfo): void {
  writer
    .u32(stream.id, 'stream id')
    .u64(stream.createdAt, 'created at')
    .u32(stream.topicsCount, 'topics count')
    .u64(stream.sizeBytes, 'size bytes')
    .u64(stream.messagesCount, 'messages count')
    .name8(stream.name, 'stream name');
}

export function readStreamInfo(reader: Reader): StreamInfo {
  const id = reader.u32('stream id');
  const createdAt = reader.u64('created at');
  const topicsCount = reader.u32('topics count');
  const sizeBytes = reader.u64('size bytes');
  const messagesCount = reader.u64('messages count');
  const name = reader.name8('stream name');
  return { id, createdAt, topicsCount, sizeBytes, messagesCount, name };
}

export function streamDetailsSize(stream: StreamDetails): number {
  let size = streamInfoSize(stream);
  for (const topic of stream.topics) size += topicInfoSize(topic);
  return size;
}

/** `topicsCount` must equal `topics.length`. */
export function writeStreamDetails(writer: Writer, stream: StreamDetails): void {
  if (stream.topicsCount !== stream.topics.length) {
    throw new Error(`stream ${stream.id}: topicsCount ${stream.topicsCount} != ${stream.topics.length} topic headers`);
  }
  writeStreamInfo(writer, stream);
  for (const topic of stream.topics) writeTopicInfo(writer, topic);
}

/** Reads the header and exactly `topics_count` topic headers. */
export function readStreamDetails(reader: Reader): StreamDetails {
  const info = readStreamInfo(reader);
  const topics: TopicInfo[] = [];
  for (let i = 0; i < info.topicsCount; i += 1) topics.push(readTopicInfo(reader));
  return { ...info, topics };
}

function encodeStreamDetails(stream: StreamDetails): Buffer {
  const writer = new Writer(streamDetailsSize(stream));
  writeStreamDetails(writer, stream);
  return writer.finish();
}

interface StreamIdRequest {
  readonly streamId: Identifier;
}

function encodeStreamId(value: StreamIdRequest): Buffer {
  return new Writer(identifierSize(value.streamId)).id(value.streamId, 'stream id').finish();
}

function decodeStreamId(payload: Buffer): StreamIdRequest {
  return { streamId: new Reader(payload).id('stream id') };
}

// GetStream (200): [stream:Id] → StreamDetails | empty (not found)

export type GetStreamRequest = StreamIdRequest;

export function encodeGetStreamRequest(value: GetStreamRequest): Buffer {
  return encodeStreamId(value);
}

export function decodeGetStreamRequest(payload: Buffer): GetStreamRequest {
  return decodeStreamId(payload);
}

export function encodeGetStreamResponse(value: StreamDetails | undefined): Buffer {
  return value === undefined ? EMPTY_BUFFER : encodeStreamDetails(value);
}

export function decodeGetStreamResponse(payload: Buffer): StreamDetails | undefined {
  if (payload.length === 0) return undefined;
  return readStreamDetails(new Reader(payload));
}

// GetStreams (201): empty → stream headers back to back, ascending id

export function encodeGetStreamsRequest(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodeGetStreamsRequest(_payload: Buffer): undefined {
  return undefined;
}

export function encodeGetStreamsResponse(value: readonly StreamInfo[]): Buffer {
  let size = 0;
  for (const stream of value) size += streamInfoSize(stream);
  const writer = new Writer(size);
  for (const stream of value) writeStreamInfo(writer, stream);
  return writer.finish();
}

export function decodeGetStreamsResponse(payload: Buffer): StreamInfo[] {
  const reader = new Reader(payload);
  const streams: StreamInfo[] = [];
  while (reader.remaining > 0) streams.push(readStreamInfo(reader));
  return streams;
}

// CreateStream (202): [name_len:u8][name] (no id) → StreamDetails (no topics)

export interface CreateStreamRequest {
  readonly name: string;
}

export function encodeCreateStreamRequest(value: CreateStreamRequest): Buffer {
  return new Writer(name8Size(value.name, 'stream name')).name8(value.name, 'stream name').finish();
}

export function decodeCreateStreamRequest(payload: Buffer): CreateStreamRequest {
  return { name: new Reader(payload).name8('stream name') };
}

export function encodeCreateStreamResponse(value: StreamDetails): Buffer {
  return encodeStreamDetails(value);
}

export function decodeCreateStreamResponse(payload: Buffer): StreamDetails {
  return readStreamDetails(new Reader(payload));
}

// DeleteStream (203): [stream:Id] → empty

export type DeleteStreamRequest = StreamIdRequest;

export function encodeDeleteStreamRequest(value: DeleteStreamRequest): Buffer {
  return encodeStreamId(value);
}

export function decodeDeleteStreamRequest(payload: Buffer): DeleteStreamRequest {
  return decodeStreamId(payload);
}

export function encodeDeleteStreamResponse(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodeDeleteStreamResponse(_payload: Buffer): undefined {
  return undefined;
}

// UpdateStream (204): [stream:Id][name_len:u8][name] → empty

export interface UpdateStreamRequest {
  readonly streamId: Identifier;
  readonly name: string;
}

export function encodeUpdateStreamRequest(value: UpdateStreamRequest): Buffer {
  return new Writer(identifierSize(value.streamId) + name8Size(value.name, 'stream name'))
    .id(value.streamId, 'stream id')
    .name8(value.name, 'stream name')
    .finish();
}

export function decodeUpdateStreamRequest(payload: Buffer): UpdateStreamRequest {
  const reader = new Reader(payload);
  const streamId = reader.id('stream id');
  const name = reader.name8('stream name');
  return { streamId, name };
}

export function encodeUpdateStreamResponse(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodeUpdateStreamResponse(_payload: Buffer): undefined {
  return undefined;
}

// PurgeStream (205): [stream:Id] → empty

export type PurgeStreamRequest = StreamIdRequest;

export function encodePurgeStreamRequest(value: PurgeStreamRequest): Buffer {
  return encodeStreamId(value);
}

export function decodePurgeStreamRequest(payload: Buffer): PurgeStreamRequest {
  return decodeStreamId(payload);
}

export function encodePurgeStreamResponse(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodePurgeStreamResponse(_payload: Buffer): undefined {
  return undefined;
}
