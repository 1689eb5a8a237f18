import { describe, expect, it } from 'vitest';
import { addressesOverlap, parseListenAddress, tryListenAddress } from './address.js';

describe('listen addresses', () => {
  it('splits IPv4, host name and bracketed IPv6 addresses', () => {
    expect(parseListenAddress('127.0.0.1:8090')).toEqual({ host: '127.0.0.1', port: 8090 });
    expect(parseListenAddress('localhost:0')).toEqual({ host: 'localhost', port: 0 });
    expect(parseListenAddress('[::1]:8090')).toEqual({ host: '::1', port: 8090 });
    expect(parseListenAddress('[::]:65535')).toEqual({ host: '::', port: 65_535 });
  });

  it('explains what is wrong with a malformed address', () => {
    expect(tryListenAddress('127.0.0.1')).toMatchObject({ ok: false, reason: expect.stringMatching(/^has no port/) });
    expect(tryListenAddress('127.0.0.1:')).toMatchObject({ ok: false, reason: expect.stringMatching(/^has no port/) });
    expect(tryListenAddress('[::1]')).toMatchObject({ ok: false, reason: expect.stringMatching(/^has no port/) });
    expect(tryListenAddress('[::1:80')).toMatchObject({ ok: false, reason: expect.stringMatching(/^has an unclosed "\["/) });
    expect(tryListenAddress('[abc]:80')).toMatchObject({ ok: false, reason: expect.stringMatching(/^has an invalid IPv6 host "abc"/) });
    expect(tryListenAddress('host:http')).toMatchObject({ ok: false, reason: 'has an invalid port "http" (0 to 65535)' });
    expect(tryListenAddress('bad host:80')).toMatchObject({ ok: false, reason: expect.stringMatching(/^has an invalid host "bad host"/) });
    expect(() => parseListenAddress('nope')).toThrow(/address "nope" has no port/);
  });

  it('detects listeners competing for a port, wildcards included, but never port 0', () => {
    expect(addressesOverlap({ host: '127.0.0.1', port: 1 }, { host: '127.0.0.1', port: 1 })).toBe(true);
    expect(addressesOverlap({ host: '0.0.0.0', port: 1 }, { host: '127.0.0.1', port: 1 })).toBe(true);
    expect(addressesOverlap({ host: '127.0.0.1', port: 1 }, { host: '127.0.0.2', port: 1 })).toBe(false);
    expect(addressesOverlap({ host: '127.0.0.1', port: 1 }, { host: '127.0.0.1', port: 2 })).toBe(false);
    expect(addressesOverlap({ host: '127.0.0.1', port: 0 }, { host: '127.0.0.1', port: 0 })).toBe(false);
  });
});
