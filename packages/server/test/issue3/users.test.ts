// Users (reference 4.2): create/get/update/delete, passwords, permissions, their error codes, what
// happens to the sessions of a deleted user, and that users, permissions and tokens survive a restart.
import {
  CommandCode,
  ErrorCode,
  decodeCreatePersonalAccessTokenResponse,
  decodeGetUserResponse,
  decodeGetUsersResponse,
  encodeChangePasswordRequest,
  encodeCreatePersonalAccessTokenRequest,
  encodeCreateUserRequest,
  encodeDeleteUserRequest,
  encodeGetUserRequest,
  encodeLoginUserRequest,
  encodeLoginWithPersonalAccessTokenRequest,
  encodeUpdatePermissionsRequest,
  encodeUpdateUserRequest,
  noGlobalPermissions,
  type Identifier,
  type Permissions,
  type UserDetails,
} from '@iggy-ts/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestServer, type TestClient } from './helpers.js';

const STREAM_PERMISSIONS: Permissions = {
  global: { ...noGlobalPermissions(), readStreams: true, pollMessages: true },
  streams: new Map([
    [
      3,
      {
        manageStream: false,
        readStream: true,
        manageTopics: false,
        readTopics: true,
        pollMessages: false,
        sendMessages: true,
        topics: new Map([
          [1, { manageTopic: true, readTopic: false, pollMessages: true, sendMessages: false }],
          [4, { manageTopic: false, readTopic: true, pollMessages: false, sendMessages: true }],
        ]),
      },
    ],
    [9, { manageStream: true, readStream: false, manageTopics: true, readTopics: false, pollMessages: true, sendMessages: false, topics: new Map() }],
  ]),
};

function login(username: string, password: string): Buffer {
  return encodeLoginUserRequest({ username, password, version: '', context: '' });
}

describe('users', () => {
  let server: TestServer;
  let root: TestClient;

  beforeAll(async () => {
    server = await TestServer.start();
    root = await server.client();
  });

  afterAll(async () => {
    await root?.close();
    await server?.stop();
  });

  async function getUser(userId: Identifier): Promise<UserDetails | undefined> {
    return decodeGetUserResponse(await root.ok(CommandCode.GetUser, encodeGetUserRequest({ userId })));
  }

  it('creates a user and reads it back by id and by name, with its permissions', async () => {
    const created = await root.createUser('alice', 'alice-password', STREAM_PERMISSIONS);
    expect(created.username).toBe('alice');
    expect(created.status).toBe(1);
    expect(created.id).toBeGreaterThan(0);
    expect(created.permissions).toEqual(STREAM_PERMISSIONS);
    expect(await getUser(created.id)).toEqual(created);
    expect(await getUser('alice')).toEqual(created);
    const users = decodeGetUsersResponse(await root.ok(CommandCode.GetUsers));
    expect(users.map((user) => user.username)).toEqual(expect.arrayContaining(['iggy', 'alice']));
    expect(await getUser('nobody')).toBeUndefined();
    expect(await getUser(4242)).toBeUndefined();
  });

  it('refuses invalid and duplicate users with 43, 44, 46 and bad statuses with 3', async () => {
    const create = (username: string, password: string, status = 1) => {
      const payload = encodeCreateUserRequest({ username, password, status: 1 });
      payload[payload.length - 2] = status; // [status:u8][has_permissions:u8] close the payload
      return root.status(CommandCode.CreateUser, payload);
    };
    expect(await create('ab', 'good-password')).toBe(ErrorCode.InvalidUsername);
    expect(await create('x'.repeat(51), 'good-password')).toBe(ErrorCode.InvalidUsername);
    expect(await create('bob', 'pw')).toBe(ErrorCode.InvalidPassword);
    expect(await create('bob', 'p'.repeat(101))).toBe(ErrorCode.InvalidPassword);
    expect(await create('alice', 'other-password')).toBe(ErrorCode.UserAlreadyExists);
    expect(await create('bob', 'good-password', 3)).toBe(ErrorCode.InvalidCommand);
    expect(await create('x'.repeat(50), 'p'.repeat(100))).toBe(0);
  });

  it('logs in by name and refuses bad credentials (42), bad lengths (43, 44) and inactive users (47)', async () => {
    await root.createUser('carol', 'carol-password');
    await root.createUser('dormant', 'dormant-password', undefined, 2);
    const client = await server.client(false);
    try {
      expect(await client.login('carol', 'carol-password')).toBeGreaterThan(0);
      expect(await client.status(CommandCode.LoginUser, login('carol', 'wrong-password'))).toBe(ErrorCode.InvalidCredentials);
      expect(await client.status(CommandCode.LoginUser, login('nobody', 'whatever'))).toBe(ErrorCode.InvalidCredentials);
      expect(await client.status(CommandCode.LoginUser, login('ca', 'carol-password'))).toBe(ErrorCode.InvalidUsername);
      expect(await client.status(CommandCode.LoginUser, login('carol', 'cp'))).toBe(ErrorCode.InvalidPassword);
      expect(await client.status(CommandCode.LoginUser, login('dormant', 'dormant-password'))).toBe(ErrorCode.UserInactive);
      // Activating the user lets it in.
      await root.ok(CommandCode.UpdateUser, encodeUpdateUserRequest({ userId: 'dormant', status: 1 }));
      expect(await client.status(CommandCode.LoginUser, login('dormant', 'dormant-password'))).toBe(0);
      await root.ok(CommandCode.UpdateUser, encodeUpdateUserRequest({ userId: 'dormant', status: 2 }));
      expect(await client.status(CommandCode.LoginUser, login('dormant', 'dormant-password'))).toBe(ErrorCode.UserInactive);
    } finally {
      await client.close();
    }
  });

  it('renames and changes status with UpdateUser (43, 46, 20)', async () => {
    const dave = await root.createUser('dave', 'dave-password');
    const update = (userId: Identifier, username?: string, status?: number) => root.status(CommandCode.UpdateUser, encodeUpdateUserRequest({ userId, username, status }));
    expect(await update(dave.id, 'alice')).toBe(ErrorCode.UserAlreadyExists);
    expect(await update(dave.id, 'dv')).toBe(ErrorCode.InvalidUsername);
    expect(await update(9999, 'someone')).toBe(ErrorCode.ResourceNotFound);
    expect(await update(dave.id, 'david')).toBe(0);
    expect(await update(dave.id, 'david')).toBe(0); // its own name again is not a conflict
    expect((await getUser(dave.id))?.username).toBe('david');
    expect(await getUser('dave')).toBeUndefined();
    const client = await server.client(false);
    try {
      expect(await client.status(CommandCode.LoginUser, login('dave', 'dave-password'))).toBe(ErrorCode.InvalidCredentials);
      expect(await client.status(CommandCode.LoginUser, login('david', 'dave-password'))).toBe(0);
    } finally {
      await client.close();
    }
  });

  it('changes passwords: own without permissions, others with manage_users, always verifying the current one (42, 44, 20)', async () => {
    const erin = await root.createUser('erin', 'erin-password');
    const erinClient = await server.client({ username: 'erin', password: 'erin-password' });
    try {
      const change = (client: TestClient, userId: Identifier, currentPassword: string, newPassword: string) =>
        client.status(CommandCode.ChangePassword, encodeChangePasswordRequest({ userId, currentPassword, newPassword }));
      expect(await change(erinClient, erin.id, 'wrong-password', 'erin-new-password')).toBe(ErrorCode.InvalidCredentials);
      expect(await change(erinClient, erin.id, 'erin-password', 'np')).toBe(ErrorCode.InvalidPassword);
      expect(await change(erinClient, 9999, 'erin-password', 'erin-new-password')).toBe(ErrorCode.ResourceNotFound);
      expect(await change(erinClient, 'alice', 'alice-password', 'stolen-password')).toBe(ErrorCode.Unauthorized);
      expect(await change(erinClient, erin.id, 'erin-password', 'erin-new-password')).toBe(0);
      expect(await change(root, erin.id, 'not-her-password', 'admin-set-password')).toBe(ErrorCode.InvalidCredentials);
      expect(await change(root, erin.id, 'erin-new-password', 'admin-set-password')).toBe(0);
      const client = await server.client(false);
      try {
        expect(await client.status(CommandCode.LoginUser, login('erin', 'erin-password'))).toBe(ErrorCode.InvalidCredentials);
        expect(await client.status(CommandCode.LoginUser, login('erin', 'erin-new-password'))).toBe(ErrorCode.InvalidCredentials);
        expect(await client.status(CommandCode.LoginUser, login('erin', 'admin-set-password'))).toBe(0);
      } finally {
        await client.close();
      }
    } finally {
      await erinClient.close();
    }
  });

  it('replaces and clears permissions with UpdatePermissions and refuses root (49) and unknown users (20)', async () => {
    const frank = await root.createUser('frank', 'frank-password');
    expect(frank.permissions).toBeUndefined();
    expect(await root.status(CommandCode.UpdatePermissions, encodeUpdatePermissionsRequest({ userId: frank.id, permissions: STREAM_PERMISSIONS }))).toBe(0);
    expect((await getUser(frank.id))?.permissions).toEqual(STREAM_PERMISSIONS);
    expect(await root.status(CommandCode.UpdatePermissions, encodeUpdatePermissionsRequest({ userId: frank.id }))).toBe(0);
    expect((await getUser(frank.id))?.permissions).toBeUndefined();
    expect(await root.status(CommandCode.UpdatePermissions, encodeUpdatePermissionsRequest({ userId: 0, permissions: STREAM_PERMISSIONS }))).toBe(ErrorCode.CannotChangePermissions);
    expect(await root.status(CommandCode.UpdatePermissions, encodeUpdatePermissionsRequest({ userId: 'iggy' }))).toBe(ErrorCode.CannotChangePermissions);
    expect(await root.status(CommandCode.UpdatePermissions, encodeUpdatePermissionsRequest({ userId: 9999 }))).toBe(ErrorCode.ResourceNotFound);
  });

  it('deletes users, refuses root (48) and unknown users (20), and removes their tokens', async () => {
    const gina = await root.createUser('gina', 'gina-password');
    const ginaClient = await server.client({ username: 'gina', password: 'gina-password' });
    const { token } = decodeCreatePersonalAccessTokenResponse(await ginaClient.ok(CommandCode.CreatePersonalAccessToken, encodeCreatePersonalAccessTokenRequest({ name: 'gina-token', expiry: 0n })));
    await ginaClient.close();
    expect(await root.status(CommandCode.DeleteUser, encodeDeleteUserRequest({ userId: 0 }))).toBe(ErrorCode.CannotDeleteUser);
    expect(await root.status(CommandCode.DeleteUser, encodeDeleteUserRequest({ userId: 'iggy' }))).toBe(ErrorCode.CannotDeleteUser);
    expect(await root.status(CommandCode.DeleteUser, encodeDeleteUserRequest({ userId: 9999 }))).toBe(ErrorCode.ResourceNotFound);
    expect(await root.status(CommandCode.DeleteUser, encodeDeleteUserRequest({ userId: gina.id }))).toBe(0);
    expect(await getUser(gina.id)).toBeUndefined();
    expect(await root.status(CommandCode.DeleteUser, encodeDeleteUserRequest({ userId: gina.id }))).toBe(ErrorCode.ResourceNotFound);
    const client = await server.client(false);
    try {
      expect(await client.status(CommandCode.LoginUser, login('gina', 'gina-password'))).toBe(ErrorCode.InvalidCredentials);
      expect(await client.status(CommandCode.LoginWithPersonalAccessToken, encodeLoginWithPersonalAccessTokenRequest({ token }))).toBe(ErrorCode.ResourceNotFound);
    } finally {
      await client.close();
    }
  });

  it("logs out every session of a deleted user, its own included, so a reused id never inherits them", async () => {
    const permissions: Permissions = { global: { ...noGlobalPermissions(), manageUsers: true }, streams: new Map() };
    const henry = await root.createUser('henry', 'henry-password', permissions);
    const first = await server.client({ username: 'henry', password: 'henry-password' });
    const second = await server.client({ username: 'henry', password: 'henry-password' });
    try {
      expect(await second.status(CommandCode.GetMe)).toBe(0);
      // henry deletes himself from the first connection: both connections are logged out but stay open.
      expect(await first.status(CommandCode.DeleteUser, encodeDeleteUserRequest({ userId: henry.id }))).toBe(0);
      for (const client of [first, second]) {
        expect(await client.status(CommandCode.GetMe)).toBe(ErrorCode.Unauthenticated);
        expect(await client.status(CommandCode.GetUsers)).toBe(ErrorCode.Unauthenticated);
        expect(await client.status(CommandCode.Ping)).toBe(0);
      }
      // A new user may get henry's freed id; the old sessions must not act as that user.
      const heir = await root.createUser('heir', 'heir-password', { global: { ...noGlobalPermissions(), readUsers: true }, streams: new Map() });
      expect(heir.id).toBe(henry.id);
      expect(await first.status(CommandCode.GetUsers)).toBe(ErrorCode.Unauthenticated);
      expect(await second.status(CommandCode.GetUsers)).toBe(ErrorCode.Unauthenticated);
      expect(await first.login('heir', 'heir-password')).toBe(heir.id);
      expect(await first.status(CommandCode.GetUsers)).toBe(0);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('keeps users, passwords, statuses, permissions and tokens across a restart', async () => {
    const ivy = await root.createUser('ivy', 'ivy-password', STREAM_PERMISSIONS);
    await root.ok(CommandCode.ChangePassword, encodeChangePasswordRequest({ userId: ivy.id, currentPassword: 'ivy-password', newPassword: 'ivy-changed' }));
    const ivyClient = await server.client({ username: 'ivy', password: 'ivy-changed' });
    const { token } = decodeCreatePersonalAccessTokenResponse(await ivyClient.ok(CommandCode.CreatePersonalAccessToken, encodeCreatePersonalAccessTokenRequest({ name: 'ivy-token', expiry: 0n })));
    await ivyClient.close();
    const before = decodeGetUsersResponse(await root.ok(CommandCode.GetUsers));
    const ivyBefore = await getUser(ivy.id);
    await root.close();

    await server.restart();
    root = await server.client();
    expect(decodeGetUsersResponse(await root.ok(CommandCode.GetUsers))).toEqual(before);
    expect(await getUser(ivy.id)).toEqual(ivyBefore);
    expect((await getUser('dormant'))?.status).toBe(2);
    const client = await server.client(false);
    try {
      expect(await client.status(CommandCode.LoginUser, login('ivy', 'ivy-password'))).toBe(ErrorCode.InvalidCredentials);
      expect(await client.login('ivy', 'ivy-changed')).toBe(ivy.id);
      expect(await client.status(CommandCode.LogoutUser)).toBe(0);
      expect(await client.status(CommandCode.LoginWithPersonalAccessToken, encodeLoginWithPersonalAccessTokenRequest({ token }))).toBe(0);
      expect((await client.me()).userId).toBe(ivy.id);
      expect(await client.status(CommandCode.LoginUser, login('dormant', 'dormant-password'))).toBe(ErrorCode.UserInactive);
    } finally {
      await client.close();
    }
  });
});
