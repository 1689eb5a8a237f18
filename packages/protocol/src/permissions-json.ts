/**
 * Permissions in the JSON form of Iggy 0.8's REST API (reference 9.4): snake_case flags, stream and
 * topic ids as object keys, `null` for "no entries". Shared by the server's HTTP API and the SDK's
 * HTTP transport, which read and write the same documents.
 *
 * {global: {manage_servers, read_servers, manage_users, read_users, manage_streams, read_streams,
 *           manage_topics, read_topics, poll_messages, send_messages},
 *  streams: {"<stream_id>": {manage_stream, read_stream, manage_topics, read_topics, poll_messages,
 *            send_messages, topics: {"<topic_id>": {manage_topic, read_topic, poll_messages,
 *            send_messages}} | null}} | null}
 */
import { ErrorCode, IggyError } from './errors.js';
import type { Permissions, StreamPermissions, TopicPermissions } from './permissions.js';

type JsonRecord = Readonly<Record<string, unknown>>;

export function permissionsToJson(permissions: Permissions): Record<string, unknown> {
  const global = permissions.global;
  let streams: Record<string, unknown> | null = null;
  if (permissions.streams.size > 0) {
    streams = {};
    for (const [streamId, stream] of permissions.streams) {
      let topics: Record<string, unknown> | null = null;
      if (stream.topics.size > 0) {
        topics = {};
        for (const [topicId, topic] of stream.topics) {
          topics[String(topicId)] = { manage_topic: topic.manageTopic, read_topic: topic.readTopic, poll_messages: topic.pollMessages, send_messages: topic.sendMessages };
        }
      }
      streams[String(streamId)] = {
        manage_stream: stream.manageStream,
        read_stream: stream.readStream,
        manage_topics: stream.manageTopics,
        read_topics: stream.readTopics,
        poll_messages: stream.pollMessages,
        send_messages: stream.sendMessages,
        topics,
      };
    }
  }
  return {
    global: {
      manage_servers: global.manageServers,
      read_servers: global.readServers,
      manage_users: global.manageUsers,
      read_users: global.readUsers,
      manage_streams: global.manageStreams,
      read_streams: global.readStreams,
      manage_topics: global.manageTopics,
      read_topics: global.readTopics,
      poll_messages: global.pollMessages,
      send_messages: global.sendMessages,
    },
    streams,
  };
}

/**
 * Reads the JSON form; `null`/`undefined` mean "no permissions" (undefined). A flag is granted only
 * when it is `true`; a missing object counts as empty. A value of the wrong shape throws an IggyError
 * with `errorCode` (InvalidFormat by default; a client reading a server's answer passes its own).
 */
export function permissionsFromJson(value: unknown, errorCode: number = ErrorCode.InvalidFormat): Permissions | undefined {
  if (value === null || value === undefined) return undefined;
  const object = (field: string, candidate: unknown): JsonRecord => {
    if (candidate === null || candidate === undefined) return {};
    if (typeof candidate !== 'object' || Array.isArray(candidate)) throw new IggyError(errorCode, `${field} should be an object`);
    return candidate as JsonRecord;
  };
  const id = (field: string, key: string): number => {
    const parsed = Number(key);
    if (!/^\d+$/.test(key) || !Number.isSafeInteger(parsed) || parsed > 0xffff_ffff) throw new IggyError(errorCode, `${field} key ${JSON.stringify(key)} should be a numeric id`);
    return parsed;
  };
  const flag = (candidate: unknown): boolean => candidate === true;
  const json = object('permissions', value);
  const global = object('permissions.global', json.global);
  const streams = new Map<number, StreamPermissions>();
  for (const [streamKey, streamValue] of Object.entries(object('permissions.streams', json.streams))) {
    const stream = object(`permissions.streams.${streamKey}`, streamValue);
    const topics = new Map<number, TopicPermissions>();
    for (const [topicKey, topicValue] of Object.entries(object(`permissions.streams.${streamKey}.topics`, stream.topics))) {
      const topic = object(`permissions.streams.${streamKey}.topics.${topicKey}`, topicValue);
      topics.set(id(`permissions.streams.${streamKey}.topics`, topicKey), {
        manageTopic: flag(topic.manage_topic),
        readTopic: flag(topic.read_topic),
        pollMessages: flag(topic.poll_messages),
        sendMessages: flag(topic.send_messages),
      });
    }
    streams.set(id('permissions.streams', streamKey), {
      manageStream: flag(stream.manage_stream),
      readStream: flag(stream.read_stream),
      manageTopics: flag(stream.manage_topics),
      readTopics: flag(stream.read_topics),
      pollMessages: flag(stream.poll_messages),
      sendMessages: flag(stream.send_messages),
      topics,
    });
  }
  return {
    global: {
      manageServers: flag(global.manage_servers),
      readServers: flag(global.read_servers),
      manageUsers: flag(global.manage_users),
      readUsers: flag(global.read_users),
      manageStreams: flag(global.manage_streams),
      readStreams: flag(global.read_streams),
      manageTopics: flag(global.manage_topics),
      readTopics: flag(global.read_topics),
      pollMessages: flag(global.poll_messages),
      sendMessages: flag(global.send_messages),
    },
    streams,
  };
}
