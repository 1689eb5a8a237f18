/**
 * Consumer-group commands (reference 4.10): GetConsumerGroup 600, GetConsumerGroups 601,
 * CreateConsumerGroup 602, DeleteConsumerGroup 603, JoinConsumerGroup 604, LeaveConsumerGroup 605.
 *
 *   group header (13 + n): [id:u32][partitions_count:u32][members_count:u32][name_len:u8][name:n]
 *   member record (8 + 4k): [member_id:u32][partitions_count:u32 = k][partition_id:u32 × k]
 *   ConsumerGroupDetails = group header + members_count member records
 *
 * CreateConsumerGroup answers the header with members_count 0, i.e. details with no members
 * (the Rust SDK decodes details, Node the header: the bytes are the same).
 */
import type { Identifier } from './identifier.js';
import { EMPTY_BUFFER, Reader, Writer, identifierSize, name8Size } from './reader.js';

export interface ConsumerGroupInfo {
  readonly id: number;
  readonly partitionsCount: number;
  readonly membersCount: number;
  readonly name: string;
}

export interface ConsumerGroupMember {
  readonly id: number;
  readonly partitionsCount: number;
  /** Assigned partition ids, in assignment order. */
  readonly partitions: readonly number[];
}

export interface ConsumerGroupDetails extends ConsumerGroupInfo {
  readonly members: readonly ConsumerGroupMember[];
}

export function consumerGroupInfoSize(group: ConsumerGroupInfo): number {
  return 12 + name8Size(group.name, 'consumer group name');
}

export function writeConsumerGroupInfo(writer: Writer, group: ConsumerGroupInfo): void {
  writer
    .u32(group.id, 'consumer group id')
    .u32(group.partitionsCount, 'partitions count')
    .u32(group.membersCount, 'members count')
    .name8(group.name, 'consumer group name');
}

export function readConsumerGroupInfo(reader: Reader): ConsumerGroupInfo {
  const id = reader.u32('consumer group id');
  const partitionsCount = reader.u32('partitions count');
  const membersCount = reader.u32('members count');
  const name = reader.name8('consumer group name');
  return { id, partitionsCount, membersCount, name };
}

export function consumerGroupDetailsSize(group: ConsumerGroupDetails): number {
  let size = consumerGroupInfoSize(group);
  for (const member of group.members) size += 8 + 4 * member.partitions.length;
  return size;
}

/** `membersCount` must equal `members.length`, and each member's `partitionsCount` its list length. */
export function writeConsumerGroupDetails(writer: Writer, group: ConsumerGroupDetails): void {
  if (group.membersCount !== group.members.length) {
    throw new Error(`consumer group ${group.id}: membersCount ${group.membersCount} != ${group.members.length} member records`);
  }
  writeConsumerGroupInfo(writer, group);
  for (const member of group.members) {
    if (member.partitionsCount !== member.partitions.length) {
      throw new Error(`member ${member.id}: partitionsCount ${member.partitionsCount} != ${member.partitions.length} partitions`);
    }
    writer.u32(member.id, 'member id').u32(member.partitions.length);
    for (const partition of member.partitions) writer.u32(partition, 'partition id');
  }
}

export function readConsumerGroupDetails(reader: Reader): ConsumerGroupDetails {
  const info = readConsumerGroupInfo(reader);
  const members: ConsumerGroupMember[] = [];
  for (let i = 0; i < info.membersCount; i += 1) {
    const id = reader.u32('member id');
    const partitionsCount = reader.u32('member partitions count');
    reader.need(4 * partitionsCount, 'member partitions');
    const partitions: number[] = [];
    for (let p = 0; p < partitionsCount; p += 1) partitions.push(reader.u32('partition id'));
    members.push({ id, partitionsCount, partitions });
  }
  return { ...info, members };
}

function encodeConsumerGroupDetails(group: ConsumerGroupDetails): Buffer {
  const writer = new Writer(consumerGroupDetailsSize(group));
  writeConsumerGroupDetails(writer, group);
  return writer.finish();
}

/** [stream:Id][topic:Id][group:Id] — Get/Delete/Join/Leave. */
export interface ConsumerGroupRequest {
  readonly streamId: Identifier;
  readonly topicId: Identifier;
  readonly groupId: Identifier;
}

function encodeGroupIds(value: ConsumerGroupRequest): Buffer {
  return new Writer(identifierSize(value.streamId) + identifierSize(value.topicId) + identifierSize(value.groupId))
    .id(value.streamId, 'stream id')
    .id(value.topicId, 'topic id')
    .id(value.groupId, 'consumer group id')
    .finish();
}

function decodeGroupIds(payload: Buffer): ConsumerGroupRequest {
  const reader = new Reader(payload);
  const streamId = reader.id('stream id');
  const topicId = reader.id('topic id');
  const groupId = reader.id('consumer group id');
  return { streamId, topicId, groupId };
}

// GetConsumerGroup (600): [stream:Id][topic:Id][group:Id] → ConsumerGroupDetails | empty (not found)

export type GetConsumerGroupRequest = ConsumerGroupRequest;

export function encodeGetConsumerGroupRequest(value: GetConsumerGroupRequest): Buffer {
  return encodeGroupIds(value);
}

export function decodeGetConsumerGroupRequest(payload: Buffer): GetConsumerGroupRequest {
  return decodeGroupIds(payload);
}

export function encodeGetConsumerGroupResponse(value: ConsumerGroupDetails | undefined): Buffer {
  return value === undefined ? EMPTY_BUFFER : encodeConsumerGroupDetails(value);
}

export function decodeGetConsumerGroupResponse(payload: Buffer): ConsumerGroupDetails | undefined {
  if (payload.length === 0) return undefined;
  return readConsumerGroupDetails(new Reader(payload));
}

// GetConsumerGroups (601): [stream:Id][topic:Id] → group headers back to back (missing → empty)

export interface GetConsumerGroupsRequest {
  readonly streamId: Identifier;
  readonly topicId: Identifier;
}

export function encodeGetConsumerGroupsRequest(value: GetConsumerGroupsRequest): Buffer {
  return new Writer(identifierSize(value.streamId) + identifierSize(value.topicId)).id(value.streamId, 'stream id').id(value.topicId, 'topic id').finish();
}

export function decodeGetConsumerGroupsRequest(payload: Buffer): GetConsumerGroupsRequest {
  const reader = new Reader(payload);
  const streamId = reader.id('stream id');
  const topicId = reader.id('topic id');
  return { streamId, topicId };
}

export function encodeGetConsumerGroupsResponse(value: readonly ConsumerGroupInfo[]): Buffer {
  let size = 0;
  for (const group of value) size += consumerGroupInfoSize(group);
  const writer = new Writer(size);
  for (const group of value) writeConsumerGroupInfo(writer, group);
  return writer.finish();
}

/** Empty payload (no groups, or stream/topic missing) → []. */
export function decodeGetConsumerGroupsResponse(payload: Buffer): ConsumerGroupInfo[] {
  const reader = new Reader(payload);
  const groups: ConsumerGroupInfo[] = [];
  while (reader.remaining > 0) groups.push(readConsumerGroupInfo(reader));
  return groups;
}

// CreateConsumerGroup (602): [stream:Id][topic:Id][name:Name8] (no group id) → group header (no members)

export interface CreateConsumerGroupRequest {
  readonly streamId: Identifier;
  readonly topicId: Identifier;
  readonly name: string;
}

export function encodeCreateConsumerGroupRequest(value: CreateConsumerGroupRequest): Buffer {
  return new Writer(identifierSize(value.streamId) + identifierSize(value.topicId) + name8Size(value.name, 'consumer group name'))
    .id(value.streamId, 'stream id')
    .id(value.topicId, 'topic id')
    .name8(value.name, 'consumer group name')
    .finish();
}

export function decodeCreateConsumerGroupRequest(payload: Buffer): CreateConsumerGroupRequest {
  const reader = new Reader(payload);
  const streamId = reader.id('stream id');
  const topicId = reader.id('topic id');
  const name = reader.name8('consumer group name');
  return { streamId, topicId, name };
}

export function encodeCreateConsumerGroupResponse(value: ConsumerGroupDetails): Buffer {
  return encodeConsumerGroupDetails(value);
}

export function decodeCreateConsumerGroupResponse(payload: Buffer): ConsumerGroupDetails {
  return readConsumerGroupDetails(new Reader(payload));
}

// DeleteConsumerGroup (603), JoinConsumerGroup (604), LeaveConsumerGroup (605): [stream][topic][group] → empty

export type DeleteConsumerGroupRequest = ConsumerGroupRequest;
export type JoinConsumerGroupRequest = ConsumerGroupRequest;
export type LeaveConsumerGroupRequest = ConsumerGroupRequest;

export function encodeDeleteConsumerGroupRequest(value: DeleteConsumerGroupRequest): Buffer {
  return encodeGroupIds(value);
}

export function decodeDeleteConsumerGroupRequest(payload: Buffer): DeleteConsumerGroupRequest {
  return decodeGroupIds(payload);
}

export function encodeDeleteConsumerGroupResponse(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodeDeleteConsumerGroupResponse(_payload: Buffer): undefined {
  return undefined;
}

export function encodeJoinConsumerGroupRequest(value: JoinConsumerGroupRequest): Buffer {
  return encodeGroupIds(value);
}

export function decodeJoinConsumerGroupRequest(payload: Buffer): JoinConsumerGroupRequest {
  return decodeGroupIds(payload);
}

export function encodeJoinConsumerGroupResponse(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodeJoinConsumerGroupResponse(_payload: Buffer): undefined {
  return undefined;
}

export function encodeLeaveConsumerGroupRequest(value: LeaveConsumerGroupRequest): Buffer {
  return encodeGroupIds(value);
}

export function decodeLeaveConsumerGroupRequest(payload: Buffer): LeaveConsumerGroupRequest {
  return decodeGroupIds(payload);
}

export function encodeLeaveConsumerGroupResponse(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodeLeaveConsumerGroupResponse(_payload: Buffer): undefined {
  return undefined;
}
