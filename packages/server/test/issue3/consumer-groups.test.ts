// Consumer groups (reference 4.10, 10): command error codes, membership bookkeeping, and a rebalancing
// run in which members join, leave and vanish while a producer keeps sending. The run checks that
// every message is processed, that no message is delivered again once its offset was committed, and
// that no two members ever own the same partition (GetConsumerGroup snapshots taken throughout).
import {
  CommandCode,
  ConsumerKind,
  ErrorCode,
  decodeGetConsumerGroupsResponse,
  decodeGetConsumerOffsetResponse,
  encodeCreateConsumerGroupRequest,
  encodeCreatePartitionsRequest,
  encodeDeleteConsumerGroupRequest,
  encodeGetConsumerGroupsRequest,
  encodeGetConsumerOffsetRequest,
  encodeJoinConsumerGroupRequest,
  encodeLeaveConsumerGroupRequest,
  pollingStrategy,
  type ConsumerGroupDetails,
  type Identifier,
} from '@iggy-ts/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, StatusError, TestServer, waitFor, type TestClient } from './helpers.js';

function groupConsumer(groupId: Identifier) {
  return { kind: ConsumerKind.ConsumerGroup, id: groupId } as const;
}

/** Every partition owned by at most one member, and only partitions of the topic. */
function checkExclusiveOwnership(group: ConsumerGroupDetails, partitionsCount: number): void {
  const owners = new Map<number, number>();
  for (const member of group.members) {
    expect(member.partitionsCount).toBe(member.partitions.length);
    for (const partition of member.partitions) {
      expect(partition).toBeGreaterThanOrEqual(0);
      expect(partition).toBeLessThan(partitionsCount);
      const previous = owners.get(partition);
      if (previous !== undefined) throw new Error(`partition ${partition} owned by members ${previous} and ${member.id}: ${JSON.stringify(group.members)}`);
      owners.set(partition, member.id);
    }
  }
}

/** Settled assignment: every partition owned once, shares differ by at most one. */
function checkBalanced(group: ConsumerGroupDetails, partitionsCount: number): void {
  checkExclusiveOwnership(group, partitionsCount);
  const owned = group.members.flatMap((member) => member.partitions).sort((a, b) => a - b);
  expect(owned).toEqual(Array.from({ length: partitionsCount }, (_, i) => i));
  const sizes = group.members.map((member) => member.partitions.length);
  expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
}

describe('consumer group commands', () => {
  let server: TestServer;
  let root: TestClient;
  let streamId: number;
  let topicId: number;

  beforeAll(async () => {
    server = await TestServer.start();
    root = await server.client();
    streamId = (await root.createStream('groups')).id;
    topicId = (await root.createTopic(streamId, 'orders', 3)).id;
  });

  afterAll(async () => {
    await root?.close();
    await server?.stop();
  });

  it('creates groups (5004 duplicate, 1009/2010 missing parents) and gets and lists them', async () => {
    const created = await root.createGroup(streamId, topicId, 'billing');
    expect(created).toMatchObject({ name: 'billing', partitionsCount: 3, membersCount: 0, members: [] });
    const create = (stream: Identifier, topic: Identifier, name: string) => root.status(CommandCode.CreateConsumerGroup, encodeCreateConsumerGroupRequest({ streamId: stream, topicId: topic, name }));
    expect(await create(streamId, topicId, 'billing')).toBe(ErrorCode.ConsumerGroupNameAlreadyExists);
    expect(await create(streamId, 'missing', 'x-group')).toBe(ErrorCode.TopicIdNotFound);
    expect(await create('missing', topicId, 'x-group')).toBe(ErrorCode.StreamIdNotFound);
    const shipping = await root.createGroup(streamId, 'orders', 'shipping');
    expect(await root.getGroup(streamId, topicId, created.id)).toEqual(created);
    expect(await root.getGroup('groups', 'orders', 'billing')).toEqual(created);
    expect(await root.getGroup(streamId, topicId, 'nope')).toBeUndefined();
    expect(await root.getGroup(streamId, 'nope', 'billing')).toBeUndefined();
    expect(await root.getGroup('nope', topicId, 'billing')).toBeUndefined();
    const listed = decodeGetConsumerGroupsResponse(await root.ok(CommandCode.GetConsumerGroups, encodeGetConsumerGroupsRequest({ streamId, topicId })));
    expect(listed.map((group) => group.name)).toEqual(['billing', 'shipping']);
    expect(listed[1]).toEqual({ id: shipping.id, name: 'shipping', partitionsCount: 3, membersCount: 0 });
    expect(await root.request(CommandCode.GetConsumerGroups, encodeGetConsumerGroupsRequest({ streamId, topicId: 'nope' }))).toEqual({ status: 0, payload: Buffer.alloc(0) });
  });

  it('joins (5000 unknown group, twice is a no-op) and leaves (5006 when not a member)', async () => {
    const join = (groupId: Identifier, client = root) => client.status(CommandCode.JoinConsumerGroup, encodeJoinConsumerGroupRequest({ streamId, topicId, groupId }));
    const leave = (groupId: Identifier, client = root) => client.status(CommandCode.LeaveConsumerGroup, encodeLeaveConsumerGroupRequest({ streamId, topicId, groupId }));
    expect(await join('nope')).toBe(ErrorCode.ConsumerGroupIdNotFound);
    expect(await leave('nope')).toBe(ErrorCode.ConsumerGroupIdNotFound);
    expect(await root.status(CommandCode.JoinConsumerGroup, encodeJoinConsumerGroupRequest({ streamId, topicId: 'nope', groupId: 'billing' }))).toBe(ErrorCode.TopicIdNotFound);
    expect(await root.status(CommandCode.JoinConsumerGroup, encodeJoinConsumerGroupRequest({ streamId: 'nope', topicId, groupId: 'billing' }))).toBe(ErrorCode.StreamIdNotFound);
    expect(await leave('billing')).toBe(ErrorCode.ConsumerGroupMemberNotFound);
    expect(await join('billing')).toBe(0);
    expect(await join('billing')).toBe(0);
    let group = (await root.getGroup(streamId, topicId, 'billing'))!;
    expect(group.membersCount).toBe(1);
    expect(group.members[0]).toMatchObject({ id: 0, partitions: [0, 1, 2] });
    // Membership belongs to the connection, not the user.
    const second = await server.client();
    try {
      expect(await join('billing', second)).toBe(0);
      group = (await root.getGroup(streamId, topicId, 'billing'))!;
      expect(group.members.map((member) => member.id)).toEqual([0, 1]);
      checkBalanced(group, 3);
      expect(await leave('billing', second)).toBe(0);
      expect(await leave('billing', second)).toBe(ErrorCode.ConsumerGroupMemberNotFound);
    } finally {
      await second.close();
    }
    group = (await root.getGroup(streamId, topicId, 'billing'))!;
    expect(group.members).toEqual([{ id: 0, partitionsCount: 3, partitions: [0, 1, 2] }]);
    expect(await leave('billing')).toBe(0);
    expect((await root.getGroup(streamId, topicId, 'billing'))!.membersCount).toBe(0);
  });

  it('refuses group polls and offsets of non-members (5006) and of partitions the member does not own (3022)', async () => {
    expect(await root.send(streamId, topicId, 0, [{ payload: Buffer.from('x') }])).toBe(0);
    const consumer = groupConsumer('billing');
    await expect(root.poll(streamId, topicId, undefined, pollingStrategy.next(), 10, { consumer })).rejects.toMatchObject({ status: ErrorCode.ConsumerGroupMemberNotFound });
    expect(await root.storeOffset(consumer, streamId, topicId, 0, 0)).toBe(ErrorCode.ConsumerGroupMemberNotFound);
    await root.joinGroup(streamId, topicId, 'billing');
    const other = await server.client();
    try {
      await other.joinGroup(streamId, topicId, 'billing');
      const group = (await root.getGroup(streamId, topicId, 'billing'))!;
      const mine = group.members[0]!.partitions;
      const notMine = [0, 1, 2].find((partition) => !mine.includes(partition))!;
      expect(await root.storeOffset(consumer, streamId, topicId, notMine, 0)).toBe(ErrorCode.NotResolvedConsumer);
      const polled = await root.poll(streamId, topicId, notMine, pollingStrategy.first(), 10, { consumer });
      expect(polled).toMatchObject({ partitionId: 0, currentOffset: 0, count: 0 });
      // GetConsumerOffset with a group consumer needs no membership.
      expect(await other.status(CommandCode.GetConsumerOffset, encodeGetConsumerOffsetRequest({ consumer, streamId, topicId, partitionId: 0 }))).toBe(0);
    } finally {
      await other.close();
      await root.ok(CommandCode.LeaveConsumerGroup, encodeLeaveConsumerGroupRequest({ streamId, topicId, groupId: 'billing' }));
    }
  });

  it('keeps a partition with its owner until the owner commits what it polled (reference 10.2 step 7)', async () => {
    const topic = await root.createTopic(streamId, 'handover', 3);
    const group = await root.createGroup(streamId, topic.id, 'handover-group');
    const consumer = groupConsumer(group.id);
    for (let partition = 0; partition < 3; partition += 1) expect(await root.send(streamId, topic.id, partition, [{ payload: Buffer.from('a') }, { payload: Buffer.from('b') }])).toBe(0);
    const owner = await server.client();
    const newcomer = await server.client();
    try {
      await owner.joinGroup(streamId, topic.id, group.id);
      // The owner polls every partition and commits nothing yet.
      for (let partition = 0; partition < 3; partition += 1) {
        expect((await owner.poll(streamId, topic.id, partition, pollingStrategy.next(), 10, { consumer })).count).toBe(2);
      }
      await newcomer.joinGroup(streamId, topic.id, group.id);
      let details = (await root.getGroup(streamId, topic.id, group.id))!;
      expect(details.members.map((member) => member.partitions)).toEqual([[0, 1, 2], []]);
      expect((await newcomer.poll(streamId, topic.id, undefined, pollingStrategy.next(), 10, { consumer })).count).toBe(0);
      // Each commit releases that partition to the newcomer if it is due one.
      for (let partition = 0; partition < 3; partition += 1) expect(await owner.storeOffset(consumer, streamId, topic.id, partition, 1)).toBe(0);
      details = (await root.getGroup(streamId, topic.id, group.id))!;
      checkBalanced(details, 3);
      const moved = details.members[1]!.partitions;
      expect(moved.length).toBeGreaterThan(0);
      // The newcomer resumes after the committed offset: nothing is delivered twice.
      for (const partition of moved) expect((await newcomer.poll(streamId, topic.id, partition, pollingStrategy.next(), 10, { consumer })).count).toBe(0);
    } finally {
      await owner.close();
      await newcomer.close();
    }
  });

  it('rebalances every group when partitions are added', async () => {
    await root.joinGroup(streamId, topicId, 'shipping');
    const other = await server.client();
    try {
      await other.joinGroup(streamId, topicId, 'shipping');
      checkBalanced((await root.getGroup(streamId, topicId, 'shipping'))!, 3);
      await root.ok(CommandCode.CreatePartitions, encodeCreatePartitionsRequest({ streamId, topicId, partitionsCount: 3 }));
      const group = (await root.getGroup(streamId, topicId, 'shipping'))!;
      expect(group.partitionsCount).toBe(6);
      checkBalanced(group, 6);
    } finally {
      await other.close();
    }
  });

  it('deletes groups (5000 when unknown), and a deleted group is gone for its members', async () => {
    const remove = (groupId: Identifier) => root.status(CommandCode.DeleteConsumerGroup, encodeDeleteConsumerGroupRequest({ streamId, topicId, groupId }));
    expect(await remove('nope')).toBe(ErrorCode.ConsumerGroupIdNotFound);
    expect(await remove('shipping')).toBe(0);
    expect(await root.getGroup(streamId, topicId, 'shipping')).toBeUndefined();
    expect(await remove('shipping')).toBe(ErrorCode.ConsumerGroupIdNotFound);
    expect((await root.me()).consumerGroups).toEqual([]);
    await expect(root.poll(streamId, topicId, undefined, pollingStrategy.next(), 1, { consumer: groupConsumer('shipping') })).rejects.toBeInstanceOf(StatusError);
  });
});

interface Delivery {
  consumer: string;
  partitionId: number;
  offset: number;
  payload: string;
  /** Highest committed offset of the partition when the poll that delivered it was sent. */
  committedWhenPolled: number;
}

describe('consumer group rebalancing while messages flow', () => {
  const PARTITIONS = 6;
  const MESSAGES = 2_400;
  const BATCH = 10;
  let server: TestServer;

  beforeAll(async () => {
    server = await TestServer.start();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('processes every message once it is committed, with members joining, leaving and vanishing, and never two owners of a partition', async () => {
    const root = await server.client();
    const streamId = (await root.createStream('flow')).id;
    const topicId = (await root.createTopic(streamId, 'jobs', PARTITIONS)).id;
    const groupId = (await root.createGroup(streamId, topicId, 'workers')).id;
    const consumer = groupConsumer(groupId);

    const deliveries: Delivery[] = [];
    const committed = new Map<number, number>(); // partition → highest offset whose commit was acknowledged
    const failedCommits: string[] = [];
    let snapshots = 0;
    const memberCounts = new Set<number>();
    let stop = false;
    let failure: unknown;

    // Producer: BATCH messages per send, partitions in turn, payload "m-<sequence>".
    let sent = 0;
    const producer = (async () => {
      const client = await server.client();
      try {
        for (let batch = 0; batch < MESSAGES / BATCH; batch += 1) {
          const messages = Array.from({ length: BATCH }, (_, i) => ({ payload: Buffer.from(`m-${batch * BATCH + i}`) }));
          expect(await client.send(streamId, topicId, batch % PARTITIONS, messages)).toBe(0);
          sent += BATCH;
          await sleep(3);
        }
      } finally {
        await client.close();
      }
    })();

    // Monitor: ownership snapshots throughout the run.
    const monitor = (async () => {
      const client = await server.client();
      try {
        while (!stop) {
          const group = (await client.getGroup(streamId, topicId, groupId))!;
          checkExclusiveOwnership(group, PARTITIONS);
          memberCounts.add(group.membersCount);
          snapshots += 1;
          await sleep(3);
        }
      } finally {
        await client.close();
      }
    })().catch((error: unknown) => {
      failure ??= error;
    });

    type Mode = 'run' | 'leave' | 'crash';
    const modes = new Map<string, Mode>();
    const crashed: string[] = [];
    const sentAtEvent: number[] = [];
    const consumerLoop = async (name: string): Promise<void> => {
      const client = await server.client();
      await client.joinGroup(streamId, topicId, groupId);
      modes.set(name, 'run');
      try {
        while (!stop) {
          const snapshot = new Map(committed);
          const polled = await client.poll(streamId, topicId, undefined, pollingStrategy.next(), 25, { consumer });
          if (polled.count === 0) {
            if (modes.get(name) === 'leave') break;
            await sleep(2);
            continue;
          }
          for (const message of polled.messages) {
            deliveries.push({ consumer: name, partitionId: polled.partitionId, offset: message.offset, payload: message.payload.toString(), committedWhenPolled: snapshot.get(polled.partitionId) ?? -1 });
          }
          if (modes.get(name) === 'crash') {
            // Vanish with the batch uncommitted: no leave, the connection just closes.
            crashed.push(name);
            await client.close();
            return;
          }
          await sleep(1); // "processing"
          const last = polled.messages[polled.messages.length - 1]!.offset;
          const status = await client.storeOffset(consumer, streamId, topicId, polled.partitionId, last);
          if (status === 0) committed.set(polled.partitionId, Math.max(committed.get(polled.partitionId) ?? -1, last));
          else failedCommits.push(`${name} p${polled.partitionId}@${last}: ${status}`);
          if (modes.get(name) === 'leave') break;
        }
        if (modes.get(name) === 'leave') await client.ok(CommandCode.LeaveConsumerGroup, encodeLeaveConsumerGroupRequest({ streamId, topicId, groupId }));
      } finally {
        await client.close();
      }
    };

    const running: Promise<void>[] = [];
    const start = (name: string) => {
      running.push(
        consumerLoop(name).catch((error: unknown) => {
          failure ??= error;
        }),
      );
    };
    const waitForDeliveries = (count: number) => waitFor(() => deliveries.length >= count || failure !== undefined, 15_000, 2, `${count} deliveries`);

    start('c1');
    await waitForDeliveries(150);
    sentAtEvent.push(sent);
    start('c2');
    await waitForDeliveries(350);
    sentAtEvent.push(sent);
    start('c3');
    await waitForDeliveries(600);
    sentAtEvent.push(sent);
    modes.set('c2', 'leave');
    start('c4');
    await waitForDeliveries(900);
    sentAtEvent.push(sent);
    modes.set('c3', 'crash');
    await producer;
    const allPayloads = new Set(Array.from({ length: MESSAGES }, (_, i) => `m-${i}`));
    await waitFor(
      async () => {
        if (failure !== undefined) return true;
        if (new Set(deliveries.map((delivery) => delivery.payload)).size < MESSAGES) return false;
        for (let partition = 0; partition < PARTITIONS; partition += 1) {
          if ((committed.get(partition) ?? -1) < MESSAGES / PARTITIONS - 1) return false;
        }
        return true;
      },
      20_000,
      10,
      'every message to be processed and committed',
    );
    stop = true;
    await Promise.all([...running, monitor]);
    if (failure !== undefined) throw failure;

    // Every message was processed, from the partition it was sent to.
    expect(sent).toBe(MESSAGES);
    const seen = new Set<string>();
    for (const delivery of deliveries) {
      const sequence = Number(delivery.payload.slice(2));
      expect(delivery.partitionId).toBe(Math.floor(sequence / BATCH) % PARTITIONS);
      seen.add(delivery.payload);
    }
    expect(seen).toEqual(allPayloads);
    // Nothing was delivered again after its offset had been committed.
    for (const delivery of deliveries) {
      if (delivery.offset <= delivery.committedWhenPolled) {
        throw new Error(`${delivery.consumer} got p${delivery.partitionId}@${delivery.offset} although offsets up to ${delivery.committedWhenPolled} were committed`);
      }
    }
    // A partition moves only once its owner committed what it polled (reference 10.2 step 7), so no
    // commit is refused and the only redelivery is the vanished member's uncommitted last batch.
    expect(failedCommits).toEqual([]);
    const firstDelivery = new Map<string, Delivery>();
    const redelivered: Delivery[] = [];
    for (const delivery of deliveries) {
      const key = `${delivery.partitionId}@${delivery.offset}`;
      if (firstDelivery.has(key)) redelivered.push(firstDelivery.get(key)!);
      else firstDelivery.set(key, delivery);
    }
    for (const original of redelivered) expect(original.consumer).toBe('c3');
    // The committed offsets stored on the server are the partitions' ends.
    for (let partition = 0; partition < PARTITIONS; partition += 1) {
      const reply = await root.ok(CommandCode.GetConsumerOffset, encodeGetConsumerOffsetRequest({ consumer, streamId, topicId, partitionId: partition }));
      expect(decodeGetConsumerOffsetResponse(reply)).toEqual({ partitionId: partition, currentOffset: MESSAGES / PARTITIONS - 1, storedOffset: MESSAGES / PARTITIONS - 1 });
    }
    // The membership changes happened while the producer was still sending.
    for (const count of sentAtEvent) expect(count).toBeLessThan(MESSAGES);
    // The vanished member's uncommitted batch went to another member.
    expect(crashed).toEqual(['c3']);
    expect(redelivered.some((original) => original.consumer === 'c3')).toBe(true);
    // Each member did work, and the run went through the membership changes.
    for (const name of ['c1', 'c2', 'c3', 'c4']) expect(deliveries.some((delivery) => delivery.consumer === name), name).toBe(true);
    expect(snapshots).toBeGreaterThan(20);
    expect([...memberCounts]).toEqual(expect.arrayContaining([1, 2, 3]));
    await waitFor(async () => (await root.getGroup(streamId, topicId, groupId))!.membersCount === 0, 5_000, 10, 'members to be gone');
    await root.close();
  });
});
