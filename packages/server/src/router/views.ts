/**
 * Maps the router's metadata model and partition figures onto the wire structures of the protocol
 * package (StreamInfo, TopicDetails, UserDetails, ...).
 */
import type {
  ClientDetails,
  ConsumerGroupDetails,
  ConsumerGroupInfo,
  PartitionInfo,
  Permissions as WirePermissions,
  StreamDetails,
  StreamInfo,
  TopicDetails,
  TopicInfo,
  UserDetails,
  UserInfo,
} from '@iggy-ts/protocol';
import type { ConsumerGroup, Permissions, Stream, Topic, User } from '../metadata/model.js';
import type { PartitionStatsTable } from './partition-stats.js';
import type { Session } from './sessions.js';

export function topicInfo(topic: Topic, stats: PartitionStatsTable): TopicInfo {
  const totals = stats.topicTotals(topic.streamId, topic.id, topic.partitions.length);
  return {
    id: topic.id,
    createdAt: topic.createdAtUs,
    partitionsCount: topic.partitions.length,
    messageExpiry: topic.messageExpiryUs,
    compressionAlgorithm: topic.compressionAlgorithm,
    maxTopicSize: topic.maxTopicSizeBytes,
    replicationFactor: topic.replicationFactor,
    sizeBytes: totals.sizeBytes,
    messagesCount: totals.messagesCount,
    name: topic.name,
  };
}

export function topicDetails(topic: Topic, stats: PartitionStatsTable): TopicDetails {
  const partitions: PartitionInfo[] = topic.partitions.map((partition) => {
    const figures = stats.get({ streamId: topic.streamId, topicId: topic.id, partitionId: partition.id });
    return {
      id: partition.id,
      createdAt: partition.createdAtUs,
      segmentsCount: figures.segmentsCount,
      currentOffset: figures.currentOffset,
      sizeBytes: figures.sizeBytes,
      messagesCount: figures.messagesCount,
    };
  });
  return { ...topicInfo(topic, stats), partitions };
}

export function streamInfo(stream: Stream, stats: PartitionStatsTable): StreamInfo {
  let sizeBytes = 0;
  let messagesCount = 0;
  for (const topic of stream.topics.values()) {
    const totals = stats.topicTotals(stream.id, topic.id, topic.partitions.length);
    sizeBytes += totals.sizeBytes;
    messagesCount += totals.messagesCount;
  }
  return { id: stream.id, createdAt: stream.createdAtUs, topicsCount: stream.topics.size, sizeBytes, messagesCount, name: stream.name };
}

export function streamDetails(stream: Stream, stats: PartitionStatsTable): StreamDetails {
  const topics = [...stream.topics.values()].sort((a, b) => a.id - b.id).map((topic) => topicInfo(topic, stats));
  return { ...streamInfo(stream, stats), topics };
}

export function consumerGroupInfo(group: ConsumerGroup, topic: Topic): ConsumerGroupInfo {
  return { id: group.id, partitionsCount: topic.partitions.length, membersCount: group.members.size, name: group.name };
}

export function consumerGroupDetails(group: ConsumerGroup, topic: Topic): ConsumerGroupDetails {
  const members = [...group.members.values()].map((member) => ({
    id: member.memberId,
    partitionsCount: member.partitions.length,
    partitions: [...member.partitions],
  }));
  return { ...consumerGroupInfo(group, topic), members };
}

export function userInfo(user: User): UserInfo {
  return { id: user.id, createdAt: user.createdAtUs, status: user.status, username: user.username };
}

export function userDetails(user: User): UserDetails {
  return { ...userInfo(user), permissions: user.permissions === null ? undefined : toWirePermissions(user.permissions) };
}

export function toWirePermissions(permissions: Permissions): WirePermissions {
  return permissions;
}

/** Copies wire permissions into the mutable model shape. */
export function fromWirePermissions(permissions: WirePermissions | undefined): Permissions | null {
  if (permissions === undefined) return null;
  const streams = new Map<number, Permissions['streams'] extends Map<number, infer S> ? S : never>();
  for (const [streamId, stream] of permissions.streams) {
    streams.set(streamId, { ...stream, topics: new Map([...stream.topics].map(([topicId, topic]) => [topicId, { ...topic }])) });
  }
  return { global: { ...permissions.global }, streams };
}

const USER_ID_NONE = 0xffff_ffff;

export function clientDetails(session: Session): ClientDetails {
  return {
    clientId: session.clientId,
    userId: session.userId ?? USER_ID_NONE,
    transport: session.transport,
    address: session.address,
    consumerGroupsCount: session.joinedGroups.length,
    consumerGroups: session.joinedGroups.map((group) => ({ ...group })),
  };
}
