/**
 * Where commands write and how values look: the Io sink (stdout/stderr, swappable for the shell and
 * for tests), aligned tables, key/value lists, JSON that survives bigints and Maps, and human forms
 * of timestamps (µs since the epoch), sizes and durations.
 */
import { EXPIRY_NEVER, MAX_TOPIC_SIZE_UNLIMITED } from '@iggy-ts/sdk';

/** The output sink of a command. */
export interface Io {
  /** Writes one line (a newline is added) to stdout. */
  out(line: string): void;
  /** Writes one line to stderr. */
  err(line: string): void;
  /** Writes bytes to stdout as they are. */
  raw(bytes: Uint8Array | string): void;
  /** The stream a progress bar may draw on (only used when it is a TTY). */
  readonly progressStream: NodeJS.WriteStream | undefined;
}

/** stdout and stderr of this process. */
export function processIo(): Io {
  return {
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
    raw: (bytes) => void process.stdout.write(bytes),
    progressStream: process.stderr.isTTY ? process.stderr : undefined,
  };
}

export type OutputFormat = 'text' | 'json' | 'raw';

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function formatTable(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = [headers.map(String), ...rows.map((row) => row.map((cell) => (cell === undefined || cell === null ? '-' : String(cell))))];
  const widths = headers.map((_header, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  return cells.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')).join('\n');
}

/** `key: value` lines with the values aligned. */
export function formatKeyValues(pairs: readonly (readonly [string, unknown])[]): string {
  const width = Math.max(0, ...pairs.map(([key]) => key.length)) + 1;
  return pairs.map(([key, value]) => `${`${key}:`.padEnd(width)} ${value === undefined || value === null ? '-' : String(value)}`).join('\n');
}

/** JSON.stringify replacer: bigints become numbers when exact (strings otherwise), Maps objects, bytes base64. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value !== null && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data)) {
    return Buffer.from((value as { data: number[] }).data).toString('base64');
  }
  return value;
}

/** Pretty JSON of any value the SDK returns. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, jsonReplacer, 2);
}

/** µs since the epoch → `2026-01-31 12:00:00` (UTC); 0 → '-'. */
export function formatTimestampUs(us: number | bigint, withMilliseconds = false): string {
  const ms = Number(us) / 1000;
  if (!Number.isFinite(ms) || ms <= 0) return '-';
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, withMilliseconds ? 23 : 19)}`;
}

/** Bytes in decimal units, as Iggy prints them: "512 B", "1.50 KB", "3.20 MB", "1.00 GB". */
export function formatBytes(bytes: number | bigint): string {
  const value = Number(bytes);
  if (value < 1000) return `${value} B`;
  const units = ['KB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let scaled = value;
  let unit = -1;
  while (scaled >= 1000 && unit < units.length - 1) {
    scaled /= 1000;
    unit += 1;
  }
  return `${scaled.toFixed(2)} ${units[unit]}`;
}

/** µs → "1h 30m", "45s", "250ms"; 0 → "server default"; u64::MAX → "never". */
export function formatDurationUs(us: bigint | number): string {
  const value = BigInt(us);
  if (value === 0n) return 'server default';
  if (value === EXPIRY_NEVER) return 'never';
  const units: readonly [string, bigint][] = [
    ['d', 86_400_000_000n],
    ['h', 3_600_000_000n],
    ['m', 60_000_000n],
    ['s', 1_000_000n],
    ['ms', 1000n],
    ['us', 1n],
  ];
  const parts: string[] = [];
  let rest = value;
  for (const [name, size] of units) {
    if (rest >= size) {
      parts.push(`${rest / size}${name}`);
      rest %= size;
    }
  }
  return parts.join(' ');
}

/** Topic size limit: 0 → "server default", u64::MAX → "unlimited", else bytes. */
export function formatSizeLimit(bytes: bigint): string {
  if (bytes === 0n) return 'server default';
  if (bytes === MAX_TOPIC_SIZE_UNLIMITED) return 'unlimited';
  return formatBytes(bytes);
}
