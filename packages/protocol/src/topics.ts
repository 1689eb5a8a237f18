/**
 * Topic commands (reference 4.6.2, 4.7): GetTopic 300, GetTopics 301, CreateTopic 302, DeleteTopic 303,
 * UpdateTopic 304, PurgeTopic 305, and the topic header / partition record structures.
 *
 *   topic header (51 + n): [id:u32][created_at:u64][partitions_count:u32][message_expiry:u64]
 *                          [compression:u8][max_topic_size:u64][replication_factor:u8][size_bytes:u64]
 *                          [messages_count:u64][name_len:u8][name:n]
 *   partition record (40): [id:u32][created_at:u64][segments_count:u32][current_offset:u64][size_bytes:u64][messages_count:u64]
 *   TopicDetails = topic header + partitions_count partition records (ascending id)
 *
 * Note the request order differs: CreateTopic/UpdateTopic send compression BEFORE message_expiry.
 * message_expiry and max_topic_size are bigint (sentinels 0 = server default, u64::MAX = never/unlimited).
 */
import { ErrorCode, IggyError } from './errors.js';
import type { Identifier } from './identifier.js';
import { EMPTY_BUFFER, Reader, Writer, badDiscriminant, identifierSize, name8Size } from './reader.js';

export const CompressionAlgorithm = { None: 1, Gzip: 2 } as const;

/** IggyExpiry / MaxTopicSize sentinels (reference 2.8, 2.9). */
export const EXPIRY_SERVER_DEFAULT = 0n;
export const EXPIRY_NEVER = 0xffff_ffff_ffff_ffffn;
export const MAX_TOPIC_SIZE_SERVER_DEFAULT = 0n;
export const MAX_TOPIC_SIZE_UNLIMITED = 0xffff_ffff_ffff_ffffn;

export interface TopicInfo {
  readonly id: number;
  /** µs since epoch. */
  readonly createdAt: number;
  readonly partitionsCount: number;
  /** µs; 0 = server default, u64::MAX = never. */
  readonly messageExpiry: bigint;
  readonly compressionAlgorithm: number;
  /** Bytes; 0 = server default, u64::MAX = unlimited. */
  readonly maxTopicSize: bigint;
  readonly replicationFactor: number;
  readonly sizeBytes: number;
  readonly messagesCount: number;
  readonly name: string;
}

export interface PartitionInfo {
  readonly id: number;
  /** µs since epoch. */
  readonly createdAt: number;
  readonly segmentsCount: number;
  /** Offset of the last message; 0 when empty. */
  readonly currentOffset: number;
  readonly sizeBytes: number;
  readonly messagesCount: number;
}

export interface TopicDetails extends TopicInfo {
  readonly partitions: readonly PartitionInfo[];
}

export const TOPIC_HEADER_SIZE_BYTES = 51;
export const PARTITION_INFO_SIZE_BYTES = 40;

export function topicInfoSize(topic: TopicInfo): number {
  return TOPIC_HEADER_SIZE_BYTES - 1 + name8Size(topic.name, 'topic name');
}

export function writeTopicInfo(writer: Writer, topic: TopicInfo): void {
  writer
    .u32(topic.id, 'topic id')
    .u64(topic.createdAt, 'created at')
    .u32(topic.partitionsCount, 'partitions count')
    .u64BigInt(topic.messageExpiry, 'message expiry')
    .u8(topic.compressionAlgorithm, 'compression algorithm')
    .u64BigInt(topic.maxTopicSize, 'max topic size')
    .u8(topic.replicationFactor, 'replication factor')
    .u64(topic.sizeBytes, 'size bytes')
    .u64(topic.messagesCount, 'messages count')
    .name8(topic.name, 'topic name');
}

export function readTopicInfo(reader: Reader): TopicInfo {
  const id = reader.u32('topic id');
  const createdAt = reader.u64('created at');
  const partitionsCount = reader.u32('partitions count');
  const messageExpiry = reader.u64BigInt('message expiry');
  const compressionAlgorithm = reader.u8('compression algorithm');
  const maxTopicSize = reader.u64BigInt('max topic size');
  const replicationFactor = reader.u8('replication factor');
  const sizeBytes = reader.u64('size bytes');
  const messagesCount = reader.u64('messages count');
  const name = reader.name8('topic name');
  return { id, createdAt, partitionsCount, messageExpiry, compressionAlgorithm, maxTopicSize, replicationFactor, sizeBytes, messagesCount, name };
}

export function writePartitionInfo(writer: Writer, partition: PartitionInfo): void {
  writer
    .u32(partition.id, 'partition id')
    .u64(partition.createdAt, 'created at')
    .u32(partition.segmentsCount, 'segments count')
    .u64(partition.currentOffset, 'current offset')
    .u64(partition.sizeBytes, 'size bytes')
    .u64(partition.messagesCount, 'messages count');
}

export function readPartitionInfo(reader: Reader): PartitionInfo {
  const id = reader.u32('partition id');
  const createdAt = reader.u64('created at');
  const segmentsCount = reader.u32('segments count');
  const currentOffset = reader.u64('current offset');
  const sizeBytes = reader.u64('size bytes');
  const messagesCount = reader.u64('messages count');
  return { id, createdAt, segmentsCount, currentOffset, sizeBytes, messagesCount };
}

export function topicDetailsSize(topic: TopicDetails): number {
  return topicInfoSize(topic) + PARTITION_INFO_SIZE_BYTES * topic.partitions.length;
}

/** Writes header + partitions; `partitionsCount` must equal `partitions.length` (the Rust SDK checks it). */
export function writeTopicDetails(writer: Writer, topic: TopicDetails): void {
  if (topic.partitionsCount !== topic.partitions.length) {
    throw new Error(`topic ${topic.id}: partitionsCount ${topic.partitionsCount} != ${topic.partitions.length} partition records`);
  }
  writeTopicInfo(writer, topic);
  for (const partition of topic.partitions) writePartitionInfo(writer, partition);
}

/** Reads header + exactly `partitions_count` records. */
export function readTopicDetails(reader: Reader): TopicDetails {
  const info = readTopicInfo(reader);
  reader.need(PARTITION_INFO_SIZE_BYTES * info.partitionsCount, 'partition records');
  const partitions: PartitionInfo[] = [];
  for (let i = 0; i < info.partitionsCount; i += 1) partitions.push(readPartitionInfo(reader));
  return { ...info, partitions };
}

function readCompression(reader: Reader): number {
  const at = reader.offset;
  const value = reader.u8('compression algorithm');
  if (value !== 1 && value !== 2) throw badDiscriminant('compression algorithm', at, value);
  return value;
}

function writeCompression(writer: Writer, value: number): void {
  if (value !== 1 && value !== 2) throw new IggyError(ErrorCode.InvalidFormat, `compression algorithm must be 1 (none) or 2 (gzip), got ${value}`);
  writer.u8(value);
}

interface StreamTopic {
  readonly streamId: Identifier;
  readonly topicId: Identifier;
}

function encodeStreamTopic(value: StreamTopic): Buffer {
  return new Writer(identifierSize(value.streamId) + identifierSize(value.topicId)).id(value.streamId, 'stream id').id(value.topicId, 'topic id').finish();
}

function decodeStreamTopic(payload: Buffer): StreamTopic {
  const reader = new Reader(payload);
  const streamId = reader.id('stream id');
  const topicId = reader.id('topic id');
  return { streamId, topicId };
}

// GetTopic (300): [stream:Id][topic:Id] → TopicDetails | empty (not found)

export type GetTopicRequest = StreamTopic;

export function encodeGetTopicRequest(value: GetTopicRequest): Buffer {
  return encodeStreamTopic(value);
}

export function decodeGetTopicRequest(payload: Buffer): GetTopicRequest {
  return decodeStreamTopic(payload);
}

/** `undefined` (not found) encodes as the empty payload. */
export function encodeGetTopicResponse(value: TopicDetails | undefined): Buffer {
  if (value === undefined) return EMPTY_BUFFER;
  const writer = new Writer(topicDetailsSize(value));
  writeTopicDetails(writer, value);
  return writer.finish();
}

export function decodeGetTopicResponse(payload: Buffer): TopicDetails | undefined {
  if (payload.length === 0) return undefined;
  return readTopicDetails(new Reader(payload));
}

// GetTopics (301): [stream:Id] → topic headers back to back (stream missing → empty)

export interface GetTopicsRequest {
  readonly streamId: Identifier;
}

export function encodeGetTopicsRequest(value: GetTopicsRequest): Buffer {
  return new Writer(identifierSize(value.streamId)).id(value.streamId, 'stream id').finish();
}

export function decodeGetTopicsRequest(payload: Buffer): GetTopicsRequest {
  return { streamId: new Reader(payload).id('stream id') };
}

export function encodeTopicInfoList(topics: readonly TopicInfo[]): Buffer {
  let size = 0;
  for (const topic of topics) size += topicInfoSize(topic);
  const writer = new Writer(size);
  for (const topic of topics) writeTopicInfo(writer, topic);
  return writer.finish();
}

export function decodeTopicInfoList(payload: Buffer): TopicInfo[] {
  const reader = new Reader(payload);
  const topics: TopicInfo[] = [];
  while (reader.remaining > 0) topics.push(readTopicInfo(reader));
  return topics;
}

export function encodeGetTopicsResponse(value: readonly TopicInfo[]): Buffer {
  return encodeTopicInfoList(value);
}

/** Empty payload (no topics, or stream missing) → []. */
export function decodeGetTopicsResponse(payload: Buffer): TopicInfo[] {
  return decodeTopicInfoList(payload);
}

// CreateTopic (302): [stream:Id][partitions_count:u32][compression:u8][message_expiry:u64]

/**
 * The settings CreateTopic and UpdateTopic share, in request order (compression before expiry, unlike
 * the topic header of responses):
 * [compression:u8][message_expiry:u64][max_topic_size:u64][replication_factor:u8][name_len:u8][name]
 */
interface TopicSettings {
  readonly compressionAlgorithm: number;
  readonly messageExpiry: bigint;
  readonly maxTopicSize: bigint;
  readonly replicationFactor: number;
  readonly name: string;
}

function topicSettingsSize(value: TopicSettings): number {
  return 1 + 8 + 8 + 1 + name8Size(value.name, 'topic name');
}

function writeTopicSettings(writer: Writer, value: TopicSettings): void {
  writeCompression(writer, value.compressionAlgorithm);
  writer
    .u64BigInt(value.messageExpiry, 'message expiry')
    .u64BigInt(value.maxTopicSize, 'max topic size')
    .u8(value.replicationFactor, 'replication factor')
    .name8(value.name, 'topic name');
}

/** Compression other than 1/2 → 3. */
function readTopicSettings(reader: Reader): TopicSettings {
  const compressionAlgorithm = readCompression(reader);
  const messageExpiry = reader.u64BigInt('message expiry');
  const maxTopicSize = reader.u64BigInt('max topic size');
  const replicationFactor = reader.u8('replication factor');
  const name = reader.name8('topic name');
  return { compressionAlgorithm, messageExpiry, maxTopicSize, replicationFactor, name };
}

//                    [max_topic_size:u64][replication_factor:u8][name_len:u8][name] → TopicDetails

export interface CreateTopicRequest {
  readonly streamId: Identifier;
  readonly partitionsCount: number;
  readonly compressionAlgorithm: number;
  readonly messageExpiry: bigint;
  readonly maxTopicSize: bigint;
  /** 0 ⇒ stored as 1. */
  readonly replicationFactor: number;
  readonly name: string;
}

export function encodeCreateTopicRequest(value: CreateTopicRequest): Buffer {
  const writer = new Writer(identifierSize(value.streamId) + 4 + topicSettingsSize(value));
  writer.id(value.streamId, 'stream id').u32(value.partitionsCount, 'partitions count');
  writeTopicSettings(writer, value);
  return writer.finish();
}

/** Compression other than 1/2 → 3. */
export function decodeCreateTopicRequest(payload: Buffer): CreateTopicRequest {
  const reader = new Reader(payload);
  const streamId = reader.id('stream id');
  const partitionsCount = reader.u32('partitions count');
  return { streamId, partitionsCount, ...readTopicSettings(reader) };
}

export function encodeCreateTopicResponse(value: TopicDetails): Buffer {
  const writer = new Writer(topicDetailsSize(value));
  writeTopicDetails(writer, value);
  return writer.finish();
}

export function decodeCreateTopicResponse(payload: Buffer): TopicDetails {
  return readTopicDetails(new Reader(payload));
}

// DeleteTopic (303): [stream:Id][topic:Id] → empty

export type DeleteTopicRequest = StreamTopic;

export function encodeDeleteTopicRequest(value: DeleteTopicRequest): Buffer {
  return encodeStreamTopic(value);
}

export function decodeDeleteTopicRequest(payload: Buffer): DeleteTopicRequest {
  return decodeStreamTopic(payload);
}

export function encodeDeleteTopicResponse(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodeDeleteTopicResponse(_payload: Buffer): undefined {
  return undefined;
}

// UpdateTopic (304): [stream:Id][topic:Id][compression:u8][message_expiry:u64][max_topic_size:u64]
//                    [replication_factor:u8][name_len:u8][name] → empty

export interface UpdateTopicRequest {
  readonly streamId: Identifier;
  readonly topicId: Identifier;
  readonly compressionAlgorithm: number;
  readonly messageExpiry: bigint;
  readonly maxTopicSize: bigint;
  readonly replicationFactor: number;
  readonly name: string;
}

export function encodeUpdateTopicRequest(value: UpdateTopicRequest): Buffer {
  const writer = new Writer(identifierSize(value.streamId) + identifierSize(value.topicId) + topicSettingsSize(value));
  writer.id(value.streamId, 'stream id').id(value.topicId, 'topic id');
  writeTopicSettings(writer, value);
  return writer.finish();
}

export function decodeUpdateTopicRequest(payload: Buffer): UpdateTopicRequest {
  const reader = new Reader(payload);
  const streamId = reader.id('stream id');
  const topicId = reader.id('topic id');
  return { streamId, topicId, ...readTopicSettings(reader) };
}

export function encodeUpdateTopicResponse(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodeUpdateTopicResponse(_payload: Buffer): undefined {
  return undefined;
}

// PurgeTopic (305): [stream:Id][topic:Id] → empty

export type PurgeTopicRequest = StreamTopic;

export function encodePurgeTopicRequest(value: PurgeTopicRequest): Buffer {
  return encodeStreamTopic(value);
}

export function decodePurgeTopicRequest(payload: Buffer): PurgeTopicRequest {
  return decodeStreamTopic(payload);
}

export function encodePurgeTopicResponse(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodePurgeTopicResponse(_payload: Buffer): undefined {
  return undefined;
}
