import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ErrorCode, IggyError } from '@iggy-ts/protocol';
import { JWT_AUDIENCE, JWT_ISSUER, JwtManager, uuidV7 } from '../../src/http/jwt.js';

const secret = Buffer.from('0123456789abcdef0123456789abcdef');

function manager(nowMs: () => number, expirySeconds = 3600): JwtManager {
  return new JwtManager({ secret, accessTokenExpirySeconds: expirySeconds, clock: nowMs });
}

function decodePart(token: string, index: number): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index]!, 'base64url').toString()) as Record<string, unknown>;
}

describe('JWT access tokens', () => {
  it('issues HS256 tokens with the 0.8 claims', () => {
    const now = 1_700_000_000_000;
    const issued = manager(() => now, 120).issue(7);
    expect(decodePart(issued.token, 0)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = decodePart(issued.token, 1);
    expect(claims).toMatchObject({ sub: '7', iss: JWT_ISSUER, aud: JWT_AUDIENCE, iat: 1_700_000_000, nbf: 1_700_000_000, exp: 1_700_000_120 });
    expect(claims.jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(issued.expiry).toBe(1_700_000_120);
    const [header, payload, signature] = issued.token.split('.');
    expect(signature).toBe(createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url'));
  });

  it('verifies its own tokens and refuses expired, premature, tampered and foreign ones', () => {
    let now = 1_700_000_000_000;
    const jwt = manager(() => now, 60);
    const issued = jwt.issue(3);
    expect(jwt.verify(issued.token)).toMatchObject({ userId: 3, expiry: issued.expiry });
    const [header, payload, signature] = issued.token.split('.') as [string, string, string];
    expect(jwt.verify(`${header}.${payload}.${signature.slice(0, -2)}AA`)).toBeUndefined();
    const forged = Buffer.from(JSON.stringify({ ...decodePart(issued.token, 1), sub: '0' })).toString('base64url');
    expect(jwt.verify(`${header}.${forged}.${signature}`)).toBeUndefined();
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    expect(jwt.verify(`${none}.${payload}.`)).toBeUndefined();
    expect(new JwtManager({ secret: Buffer.alloc(32, 1), accessTokenExpirySeconds: 60, clock: () => now }).verify(issued.token)).toBeUndefined();
    expect(jwt.verify('not-a-token')).toBeUndefined();
    const base = { jti: uuidV7(), iss: JWT_ISSUER, aud: JWT_AUDIENCE, sub: '1', iat: 1_700_000_000 };
    expect(jwt.verify(jwt.sign({ ...base, nbf: 1_700_000_100, exp: 1_700_001_000 }))).toBeUndefined();
    expect(jwt.verify(jwt.sign({ ...base, iss: 'elsewhere', nbf: 1_700_000_000, exp: 1_700_001_000 }))).toBeUndefined();
    expect(jwt.verify(jwt.sign({ ...base, aud: ['other', JWT_AUDIENCE], nbf: 1_700_000_000, exp: 1_700_001_000 }))).toMatchObject({ userId: 1 });
    now += 66_000;
    expect(jwt.verify(issued.token)).toBeUndefined();
  });

  it('refuses revoked tokens until they expire, then forgets them', () => {
    let now = 1_700_000_000_000;
    const jwt = manager(() => now, 60);
    const issued = jwt.issue(1);
    const identity = jwt.verify(issued.token)!;
    jwt.revoke(identity.tokenId, identity.expiry);
    expect(jwt.verify(issued.token)).toBeUndefined();
    expect(jwt.revokedCount).toBe(1);
    now += 120_000;
    jwt.prune();
    expect(jwt.revokedCount).toBe(0);
  });

  it('refreshes a token once', () => {
    const jwt = manager(() => 1_700_000_000_000);
    const issued = jwt.issue(5);
    const refreshed = jwt.refresh(issued.token);
    expect(refreshed.userId).toBe(5);
    expect(jwt.verify(refreshed.token)).toMatchObject({ userId: 5 });
    expect(jwt.verify(issued.token)).toBeUndefined();
    expect(() => jwt.refresh(issued.token)).toThrow(IggyError);
    try {
      jwt.refresh('');
    } catch (error) {
      expect((error as IggyError).code).toBe(ErrorCode.InvalidAccessToken);
    }
  });
});
