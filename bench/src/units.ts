/**
 * Human units on the command line and in reports: sizes ("10 GB", "1 GiB"), durations ("30 s",
 * "500 ms") and rates ("500 MB/s"). Decimal prefixes are powers of 1000 and binary ones (KiB, MiB,
 * GiB) powers of 1024, as in Iggy's bench; throughput is reported in MB/s = 10^6 bytes per second.
 */

const SIZE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

const DURATION_UNITS_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
};

/** A value that cannot be read as the unit asked for. */
export class UnitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnitError';
  }
}

function splitNumberAndUnit(text: string, what: string): [number, string] {
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (match === null) throw new UnitError(`${JSON.stringify(text)} is not a ${what}`);
  return [Number(match[1]), match[2]!.toLowerCase()];
}

/** "10 GB" → 10 000 000 000; "1 GiB" → 1 073 741 824; a bare number is bytes. */
export function parseSizeBytes(text: string): number {
  const [value, unit] = splitNumberAndUnit(text, 'size (e.g. "10 GB", "512 MiB")');
  const factor = SIZE_UNITS[unit === '' ? 'b' : unit];
  if (factor === undefined) throw new UnitError(`unknown size unit ${JSON.stringify(unit)} in ${JSON.stringify(text)} (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)`);
  return Math.round(value * factor);
}

/** "30 s" → 30 000; "500 ms" → 500; "2 min" → 120 000; a bare number is seconds. */
export function parseDurationMs(text: string): number {
  const [value, unit] = splitNumberAndUnit(text, 'duration (e.g. "30 s", "500 ms")');
  const factor = DURATION_UNITS_MS[unit === '' ? 's' : unit];
  if (factor === undefined) throw new UnitError(`unknown duration unit ${JSON.stringify(unit)} in ${JSON.stringify(text)} (ms, s, min, h)`);
  return Math.round(value * factor);
}

/** "500 MB/s" → 500 000 000 bytes per second. */
export function parseRateBytesPerSecond(text: string): number {
  const match = /^(.*?)\s*\/\s*s(?:ec)?\s*$/i.exec(text);
  if (match === null) throw new UnitError(`${JSON.stringify(text)} is not a rate (e.g. "500 MB/s")`);
  return parseSizeBytes(match[1]!);
}

/** 1234567 → "1,234,567". */
export function formatInteger(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** Bytes as a decimal size with three significant digits: 1.23 GB, 456 MB. */
export function formatSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${formatSignificant(value)} ${units[unit]}`;
}

/** Bytes in binary units (for memory): 123.4 MiB. */
export function formatBinarySize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** Three significant digits, no exponent: 0.0123, 1.23, 12.3, 123, 1234. */
export function formatSignificant(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return Math.round(value).toString();
  if (magnitude >= 10) return value.toFixed(1);
  if (magnitude >= 1) return value.toFixed(2);
  if (magnitude === 0) return '0';
  return value.toPrecision(3);
}

/** Milliseconds for a latency column: 0.123, 1.23, 12.3, 123. */
export function formatMs(value: number): string {
  return formatSignificant(value);
}

/** A duration in ms as "2.5 s", "850 ms", "3 min 20 s". */
export function formatDurationMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${formatSignificant(ms / 1000)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms - minutes * 60_000) / 1000)} s`;
}
