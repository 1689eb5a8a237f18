import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { formatDuration, formatSize, GiB, KiB, MiB, parseDuration, parseSize, trySize, tryDuration } from './units.js';

describe('sizes', () => {
  it('parses binary and decimal units, any case, with or without a space', () => {
    expect(parseSize('1 GiB')).toBe(GiB);
    expect(parseSize('16 MiB')).toBe(16 * MiB);
    expect(parseSize('16mib')).toBe(16 * MiB);
    expect(parseSize('4 KiB')).toBe(4 * KiB);
    expect(parseSize('2 MB')).toBe(2_000_000);
    expect(parseSize('1 kb')).toBe(1000);
    expect(parseSize('3 GB')).toBe(3_000_000_000);
    expect(parseSize('1 TiB')).toBe(1024 * GiB);
    expect(parseSize('1024 B')).toBe(1024);
    expect(parseSize('7 bytes')).toBe(7);
  });

  it('reads plain numbers and digit strings as bytes', () => {
    expect(parseSize(1024)).toBe(1024);
    expect(parseSize('1024')).toBe(1024);
    expect(parseSize(' 0 ')).toBe(0);
  });

  it('accepts decimals only when they give a whole number of bytes', () => {
    expect(parseSize('1.5 KiB')).toBe(1536);
    expect(parseSize('0.5 MB')).toBe(500_000);
    expect(trySize('1.5 B')).toEqual({ ok: false, reason: 'is not a whole number of bytes' });
  });

  it('accepts "unlimited" only where allowed', () => {
    expect(parseSize('unlimited', { unlimited: true })).toBeNull();
    expect(parseSize('Unlimited', { unlimited: true })).toBeNull();
    const result = trySize('unlimited');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^cannot be "unlimited" here/);
  });

  it('rejects unknown units, negative numbers, fractions of numbers and other types', () => {
    expect(trySize('5 GiBs')).toEqual({ ok: false, reason: expect.stringContaining('unknown size unit "GiBs"') });
    expect(trySize('16M')).toEqual({ ok: false, reason: expect.stringContaining('unknown size unit "M"') });
    expect(trySize('-1').ok).toBe(false);
    expect(trySize(-1).ok).toBe(false);
    expect(trySize(1.5).ok).toBe(false);
    expect(trySize('GiB').ok).toBe(false);
    expect(trySize('').ok).toBe(false);
    expect(trySize(true).ok).toBe(false);
    expect(trySize('99999999 TiB')).toEqual({ ok: false, reason: 'is too large' });
  });

  it('throws a ConfigError naming the key', () => {
    expect(() => parseSize('lots', { key: 'segment.size' })).toThrow(ConfigError);
    expect(() => parseSize('lots', { key: 'segment.size' })).toThrow(/^config: segment\.size = "lots" must be a size such as "16 MiB"/);
  });

  it('formats with the unit giving the smallest whole number', () => {
    expect(formatSize(GiB)).toBe('1 GiB');
    expect(formatSize(16 * MiB)).toBe('16 MiB');
    expect(formatSize(2_000_000)).toBe('2 MB');
    expect(formatSize(1000)).toBe('1 KB');
    expect(formatSize(1024)).toBe('1 KiB');
    expect(formatSize(10_240_000)).toBe('10000 KiB');
    expect(formatSize(1_500_000)).toBe('1500 KB');
    expect(formatSize(1023)).toBe('1023 B');
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(null)).toBe('unlimited');
  });

  it('formats every size so that it parses back to the same number of bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.nat(), fc.integer({ min: 0, max: 4096 }).map((n) => n * MiB), fc.integer({ min: 0, max: 100 }).map((n) => n * 1e6)), (bytes) => {
        expect(parseSize(formatSize(bytes))).toBe(bytes);
      }),
    );
  });
});

describe('durations', () => {
  it('parses the units Iggy configs use', () => {
    expect(parseDuration('30 s')).toBe(30_000);
    expect(parseDuration('1 m')).toBe(60_000);
    expect(parseDuration('5 min')).toBe(300_000);
    expect(parseDuration('100 ms')).toBe(100);
    expect(parseDuration('1 h')).toBe(3_600_000);
    expect(parseDuration('2 days')).toBe(172_800_000);
    expect(parseDuration('1 w')).toBe(604_800_000);
    expect(parseDuration('10s')).toBe(10_000);
  });

  it('adds up several terms', () => {
    expect(parseDuration('1 h 30 m')).toBe(5_400_000);
    expect(parseDuration('1h30m15s')).toBe(5_415_000);
  });

  it('reads plain numbers and digit strings as milliseconds', () => {
    expect(parseDuration(250)).toBe(250);
    expect(parseDuration('250')).toBe(250);
  });

  it('accepts decimals only when they give a whole number of milliseconds', () => {
    expect(parseDuration('1.5 s')).toBe(1500);
    expect(tryDuration('1.5 ms')).toEqual({ ok: false, reason: 'is not a whole number of milliseconds' });
  });

  it('accepts "none", "unlimited" and "never" only where allowed', () => {
    expect(parseDuration('none', { none: true })).toBeNull();
    expect(parseDuration('unlimited', { none: true })).toBeNull();
    expect(parseDuration('never', { none: true })).toBeNull();
    const result = tryDuration('none');
    expect(!result.ok && result.reason).toMatch(/^cannot be "none" here/);
  });

  it('rejects unknown or wrongly cased units and malformed text', () => {
    expect(tryDuration('5 M')).toEqual({ ok: false, reason: expect.stringContaining('unknown duration unit "M"') });
    expect(tryDuration('1 month')).toEqual({ ok: false, reason: expect.stringContaining('unknown duration unit "month"') });
    expect(tryDuration('1 h and 5 m').ok).toBe(false);
    expect(tryDuration('s').ok).toBe(false);
    expect(tryDuration('').ok).toBe(false);
    expect(tryDuration(-5).ok).toBe(false);
    expect(tryDuration(null).ok).toBe(false);
  });

  it('throws a ConfigError naming the key', () => {
    expect(() => parseDuration('soon', { key: 'durability.flush_interval' })).toThrow(
      /^config: durability\.flush_interval = "soon" must be a duration such as "30 s"/,
    );
  });

  it('formats with the largest unit that divides exactly', () => {
    expect(formatDuration(60_000)).toBe('1 m');
    expect(formatDuration(30_000)).toBe('30 s');
    expect(formatDuration(90_000)).toBe('90 s');
    expect(formatDuration(3_600_000)).toBe('1 h');
    expect(formatDuration(172_800_000)).toBe('2 d');
    expect(formatDuration(1500)).toBe('1500 ms');
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatDuration(null)).toBe('none');
  });

  it('formats every duration so that it parses back to the same number of milliseconds', () => {
    fc.assert(
      fc.property(fc.oneof(fc.nat(), fc.integer({ min: 0, max: 10_000 }).map((n) => n * 1000), fc.integer({ min: 0, max: 1000 }).map((n) => n * 3_600_000)), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });
});
