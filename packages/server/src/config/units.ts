// Human units in configuration values: sizes ("1 GiB", "2 MB", "1024") and durations ("30 s",
// "1 h 30 m", "100"). Parsing is exact: decimals are accepted only where they give a whole number
// of bytes or milliseconds, and every result is a safe integer, so a value never changes by
// rounding between the file, the running server and `formatSize`/`formatDuration`.
//
// The `try*` functions return a reason instead of throwing; the loader composes it into one line
// naming the key and where the value came from. `parseSize`/`parseDuration` throw `ConfigError`.

import { ConfigError } from './errors.js';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
export const TiB = 1024 * GiB;

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
export const WEEK_MS = 7 * DAY_MS;

/** Written as the value of a size that has no limit (`null` in TypeScript). */
export const UNLIMITED = 'unlimited';
/** Written as the value of a duration that never elapses (`null` in TypeScript). */
export const NONE = 'none';

export type UnitParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

// Size units are case-insensitive: "16 mib" = "16 MiB". Decimal prefixes are powers of 1000 (as in
// Iggy's byte-unit parsing: "2 MB" = 2 000 000 bytes), binary prefixes powers of 1024.
const SIZE_UNITS: ReadonlyMap<string, bigint> = new Map([
  ['b', 1n],
  ['byte', 1n],
  ['bytes', 1n],
  ['kb', 1000n],
  ['mb', 1000n ** 2n],
  ['gb', 1000n ** 3n],
  ['tb', 1000n ** 4n],
  ['kib', 1024n],
  ['mib', 1024n ** 2n],
  ['gib', 1024n ** 3n],
  ['tib', 1024n ** 4n],
]);
const SIZE_UNIT_LIST = 'B, KB, MB, GB, TB, KiB, MiB, GiB, TiB';

// Duration units are case-sensitive: in humantime (which Iggy uses) "M" is a month, so accepting
// "5 M" as five minutes would silently change a value written for Iggy. Months and years are not
// accepted at all (their length is a convention, not a fact).
const DURATION_UNITS: ReadonlyMap<string, bigint> = new Map([
  ['ms', 1n],
  ['msec', 1n],
  ['millisecond', 1n],
  ['milliseconds', 1n],
  ['s', 1000n],
  ['sec', 1000n],
  ['secs', 1000n],
  ['second', 1000n],
  ['seconds', 1000n],
  ['m', 60_000n],
  ['min', 60_000n],
  ['mins', 60_000n],
  ['minute', 60_000n],
  ['minutes', 60_000n],
  ['h', 3_600_000n],
  ['hr', 3_600_000n],
  ['hrs', 3_600_000n],
  ['hour', 3_600_000n],
  ['hours', 3_600_000n],
  ['d', 86_400_000n],
  ['day', 86_400_000n],
  ['days', 86_400_000n],
  ['w', 604_800_000n],
  ['week', 604_800_000n],
  ['weeks', 604_800_000n],
]);
const DURATION_UNIT_LIST = 'ms, s, m (or min), h, d (or days), w';

const INTEGER = /^\d+$/;
const NUMBER_WITH_UNIT = /^(\d+(?:\.\d+)?)\s*([A-Za-z]+)$/;
const DURATION_TERM = /(\d+(?:\.\d+)?)\s*([A-Za-z]+)\s*/y;

/** `digits[.fraction]` × `multiplier` as an exact integer, or null if it is not whole. */
function scaleExact(numberText: string, multiplier: bigint): bigint | null {
  const [whole = '0', fraction = ''] = numberText.split('.');
  const scaled = BigInt(whole + fraction) * multiplier;
  const divisor = 10n ** BigInt(fraction.length);
  return scaled % divisor === 0n ? scaled / divisor : null;
}

function toSafeNumber(value: bigint): number | null {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : null;
}

export interface SizeParseOptions {
  /** Accept "unlimited" (result `null`). */
  readonly unlimited?: boolean;
}

/** Parses a size: a number of bytes (number or digit string) or "<number> <unit>". */
export function trySize(input: unknown, options: SizeParseOptions = {}): UnitParseResult<number | null> {
  const expected =
    `must be a size such as "16 MiB" or a whole number of bytes (units: ${SIZE_UNIT_LIST})` +
    (options.unlimited ? ` or "${UNLIMITED}"` : '');
  if (typeof input === 'number') {
    if (Number.isSafeInteger(input) && input >= 0) return { ok: true, value: input };
    return { ok: false, reason: expected };
  }
  if (typeof input !== 'string') return { ok: false, reason: expected };
  const text = input.trim();
  if (text.toLowerCase() === UNLIMITED) {
    return options.unlimited ? { ok: true, value: null } : { ok: false, reason: `cannot be "${UNLIMITED}" here; ${expected}` };
  }
  let bytes: bigint | null;
  if (INTEGER.test(text)) {
    bytes = BigInt(text);
  } else {
    const match = NUMBER_WITH_UNIT.exec(text);
    if (match === null) return { ok: false, reason: expected };
    const multiplier = SIZE_UNITS.get(match[2]!.toLowerCase());
    if (multiplier === undefined) return { ok: false, reason: `has an unknown size unit "${match[2]}" (units: ${SIZE_UNIT_LIST})` };
    bytes = scaleExact(match[1]!, multiplier);
    if (bytes === null) return { ok: false, reason: 'is not a whole number of bytes' };
  }
  const value = toSafeNumber(bytes);
  if (value === null) return { ok: false, reason: 'is too large' };
  return { ok: true, value };
}

export interface DurationParseOptions {
  /** Accept "none", "unlimited" or "never" (result `null`: never elapses). */
  readonly none?: boolean;
}

/**
 * Parses a duration: a number of milliseconds (number or digit string) or one or more
 * "<number> <unit>" terms added together ("1 h 30 m").
 */
export function tryDuration(input: unknown, options: DurationParseOptions = {}): UnitParseResult<number | null> {
  const expected =
    `must be a duration such as "30 s" or a whole number of milliseconds (units: ${DURATION_UNIT_LIST})` +
    (options.none ? ` or "${NONE}"` : '');
  if (typeof input === 'number') {
    if (Number.isSafeInteger(input) && input >= 0) return { ok: true, value: input };
    return { ok: false, reason: expected };
  }
  if (typeof input !== 'string') return { ok: false, reason: expected };
  const text = input.trim();
  const lower = text.toLowerCase();
  if (lower === NONE || lower === UNLIMITED || lower === 'never') {
    return options.none ? { ok: true, value: null } : { ok: false, reason: `cannot be "${text}" here; ${expected}` };
  }
  let totalMs: bigint;
  if (INTEGER.test(text)) {
    totalMs = BigInt(text);
  } else {
    if (text === '') return { ok: false, reason: expected };
    totalMs = 0n;
    DURATION_TERM.lastIndex = 0;
    while (DURATION_TERM.lastIndex < text.length) {
      const match = DURATION_TERM.exec(text);
      if (match === null) return { ok: false, reason: expected };
      const multiplier = DURATION_UNITS.get(match[2]!);
      if (multiplier === undefined) {
        return { ok: false, reason: `has an unknown duration unit "${match[2]}" (units: ${DURATION_UNIT_LIST})` };
      }
      const termMs = scaleExact(match[1]!, multiplier);
      if (termMs === null) return { ok: false, reason: 'is not a whole number of milliseconds' };
      totalMs += termMs;
    }
  }
  const value = toSafeNumber(totalMs);
  if (value === null) return { ok: false, reason: 'is too large' };
  return { ok: true, value };
}

function describe(key: string | undefined, input: unknown): string {
  return `${key ?? 'value'} = ${JSON.stringify(input) ?? String(input)}`;
}

/** Parses a size or throws `ConfigError` naming `key`. */
export function parseSize(input: string | number, options: SizeParseOptions & { readonly key?: string; readonly unlimited: true }): number | null;
export function parseSize(input: string | number, options?: SizeParseOptions & { readonly key?: string; readonly unlimited?: false }): number;
export function parseSize(input: string | number, options: SizeParseOptions & { readonly key?: string } = {}): number | null {
  const result = trySize(input, options);
  if (!result.ok) throw new ConfigError([`${describe(options.key, input)} ${result.reason}`]);
  return result.value;
}

/** Parses a duration in milliseconds or throws `ConfigError` naming `key`. */
export function parseDuration(input: string | number, options: DurationParseOptions & { readonly key?: string; readonly none: true }): number | null;
export function parseDuration(input: string | number, options?: DurationParseOptions & { readonly key?: string; readonly none?: false }): number;
export function parseDuration(input: string | number, options: DurationParseOptions & { readonly key?: string } = {}): number | null {
  const result = tryDuration(input, options);
  if (!result.ok) throw new ConfigError([`${describe(options.key, input)} ${result.reason}`]);
  return result.value;
}

const SIZE_FORMATS: readonly (readonly [string, number])[] = [
  ['TiB', TiB],
  ['GiB', GiB],
  ['MiB', MiB],
  ['KiB', KiB],
  ['TB', 1e12],
  ['GB', 1e9],
  ['MB', 1e6],
  ['KB', 1e3],
];

/**
 * Formats bytes with the unit that gives the smallest whole number ("1 GiB", "2 MB", "1000 KiB"),
 * binary units winning ties; `null` is "unlimited". `parseSize(formatSize(x)) === x` for every
 * safe non-negative integer.
 */
export function formatSize(bytes: number | null): string {
  if (bytes === null) return UNLIMITED;
  let best = `${bytes} B`;
  let bestCount = bytes;
  for (const [unit, multiplier] of SIZE_FORMATS) {
    if (bytes === 0 || bytes % multiplier !== 0) continue;
    const count = bytes / multiplier;
    if (count < bestCount) {
      best = `${count} ${unit}`;
      bestCount = count;
    }
  }
  return best;
}

const DURATION_FORMATS: readonly (readonly [string, number])[] = [
  ['d', DAY_MS],
  ['h', HOUR_MS],
  ['m', MINUTE_MS],
  ['s', SECOND_MS],
];

/**
 * Formats milliseconds with the largest unit that divides them ("1 m", "90 s", "1500 ms");
 * `null` is "none". `parseDuration(formatDuration(x)) === x`.
 */
export function formatDuration(ms: number | null): string {
  if (ms === null) return NONE;
  if (ms !== 0) {
    for (const [unit, multiplier] of DURATION_FORMATS) {
      if (ms % multiplier === 0) return `${ms / multiplier} ${unit}`;
    }
  }
  return `${ms} ms`;
}
