/**
 * Permission checks of the 0.8 server (reference 3.3) as pure functions of a user's permissions and
 * the target stream/topic ids. A request passes when ANY listed grant is true. `null` permissions
 * grant nothing; the root user holds `rootPermissions()`. The router maps `false` to error 41 (see
 * `ensurePermitted`). Checks never look a stream or topic up: existence is the caller's business.
 *
 * Which check each command uses:
 *   GetStats 10, GetClient 21, GetClients 22 ............ canReadServers
 *   GetUser 31 (other user), GetUsers 32 ................. canReadUsers
 *   CreateUser 33 .. UpdatePermissions 36,
 *   ChangePassword 37 (other user) ....................... canManageUsers
 *   GetStream 200 ........................................ canReadStream
 *   GetStreams 201 ....................................... canReadStreams
 *   CreateStream 202 ..................................... canCreateStream
 *   DeleteStream 203, UpdateStream 204, PurgeStream 205 .. canManageStream
 *   GetTopics 301 ........................................ canReadTopics
 *   CreateTopic 302 ...................................... canCreateTopic
 *   GetTopic 300, consumer groups 600..605 ............... canReadTopic      (READ_TOPIC)
 *   DeleteTopic 303 .. PurgeTopic 305, partitions 402/403,
 *   DeleteSegments 503 ................................... canManageTopic    (MANAGE_TOPIC)
 *   PollMessages 100, consumer offsets 120..122 .......... canPollMessages   (POLL)
 *   SendMessages 101, FlushUnsavedBuffer 102 ............. canSendMessages   (SEND)
 */
import { ErrorCode, IggyError } from '@iggy-ts/protocol';
import type { GlobalPermissions, Permissions, ReadonlyPermissions, StreamPermissions, TopicPermissions } from './model.js';

/** Every global permission granted, no stream entries: what the root user holds. */
export function rootPermissions(): Permissions {
  return {
    global: {
      manageServers: true,
      readServers: true,
      manageUsers: true,
      readUsers: true,
      manageStreams: true,
      readStreams: true,
      manageTopics: true,
      readTopics: true,
      pollMessages: true,
      sendMessages: true,
    },
    streams: new Map(),
  };
}

/** All-false global permissions (a base to build grants on). */
export function noGlobalPermissions(): GlobalPermissions {
  return {
    manageServers: false,
    readServers: false,
    manageUsers: false,
    readUsers: false,
    manageStreams: false,
    readStreams: false,
    manageTopics: false,
    readTopics: false,
    pollMessages: false,
    sendMessages: false,
  };
}

/** Throws 41 (Unauthorized) when `allowed` is false. */
export function ensurePermitted(allowed: boolean): void {
  if (!allowed) throw new IggyError(ErrorCode.Unauthorized);
}

type StreamEntry = ReadonlyPermissions['streams'] extends ReadonlyMap<number, infer Entry> ? Entry : never;

function streamEntry(permissions: ReadonlyPermissions, streamId: number): StreamEntry | undefined {
  return permissions.streams.get(streamId);
}

function topicEntry(stream: StreamEntry | undefined, topicId: number): Readonly<TopicPermissions> | undefined {
  return stream?.topics.get(topicId);
}

/** GetStats, GetClient(s): G.manage_servers or G.read_servers. */
export function canReadServers(permissions: ReadonlyPermissions | null): boolean {
  if (permissions === null) return false;
  return permissions.global.manageServers || permissions.global.readServers;
}

/** Alias of `canReadServers` under the command's name. */
export const canGetStats = canReadServers;

/** Create/Delete/UpdateUser, UpdatePermissions, ChangePassword of another user: G.manage_users. */
export function canManageUsers(permissions: ReadonlyPermissions | null): boolean {
  if (permissions === null) return false;
  return permissions.global.manageUsers;
}

/** GetUser (another user), GetUsers: G.manage_users or G.read_users. */
export function canReadUsers(permissions: ReadonlyPermissions | null): boolean {
  if (permissions === null) return false;
  return permissions.global.manageUsers || permissions.global.readUsers;
}

/** GetStream: G.manage_streams / G.read_streams / S.manage_stream / S.read_stream. */
export function canReadStream(permissions: ReadonlyPermissions | null, streamId: number): boolean {
  if (permissions === null) return false;
  const global = permissions.global;
  if (global.manageStreams || global.readStreams) return true;
  const stream = streamEntry(permissions, streamId);
  return stream !== undefined && (stream.manageStream || stream.readStream);
}

/** GetStreams: G.manage_streams / G.read_streams. */
export function canReadStreams(permissions: ReadonlyPermissions | null): boolean {
  if (permissions === null) return false;
  return permissions.global.manageStreams || permissions.global.readStreams;
}

/** CreateStream: G.manage_streams. */
export function canCreateStream(permissions: ReadonlyPermissions | null): boolean {
  if (permissions === null) return false;
  return permissions.global.manageStreams;
}

/** Delete/Update/PurgeStream (MANAGE_STREAM): G.manage_streams / S.manage_stream. */
export function canManageStream(permissions: ReadonlyPermissions | null, streamId: number): boolean {
  if (permissions === null) return false;
  if (permissions.global.manageStreams) return true;
  return streamEntry(permissions, streamId)?.manageStream === true;
}

/**
 * GetTopics: G.read_streams / G.manage_streams / G.manage_topics / G.read_topics /
 * S.manage_stream / S.read_stream / S.manage_topics / S.read_topics.
 */
export function canReadTopics(permissions: ReadonlyPermissions | null, streamId: number): boolean {
  if (permissions === null) return false;
  const global = permissions.global;
  if (global.readStreams || global.manageStreams || global.manageTopics || global.readTopics) return true;
  const stream = streamEntry(permissions, streamId);
  if (stream === undefined) return false;
  return stream.manageStream || stream.readStream || stream.manageTopics || stream.readTopics;
}

/** CreateTopic: G.manage_streams / G.manage_topics / S.manage_stream / S.manage_topics. */
export function canCreateTopic(permissions: ReadonlyPermissions | null, streamId: number): boolean {
  if (permissions === null) return false;
  if (permissions.global.manageStreams || permissions.global.manageTopics) return true;
  const stream = streamEntry(permissions, streamId);
  return stream !== undefined && (stream.manageStream || stream.manageTopics);
}

/**
 * READ_TOPIC: G.read_streams / G.manage_streams / G.manage_topics / G.read_topics;
 * S.manage_stream / S.read_stream / S.manage_topics / S.read_topics; T.manage_topic / T.read_topic.
 */
export function canReadTopic(permissions: ReadonlyPermissions | null, streamId: number, topicId: number): boolean {
  if (permissions === null) return false;
  const global = permissions.global;
  if (global.readStreams || global.manageStreams || global.manageTopics || global.readTopics) return true;
  const stream = streamEntry(permissions, streamId);
  if (stream === undefined) return false;
  if (stream.manageStream || stream.readStream || stream.manageTopics || stream.readTopics) return true;
  const topic = topicEntry(stream, topicId);
  return topic !== undefined && (topic.manageTopic || topic.readTopic);
}

/** MANAGE_TOPIC: G.manage_streams / G.manage_topics; S.manage_stream / S.manage_topics; T.manage_topic. */
export function canManageTopic(permissions: ReadonlyPermissions | null, streamId: number, topicId: number): boolean {
  if (permissions === null) return false;
  if (permissions.global.manageStreams || permissions.global.manageTopics) return true;
  const stream = streamEntry(permissions, streamId);
  if (stream === undefined) return false;
  if (stream.manageStream || stream.manageTopics) return true;
  return topicEntry(stream, topicId)?.manageTopic === true;
}

/**
 * POLL: G.poll_messages / G.read_topics / G.manage_topics / G.read_streams / G.manage_streams;
 * S.manage_stream / S.read_stream / S.manage_topics / S.read_topics / S.poll_messages;
 * T.manage_topic / T.read_topic / T.poll_messages.
 */
export function canPollMessages(permissions: ReadonlyPermissions | null, streamId: number, topicId: number): boolean {
  if (permissions === null) return false;
  const global = permissions.global;
  if (global.pollMessages || global.readTopics || global.manageTopics || global.readStreams || global.manageStreams) {
    return true;
  }
  const stream = streamEntry(permissions, streamId);
  if (stream === undefined) return false;
  if (stream.manageStream || stream.readStream || stream.manageTopics || stream.readTopics || stream.pollMessages) {
    return true;
  }
  const topic = topicEntry(stream, topicId);
  return topic !== undefined && (topic.manageTopic || topic.readTopic || topic.pollMessages);
}

/**
 * SEND: G.send_messages / G.manage_streams / G.manage_topics; S.manage_stream / S.manage_topics /
 * S.send_messages; T.manage_topic / T.send_messages.
 */
export function canSendMessages(permissions: ReadonlyPermissions | null, streamId: number, topicId: number): boolean {
  if (permissions === null) return false;
  const global = permissions.global;
  if (global.sendMessages || global.manageStreams || global.manageTopics) return true;
  const stream = streamEntry(permissions, streamId);
  if (stream === undefined) return false;
  if (stream.manageStream || stream.manageTopics || stream.sendMessages) return true;
  const topic = topicEntry(stream, topicId);
  return topic !== undefined && (topic.manageTopic || topic.sendMessages);
}

/** A deep copy with exactly the known flags, so callers cannot alias the stored permissions. */
export function clonePermissions(permissions: ReadonlyPermissions | null): Permissions | null {
  if (permissions === null) return null;
  const streams = new Map<number, StreamPermissions>();
  for (const [streamId, stream] of permissions.streams) {
    const topics = new Map<number, TopicPermissions>();
    for (const [topicId, topic] of stream.topics) {
      topics.set(topicId, {
        manageTopic: topic.manageTopic,
        readTopic: topic.readTopic,
        pollMessages: topic.pollMessages,
        sendMessages: topic.sendMessages,
      });
    }
    streams.set(streamId, {
      manageStream: stream.manageStream,
      readStream: stream.readStream,
      manageTopics: stream.manageTopics,
      readTopics: stream.readTopics,
      pollMessages: stream.pollMessages,
      sendMessages: stream.sendMessages,
      topics,
    });
  }
  const global = permissions.global;
  return {
    global: {
      manageServers: global.manageServers,
      readServers: global.readServers,
      manageUsers: global.manageUsers,
      readUsers: global.readUsers,
      manageStreams: global.manageStreams,
      readStreams: global.readStreams,
      manageTopics: global.manageTopics,
      readTopics: global.readTopics,
      pollMessages: global.pollMessages,
      sendMessages: global.sendMessages,
    },
    streams,
  };
}
