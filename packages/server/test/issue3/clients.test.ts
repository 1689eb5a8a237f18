// Clients (reference 4.1.5, 3.2): GetMe / GetClient / GetClients report each connection's id, address,
// transport, user and joined consumer groups; closed connections disappear; the heartbeat verifier
// disconnects a client that stops pinging and keeps one that pings.
import {
  CommandCode,
  ErrorCode,
  decodeGetClientResponse,
  decodeGetClientsResponse,
  encodeDeleteConsumerGroupRequest,
  encodeGetClientRequest,
  encodeLeaveConsumerGroupRequest,
  xxh32,
  type ClientInfo,
} from '@iggy-ts/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, TestServer, waitFor, type TestClient } from './helpers.js';

const NO_USER = 0xffff_ffff;
const TCP = 1;

async function clients(client: TestClient): Promise<ClientInfo[]> {
  return decodeGetClientsResponse(await client.ok(CommandCode.GetClients));
}

describe('client details', () => {
  let server: TestServer;
  let root: TestClient;
  let ids: { streamId: number; topicId: number; groupId: number; otherGroupId: number };

  beforeAll(async () => {
    server = await TestServer.start();
    root = await server.client();
    const stream = await root.createStream('clients');
    const topic = await root.createTopic(stream.id, 'events', 2);
    const group = await root.createGroup(stream.id, topic.id, 'workers');
    const other = await root.createGroup(stream.id, topic.id, 'auditors');
    ids = { streamId: stream.id, topicId: topic.id, groupId: group.id, otherGroupId: other.id };
  });

  afterAll(async () => {
    await root?.close();
    await server?.stop();
  });

  it('GetMe shows the peer address, its XXH32 client id, TCP transport, the user and the joined groups', async () => {
    const me = await root.me();
    expect(me.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(me.clientId).toBe(xxh32(Buffer.from(me.address, 'utf8')));
    expect(me.transport).toBe(TCP);
    expect(me.userId).toBe(0);
    expect(me.consumerGroups).toEqual([]);
    await root.joinGroup(ids.streamId, ids.topicId, ids.groupId);
    await root.joinGroup(ids.streamId, ids.topicId, 'auditors');
    await root.joinGroup(ids.streamId, ids.topicId, ids.groupId); // twice: still one entry
    const joined = await root.me();
    expect(joined.consumerGroupsCount).toBe(2);
    expect(joined.consumerGroups).toEqual([
      { streamId: ids.streamId, topicId: ids.topicId, groupId: ids.groupId },
      { streamId: ids.streamId, topicId: ids.topicId, groupId: ids.otherGroupId },
    ]);
    await root.ok(CommandCode.LeaveConsumerGroup, encodeLeaveConsumerGroupRequest({ streamId: ids.streamId, topicId: ids.topicId, groupId: ids.otherGroupId }));
    expect((await root.me()).consumerGroups).toEqual([{ streamId: ids.streamId, topicId: ids.topicId, groupId: ids.groupId }]);
  });

  it('GetClient shows another connection with its user and groups; 0 is refused (101), unknown ids are empty', async () => {
    await root.createUser('watcher', 'watcher-password');
    const watcher = await server.client({ username: 'watcher', password: 'watcher-password' });
    try {
      const watcherMe = await watcher.me();
      const seen = decodeGetClientResponse(await root.ok(CommandCode.GetClient, encodeGetClientRequest({ clientId: watcherMe.clientId })));
      expect(seen).toEqual(watcherMe);
      expect(seen?.userId).toBeGreaterThan(0);
      const rootMe = await root.me();
      expect(decodeGetClientResponse(await root.ok(CommandCode.GetClient, encodeGetClientRequest({ clientId: rootMe.clientId })))).toEqual(rootMe);
      expect(await root.status(CommandCode.GetClient, encodeGetClientRequest({ clientId: 0 }))).toBe(ErrorCode.InvalidClientId);
      const unknown = await root.request(CommandCode.GetClient, encodeGetClientRequest({ clientId: (rootMe.clientId ^ watcherMe.clientId ^ 0x5a5a5a5a) >>> 0 || 1 }));
      expect(unknown).toEqual({ status: 0, payload: Buffer.alloc(0) });
    } finally {
      await watcher.close();
    }
  });

  it('GetClients lists every connection, logged in or not, and drops closed ones', async () => {
    const anonymous = await server.client(false);
    const member = await server.client();
    await member.joinGroup(ids.streamId, ids.topicId, ids.groupId);
    const memberMe = await member.me();
    const rootMe = await root.me();
    let listed = await clients(root);
    const byId = new Map(listed.map((entry) => [entry.clientId, entry]));
    expect(byId.get(rootMe.clientId)).toEqual({ clientId: rootMe.clientId, userId: 0, transport: TCP, address: rootMe.address, consumerGroupsCount: 1 });
    expect(byId.get(memberMe.clientId)?.consumerGroupsCount).toBe(1);
    const anonymousEntries = listed.filter((entry) => entry.userId === NO_USER);
    expect(anonymousEntries).toHaveLength(1);
    expect(anonymousEntries[0]!.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await anonymous.status(CommandCode.GetMe)).toBe(ErrorCode.Unauthenticated);
    expect(new Set(listed.map((entry) => entry.address)).size).toBe(listed.length);

    await member.close();
    await anonymous.close();
    listed = await waitFor(async () => {
      const current = await clients(root);
      return current.length === 1 ? current : undefined;
    }, 5_000, 25, 'closed clients to be dropped');
    expect(listed[0]!.clientId).toBe(rootMe.clientId);
    // The closed member left its group.
    const group = await root.getGroup(ids.streamId, ids.topicId, ids.groupId);
    expect(group?.members).toHaveLength(1);
  });

  it('drops a deleted group from the lists of the clients that joined it', async () => {
    expect((await root.me()).consumerGroupsCount).toBe(1);
    await root.ok(CommandCode.DeleteConsumerGroup, encodeDeleteConsumerGroupRequest({ streamId: ids.streamId, topicId: ids.topicId, groupId: ids.groupId }));
    const me = await root.me();
    expect(me.consumerGroupsCount).toBe(0);
    expect(me.consumerGroups).toEqual([]);
  });
});

describe('heartbeat verifier', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await TestServer.start({ heartbeat: { enabled: true, intervalMs: 500 } });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('disconnects a client that stops pinging and keeps one that pings', async () => {
    const pinger = await server.client();
    const silent = await server.client();
    let pinging = true;
    const pingLoop = (async () => {
      while (pinging) {
        expect(await pinger.status(CommandCode.Ping)).toBe(0);
        await sleep(50);
      }
    })();
    try {
      const silentId = (await silent.me()).clientId;
      expect((await clients(pinger)).map((entry) => entry.clientId)).toContain(silentId);
      // Stale after 1.2 × 500 ms without a Ping; the verifier runs every 500 ms.
      await waitFor(() => !silent.connected, 5_000, 20, 'the silent client to be disconnected');
      await expect(silent.request(CommandCode.Ping)).rejects.toThrow();
      // The pinging client outlives several verifier rounds.
      await sleep(1_200);
      expect(pinger.connected).toBe(true);
      const me = await pinger.me();
      expect(me.userId).toBe(0);
      expect((await clients(pinger)).map((entry) => entry.clientId)).toEqual([me.clientId]);
    } finally {
      pinging = false;
      await pingLoop;
      await pinger.close();
      await silent.close();
    }
  });
});
