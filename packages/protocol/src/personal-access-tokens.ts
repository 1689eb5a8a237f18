/**
 * Personal access tokens (reference 4.3): GetPersonalAccessTokens 41, CreatePersonalAccessToken 42,
 * DeletePersonalAccessToken 43, LoginWithPersonalAccessToken 44.
 *
 *   list entry: [name:Name8][expiry_at:u64 (µs since epoch, 0 = never)]   back to back
 *   create:     [name:Name8][expiry:u64 (IggyExpiry µs, 0 / u64::MAX = none)] → [token:Name8]
 *   delete:     [name:Name8] → empty
 *   login:      [token:Name8] → [user_id:u32]
 */
import { EMPTY_BUFFER, Reader, Writer, name8Size } from './reader.js';

export interface PersonalAccessTokenInfo {
  readonly name: string;
  /** µs since epoch when the token expires; 0 = never. */
  readonly expiryAt: number;
}

// GetPersonalAccessTokens (41): empty → entries back to back

export function encodeGetPersonalAccessTokensRequest(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodeGetPersonalAccessTokensRequest(_payload: Buffer): undefined {
  return undefined;
}

export function encodeGetPersonalAccessTokensResponse(value: readonly PersonalAccessTokenInfo[]): Buffer {
  let size = 0;
  for (const token of value) size += name8Size(token.name, 'token name') + 8;
  const writer = new Writer(size);
  for (const token of value) writer.name8(token.name, 'token name').u64(token.expiryAt, 'expiry at');
  return writer.finish();
}

export function decodeGetPersonalAccessTokensResponse(payload: Buffer): PersonalAccessTokenInfo[] {
  const reader = new Reader(payload);
  const tokens: PersonalAccessTokenInfo[] = [];
  while (reader.remaining > 0) {
    const name = reader.name8('token name');
    const expiryAt = reader.u64('expiry at');
    tokens.push({ name, expiryAt });
  }
  return tokens;
}

// CreatePersonalAccessToken (42): [name:Name8][expiry:u64] → [token:Name8]

export interface CreatePersonalAccessTokenRequest {
  readonly name: string;
  /** IggyExpiry duration in µs; 0 or u64::MAX = no expiry. */
  readonly expiry: bigint;
}

export interface CreatePersonalAccessTokenResponse {
  /** The raw token (68 base64 characters); returned only once. */
  readonly token: string;
}

export function encodeCreatePersonalAccessTokenRequest(value: CreatePersonalAccessTokenRequest): Buffer {
  return new Writer(name8Size(value.name, 'token name') + 8).name8(value.name, 'token name').u64BigInt(value.expiry, 'expiry').finish();
}

export function decodeCreatePersonalAccessTokenRequest(payload: Buffer): CreatePersonalAccessTokenRequest {
  const reader = new Reader(payload);
  const name = reader.name8('token name');
  const expiry = reader.u64BigInt('expiry');
  return { name, expiry };
}

export function encodeCreatePersonalAccessTokenResponse(value: CreatePersonalAccessTokenResponse): Buffer {
  return new Writer(name8Size(value.token, 'token')).name8(value.token, 'token').finish();
}

export function decodeCreatePersonalAccessTokenResponse(payload: Buffer): CreatePersonalAccessTokenResponse {
  return { token: new Reader(payload).name8('token') };
}

// DeletePersonalAccessToken (43): [name:Name8] → empty

export interface DeletePersonalAccessTokenRequest {
  readonly name: string;
}

export function encodeDeletePersonalAccessTokenRequest(value: DeletePersonalAccessTokenRequest): Buffer {
  return new Writer(name8Size(value.name, 'token name')).name8(value.name, 'token name').finish();
}

export function decodeDeletePersonalAccessTokenRequest(payload: Buffer): DeletePersonalAccessTokenRequest {
  return { name: new Reader(payload).name8('token name') };
}

export function encodeDeletePersonalAccessTokenResponse(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodeDeletePersonalAccessTokenResponse(_payload: Buffer): undefined {
  return undefined;
}

// LoginWithPersonalAccessToken (44): [token:Name8] → [user_id:u32]

export interface LoginWithPersonalAccessTokenRequest {
  readonly token: string;
}

export interface LoginWithPersonalAccessTokenResponse {
  readonly userId: number;
}

export function encodeLoginWithPersonalAccessTokenRequest(value: LoginWithPersonalAccessTokenRequest): Buffer {
  return new Writer(name8Size(value.token, 'token')).name8(value.token, 'token').finish();
}

export function decodeLoginWithPersonalAccessTokenRequest(payload: Buffer): LoginWithPersonalAccessTokenRequest {
  return { token: new Reader(payload).name8('token') };
}

export function encodeLoginWithPersonalAccessTokenResponse(value: LoginWithPersonalAccessTokenResponse): Buffer {
  return new Writer(4).u32(value.userId, 'user id').finish();
}

export function decodeLoginWithPersonalAccessTokenResponse(payload: Buffer): LoginWithPersonalAccessTokenResponse {
  return { userId: new Reader(payload).u32('user id') };
}
