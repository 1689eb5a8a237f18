/**
 * Access tokens of the HTTP API: JWT (RFC 7519) signed with HS256 through node:crypto, with the
 * claims of Iggy 0.8 (`core/server/src/http/jwt/jwt_manager.rs`): `jti` (UUID v7), `sub` (user id as
 * decimal text), `iss` and `aud` (`iggy.apache.org`), `iat`, `nbf`, `exp` (seconds since epoch).
 *
 * Revocation (logout, refresh) keeps the token id until the token would have expired anyway; the
 * set is pruned on every revocation, so it never holds more than the tokens issued within one
 * lifetime. As in 0.8 it lives in memory: a restart with a configured secret forgets revocations
 * (0.8 persists them; see docs/http-api.md).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ErrorCode, IggyError } from '@iggy-ts/protocol';

export const JWT_ISSUER = 'iggy.apache.org';
export const JWT_AUDIENCE = 'iggy.apache.org';
/** Clock skew tolerated on `exp` and `nbf` (0.8 default `clock_skew = "5 s"`). */
export const JWT_LEEWAY_SECONDS = 5;

export interface AccessTokenClaims {
  readonly jti: string;
  readonly iss: string;
  readonly aud: string | readonly string[];
  readonly sub: string;
  readonly iat: number;
  readonly exp: number;
  readonly nbf: number;
}

export interface IssuedToken {
  readonly userId: number;
  readonly token: string;
  /** `exp` of the token, seconds since epoch. */
  readonly expiry: number;
}

/** Who a verified token speaks for. */
export interface Identity {
  readonly userId: number;
  readonly tokenId: string;
  /** `exp`, seconds since epoch. */
  readonly expiry: number;
}

export interface JwtOptions {
  /** HS256 key; at least 32 bytes. */
  readonly secret: Buffer;
  readonly accessTokenExpirySeconds: number;
  /** Milliseconds since epoch; injectable for tests. */
  readonly clock?: () => number;
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/** UUID version 7: 48-bit Unix milliseconds, then random bits (RFC 9562). */
export function uuidV7(nowMs: number = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(nowMs, 0, 6);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A random HS256 secret of 32..63 bytes, as 0.8 generates when none is configured. */
export function generateJwtSecret(): Buffer {
  return randomBytes(32 + (randomBytes(1)[0]! % 32));
}

function decodeSegment(segment: string): unknown {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) return undefined;
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function isClaims(value: unknown): value is AccessTokenClaims {
  if (typeof value !== 'object' || value === null) return false;
  const claims = value as Record<string, unknown>;
  const audience = claims.aud;
  return (
    typeof claims.jti === 'string' &&
    typeof claims.iss === 'string' &&
    typeof claims.sub === 'string' &&
    typeof claims.iat === 'number' &&
    typeof claims.exp === 'number' &&
    typeof claims.nbf === 'number' &&
    (typeof audience === 'string' || (Array.isArray(audience) && audience.every((item) => typeof item === 'string')))
  );
}

export class JwtManager {
  private readonly secret: Buffer;
  private readonly expirySeconds: number;
  private readonly clock: () => number;
  /** Revoked token id → its `exp` (seconds). */
  private readonly revoked = new Map<string, number>();

  constructor(options: JwtOptions) {
    if (options.secret.length < 32) throw new Error('the JWT secret must be at least 32 bytes');
    this.secret = options.secret;
    this.expirySeconds = options.accessTokenExpirySeconds;
    this.clock = options.clock ?? Date.now;
  }

  private nowSeconds(): number {
    return Math.floor(this.clock() / 1000);
  }

  /** Signs `claims` as a compact JWT (exported for tests that need tokens the server would not issue). */
  sign(claims: AccessTokenClaims): string {
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const signature = createHmac('sha256', this.secret).update(`${HEADER}.${payload}`).digest('base64url');
    return `${HEADER}.${payload}.${signature}`;
  }

  issue(userId: number): IssuedToken {
    const iat = this.nowSeconds();
    const exp = iat + this.expirySeconds;
    const token = this.sign({ jti: uuidV7(this.clock()), iss: JWT_ISSUER, aud: JWT_AUDIENCE, sub: String(userId), iat, nbf: iat, exp });
    return { userId, token, expiry: exp };
  }

  /** The claims of a well-signed, current token from this issuer; undefined otherwise (revocation not checked). */
  decode(token: string): AccessTokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
    const header = decodeSegment(headerPart) as { alg?: unknown } | undefined;
    // Only HS256: a token naming another algorithm (including "none") is refused before any check.
    if (header === undefined || header === null || header.alg !== 'HS256') return undefined;
    if (!/^[A-Za-z0-9_-]+$/.test(signaturePart)) return undefined;
    const expected = createHmac('sha256', this.secret).update(`${headerPart}.${payloadPart}`).digest();
    const given = Buffer.from(signaturePart, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const claims = decodeSegment(payloadPart);
    if (!isClaims(claims)) return undefined;
    if (claims.iss !== JWT_ISSUER) return undefined;
    const audiences = typeof claims.aud === 'string' ? [claims.aud] : claims.aud;
    if (!audiences.includes(JWT_AUDIENCE)) return undefined;
    const now = this.nowSeconds();
    if (claims.exp + JWT_LEEWAY_SECONDS <= now) return undefined;
    if (claims.nbf - JWT_LEEWAY_SECONDS > now) return undefined;
    if (!/^\d{1,10}$/.test(claims.sub) || Number(claims.sub) > 0xffff_ffff) return undefined;
    return claims;
  }

  /** The identity of a valid, unrevoked token, or undefined. */
  verify(token: string): Identity | undefined {
    const claims = this.decode(token);
    if (claims === undefined || this.revoked.has(claims.jti)) return undefined;
    return { userId: Number(claims.sub), tokenId: claims.jti, expiry: claims.exp };
  }

  revoke(tokenId: string, expiry: number): void {
    this.prune();
    this.revoked.set(tokenId, expiry);
  }

  isRevoked(tokenId: string): boolean {
    return this.revoked.has(tokenId);
  }

  /** Exchanges a valid token for a new one; each token can be refreshed once (0.8 `refresh_token`). */
  refresh(token: string): IssuedToken {
    const claims = token === '' ? undefined : this.decode(token);
    if (claims === undefined || this.revoked.has(claims.jti)) throw new IggyError(ErrorCode.InvalidAccessToken);
    this.revoke(claims.jti, claims.exp);
    return this.issue(Number(claims.sub));
  }

  get revokedCount(): number {
    return this.revoked.size;
  }

  /** Forgets revoked tokens that have expired (they are refused for their age anyway). */
  prune(): void {
    const now = this.nowSeconds();
    for (const [id, expiry] of this.revoked) if (expiry + JWT_LEEWAY_SECONDS < now) this.revoked.delete(id);
  }
}
