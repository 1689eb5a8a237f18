import { ErrorCode, IggyError } from '@iggy-ts/protocol';
import { describe, expect, it } from 'vitest';
import type { GlobalPermissions, Permissions, StreamPermissions, TopicPermissions } from './model.js';
import {
  canCreateStream,
  canCreateTopic,
  canGetStats,
  canManageStream,
  canManageTopic,
  canManageUsers,
  canPollMessages,
  canReadServers,
  canReadStream,
  canReadStreams,
  canReadTopic,
  canReadTopics,
  canReadUsers,
  canSendMessages,
  clonePermissions,
  ensurePermitted,
  noGlobalPermissions,
  rootPermissions,
} from './permissions.js';

const STREAM_ID = 1;
const TOPIC_ID = 2;

const GLOBAL_FLAGS = Object.keys(noGlobalPermissions()) as (keyof GlobalPermissions)[];
const STREAM_FLAGS = ['manageStream', 'readStream', 'manageTopics', 'readTopics', 'pollMessages', 'sendMessages'] as const;
const TOPIC_FLAGS = ['manageTopic', 'readTopic', 'pollMessages', 'sendMessages'] as const;

function noStreamFlags(): Omit<StreamPermissions, 'topics'> {
  return { manageStream: false, readStream: false, manageTopics: false, readTopics: false, pollMessages: false, sendMessages: false };
}

function noTopicFlags(): TopicPermissions {
  return { manageTopic: false, readTopic: false, pollMessages: false, sendMessages: false };
}

/** Permissions holding exactly one grant, written `G.flag`, `S.flag` or `T.flag`, on stream 1 / topic 2 (or elsewhere). */
function withOnly(grant: string, streamId = STREAM_ID, topicId = TOPIC_ID): Permissions {
  const [scope, flag] = grant.split('.') as [string, string];
  const permissions: Permissions = { global: noGlobalPermissions(), streams: new Map() };
  if (scope === 'G') {
    (permissions.global as unknown as Record<string, boolean>)[flag] = true;
  } else if (scope === 'S') {
    const stream: StreamPermissions = { ...noStreamFlags(), topics: new Map() };
    (stream as unknown as Record<string, boolean>)[flag] = true;
    permissions.streams.set(streamId, stream);
  } else {
    const topic = noTopicFlags();
    (topic as unknown as Record<string, boolean>)[flag] = true;
    permissions.streams.set(streamId, { ...noStreamFlags(), topics: new Map([[topicId, topic]]) });
  }
  return permissions;
}

const ALL_GRANTS = [
  ...GLOBAL_FLAGS.map((flag) => `G.${flag}`),
  ...STREAM_FLAGS.map((flag) => `S.${flag}`),
  ...TOPIC_FLAGS.map((flag) => `T.${flag}`),
];

type Check = (permissions: Permissions | null, streamId: number, topicId: number) => boolean;

/** Reference 3.3: the grants that satisfy each check; every other single grant must fail it. */
const MATRIX: Record<string, { check: Check; satisfiedBy: string[] }> = {
  canReadServers: { check: (p) => canReadServers(p), satisfiedBy: ['G.manageServers', 'G.readServers'] },
  canGetStats: { check: (p) => canGetStats(p), satisfiedBy: ['G.manageServers', 'G.readServers'] },
  canManageUsers: { check: (p) => canManageUsers(p), satisfiedBy: ['G.manageUsers'] },
  canReadUsers: { check: (p) => canReadUsers(p), satisfiedBy: ['G.manageUsers', 'G.readUsers'] },
  canReadStream: {
    check: (p, s) => canReadStream(p, s),
    satisfiedBy: ['G.manageStreams', 'G.readStreams', 'S.manageStream', 'S.readStream'],
  },
  canReadStreams: { check: (p) => canReadStreams(p), satisfiedBy: ['G.manageStreams', 'G.readStreams'] },
  canCreateStream: { check: (p) => canCreateStream(p), satisfiedBy: ['G.manageStreams'] },
  canManageStream: { check: (p, s) => canManageStream(p, s), satisfiedBy: ['G.manageStreams', 'S.manageStream'] },
  canReadTopics: {
    check: (p, s) => canReadTopics(p, s),
    satisfiedBy: ['G.readStreams', 'G.manageStreams', 'G.manageTopics', 'G.readTopics', 'S.manageStream', 'S.readStream', 'S.manageTopics', 'S.readTopics'],
  },
  canCreateTopic: {
    check: (p, s) => canCreateTopic(p, s),
    satisfiedBy: ['G.manageStreams', 'G.manageTopics', 'S.manageStream', 'S.manageTopics'],
  },
  canReadTopic: {
    check: canReadTopic,
    satisfiedBy: [
      'G.readStreams', 'G.manageStreams', 'G.manageTopics', 'G.readTopics',
      'S.manageStream', 'S.readStream', 'S.manageTopics', 'S.readTopics',
      'T.manageTopic', 'T.readTopic',
    ],
  },
  canManageTopic: {
    check: canManageTopic,
    satisfiedBy: ['G.manageStreams', 'G.manageTopics', 'S.manageStream', 'S.manageTopics', 'T.manageTopic'],
  },
  canPollMessages: {
    check: canPollMessages,
    satisfiedBy: [
      'G.pollMessages', 'G.readTopics', 'G.manageTopics', 'G.readStreams', 'G.manageStreams',
      'S.manageStream', 'S.readStream', 'S.manageTopics', 'S.readTopics', 'S.pollMessages',
      'T.manageTopic', 'T.readTopic', 'T.pollMessages',
    ],
  },
  canSendMessages: {
    check: canSendMessages,
    satisfiedBy: [
      'G.sendMessages', 'G.manageStreams', 'G.manageTopics',
      'S.manageStream', 'S.manageTopics', 'S.sendMessages',
      'T.manageTopic', 'T.sendMessages',
    ],
  },
};

describe('permission checks', () => {
  for (const [name, { check, satisfiedBy }] of Object.entries(MATRIX)) {
    describe(name, () => {
      it('passes with exactly one satisfying grant and fails with any other single grant', () => {
        for (const grant of ALL_GRANTS) {
          expect([grant, check(withOnly(grant), STREAM_ID, TOPIC_ID)]).toEqual([grant, satisfiedBy.includes(grant)]);
        }
      });

      it('ignores grants on another stream or topic', () => {
        for (const grant of satisfiedBy.filter((g) => !g.startsWith('G.'))) {
          expect([grant, check(withOnly(grant, STREAM_ID + 1), STREAM_ID, TOPIC_ID)]).toEqual([grant, false]);
          if (grant.startsWith('T.')) {
            expect([grant, check(withOnly(grant, STREAM_ID, TOPIC_ID + 1), STREAM_ID, TOPIC_ID)]).toEqual([grant, false]);
          }
        }
      });

      it('fails for a user without permissions and passes for root', () => {
        expect(check(null, STREAM_ID, TOPIC_ID)).toBe(false);
        expect(check({ global: noGlobalPermissions(), streams: new Map() }, STREAM_ID, TOPIC_ID)).toBe(false);
        expect(check(rootPermissions(), STREAM_ID, TOPIC_ID)).toBe(true);
      });
    });
  }

  it('gives root every global permission and no stream entries', () => {
    const root = rootPermissions();
    expect(Object.values(root.global).every((value) => value)).toBe(true);
    expect(GLOBAL_FLAGS).toHaveLength(10);
    expect(root.streams.size).toBe(0);
  });

  it('throws 41 from ensurePermitted when not allowed', () => {
    expect(() => ensurePermitted(true)).not.toThrow();
    try {
      ensurePermitted(false);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(IggyError);
      expect((error as IggyError).code).toBe(ErrorCode.Unauthorized);
    }
  });

  it('deep-copies permissions', () => {
    const original = withOnly('T.readTopic');
    const copy = clonePermissions(original)!;
    copy.streams.get(STREAM_ID)!.topics.get(TOPIC_ID)!.readTopic = false;
    expect(original.streams.get(STREAM_ID)!.topics.get(TOPIC_ID)!.readTopic).toBe(true);
    expect(clonePermissions(null)).toBeNull();
  });
});
