/**
 * Consumer-group assignment (reference §10), runtime only. Called by `Metadata`, which owns the
 * groups; these functions only touch the group they are given.
 *
 * Target assignment: partition i (ascending) belongs to member i mod M (members in join order),
 * recomputed on every join, leave and partition-count change.
 *
 * No partition is ever owned by two members at once. A partition nobody owns goes to its target at
 * once; a partition owned by another member gets a pending revocation and stays with its current
 * owner (which may still poll it explicitly) until one of:
 *   - no poll of it is in flight and the group never polled it, or committed an offset ≥ the last
 *     offset a poll returned (the 0.8 rule);
 *   - the owner polls again (its next poll ends every revocation it is the source of, except for
 *     the partition that poll names explicitly), once no poll of that partition is in flight;
 *   - the revocation is older than the rebalancing timeout (`expireRevocations`).
 * Only then does the target receive it. "In flight" counts polls resolved by
 * `resolvePartition(..., 'poll')` and not yet reported by `notePolled`.
 */
import { ErrorCode, IggyError } from '@iggy-ts/protocol';
import { assert } from './assert.js';
import type { ConsumerGroup, ConsumerGroupMember, PendingRevocation } from './model.js';

/** What a resolution is for: a poll advances the round robin and counts as in flight; an offset command does neither. */
export type GroupPartitionPurpose = 'poll' | 'offset';

export function newConsumerGroup(id: number, name: string, streamId: number, topicId: number): ConsumerGroup {
  return {
    id,
    name,
    streamId,
    topicId,
    members: new Map(),
    revocations: new Map(),
    lastPolledOffsets: new Map(),
    committedOffsets: new Map(),
    pollsInFlight: new Map(),
    deleted: false,
  };
}

function insertSorted(list: number[], value: number): void {
  let index = list.length;
  while (index > 0 && list[index - 1]! > value) index--;
  list.splice(index, 0, value);
}

function removeValue(list: number[], value: number): void {
  const index = list.indexOf(value);
  assert(index >= 0, `partition ${value} not in list`);
  list.splice(index, 1);
}

function canComplete(group: ConsumerGroup, revocation: PendingRevocation): boolean {
  const partitionId = revocation.partitionId;
  if (group.pollsInFlight.has(partitionId)) return false;
  if (revocation.releaseWhenIdle) return true;
  const lastPolled = group.lastPolledOffsets.get(partitionId);
  if (lastPolled === undefined) return true;
  const committed = group.committedOffsets.get(partitionId);
  return committed !== undefined && committed >= lastPolled;
}

/** Moves the partition from the revocation's source to its target. */
function completeRevocation(group: ConsumerGroup, revocation: PendingRevocation): void {
  const source = group.members.get(revocation.fromClientId);
  const target = group.members.get(revocation.toClientId);
  assert(source !== undefined && target !== undefined, 'revocation between non-members');
  removeValue(source.partitions, revocation.partitionId);
  insertSorted(target.partitions, revocation.partitionId);
  group.revocations.delete(revocation.partitionId);
}

/** Completes every revocation whose conditions hold; returns how many completed. */
export function settleRevocations(group: ConsumerGroup): number {
  let completed = 0;
  for (const revocation of [...group.revocations.values()]) {
    if (canComplete(group, revocation)) {
      completeRevocation(group, revocation);
      completed++;
    }
  }
  return completed;
}

/**
 * Recomputes the target assignment for `partitionsCount` partitions and moves what may move now.
 * Partitions with ids ≥ `partitionsCount` are forgotten first (DeletePartitions).
 */
export function rebalanceGroup(group: ConsumerGroup, partitionsCount: number, nowMs: number): void {
  for (const member of group.members.values()) {
    member.partitions = member.partitions.filter((partitionId) => partitionId < partitionsCount);
  }
  for (const partitionId of [...group.revocations.keys()]) {
    if (partitionId >= partitionsCount) group.revocations.delete(partitionId);
  }
  const members = [...group.members.values()];
  if (members.length === 0) {
    group.revocations.clear();
    return;
  }
  const ownerOf = new Map<number, ConsumerGroupMember>();
  for (const member of members) {
    for (const partitionId of member.partitions) ownerOf.set(partitionId, member);
  }
  for (let partitionId = 0; partitionId < partitionsCount; partitionId++) {
    const target = members[partitionId % members.length]!;
    const owner = ownerOf.get(partitionId);
    if (owner === undefined) {
      insertSorted(target.partitions, partitionId);
      continue;
    }
    if (owner === target) {
      group.revocations.delete(partitionId);
      continue;
    }
    const pending = group.revocations.get(partitionId);
    if (pending !== undefined) {
      // Keep the original creation time: the timeout bounds the whole hand-over.
      pending.toClientId = target.clientId;
      continue;
    }
    group.revocations.set(partitionId, {
      partitionId,
      fromClientId: owner.clientId,
      toClientId: target.clientId,
      createdAtMs: nowMs,
      releaseWhenIdle: false,
    });
  }
  settleRevocations(group);
}

/** Adds `clientId` as a member (no-op when it already is one); returns whether it was added. */
export function addMember(group: ConsumerGroup, clientId: number, partitionsCount: number, nowMs: number): boolean {
  if (group.members.has(clientId)) return false;
  let memberId = 0;
  for (const member of group.members.values()) memberId = Math.max(memberId, member.memberId + 1);
  group.members.set(clientId, { memberId, clientId, partitions: [], partitionCounter: 0 });
  rebalanceGroup(group, partitionsCount, nowMs);
  return true;
}

/** Removes `clientId`; its partitions (revoking ones included) go straight to their new targets. */
export function removeMember(group: ConsumerGroup, clientId: number, partitionsCount: number, nowMs: number): boolean {
  const member = group.members.get(clientId);
  if (member === undefined) return false;
  for (const revocation of [...group.revocations.values()]) {
    if (revocation.fromClientId === clientId) group.revocations.delete(revocation.partitionId);
  }
  for (const partitionId of member.partitions) {
    // The leaver's polls are over: their bookkeeping must not hold up the next hand-over.
    group.lastPolledOffsets.delete(partitionId);
    if (group.pollsInFlight.get(partitionId)?.clientId === clientId) group.pollsInFlight.delete(partitionId);
  }
  group.members.delete(clientId);
  rebalanceGroup(group, partitionsCount, nowMs);
  return true;
}

/** Ends the revocations `member` is the source of (its next poll), except `exceptPartitionId`. */
function releaseOnPoll(group: ConsumerGroup, member: ConsumerGroupMember, exceptPartitionId: number | undefined): void {
  if (group.revocations.size === 0) return;
  for (const revocation of [...group.revocations.values()]) {
    if (revocation.fromClientId !== member.clientId || revocation.partitionId === exceptPartitionId) continue;
    revocation.releaseWhenIdle = true;
    if (canComplete(group, revocation)) completeRevocation(group, revocation);
  }
}

/**
 * The partition a group consumer's poll or offset command uses (reference §10.4).
 * Throws 5006 when `clientId` is not a member; 3022 when an explicit partition is not owned by the
 * member (owned includes one it is revoking away) or when it owns no partition to choose from
 * (PollMessages then replies with the empty header, offset commands with 3022).
 * Without an explicit partition: the member's round-robin slot over its non-revoking partitions;
 * a poll advances the slot, an offset command reads the slot the next poll would use.
 */
export function resolvePartition(
  group: ConsumerGroup,
  clientId: number,
  requestedPartitionId: number | undefined,
  purpose: GroupPartitionPurpose,
): number {
  if (group.deleted) throw new IggyError(ErrorCode.ConsumerGroupIdNotFound);
  const member = group.members.get(clientId);
  if (member === undefined) throw new IggyError(ErrorCode.ConsumerGroupMemberNotFound);
  if (purpose === 'poll') releaseOnPoll(group, member, requestedPartitionId);
  let partitionId: number;
  if (requestedPartitionId !== undefined) {
    if (!member.partitions.includes(requestedPartitionId)) throw new IggyError(ErrorCode.NotResolvedConsumer);
    partitionId = requestedPartitionId;
  } else {
    const active =
      group.revocations.size === 0
        ? member.partitions
        : member.partitions.filter((id) => !group.revocations.has(id));
    if (active.length === 0) throw new IggyError(ErrorCode.NotResolvedConsumer);
    const index = member.partitionCounter % active.length;
    partitionId = active[index]!;
    if (purpose === 'poll') member.partitionCounter = (index + 1) % active.length;
  }
  if (purpose === 'poll') {
    const inFlight = group.pollsInFlight.get(partitionId);
    // An entry of another client is a poll that outlived its ownership (timeout); it no longer counts.
    if (inFlight !== undefined && inFlight.clientId === clientId) inFlight.count++;
    else group.pollsInFlight.set(partitionId, { clientId, count: 1 });
  }
  return partitionId;
}

/**
 * Reports the end of a poll by `clientId` resolved with purpose 'poll': `lastOffset` is the offset
 * of the last message it returned, `null` when it returned nothing or failed. Must follow every
 * such resolution (also after the client left: it is then ignored for the in-flight count).
 */
export function notePolled(group: ConsumerGroup, clientId: number, partitionId: number, lastOffset: bigint | null): void {
  if (group.deleted) return;
  const inFlight = group.pollsInFlight.get(partitionId);
  if (inFlight !== undefined && inFlight.clientId === clientId) {
    inFlight.count--;
    if (inFlight.count === 0) group.pollsInFlight.delete(partitionId);
  }
  if (lastOffset !== null) group.lastPolledOffsets.set(partitionId, lastOffset);
  settlePartition(group, partitionId);
}

/** Reports the group's stored offset for a partition (`null`: deleted). */
export function noteCommitted(group: ConsumerGroup, partitionId: number, offset: bigint | null): void {
  if (group.deleted) return;
  if (offset === null) group.committedOffsets.delete(partitionId);
  else group.committedOffsets.set(partitionId, offset);
  settlePartition(group, partitionId);
}

/** Forgets poll/commit bookkeeping of every partition (PurgeTopic/PurgeStream restart offsets). */
export function resetOffsets(group: ConsumerGroup): void {
  group.lastPolledOffsets.clear();
  group.committedOffsets.clear();
  settleRevocations(group);
}

/** Forgets poll/commit bookkeeping of partitions with ids ≥ `partitionsCount` (deleted partitions). */
export function forgetPartitionsFrom(group: ConsumerGroup, partitionsCount: number): void {
  for (const map of [group.lastPolledOffsets, group.committedOffsets, group.pollsInFlight]) {
    for (const partitionId of [...map.keys()]) if (partitionId >= partitionsCount) map.delete(partitionId);
  }
}

function settlePartition(group: ConsumerGroup, partitionId: number): void {
  const revocation = group.revocations.get(partitionId);
  if (revocation !== undefined && canComplete(group, revocation)) completeRevocation(group, revocation);
}

/** Completes revocations created at or before `nowMs - timeoutMs`; returns how many. */
export function expireRevocations(group: ConsumerGroup, nowMs: number, timeoutMs: number): number {
  let completed = 0;
  for (const revocation of [...group.revocations.values()]) {
    if (nowMs - revocation.createdAtMs >= timeoutMs) {
      completeRevocation(group, revocation);
      completed++;
    }
  }
  return completed;
}

/** Checks the ownership invariants; throws `MetadataAssertionError` when one is broken. */
export function checkGroupInvariants(group: ConsumerGroup, partitionsCount: number): void {
  const owner = new Map<number, number>();
  for (const member of group.members.values()) {
    for (let i = 0; i < member.partitions.length; i++) {
      const partitionId = member.partitions[i]!;
      assert(partitionId < partitionsCount, `member ${member.memberId} owns missing partition ${partitionId}`);
      assert(i === 0 || member.partitions[i - 1]! < partitionId, `member ${member.memberId} partitions not ascending`);
      assert(!owner.has(partitionId), `partition ${partitionId} owned by two members`);
      owner.set(partitionId, member.clientId);
    }
  }
  for (const revocation of group.revocations.values()) {
    assert(owner.get(revocation.partitionId) === revocation.fromClientId, `revocation source does not own ${revocation.partitionId}`);
    assert(group.members.has(revocation.toClientId), `revocation target of ${revocation.partitionId} is not a member`);
    assert(revocation.toClientId !== revocation.fromClientId, 'revocation to its own owner');
  }
  if (group.members.size > 0) {
    assert(owner.size === partitionsCount, `${partitionsCount - owner.size} partitions unowned`);
  }
}
