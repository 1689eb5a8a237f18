// Every command code of the 0.8 table (reference 3.3) is implemented: with a valid payload it answers
// something other than 3 (here: 0, each request built to succeed), and before login every command
// but Ping, LoginUser and LoginWithPersonalAccessToken answers 40. Codes outside the table answer 3,
// before and after login, and leave the connection usable.
import {
  CommandCode,
  ConsumerKind,
  ErrorCode,
  decodeCreatePersonalAccessTokenResponse,
  encodeChangePasswordRequest,
  encodeCreateConsumerGroupRequest,
  encodeCreatePartitionsRequest,
  encodeCreatePersonalAccessTokenRequest,
  encodeCreateStreamRequest,
  encodeCreateTopicRequest,
  encodeCreateUserRequest,
  encodeDeleteConsumerGroupRequest,
  encodeDeleteConsumerOffsetRequest,
  encodeDeletePartitionsRequest,
  encodeDeletePersonalAccessTokenRequest,
  encodeDeleteSegmentsRequest,
  encodeDeleteStreamRequest,
  encodeDeleteTopicRequest,
  encodeDeleteUserRequest,
  encodeFlushUnsavedBufferRequest,
  encodeGetClientRequest,
  encodeGetConsumerGroupRequest,
  encodeGetConsumerGroupsRequest,
  encodeGetConsumerOffsetRequest,
  encodeGetSnapshotRequest,
  encodeGetStreamRequest,
  encodeGetTopicRequest,
  encodeGetTopicsRequest,
  encodeGetUserRequest,
  encodeJoinConsumerGroupRequest,
  encodeLeaveConsumerGroupRequest,
  encodeLoginUserRequest,
  encodeLoginWithPersonalAccessTokenRequest,
  encodePollMessagesRequest,
  encodePurgeStreamRequest,
  encodePurgeTopicRequest,
  encodeSendMessagesRequest,
  encodeStoreConsumerOffsetRequest,
  encodeUpdatePermissionsRequest,
  encodeUpdateStreamRequest,
  encodeUpdateTopicRequest,
  encodeUpdateUserRequest,
  partitionId,
  pollingStrategy,
} from '@iggy-ts/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY, TestServer, type TestClient } from './helpers.js';

const STREAM = 'codes';
const TOPIC = 'events';
const GROUP = 'readers';
const consumer = { kind: ConsumerKind.Consumer, id: 1 } as const;
const topicOf = { streamId: STREAM, topicId: TOPIC } as const;

/** A request per command, in an order in which each succeeds (creations before deletions). */
function requests(clientId: number, token: () => string): [number, () => Buffer][] {
  return [
    [CommandCode.Ping, () => EMPTY],
    [CommandCode.GetStats, () => EMPTY],
    [CommandCode.GetSnapshot, () => encodeGetSnapshotRequest({ compression: 1, types: [4] })],
    [CommandCode.GetClusterMetadata, () => EMPTY],
    [CommandCode.GetMe, () => EMPTY],
    [CommandCode.GetClient, () => encodeGetClientRequest({ clientId })],
    [CommandCode.GetClients, () => EMPTY],
    [CommandCode.GetUser, () => encodeGetUserRequest({ userId: 0 })],
    [CommandCode.GetUsers, () => EMPTY],
    [CommandCode.CreateUser, () => encodeCreateUserRequest({ username: 'codes-user', password: 'codes-password', status: 1 })],
    [CommandCode.UpdateUser, () => encodeUpdateUserRequest({ userId: 'codes-user', status: 1 })],
    [CommandCode.UpdatePermissions, () => encodeUpdatePermissionsRequest({ userId: 'codes-user' })],
    [CommandCode.ChangePassword, () => encodeChangePasswordRequest({ userId: 'codes-user', currentPassword: 'codes-password', newPassword: 'codes-password-2' })],
    [CommandCode.DeleteUser, () => encodeDeleteUserRequest({ userId: 'codes-user' })],
    [CommandCode.GetPersonalAccessTokens, () => EMPTY],
    [CommandCode.CreatePersonalAccessToken, () => encodeCreatePersonalAccessTokenRequest({ name: 'codes-token', expiry: 0n })],
    [CommandCode.LoginWithPersonalAccessToken, () => encodeLoginWithPersonalAccessTokenRequest({ token: token() })],
    [CommandCode.DeletePersonalAccessToken, () => encodeDeletePersonalAccessTokenRequest({ name: 'codes-token' })],
    [CommandCode.SendMessages, () => encodeSendMessagesRequest({ ...topicOf, partitioning: partitionId(0), messages: [{ payload: Buffer.from('hello') }] })],
    [CommandCode.FlushUnsavedBuffer, () => encodeFlushUnsavedBufferRequest({ ...topicOf, partitionId: 0, fsync: true })],
    [CommandCode.PollMessages, () => encodePollMessagesRequest({ consumer, ...topicOf, partitionId: 0, strategy: pollingStrategy.first(), count: 10, autoCommit: false })],
    [CommandCode.StoreConsumerOffset, () => encodeStoreConsumerOffsetRequest({ consumer, ...topicOf, partitionId: 0, offset: 0 })],
    [CommandCode.GetConsumerOffset, () => encodeGetConsumerOffsetRequest({ consumer, ...topicOf, partitionId: 0 })],
    [CommandCode.DeleteConsumerOffset, () => encodeDeleteConsumerOffsetRequest({ consumer, ...topicOf, partitionId: 0 })],
    [CommandCode.GetStream, () => encodeGetStreamRequest({ streamId: STREAM })],
    [CommandCode.GetStreams, () => EMPTY],
    [CommandCode.CreateStream, () => encodeCreateStreamRequest({ name: 'codes-scratch' })],
    [CommandCode.UpdateStream, () => encodeUpdateStreamRequest({ streamId: 'codes-scratch', name: 'codes-renamed' })],
    [CommandCode.PurgeStream, () => encodePurgeStreamRequest({ streamId: 'codes-renamed' })],
    [CommandCode.DeleteStream, () => encodeDeleteStreamRequest({ streamId: 'codes-renamed' })],
    [CommandCode.GetTopic, () => encodeGetTopicRequest(topicOf)],
    [CommandCode.GetTopics, () => encodeGetTopicsRequest({ streamId: STREAM })],
    [CommandCode.CreateTopic, () => encodeCreateTopicRequest({ streamId: STREAM, name: 'scratch', partitionsCount: 1, compressionAlgorithm: 1, messageExpiry: 0n, maxTopicSize: 0n, replicationFactor: 1 })],
    [CommandCode.UpdateTopic, () => encodeUpdateTopicRequest({ streamId: STREAM, topicId: 'scratch', name: 'scratch-2', compressionAlgorithm: 2, messageExpiry: 0n, maxTopicSize: 0n, replicationFactor: 1 })],
    [CommandCode.PurgeTopic, () => encodePurgeTopicRequest({ streamId: STREAM, topicId: 'scratch-2' })],
    [CommandCode.CreatePartitions, () => encodeCreatePartitionsRequest({ streamId: STREAM, topicId: 'scratch-2', partitionsCount: 2 })],
    [CommandCode.DeletePartitions, () => encodeDeletePartitionsRequest({ streamId: STREAM, topicId: 'scratch-2', partitionsCount: 1 })],
    [CommandCode.DeleteSegments, () => encodeDeleteSegmentsRequest({ streamId: STREAM, topicId: 'scratch-2', partitionId: 0, segmentsCount: 1 })],
    [CommandCode.DeleteTopic, () => encodeDeleteTopicRequest({ streamId: STREAM, topicId: 'scratch-2' })],
    [CommandCode.GetConsumerGroup, () => encodeGetConsumerGroupRequest({ ...topicOf, groupId: GROUP })],
    [CommandCode.GetConsumerGroups, () => encodeGetConsumerGroupsRequest(topicOf)],
    [CommandCode.CreateConsumerGroup, () => encodeCreateConsumerGroupRequest({ ...topicOf, name: 'scratch-group' })],
    [CommandCode.JoinConsumerGroup, () => encodeJoinConsumerGroupRequest({ ...topicOf, groupId: 'scratch-group' })],
    [CommandCode.LeaveConsumerGroup, () => encodeLeaveConsumerGroupRequest({ ...topicOf, groupId: 'scratch-group' })],
    [CommandCode.DeleteConsumerGroup, () => encodeDeleteConsumerGroupRequest({ ...topicOf, groupId: 'scratch-group' })],
    [CommandCode.LogoutUser, () => EMPTY],
    [CommandCode.LoginUser, () => encodeLoginUserRequest({ username: 'iggy', password: 'iggy', version: '', context: '' })],
  ];
}

const UNKNOWN_CODES = [0, 2, 3, 9, 13, 19, 23, 30, 40, 45, 99, 103, 119, 123, 199, 206, 299, 306, 400, 401, 404, 500, 501, 502, 504, 606, 607, 999, 9999, 0x7fff_ffff, 0xffff_ffff];

describe('command codes', () => {
  let server: TestServer;
  let root: TestClient;

  beforeAll(async () => {
    server = await TestServer.start();
    root = await server.client();
    await root.createStream(STREAM);
    await root.createTopic(STREAM, TOPIC, 2);
    await root.createGroup(STREAM, TOPIC, GROUP);
  });

  afterAll(async () => {
    await root?.close();
    await server?.stop();
  });

  it('answers every command of the 0.8 table, each with success for a valid request', async () => {
    const me = await root.me();
    let token = '';
    const table = requests(me.clientId, () => token);
    expect(new Set(table.map(([code]) => code))).toEqual(new Set(Object.values(CommandCode)));
    const statuses: string[] = [];
    for (const [code, payload] of table) {
      const reply = await root.request(code, payload());
      if (code === CommandCode.CreatePersonalAccessToken) token = decodeCreatePersonalAccessTokenResponse(reply.payload).token;
      statuses.push(`${code}: ${reply.status}`);
    }
    expect(statuses).toEqual(table.map(([code]) => `${code}: 0`));
    expect((await root.me()).userId).toBe(0);
  });

  it('answers 40 before login to every command but Ping, LoginUser and LoginWithPersonalAccessToken', async () => {
    const anonymous = await server.client(false);
    try {
      const table = requests(1, () => 'not-a-token');
      const statuses: string[] = [];
      for (const [code, payload] of table) {
        if (code === CommandCode.LoginUser) continue; // would log the connection in
        statuses.push(`${code}: ${(await anonymous.request(code, payload())).status}`);
      }
      const expected = table
        .filter(([code]) => code !== CommandCode.LoginUser)
        .map(([code]) => `${code}: ${code === CommandCode.Ping ? 0 : code === CommandCode.LoginWithPersonalAccessToken ? ErrorCode.ResourceNotFound : ErrorCode.Unauthenticated}`);
      expect(statuses).toEqual(expected);
    } finally {
      await anonymous.close();
    }
  });

  it('answers 3 to codes outside the table, before and after login, and keeps the connection', async () => {
    const anonymous = await server.client(false);
    try {
      for (const client of [anonymous, root]) {
        for (const code of UNKNOWN_CODES) {
          expect(await client.status(code), `code ${code}`).toBe(ErrorCode.InvalidCommand);
          expect(await client.status(code, Buffer.from([1, 2, 3, 4])), `code ${code} with a payload`).toBe(ErrorCode.InvalidCommand);
        }
        expect(await client.status(CommandCode.Ping)).toBe(0);
      }
      expect(await root.status(CommandCode.GetMe)).toBe(0);
    } finally {
      await anonymous.close();
    }
  });
});
