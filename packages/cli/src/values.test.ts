import { describe, expect, it } from 'vitest';
import { EXPIRY_NEVER, MAX_TOPIC_SIZE_UNLIMITED } from '@iggy-ts/sdk';
import { formatHeaderValue, parseDurationUs, parseGlobalPermissions, parseHeader, parseIdentifier, parseInteger, parseSizeBytes, permissionNames } from './values.js';
import { formatBytes, formatDurationUs, formatTable } from './output.js';

describe('values typed on the command line', () => {
  it('reads a string of digits as a numeric id and anything else as a name', () => {
    expect(parseIdentifier('42', 'stream')).toBe(42);
    expect(parseIdentifier('dev', 'stream')).toBe('dev');
    expect(parseIdentifier('4a', 'stream')).toBe('4a');
    expect(() => parseIdentifier('', 'stream')).toThrow('stream must not be empty');
  });

  it('reads whole numbers within their range', () => {
    expect(parseInteger('7', '--count', 1, 10)).toBe(7);
    expect(() => parseInteger('1.5', '--count')).toThrow("--count must be a whole number, got '1.5'");
    expect(() => parseInteger('11', '--count', 1, 10)).toThrow('--count must be between 1 and 10, got 11');
  });

  it('reads durations in µs, with never and server default', () => {
    expect(parseDurationUs('90s', 'x')).toBe(90_000_000n);
    expect(parseDurationUs('1h 30m', 'x')).toBe(5_400_000_000n);
    expect(parseDurationUs('2d', 'x')).toBe(172_800_000_000n);
    expect(parseDurationUs('15', 'x')).toBe(15_000_000n);
    expect(parseDurationUs('never', 'x')).toBe(EXPIRY_NEVER);
    expect(parseDurationUs('server_default', 'x')).toBe(0n);
    expect(() => parseDurationUs('1h garbage', 'x')).toThrow("x must be a duration like 30s, 15m, 1h 30m, 7d or 'never', got '1h garbage'");
    expect(() => parseDurationUs('3 weeks', 'x')).toThrow("x: unknown time unit 'weeks'");
    expect(formatDurationUs(5_400_000_000n)).toBe('1h 30m');
    expect(formatDurationUs(EXPIRY_NEVER)).toBe('never');
  });

  it('reads sizes in decimal and binary units', () => {
    expect(parseSizeBytes('10GB', 'x')).toBe(10_000_000_000n);
    expect(parseSizeBytes('1 GiB', 'x')).toBe(1_073_741_824n);
    expect(parseSizeBytes('512', 'x')).toBe(512n);
    expect(parseSizeBytes('unlimited', 'x')).toBe(MAX_TOPIC_SIZE_UNLIMITED);
    expect(() => parseSizeBytes('lots', 'x')).toThrow("x must be a size like 500MB, 10GiB or 'unlimited', got 'lots'");
    expect(formatBytes(1_500_000)).toBe('1.50 MB');
    expect(formatBytes(999)).toBe('999 B');
  });

  it('reads typed headers as key:kind:value, the value keeping its colons', () => {
    expect(parseHeader('url:string:http://x:1')).toEqual({ key: 'url', value: { kind: 2, value: 'http://x:1' } });
    expect(parseHeader('n:u64:18446744073709551615')).toEqual({ key: 'n', value: { kind: 12, value: 18_446_744_073_709_551_615n } });
    expect(parseHeader('f:f64:1.5')).toEqual({ key: 'f', value: { kind: 15, value: 1.5 } });
    expect(parseHeader('b:bool:TRUE')).toEqual({ key: 'b', value: { kind: 3, value: true } });
    const raw = parseHeader('r:raw:0xBEEF').value;
    expect(formatHeaderValue(raw)).toBe('beef');
    expect(() => parseHeader('r:raw:xyz')).toThrow("--header r: a raw header value is hex bytes, got 'xyz'");
    expect(() => parseHeader('i:int8:-129')).toThrow('--header i must be between -128 and 127, got -129');
  });

  it('reads permission lists in snake, kebab or camel case', () => {
    const global = parseGlobalPermissions('read_streams, poll-messages,sendMessages');
    expect(permissionNames(global)).toBe('read_streams,poll_messages,send_messages');
    expect(permissionNames(parseGlobalPermissions('all')).split(',')).toHaveLength(10);
  });

  it('aligns table columns', () => {
    expect(formatTable(['ID', 'NAME'], [[1, 'a'], [10, undefined]])).toBe('ID  NAME\n1   a\n10  -');
  });
});
