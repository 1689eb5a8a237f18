import { describe, expect, it } from 'vitest';
import {
  type UserDetails,
  decodeChangePasswordRequest,
  decodeCreateUserRequest,
  decodeCreateUserResponse,
  decodeDeleteUserRequest,
  decodeGetUserRequest,
  decodeGetUserResponse,
  decodeGetUsersResponse,
  decodeLoginUserRequest,
  decodeLoginUserResponse,
  decodeLogoutUserResponse,
  decodeUpdatePermissionsRequest,
  decodeUpdateUserRequest,
  encodeChangePasswordRequest,
  encodeCreateUserRequest,
  encodeCreateUserResponse,
  encodeDeleteUserRequest,
  encodeGetUserRequest,
  encodeGetUserResponse,
  encodeGetUsersResponse,
  encodeLoginUserRequest,
  encodeLoginUserResponse,
  encodeLogoutUserRequest,
  encodeUpdatePermissionsRequest,
  encodeUpdateUserRequest,
} from './users.js';
import { type Permissions, allGlobalPermissions, encodePermissions, noGlobalPermissions } from './permissions.js';
import { encodeRequestFrame } from './framing.js';
import { expectCodec, expectDecodeError, expectIggyError, hex } from '../test/helpers.js';

const permissions: Permissions = {
  global: allGlobalPermissions(),
  streams: new Map([[1, { manageStream: true, readStream: true, manageTopics: false, readTopics: false, pollMessages: true, sendMessages: true, topics: new Map() }]]),
};

const user: UserDetails = { id: 1, createdAt: 1_700_000_000_000_000, status: 1, username: 'alice', permissions };

describe('LoginUser', () => {
  it('encodes iggy/iggy with empty version and context', () => {
    const payload = encodeLoginUserRequest({ username: 'iggy', password: 'iggy' });
    expect(payload).toEqual(hex('04 69676779 04 69676779 00000000 00000000'));
    expect(encodeRequestFrame(38, payload)).toEqual(hex('16000000 26000000 04 69676779 04 69676779 00000000 00000000'));
  });

  it('round-trips with version and context and rejects truncations, the mandatory lengths included', () => {
    expectCodec(encodeLoginUserRequest, decodeLoginUserRequest, { username: 'iggy', password: 'iggy', version: '0.8.0', context: '' });
    expectDecodeError(() => decodeLoginUserRequest(hex('04 69676779 04 69676779')), 3);
  });

  it('answers the user id in 4 bytes', () => {
    expect(expectCodec(encodeLoginUserResponse, decodeLoginUserResponse, { userId: 0 })).toEqual(hex('00000000'));
  });

  it('accepts an empty password at the codec level (the server answers 44)', () => {
    expect(decodeLoginUserRequest(hex('04 69676779 00 00000000 00000000')).password).toBe('');
  });
});

describe('CreateUser', () => {
  it('round-trips with and without permissions and rejects truncations', () => {
    expectCodec(encodeCreateUserRequest, decodeCreateUserRequest, { username: 'bob', password: 'secret', status: 2, permissions });
    const bytes = expectCodec(encodeCreateUserRequest, decodeCreateUserRequest, { username: 'bob', password: 'secret', status: 1, permissions: undefined });
    expect(bytes).toEqual(hex('03 626f62 06 736563726574 01 00'));
  });

  it('wraps the permissions blob with its exact length', () => {
    const bytes = encodeCreateUserRequest({ username: 'bob', password: 'pw1', status: 1, permissions: { global: noGlobalPermissions(), streams: new Map() } });
    expect(bytes.subarray(9)).toEqual(hex('01 0b000000 00000000000000000000 00'));
  });

  it('ignores the five bytes the Node SDK appends after has_permissions = 0', () => {
    const node = hex('03 626f62 06 736563726574 01 00 01000000 00');
    expect(decodeCreateUserRequest(node)).toEqual({ username: 'bob', password: 'secret', status: 1, permissions: undefined });
  });

  it('rejects bad status with 3, an empty username with 4 and a permissions length mismatch with 4', () => {
    expectDecodeError(() => decodeCreateUserRequest(hex('03 626f62 03 707731 03 00')), 3);
    expectDecodeError(() => decodeCreateUserRequest(hex('00 03 707731 01 00')), 4);
    const blob = encodePermissions({ global: noGlobalPermissions(), streams: new Map() });
    const longer = Buffer.concat([hex('03 626f62 03 707731 01 01 0c000000'), blob, hex('00')]);
    expectDecodeError(() => decodeCreateUserRequest(longer), 4);
    const overrun = Buffer.concat([hex('03 626f62 03 707731 01 01 20000000'), blob]);
    expectDecodeError(() => decodeCreateUserRequest(overrun), 3);
    expectIggyError(() => encodeCreateUserRequest({ username: 'bob', password: 'pw1', status: 0 }), 4);
  });

  it('answers UserDetails', () => {
    expectCodec(encodeCreateUserResponse, decodeCreateUserResponse, user);
  });
});

describe('user reads', () => {
  it('writes absent permissions as four zero bytes', () => {
    const bytes = encodeGetUserResponse({ ...user, permissions: undefined });
    expect(bytes).toEqual(hex('01000000 00401e18240a0600 01 05 616c696365 00000000'));
    expect(decodeGetUserResponse(bytes)).toEqual({ ...user, permissions: undefined });
  });

  it('round-trips UserDetails and answers "not found" with the empty payload', () => {
    expectCodec(encodeGetUserResponse, decodeGetUserResponse, user, [0]);
    expect(decodeGetUserResponse(Buffer.alloc(0))).toBeUndefined();
    expectCodec(encodeGetUserRequest, decodeGetUserRequest, { userId: 'alice' });
  });

  it('round-trips user lists without permissions', () => {
    const list = [
      { id: 0, createdAt: 1, status: 1, username: 'iggy' },
      { id: 1, createdAt: 2, status: 2, username: 'alice' },
    ];
    expectCodec(encodeGetUsersResponse, decodeGetUsersResponse, list, [0, 18]);
  });
});

describe('user mutations', () => {
  it('round-trips DeleteUser, UpdatePermissions and ChangePassword', () => {
    expectCodec(encodeDeleteUserRequest, decodeDeleteUserRequest, { userId: 3 });
    expectCodec(encodeUpdatePermissionsRequest, decodeUpdatePermissionsRequest, { userId: 3, permissions });
    expect(expectCodec(encodeUpdatePermissionsRequest, decodeUpdatePermissionsRequest, { userId: 3, permissions: undefined })).toEqual(hex('01 04 03000000 00'));
    expectCodec(encodeChangePasswordRequest, decodeChangePasswordRequest, { userId: 'alice', currentPassword: 'old', newPassword: 'new-one' });
  });

  it('encodes UpdateUser presence flags and round-trips every combination', () => {
    expect(encodeUpdateUserRequest({ userId: 1, username: 'x', status: 2 })).toEqual(hex('01 04 01000000 01 01 78 01 02'));
    expect(encodeUpdateUserRequest({ userId: 1 })).toEqual(hex('01 04 01000000 00 00'));
    for (const value of [{ userId: 1, username: 'x', status: 2 }, { userId: 'a', username: undefined, status: 1 }, { userId: 1, username: 'bob', status: undefined }]) {
      expectCodec(encodeUpdateUserRequest, decodeUpdateUserRequest, value);
    }
  });

  it('treats presence flags other than 1 as absent', () => {
    expect(decodeUpdateUserRequest(hex('01 04 01000000 02 00'))).toEqual({ userId: 1, username: undefined, status: undefined });
    expectDecodeError(() => decodeUpdateUserRequest(hex('01 04 01000000 00 01 05')), 3);
  });

  it('has empty LogoutUser payloads', () => {
    expect(encodeLogoutUserRequest()).toHaveLength(0);
    expect(decodeLogoutUserResponse(Buffer.alloc(0))).toBeUndefined();
  });
});
