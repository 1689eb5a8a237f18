import { ErrorCode, IggyError } from '@iggy-ts/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addMember,
  checkGroupInvariants,
  expireRevocations,
  forgetPartitionsFrom,
  newConsumerGroup,
  noteCommitted,
  notePolled,
  rebalanceGroup,
  removeMember,
  resetOffsets,
  resolvePartition,
} from './consumer-groups.js';
import type { ConsumerGroup } from './model.js';

const A = 101;
const B = 102;
const C = 103;
const TIMEOUT_MS = 30_000;

function assignment(group: ConsumerGroup): Record<number, number[]> {
  const result: Record<number, number[]> = {};
  for (const member of group.members.values()) result[member.clientId] = [...member.partitions];
  return result;
}

function codeOf(action: () => unknown): number | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof IggyError) return error.code;
    throw error;
  }
  return undefined;
}

/** Resolves and completes a poll of `partitionId` by `clientId` that returned up to `lastOffset`. */
function poll(group: ConsumerGroup, clientId: number, partitionId: number | undefined, lastOffset: bigint | null): number {
  const resolved = resolvePartition(group, clientId, partitionId, 'poll');
  notePolled(group, clientId, resolved, lastOffset);
  return resolved;
}

describe('consumer-group assignment', () => {
  it('spreads 3 partitions over 2 members round robin in join order', () => {
    const group = newConsumerGroup(0, 'g', 0, 0);
    addMember(group, A, 3, 0);
    expect(assignment(group)).toEqual({ [A]: [0, 1, 2] });
    addMember(group, B, 3, 0);
    expect(assignment(group)).toEqual({ [A]: [0, 2], [B]: [1] });
    checkGroupInvariants(group, 3);
  });

  it('gives member ids max + 1 and ignores a second join of the same client', () => {
    const group = newConsumerGroup(0, 'g', 0, 0);
    expect(addMember(group, A, 3, 0)).toBe(true);
    expect(addMember(group, B, 3, 0)).toBe(true);
    expect(addMember(group, A, 3, 0)).toBe(false);
    expect([...group.members.values()].map((member) => member.memberId)).toEqual([0, 1]);
    removeMember(group, A, 3, 0);
    addMember(group, C, 3, 0);
    expect(group.members.get(C)!.memberId).toBe(2);
  });

  it('rebalances over the remaining members when one leaves (0.8 worked example)', () => {
    const group = newConsumerGroup(0, 'g', 0, 0);
    for (const client of [A, B, C]) addMember(group, client, 3, 0);
    expect(assignment(group)).toEqual({ [A]: [0], [B]: [1], [C]: [2] });
    removeMember(group, B, 3, 0);
    expect(assignment(group)).toEqual({ [A]: [0, 2], [C]: [1] });
    checkGroupInvariants(group, 3);
  });

  it('keeps a polled, uncommitted partition with its owner until the group commits past the last polled offset', () => {
    const group = newConsumerGroup(0, 'g', 0, 0);
    addMember(group, A, 3, 0);
    poll(group, A, 1, 10n);
    addMember(group, B, 3, 0);
    expect(assignment(group)).toEqual({ [A]: [0, 1, 2], [B]: [] });
    expect(group.revocations.get(1)).toMatchObject({ fromClientId: A, toClientId: B });
    expect(codeOf(() => resolvePartition(group, B, undefined, 'poll'))).toBe(ErrorCode.NotResolvedConsumer);
    checkGroupInvariants(group, 3);

    noteCommitted(group, 1, 9n);
    expect(assignment(group)[B]).toEqual([]);
    noteCommitted(group, 1, 10n);
    expect(assignment(group)).toEqual({ [A]: [0, 2], [B]: [1] });
    checkGroupInvariants(group, 3);
  });

  it('hands a revoking partition over at the owner\'s next poll, which skips it', () => {
    const group = newConsumerGroup(0, 'g', 0, 0);
    addMember(group, A, 3, 0);
    poll(group, A, 1, 10n);
    addMember(group, B, 3, 0);
    const next = resolvePartition(group, A, undefined, 'poll');
    expect(next).not.toBe(1);
    expect(assignment(group)).toEqual({ [A]: [0, 2], [B]: [1] });
    notePolled(group, A, next, null);
    checkGroupInvariants(group, 3);
  });

  it('lets the owner keep polling a revoking partition by explicit id', () => {
    const group = newConsumerGroup(0, 'g', 0, 0);
    addMember(group, A, 3, 0);
    poll(group, A, 1, 10n);
    addMember(group, B, 3, 0);
    expect(poll(group, A, 1, 20n)).toBe(1);
    expect(group.revocations.has(1)).toBe(true);
    expect(assignment(group)[B]).toEqual([]);
  });

  it('never moves a partition while a poll of it is in flight', () => {
    const group = newConsumerGroup(0, 'g', 0, 0);
    addMember(group, A, 3, 0);
    const resolved = resolvePartition(group, A, 1, 'poll');
    addMember(group, B, 3, 0);
    expect(group.revocations.has(1)).toBe(true);
    expect(assignment(group)[B]).toEqual([]);
    notePolled(group, A, resolved, null);
    expect(assignment(group)).toEqual({ [A]: [0, 2], [B]: [1] });
  });

  it('completes a revocation after the rebalancing timeout', () => {
    const group = newConsumerGroup(0, 'g', 0, 0);
    addMember(group, A, 3, 1_000);
    poll(group, A, 1, 10n);
    addMember(group, B, 3, 1_000);
    expect(expireRevocations(group, 1_000 + TIMEOUT_MS - 1, TIMEOUT_MS)).toBe(0);
    expect(expireRevocations(group, 1_000 + TIMEOUT_MS, TIMEOUT_MS)).toBe(1);
    expect(assignment(group)).toEqual({ [A]: [0, 2], [B]: [1] });
  });

  it('retargets a pending revocation when membership changes again', () => {
    const group = newConsumerGroup(0, 'g', 0, 0);
    addMember(group, A, 2, 0);
    poll(group, A, 1, 5n);
    addMember(group, B, 2, 0);
    expect(group.revocations.get(1)!.toClientId).toBe(B);
    removeMember(group, B, 2, 0);
    expect(group.revocations.size).toBe(0);
    expect(assignment(group)).toEqual({ [A]: [0, 1] });
  });

  it('gives a leaver\'s partitions to their new owners at once', () => {
    const group = newConsumerGroup(0, 'g', 0, 0);
    addMember(group, A, 2, 0);
    addMember(group, B, 2, 0);
    poll(group, B, 1, 5n);
    removeMember(group, B, 2, 0);
    expect(assignment(group)).toEqual({ [A]: [0, 1] });
  });

  it('forgets bookkeeping after a purge so revocations complete', () => {
    const group = newConsumerGroup(0, 'g', 0, 0);
    addMember(group, A, 2, 0);
    poll(group, A, 1, 5n);
    addMember(group, B, 2, 0);
    expect(group.revocations.size).toBe(1);
    resetOffsets(group);
    expect(assignment(group)).toEqual({ [A]: [0], [B]: [1] });
  });

  it('follows partition-count changes', () => {
    const group = newConsumerGroup(0, 'g', 0, 0);
    addMember(group, A, 3, 0);
    addMember(group, B, 3, 0);
    rebalanceGroup(group, 5, 0);
    expect(assignment(group)).toEqual({ [A]: [0, 2, 4], [B]: [1, 3] });
    forgetPartitionsFrom(group, 2);
    rebalanceGroup(group, 2, 0);
    expect(assignment(group)).toEqual({ [A]: [0], [B]: [1] });
    checkGroupInvariants(group, 2);
  });
});

describe('resolving a group consumer\'s partition', () => {
  it('round-robins a poll over the member\'s partitions, one step per poll', () => {
    const group = newConsumerGroup(0, 'g', 0, 0);
    addMember(group, A, 3, 0);
    expect([0, 1, 2, 3].map(() => poll(group, A, undefined, null))).toEqual([0, 1, 2, 0]);
  });

  it('gives offset commands the partition the next poll would use, without advancing', () => {
    const group = newConsumerGroup(0, 'g', 0, 0);
    addMember(group, A, 3, 0);
    poll(group, A, undefined, null);
    expect(resolvePartition(group, A, undefined, 'offset')).toBe(1);
    expect(resolvePartition(group, A, undefined, 'offset')).toBe(1);
    expect(poll(group, A, undefined, null)).toBe(1);
    expect(group.pollsInFlight.size).toBe(0);
  });

  it('skips partitions pending revocation in the round robin', () => {
    const group = newConsumerGroup(0, 'g', 0, 0);
    addMember(group, A, 3, 0);
    poll(group, A, 1, 10n);
    addMember(group, B, 3, 0);
    expect(resolvePartition(group, A, undefined, 'offset')).not.toBe(1);
    expect(resolvePartition(group, A, 1, 'offset')).toBe(1);
  });

  it('returns an explicit partition the member owns', () => {
    const group = newConsumerGroup(0, 'g', 0, 0);
    addMember(group, A, 3, 0);
    addMember(group, B, 3, 0);
    expect(resolvePartition(group, B, 1, 'offset')).toBe(1);
  });

  it('throws 3022 for an explicit partition the member does not own, and when it owns nothing', () => {
    const group = newConsumerGroup(0, 'g', 0, 0);
    addMember(group, A, 1, 0);
    addMember(group, B, 1, 0);
    expect(codeOf(() => resolvePartition(group, A, 5, 'poll'))).toBe(ErrorCode.NotResolvedConsumer);
    expect(codeOf(() => resolvePartition(group, B, undefined, 'poll'))).toBe(ErrorCode.NotResolvedConsumer);
    expect(codeOf(() => resolvePartition(group, B, 0, 'offset'))).toBe(ErrorCode.NotResolvedConsumer);
  });

  it('throws 5006 for a client that is not a member and 5000 for a deleted group', () => {
    const group = newConsumerGroup(0, 'g', 0, 0);
    addMember(group, A, 1, 0);
    expect(codeOf(() => resolvePartition(group, B, undefined, 'poll'))).toBe(ErrorCode.ConsumerGroupMemberNotFound);
    group.deleted = true;
    expect(codeOf(() => resolvePartition(group, A, undefined, 'poll'))).toBe(ErrorCode.ConsumerGroupIdNotFound);
  });
});

describe('ownership under any sequence of events', () => {
  type Event =
    | { kind: 'join' | 'leave'; client: number }
    | { kind: 'resolve'; client: number; partition: number | undefined }
    | { kind: 'finish'; index: number; offset: number | null }
    | { kind: 'commit'; partition: number; offset: number }
    | { kind: 'partitions'; count: number }
    | { kind: 'tick'; advanceMs: number };

  const client = fc.constantFrom(A, B, C, 104);
  const event: fc.Arbitrary<Event> = fc.oneof(
    fc.record({ kind: fc.constantFrom('join' as const, 'leave' as const), client }),
    fc.record({ kind: fc.constant('resolve' as const), client, partition: fc.option(fc.nat(5), { nil: undefined }) }),
    fc.record({ kind: fc.constant('finish' as const), index: fc.nat(), offset: fc.option(fc.nat(100), { nil: null }) }),
    fc.record({ kind: fc.constant('commit' as const), partition: fc.nat(5), offset: fc.nat(100) }),
    fc.record({ kind: fc.constant('partitions' as const), count: fc.nat(6) }),
    fc.record({ kind: fc.constant('tick' as const), advanceMs: fc.nat(40_000) }),
  );

  it('never gives a partition to two members, and a partition with a poll in flight never changes owner', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 80 }), (events) => {
        const group = newConsumerGroup(0, 'g', 0, 0);
        let partitions = 3;
        let nowMs = 0;
        // `voided`: the poll outlived its ownership (timeout, leave, partition deleted) and is not checked.
        const inFlight: { partition: number; client: number; voided: boolean }[] = [];
        const ownerOf = (partition: number): number | undefined =>
          [...group.members.values()].find((member) => member.partitions.includes(partition))?.clientId;
        for (const step of events) {
          switch (step.kind) {
            case 'join':
              addMember(group, step.client, partitions, nowMs);
              break;
            case 'leave':
              removeMember(group, step.client, partitions, nowMs);
              break;
            case 'resolve':
              try {
                const partition = resolvePartition(group, step.client, step.partition, 'poll');
                inFlight.push({ partition, client: step.client, voided: false });
              } catch (error) {
                if (!(error instanceof IggyError)) throw error;
              }
              break;
            case 'finish': {
              if (inFlight.length === 0) break;
              const [done] = inFlight.splice(step.index % inFlight.length, 1);
              notePolled(group, done!.client, done!.partition, step.offset === null ? null : BigInt(step.offset));
              break;
            }
            case 'commit':
              noteCommitted(group, step.partition, BigInt(step.offset));
              break;
            case 'partitions':
              partitions = step.count;
              forgetPartitionsFrom(group, partitions);
              rebalanceGroup(group, partitions, nowMs);
              break;
            case 'tick':
              nowMs += step.advanceMs;
              expireRevocations(group, nowMs, TIMEOUT_MS);
              break;
          }
          checkGroupInvariants(group, partitions);
          for (const pending of inFlight) {
            if (pending.voided) continue;
            if (ownerOf(pending.partition) === pending.client) continue;
            const allowed =
              step.kind === 'tick' ||
              (step.kind === 'leave' && step.client === pending.client) ||
              (step.kind === 'partitions' && pending.partition >= partitions);
            if (!allowed) throw new Error(`partition ${pending.partition} moved away from ${pending.client} during its poll`);
            pending.voided = true;
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
