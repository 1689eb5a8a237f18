import { describe, expect, it } from 'vitest';
import { UnitError, formatSize, parseDurationMs, parseRateBytesPerSecond, parseSizeBytes } from './units.js';

describe('units', () => {
  it('reads decimal and binary sizes', () => {
    expect(parseSizeBytes('10 GB')).toBe(10_000_000_000);
    expect(parseSizeBytes('1GiB')).toBe(1024 ** 3);
    expect(parseSizeBytes('1.5 kb')).toBe(1500);
    expect(parseSizeBytes('512')).toBe(512);
  });

  it('reads durations with a bare number as seconds', () => {
    expect(parseDurationMs('30 s')).toBe(30_000);
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('2 min')).toBe(120_000);
    expect(parseDurationMs('3')).toBe(3000);
  });

  it('reads rates', () => {
    expect(parseRateBytesPerSecond('500 MB/s')).toBe(500_000_000);
    expect(parseRateBytesPerSecond('1 GiB/s')).toBe(1024 ** 3);
  });

  it('rejects unknown units and malformed values', () => {
    expect(() => parseSizeBytes('10 GX')).toThrow(UnitError);
    expect(() => parseDurationMs('soon')).toThrow(UnitError);
    expect(() => parseRateBytesPerSecond('500 MB')).toThrow(UnitError);
  });

  it('formats sizes with three significant digits', () => {
    expect(formatSize(1_234_567)).toBe('1.23 MB');
    expect(formatSize(999)).toBe('999 B');
  });
});
