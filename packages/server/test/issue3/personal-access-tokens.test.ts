// Personal access tokens (reference 2.13, 4.3): the raw token is shown once, listing shows names and
// expiry only, login with a token, deletion, expiry (54), the per-user limit (52) and the cleaner.
import {
  CommandCode,
  ErrorCode,
  decodeCreatePersonalAccessTokenResponse,
  decodeGetPersonalAccessTokensResponse,
  decodeLoginWithPersonalAccessTokenResponse,
  encodeCreatePersonalAccessTokenRequest,
  encodeDeletePersonalAccessTokenRequest,
  encodeLoginWithPersonalAccessTokenRequest,
  type PersonalAccessTokenInfo,
} from '@iggy-ts/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, TestServer, waitFor, type TestClient } from './helpers.js';

async function createToken(client: TestClient, name: string, expiryUs = 0n): Promise<string> {
  return decodeCreatePersonalAccessTokenResponse(await client.ok(CommandCode.CreatePersonalAccessToken, encodeCreatePersonalAccessTokenRequest({ name, expiry: expiryUs }))).token;
}

async function listTokens(client: TestClient): Promise<PersonalAccessTokenInfo[]> {
  return decodeGetPersonalAccessTokensResponse(await client.ok(CommandCode.GetPersonalAccessTokens));
}

async function loginWithToken(server: TestServer, token: string): Promise<{ status: number; userId?: number }> {
  const client = await server.client(false);
  try {
    const reply = await client.request(CommandCode.LoginWithPersonalAccessToken, encodeLoginWithPersonalAccessTokenRequest({ token }));
    return reply.status === 0 ? { status: 0, userId: decodeLoginWithPersonalAccessTokenResponse(reply.payload).userId } : { status: reply.status };
  } finally {
    await client.close();
  }
}

describe('personal access tokens without the cleaner', () => {
  let server: TestServer;
  let root: TestClient;

  beforeAll(async () => {
    server = await TestServer.start({ personalAccessToken: { tokenCountPerUserMax: 3, cleaner: { enabled: false } } });
    root = await server.client();
  });

  afterAll(async () => {
    await root?.close();
    await server?.stop();
  });

  it('shows the raw token once, lists only names and expiry, and logs in with it', async () => {
    const token = await createToken(root, 'ci-token');
    expect(token).toMatch(/^[A-Za-z0-9+/]{67}=$/); // 50 random bytes, base64 with padding: 68 characters
    const listed = await listTokens(root);
    expect(listed).toEqual([{ name: 'ci-token', expiryAt: 0 }]);
    expect(JSON.stringify(listed)).not.toContain(token);
    expect(await loginWithToken(server, token)).toEqual({ status: 0, userId: 0 });
    expect(await loginWithToken(server, `${token[0] === 'A' ? 'B' : 'A'}${token.slice(1)}`)).toEqual({ status: ErrorCode.ResourceNotFound });
  });

  it('refuses duplicate (51) and badly named (50) tokens and deletes by name (20 when unknown)', async () => {
    const token = await createToken(root, 'short-lived');
    const create = (name: string) => root.status(CommandCode.CreatePersonalAccessToken, encodeCreatePersonalAccessTokenRequest({ name, expiry: 0n }));
    expect(await create('short-lived')).toBe(ErrorCode.PersonalAccessTokenAlreadyExists);
    expect(await create('ab')).toBe(ErrorCode.InvalidPersonalAccessTokenName);
    expect(await create('x'.repeat(31))).toBe(ErrorCode.InvalidPersonalAccessTokenName);
    const remove = (name: string) => root.status(CommandCode.DeletePersonalAccessToken, encodeDeletePersonalAccessTokenRequest({ name }));
    expect(await remove('short-lived')).toBe(0);
    expect(await remove('short-lived')).toBe(ErrorCode.ResourceNotFound);
    expect((await listTokens(root)).map((entry) => entry.name)).toEqual(['ci-token']);
    expect(await loginWithToken(server, token)).toEqual({ status: ErrorCode.ResourceNotFound });
  });

  it('expires a token after its expiry in microseconds (54)', async () => {
    const before = Date.now() * 1000;
    const token = await createToken(root, 'expiring', 400_000n);
    const entry = (await listTokens(root)).find((candidate) => candidate.name === 'expiring')!;
    expect(entry.expiryAt).toBeGreaterThanOrEqual(before + 400_000);
    expect(entry.expiryAt).toBeLessThanOrEqual(Date.now() * 1000 + 400_000);
    expect((await loginWithToken(server, token)).status).toBe(0);
    await sleep(Math.max(0, (entry.expiryAt - Date.now() * 1000) / 1000) + 50);
    expect(await loginWithToken(server, token)).toEqual({ status: ErrorCode.PersonalAccessTokenExpired });
    // Without the cleaner the expired token stays listed until deleted.
    expect((await listTokens(root)).map((candidate) => candidate.name)).toContain('expiring');
    expect(await root.status(CommandCode.DeletePersonalAccessToken, encodeDeletePersonalAccessTokenRequest({ name: 'expiring' }))).toBe(0);
  });

  it('limits tokens per user (52) and counts each user separately', async () => {
    // root holds "ci-token"; the limit is 3.
    await createToken(root, 'second');
    await createToken(root, 'third');
    expect(await root.status(CommandCode.CreatePersonalAccessToken, encodeCreatePersonalAccessTokenRequest({ name: 'fourth', expiry: 0n }))).toBe(ErrorCode.PersonalAccessTokensLimitReached);
    await root.createUser('other', 'other-password');
    const other = await server.client({ username: 'other', password: 'other-password' });
    try {
      for (const name of ['one', 'two', 'three']) await createToken(other, name);
      expect(await other.status(CommandCode.CreatePersonalAccessToken, encodeCreatePersonalAccessTokenRequest({ name: 'four', expiry: 0n }))).toBe(ErrorCode.PersonalAccessTokensLimitReached);
      expect((await listTokens(other)).map((entry) => entry.name)).toEqual(['one', 'three', 'two']);
      // Deleting one frees a slot; a user cannot delete another user's token.
      expect(await other.status(CommandCode.DeletePersonalAccessToken, encodeDeletePersonalAccessTokenRequest({ name: 'second' }))).toBe(ErrorCode.ResourceNotFound);
      expect(await root.status(CommandCode.DeletePersonalAccessToken, encodeDeletePersonalAccessTokenRequest({ name: 'third' }))).toBe(0);
      expect(await root.status(CommandCode.CreatePersonalAccessToken, encodeCreatePersonalAccessTokenRequest({ name: 'fourth', expiry: 0n }))).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('logs in as the token owner with that owner\'s identity', async () => {
    const other = await server.client({ username: 'other', password: 'other-password' });
    try {
      await other.status(CommandCode.DeletePersonalAccessToken, encodeDeletePersonalAccessTokenRequest({ name: 'one' }));
      const token = await createToken(other, 'owner-check');
      const otherId = (await other.me()).userId;
      expect(await loginWithToken(server, token)).toEqual({ status: 0, userId: otherId });
    } finally {
      await other.close();
    }
  });
});

describe('personal access token cleaner', () => {
  let server: TestServer;
  let root: TestClient;

  beforeAll(async () => {
    server = await TestServer.start({ personalAccessToken: { cleaner: { enabled: true, intervalMs: 100 } } });
    root = await server.client();
  });

  afterAll(async () => {
    await root?.close();
    await server?.stop();
  });

  it('deletes expired tokens in the background and keeps the others', async () => {
    const expiring = await createToken(root, 'expiring', 300_000n);
    const lasting = await createToken(root, 'lasting');
    expect((await listTokens(root)).map((entry) => entry.name)).toEqual(['expiring', 'lasting']);
    await waitFor(async () => !(await listTokens(root)).some((entry) => entry.name === 'expiring'), 5_000, 50, 'the cleaner');
    expect((await listTokens(root)).map((entry) => entry.name)).toEqual(['lasting']);
    // Removed, not merely expired: the login answers "not found".
    expect(await loginWithToken(server, expiring)).toEqual({ status: ErrorCode.ResourceNotFound });
    expect((await loginWithToken(server, lasting)).status).toBe(0);
  });
});
