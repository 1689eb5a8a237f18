/**
 * Parsers for the values typed on the command line: identifiers (a string of digits is a numeric
 * id, anything else a name, like Iggy's CLI), integers with ranges, durations ("1h 30m", "never"),
 * sizes ("10 GB", "unlimited"), user headers (`key:kind:value`) and permission lists.
 * Every parser throws a UsageError naming the option and the bad value.
 */
import {
  EXPIRY_NEVER,
  EXPIRY_SERVER_DEFAULT,
  type GlobalPermissions,
  type HeaderField,
  MAX_TOPIC_SIZE_SERVER_DEFAULT,
  MAX_TOPIC_SIZE_UNLIMITED,
  type StreamPermissions,
  type TopicPermissions,
  type Identifier,
  headerField,
} from '@iggy-ts/sdk';
import { UsageError } from './errors.js';

const U32_MAX = 0xffff_ffff;

/** A numeric id when `text` is all digits (and fits u32), otherwise a name. */
export function parseIdentifier(text: string, what: string): Identifier {
  if (text.length === 0) throw new UsageError(`${what} must not be empty`);
  if (/^\d+$/.test(text)) {
    const id = Number(text);
    if (id > U32_MAX) throw new UsageError(`${what} id ${text} is out of range (0..${U32_MAX})`);
    return id;
  }
  return text;
}

/** A whole number in [min, max]; `what` names the option in the error ("--count"). */
export function parseInteger(text: string, what: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const trimmed = text.trim();
  if (!/^-?\d+$/.test(trimmed)) throw new UsageError(`${what} must be a whole number, got '${text}'`);
  const value = Number(trimmed);
  if (value < min || value > max) throw new UsageError(`${what} must be between ${min} and ${max}, got ${text}`);
  return value;
}

const DURATION_UNITS_US: Readonly<Record<string, bigint>> = {
  us: 1n,
  µs: 1n,
  ms: 1000n,
  s: 1_000_000n,
  sec: 1_000_000n,
  m: 60_000_000n,
  min: 60_000_000n,
  h: 3_600_000_000n,
  hour: 3_600_000_000n,
  hours: 3_600_000_000n,
  d: 86_400_000_000n,
  day: 86_400_000_000n,
  days: 86_400_000_000n,
  w: 604_800_000_000n,
};

/**
 * A duration in µs: "90s", "1h 30m", "2d", a bare number of seconds, or the words "never"/"unlimited"
 * (u64::MAX) and "default"/"server_default" (0).
 */
export function parseDurationUs(text: string, what: string): bigint {
  const lower = text.trim().toLowerCase();
  if (lower === 'never' || lower === 'unlimited' || lower === 'none') return EXPIRY_NEVER;
  if (lower === 'default' || lower === 'server_default' || lower === 'server-default') return EXPIRY_SERVER_DEFAULT;
  if (/^\d+$/.test(lower)) return BigInt(lower) * 1_000_000n;
  const part = /(\d+)\s*([a-zµ]+)\s*/gy;
  let total = 0n;
  let consumed = 0;
  for (let match = part.exec(lower); match !== null; match = part.exec(lower)) {
    const unit = DURATION_UNITS_US[match[2]!];
    if (unit === undefined) throw new UsageError(`${what}: unknown time unit '${match[2]}' in '${text}' (use ms, s, m, h, d, w)`);
    total += BigInt(match[1]!) * unit;
    consumed = part.lastIndex;
  }
  if (consumed !== lower.length || lower.length === 0) throw new UsageError(`${what} must be a duration like 30s, 15m, 1h 30m, 7d or 'never', got '${text}'`);
  return total;
}

const SIZE_UNITS: Readonly<Record<string, bigint>> = {
  b: 1n,
  kb: 1000n,
  mb: 1000n ** 2n,
  gb: 1000n ** 3n,
  tb: 1000n ** 4n,
  kib: 1024n,
  mib: 1024n ** 2n,
  gib: 1024n ** 3n,
  tib: 1024n ** 4n,
};

/** A size in bytes: "500 MB", "10GiB", a bare number of bytes, "unlimited" (u64::MAX) or "default" (0). */
export function parseSizeBytes(text: string, what: string): bigint {
  const lower = text.trim().toLowerCase();
  if (lower === 'unlimited' || lower === 'none') return MAX_TOPIC_SIZE_UNLIMITED;
  if (lower === 'default' || lower === 'server_default' || lower === 'server-default') return MAX_TOPIC_SIZE_SERVER_DEFAULT;
  const match = /^(\d+)\s*([a-z]*)$/.exec(lower);
  const unit = match === null ? undefined : SIZE_UNITS[match[2] === '' ? 'b' : match[2]!];
  if (match === null || unit === undefined) throw new UsageError(`${what} must be a size like 500MB, 10GiB or 'unlimited', got '${text}'`);
  return BigInt(match[1]!) * unit;
}

/** Header kinds by the names accepted in `--header key:kind:value` (Iggy's names plus short forms). */
const HEADER_KINDS: Readonly<Record<string, (value: string, what: string) => HeaderField>> = {
  raw: (value, what) => {
    const hex = value.startsWith('0x') ? value.slice(2) : value;
    if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-f]+$/i.test(hex)) throw new UsageError(`${what}: a raw header value is hex bytes, got '${value}'`);
    return headerField.raw(Buffer.from(hex, 'hex'));
  },
  string: (value) => headerField.string(value),
  bool: (value, what) => {
    const lower = value.toLowerCase();
    if (lower !== 'true' && lower !== 'false') throw new UsageError(`${what}: a bool header value is true or false, got '${value}'`);
    return headerField.bool(lower === 'true');
  },
  int8: (value, what) => headerField.int8(parseInteger(value, what, -0x80, 0x7f)),
  int16: (value, what) => headerField.int16(parseInteger(value, what, -0x8000, 0x7fff)),
  int32: (value, what) => headerField.int32(parseInteger(value, what, -0x8000_0000, 0x7fff_ffff)),
  int64: (value, what) => headerField.int64(parseBigInt(value, what, -(1n << 63n), (1n << 63n) - 1n)),
  int128: (value, what) => headerField.int128(parseBigInt(value, what, -(1n << 127n), (1n << 127n) - 1n)),
  uint8: (value, what) => headerField.uint8(parseInteger(value, what, 0, 0xff)),
  uint16: (value, what) => headerField.uint16(parseInteger(value, what, 0, 0xffff)),
  uint32: (value, what) => headerField.uint32(parseInteger(value, what, 0, U32_MAX)),
  uint64: (value, what) => headerField.uint64(parseBigInt(value, what, 0n, (1n << 64n) - 1n)),
  uint128: (value, what) => headerField.uint128(parseBigInt(value, what, 0n, (1n << 128n) - 1n)),
  float32: (value, what) => headerField.float32(parseFloatValue(value, what)),
  float64: (value, what) => headerField.float64(parseFloatValue(value, what)),
};

const HEADER_KIND_ALIASES: Readonly<Record<string, string>> = {
  str: 'string',
  boolean: 'bool',
  bytes: 'raw',
  i8: 'int8',
  i16: 'int16',
  i32: 'int32',
  i64: 'int64',
  i128: 'int128',
  u8: 'uint8',
  u16: 'uint16',
  u32: 'uint32',
  u64: 'uint64',
  u128: 'uint128',
  f32: 'float32',
  f64: 'float64',
};

/** Header kind names by wire kind (1..15), for printing headers back in the `key:kind:value` form. */
export const HEADER_KIND_NAMES: readonly string[] = ['', 'raw', 'string', 'bool', 'int8', 'int16', 'int32', 'int64', 'int128', 'uint8', 'uint16', 'uint32', 'uint64', 'uint128', 'float32', 'float64'];

function parseBigInt(text: string, what: string, min: bigint, max: bigint): bigint {
  if (!/^-?\d+$/.test(text.trim())) throw new UsageError(`${what} must be a whole number, got '${text}'`);
  const value = BigInt(text.trim());
  if (value < min || value > max) throw new UsageError(`${what} must be between ${min} and ${max}, got ${text}`);
  return value;
}

function parseFloatValue(text: string, what: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`${what} must be a number, got '${text}'`);
  return value;
}

/** `key:kind:value` (the value may contain ':') → a header name and its typed value. */
export function parseHeader(text: string): { key: string; value: HeaderField } {
  const first = text.indexOf(':');
  const second = first < 0 ? -1 : text.indexOf(':', first + 1);
  if (first <= 0 || second < 0) throw new UsageError(`--header must be key:kind:value (e.g. source:string:cli), got '${text}'`);
  const key = text.slice(0, first);
  const kindName = text.slice(first + 1, second).toLowerCase();
  const value = text.slice(second + 1);
  const kind = HEADER_KIND_ALIASES[kindName] ?? kindName;
  const build = HEADER_KINDS[kind];
  if (build === undefined) throw new UsageError(`--header '${text}': unknown kind '${kindName}' (use ${Object.keys(HEADER_KINDS).join(', ')})`);
  return { key, value: build(value, `--header ${key}`) };
}

/** A header value as text, the way `--header` takes it (raw bytes as hex). */
export function formatHeaderValue(field: HeaderField): string {
  if (field.kind === 1) return Buffer.from(field.value).toString('hex');
  return String(field.value);
}

// ---------------------------------------------------------------------------------------------
// Permissions: comma-separated snake_case names (kebab-case and camelCase accepted), or "all".

const GLOBAL_PERMISSION_KEYS = [
  'manageServers',
  'readServers',
  'manageUsers',
  'readUsers',
  'manageStreams',
  'readStreams',
  'manageTopics',
  'readTopics',
  'pollMessages',
  'sendMessages',
] as const satisfies readonly (keyof GlobalPermissions)[];
const STREAM_PERMISSION_KEYS = ['manageStream', 'readStream', 'manageTopics', 'readTopics', 'pollMessages', 'sendMessages'] as const satisfies readonly (keyof StreamPermissions)[];
const TOPIC_PERMISSION_KEYS = ['manageTopic', 'readTopic', 'pollMessages', 'sendMessages'] as const satisfies readonly (keyof TopicPermissions)[];

/** camelCase → snake_case, for messages and listings. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}


function parseFlags<K extends string>(text: string, keys: readonly K[], what: string): Record<K, boolean> {
  const flags = noFlags(keys);
  const names = text.split(',').map((name) => name.trim()).filter((name) => name.length > 0);
  if (names.length === 0) throw new UsageError(`${what}: no permissions given (use ${keys.map(snakeCase).join(', ')} or all)`);
  for (const name of names) {
    if (name.toLowerCase() === 'all') {
      for (const key of keys) flags[key] = true;
      continue;
    }
    const wanted = name.replace(/[-_]/g, '').toLowerCase();
    const key = keys.find((candidate) => candidate.toLowerCase() === wanted);
    if (key === undefined) throw new UsageError(`${what}: unknown permission '${name}' (use ${keys.map(snakeCase).join(', ')} or all)`);
    flags[key] = true;
  }
  return flags;
}

function noFlags<K extends string>(keys: readonly K[]): Record<K, boolean> {
  return Object.fromEntries(keys.map((key) => [key, false])) as Record<K, boolean>;
}

/** Every global flag false. */
export function noGlobalPermissions(): GlobalPermissions {
  return noFlags(GLOBAL_PERMISSION_KEYS);
}

/** Every stream-level flag false (no topics). */
export function noStreamPermissionFlags(): Omit<StreamPermissions, 'topics'> {
  return noFlags(STREAM_PERMISSION_KEYS);
}

export function parseGlobalPermissions(text: string): GlobalPermissions {
  return parseFlags(text, GLOBAL_PERMISSION_KEYS, '--global');
}

export function parseStreamPermissionFlags(text: string, what: string): Omit<StreamPermissions, 'topics'> {
  return parseFlags(text, STREAM_PERMISSION_KEYS, what);
}

export function parseTopicPermissions(text: string, what: string): TopicPermissions {
  return parseFlags(text, TOPIC_PERMISSION_KEYS, what);
}

/** The names of the flags that are set, in snake_case ("-" when none). */
export function permissionNames(flags: object): string {
  const names = Object.entries(flags)
    .filter(([, value]) => value === true)
    .map(([key]) => snakeCase(key));
  return names.length === 0 ? '-' : names.join(',');
}
