import { describe, expect, it } from 'vitest';
import {
  decodeCreatePersonalAccessTokenRequest,
  decodeCreatePersonalAccessTokenResponse,
  decodeDeletePersonalAccessTokenRequest,
  decodeDeletePersonalAccessTokenResponse,
  decodeGetPersonalAccessTokensRequest,
  decodeGetPersonalAccessTokensResponse,
  decodeLoginWithPersonalAccessTokenRequest,
  decodeLoginWithPersonalAccessTokenResponse,
  encodeCreatePersonalAccessTokenRequest,
  encodeCreatePersonalAccessTokenResponse,
  encodeDeletePersonalAccessTokenRequest,
  encodeDeletePersonalAccessTokenResponse,
  encodeGetPersonalAccessTokensRequest,
  encodeGetPersonalAccessTokensResponse,
  encodeLoginWithPersonalAccessTokenRequest,
  encodeLoginWithPersonalAccessTokenResponse,
} from './personal-access-tokens.js';
import { expectCodec, expectDecodeError, hex } from '../test/helpers.js';

const token = 'A'.repeat(66) + '==';

describe('personal access tokens', () => {
  it('encodes CreatePersonalAccessToken with a u64 expiry that may be u64::MAX', () => {
    const bytes = expectCodec(encodeCreatePersonalAccessTokenRequest, decodeCreatePersonalAccessTokenRequest, { name: 'ci', expiry: 0xffff_ffff_ffff_ffffn });
    expect(bytes).toEqual(hex('02 6369 ffffffffffffffff'));
  });

  it('returns the raw token as a Name8', () => {
    const bytes = expectCodec(encodeCreatePersonalAccessTokenResponse, decodeCreatePersonalAccessTokenResponse, { token });
    expect(bytes).toHaveLength(69);
    expect(bytes[0]).toBe(68);
  });

  it('lists tokens back to back with their expiry time', () => {
    const list = [
      { name: 'ci', expiryAt: 0 },
      { name: 'deploy', expiryAt: 1_700_000_000_000_000 },
    ];
    expect(expectCodec(encodeGetPersonalAccessTokensResponse, decodeGetPersonalAccessTokensResponse, list, [0, 11])).toEqual(
      hex('02 6369 0000000000000000 06 6465706c6f79 00401e18240a0600'),
    );
    expect(encodeGetPersonalAccessTokensRequest()).toHaveLength(0);
    expect(decodeGetPersonalAccessTokensRequest(Buffer.alloc(0))).toBeUndefined();
  });

  it('round-trips delete and login, and rejects empty names with 4', () => {
    expectCodec(encodeDeletePersonalAccessTokenRequest, decodeDeletePersonalAccessTokenRequest, { name: 'ci' });
    expectCodec(encodeLoginWithPersonalAccessTokenRequest, decodeLoginWithPersonalAccessTokenRequest, { token });
    expectCodec(encodeLoginWithPersonalAccessTokenResponse, decodeLoginWithPersonalAccessTokenResponse, { userId: 4 });
    expectDecodeError(() => decodeDeletePersonalAccessTokenRequest(hex('00')), 4);
    expect(encodeDeletePersonalAccessTokenResponse()).toHaveLength(0);
    expect(decodeDeletePersonalAccessTokenResponse(Buffer.alloc(0))).toBeUndefined();
  });
});
