import { describe, expect, it } from 'vitest';
import { ErrorCode, IggyError } from './errors.js';
import { noGlobalPermissions, type Permissions } from './permissions.js';
import { permissionsFromJson, permissionsToJson } from './permissions-json.js';

const sample: Permissions = {
  global: { ...noGlobalPermissions(), readStreams: true, sendMessages: true },
  streams: new Map([
    [3, { manageStream: false, readStream: true, manageTopics: false, readTopics: true, pollMessages: true, sendMessages: false, topics: new Map([[7, { manageTopic: true, readTopic: true, pollMessages: false, sendMessages: true }]]) }],
    [4, { manageStream: true, readStream: false, manageTopics: false, readTopics: false, pollMessages: false, sendMessages: false, topics: new Map() }],
  ]),
};

describe('permissions JSON (REST API form)', () => {
  it('writes the 0.8 shape: snake_case flags, ids as keys, null for no entries', () => {
    const json = permissionsToJson(sample) as { global: Record<string, boolean>; streams: Record<string, Record<string, unknown>> };
    expect(json.global).toMatchObject({ read_streams: true, send_messages: true, manage_servers: false });
    expect(json.streams['3']).toMatchObject({ read_stream: true, poll_messages: true, topics: { '7': { manage_topic: true, read_topic: true, poll_messages: false, send_messages: true } } });
    expect(json.streams['4']!.topics).toBeNull();
    expect(permissionsToJson({ global: noGlobalPermissions(), streams: new Map() }).streams).toBeNull();
  });

  it('reads back what it writes', () => {
    expect(permissionsFromJson(permissionsToJson(sample))).toEqual(sample);
  });

  it('reads null as no permissions and missing parts as empty', () => {
    expect(permissionsFromJson(null)).toBeUndefined();
    expect(permissionsFromJson({})).toEqual({ global: noGlobalPermissions(), streams: new Map() });
  });

  it('refuses a malformed document with the requested error code', () => {
    const codeOf = (value: unknown, code?: number): number => {
      try {
        permissionsFromJson(value, code);
      } catch (error) {
        return (error as IggyError).code;
      }
      return 0;
    };
    expect(codeOf({ streams: { x: {} } })).toBe(ErrorCode.InvalidFormat);
    expect(codeOf({ global: [] })).toBe(ErrorCode.InvalidFormat);
    expect(codeOf({ streams: { '1': { topics: 5 } } }, ErrorCode.InvalidJsonResponse)).toBe(ErrorCode.InvalidJsonResponse);
  });
});
