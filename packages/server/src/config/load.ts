// Loads the server configuration in layers, each overriding the one before:
//   1. built-in defaults (`DEFAULT_SERVER_CONFIG`),
//   2. the config file (`path` option, else IGGY_CONFIG_PATH; TOML or JSON by extension),
//   3. environment variables IGGY_<SECTION>_<KEY> (names in `CONFIG_FIELDS`),
//   4. programmatic overrides (camelCase, already in base units: bytes, milliseconds).
// Then it checks every final value against its range and the values against each other. Every
// problem found on the way is collected, and one `ConfigError` lists them all; the returned
// config is deeply frozen.

import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { addressesOverlap, tryListenAddress } from './address.js';
import { ConfigError } from './errors.js';
import {
  CONFIG_FIELDS,
  CONFIG_SECTIONS,
  DEFAULT_SERVER_CONFIG,
  deepFreeze,
  findConfigField,
  getConfigValue,
  type ConfigField,
  type FieldType,
  type ServerConfig,
  type ServerConfigOverrides,
  type TlsConfig,
} from './schema.js';
import { formatDuration, formatSize, tryDuration, trySize } from './units.js';

/** Environment variable naming the config file when no `path` is given. */
export const CONFIG_PATH_ENV = 'IGGY_CONFIG_PATH';

export type Environment = Readonly<Record<string, string | undefined>>;

export interface LoadConfigOptions {
  /** Config file (.toml or .json); default: $IGGY_CONFIG_PATH; neither: defaults only. */
  readonly path?: string | undefined;
  /** Environment read for IGGY_* overrides; default `process.env`. */
  readonly env?: Environment | undefined;
  /** Applied last; values in base units (bytes, milliseconds), `null` = unlimited / never / unset. */
  readonly overrides?: ServerConfigOverrides | undefined;
}

type Source =
  | { readonly kind: 'default' }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'env'; readonly name: string }
  | { readonly kind: 'overrides' };

/** One config value with where it came from and how it was written there (for messages). */
interface Slot {
  value: unknown;
  source: Source;
  raw: unknown;
}

type Parsed = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string };

const FILE_SECTION_KEYS: ReadonlySet<string> = new Set(CONFIG_SECTIONS.map((section) => section.key));
const FIELDS_BY_PATH: ReadonlyMap<string, ConfigField> = new Map(CONFIG_FIELDS.map((field) => [field.path, field]));
const OVERRIDE_SECTION_PATHS: ReadonlySet<string> = new Set(
  CONFIG_FIELDS.flatMap((field) => {
    const parts = field.path.split('.');
    return parts.slice(1).map((_, index) => parts.slice(0, index + 1).join('.'));
  }),
);

/** The config file `loadConfig` would read: `path`, else $IGGY_CONFIG_PATH, else null. */
export function resolveConfigPath(options: Pick<LoadConfigOptions, 'path' | 'env'> = {}): string | null {
  if (options.path !== undefined && options.path !== '') return options.path;
  const fromEnv = (options.env ?? process.env)[CONFIG_PATH_ENV];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : null;
}

/** Builds the server configuration from defaults, file, environment and overrides; see the header. */
export function loadConfig(options: LoadConfigOptions = {}): ServerConfig {
  const env = options.env ?? process.env;
  const problems: string[] = [];
  const slots = new Map<string, Slot>();
  for (const field of CONFIG_FIELDS) {
    const value = getConfigValue(DEFAULT_SERVER_CONFIG, field.path);
    slots.set(field.path, { value, source: { kind: 'default' }, raw: value });
  }

  const filePath = resolveConfigPath({ path: options.path, env });
  if (filePath !== null) {
    const document = readConfigDocument(filePath, problems);
    if (document !== null) applyFileTable(document, '', filePath, slots, problems);
  }
  applyEnvironment(env, slots, problems);
  if (options.overrides !== undefined) applyOverrides(options.overrides, '', slots, problems);

  for (const field of CONFIG_FIELDS) {
    const slot = slots.get(field.path)!;
    const reason = checkRange(field.type, slot.value);
    if (reason !== null) problems.push(describeProblem(field, slot, reason));
  }
  const config = buildConfig(slots);
  if (problems.length === 0) checkCombinations(config, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

/** Parses a config file into a plain object, or records why it cannot and returns null. */
function readConfigDocument(filePath: string, problems: string[]): Record<string, unknown> | null {
  const extension = extname(filePath).toLowerCase();
  if (extension !== '.toml' && extension !== '.json') {
    problems.push(`cannot tell the format of ${filePath}: name it *.toml or *.json`);
    return null;
  }
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch (error) {
    problems.push(`cannot read ${filePath}: ${(error as Error).message}`);
    return null;
  }
  let document: unknown;
  try {
    document = extension === '.toml' ? parseToml(text, { unsafeKeyBehaviour: 'throw' }) : JSON.parse(text);
  } catch (error) {
    if (error instanceof TomlError) {
      const what = error.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
      problems.push(`cannot parse ${filePath}: ${what} at line ${error.line}, column ${error.column}`);
    } else {
      problems.push(`cannot parse ${filePath}: ${(error as Error).message}`);
    }
    return null;
  }
  if (!isTable(document)) {
    problems.push(`cannot use ${filePath}: the top level must be an object of sections`);
    return null;
  }
  return document;
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function applyFileTable(
  table: Record<string, unknown>,
  prefix: string,
  filePath: string,
  slots: Map<string, Slot>,
  problems: string[],
): void {
  const source: Source = { kind: 'file', path: filePath };
  for (const [name, raw] of Object.entries(table)) {
    const key = prefix === '' ? name : `${prefix}.${name}`;
    const field = findConfigField(key);
    if (field !== undefined) {
      const parsed = parseFileValue(field.type, raw);
      const slot: Slot = { value: parsed.ok ? parsed.value : undefined, source, raw };
      if (parsed.ok) slots.set(field.path, slot);
      else problems.push(describeProblem(field, slot, parsed.reason));
    } else if (FILE_SECTION_KEYS.has(key)) {
      if (isTable(raw)) applyFileTable(raw, key, filePath, slots, problems);
      else problems.push(`${key} = ${display(raw)} must be a section (a table of keys) (in ${filePath})`);
    } else {
      problems.push(`unknown key ${key}${suggestion(key, fileKeyCandidates())} (in ${filePath})`);
    }
  }
}

function applyEnvironment(env: Environment, slots: Map<string, Slot>, problems: string[]): void {
  for (const field of CONFIG_FIELDS) {
    const text = env[field.envVar];
    if (text === undefined) continue;
    const parsed = parseEnvValue(field.type, text);
    const slot: Slot = { value: parsed.ok ? parsed.value : undefined, source: { kind: 'env', name: field.envVar }, raw: text };
    if (parsed.ok) slots.set(field.path, slot);
    else problems.push(describeProblem(field, slot, parsed.reason));
  }
}

function applyOverrides(overrides: object, prefix: string, slots: Map<string, Slot>, problems: string[]): void {
  for (const [name, raw] of Object.entries(overrides)) {
    if (raw === undefined) continue;
    const path = prefix === '' ? name : `${prefix}.${name}`;
    const field = FIELDS_BY_PATH.get(path);
    if (field !== undefined) {
      const parsed = parseOverrideValue(field.type, raw);
      const slot: Slot = { value: parsed.ok ? parsed.value : undefined, source: { kind: 'overrides' }, raw };
      if (parsed.ok) slots.set(field.path, slot);
      else problems.push(describeProblem(field, slot, parsed.reason));
    } else if (OVERRIDE_SECTION_PATHS.has(path)) {
      if (isTable(raw)) applyOverrides(raw, path, slots, problems);
      else problems.push(`${path} = ${display(raw)} must be an object (from overrides)`);
    } else {
      problems.push(`unknown key ${path}${suggestion(path, [...FIELDS_BY_PATH.keys(), ...OVERRIDE_SECTION_PATHS])} (from overrides)`);
    }
  }
}

const BOOLEAN_EXPECTED = 'must be a boolean (true or false)';
const INTEGER_EXPECTED = 'must be a whole number';
const STRING_EXPECTED = 'must be a string';
const LIST_EXPECTED = 'must be a list of strings';

/** File values: TOML/JSON types; sizes and durations as numbers (bytes, ms) or human strings. */
function parseFileValue(type: FieldType, raw: unknown): Parsed {
  switch (type.kind) {
    case 'boolean':
      return typeof raw === 'boolean' ? { ok: true, value: raw } : { ok: false, reason: BOOLEAN_EXPECTED };
    case 'integer':
      return typeof raw === 'number' && Number.isSafeInteger(raw) ? { ok: true, value: raw } : { ok: false, reason: INTEGER_EXPECTED };
    case 'string':
      if (type.nullable && (raw === null || raw === '')) return { ok: true, value: null };
      return typeof raw === 'string' ? { ok: true, value: raw } : { ok: false, reason: STRING_EXPECTED };
    case 'enum':
    case 'address':
      return typeof raw === 'string' ? { ok: true, value: raw } : { ok: false, reason: STRING_EXPECTED };
    case 'size':
      return trySize(raw, { unlimited: type.unlimited });
    case 'duration':
      return tryDuration(raw, { none: type.none });
    case 'stringList':
      return Array.isArray(raw) && raw.every((item) => typeof item === 'string')
        ? { ok: true, value: [...raw] }
        : { ok: false, reason: LIST_EXPECTED };
  }
}

/** Environment values are text: "true"/"false", digits, units, comma-separated lists. */
function parseEnvValue(type: FieldType, text: string): Parsed {
  switch (type.kind) {
    case 'boolean': {
      const lower = text.trim().toLowerCase();
      return lower === 'true' || lower === 'false' ? { ok: true, value: lower === 'true' } : { ok: false, reason: BOOLEAN_EXPECTED };
    }
    case 'integer': {
      const trimmed = text.trim();
      const value = /^[+-]?\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
      return Number.isSafeInteger(value) ? { ok: true, value } : { ok: false, reason: INTEGER_EXPECTED };
    }
    case 'string':
      return { ok: true, value: type.nullable && text === '' ? null : text };
    case 'enum':
    case 'address':
      return { ok: true, value: text.trim() };
    case 'size':
      return trySize(text, { unlimited: type.unlimited });
    case 'duration':
      return tryDuration(text, { none: type.none });
    case 'stringList':
      return {
        ok: true,
        value: text
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item !== ''),
      };
  }
}

/** Overrides are typed values in base units; this guards callers in plain JavaScript. */
function parseOverrideValue(type: FieldType, raw: unknown): Parsed {
  switch (type.kind) {
    case 'boolean':
    case 'integer':
    case 'string':
    case 'enum':
    case 'address':
    case 'stringList':
      return parseFileValue(type, raw);
    case 'size':
      if (raw === null && type.unlimited) return { ok: true, value: null };
      return typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0
        ? { ok: true, value: raw }
        : { ok: false, reason: `must be a whole number of bytes${type.unlimited ? ' or null (unlimited)' : ''}` };
    case 'duration':
      if (raw === null && type.none) return { ok: true, value: null };
      return typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0
        ? { ok: true, value: raw }
        : { ok: false, reason: `must be a whole number of milliseconds${type.none ? ' or null (never)' : ''}` };
  }
}

/** Why a well-typed value is not allowed, or null. */
function checkRange(type: FieldType, value: unknown): string | null {
  switch (type.kind) {
    case 'boolean':
    case 'stringList':
      return null;
    case 'integer': {
      const number = value as number;
      if (number < type.min) return `is below the minimum ${type.min}`;
      if (number > type.max) return `is above the maximum ${type.max}`;
      return null;
    }
    case 'string': {
      if (value === null) return null;
      const lengthBytes = Buffer.byteLength(value as string, 'utf8');
      if (lengthBytes < type.lengthBytesMin) return type.lengthBytesMin === 1 ? 'must not be empty' : `is shorter than ${type.lengthBytesMin} bytes`;
      if (lengthBytes > type.lengthBytesMax) return `is longer than ${type.lengthBytesMax} bytes`;
      return null;
    }
    case 'enum':
      return type.values.includes(value as string) ? null : `must be one of ${type.values.map((item) => `"${item}"`).join(', ')}`;
    case 'address': {
      const result = tryListenAddress(value as string);
      return result.ok ? null : result.reason;
    }
    case 'size': {
      if (value === null) return null;
      const bytes = value as number;
      if (bytes < type.min) return `is below the minimum ${formatSize(type.min)}`;
      if (bytes > type.max) return `is above the maximum ${formatSize(type.max)}`;
      return null;
    }
    case 'duration': {
      if (value === null) return null;
      const ms = value as number;
      if (ms < type.min) return `is below the minimum ${formatDuration(type.min)}`;
      if (ms > type.max) return `is above the maximum ${formatDuration(type.max)}`;
      return null;
    }
  }
}

/** Checks between values; only run when every value is individually valid. */
function checkCombinations(config: ServerConfig, problems: string[]): void {
  const checkTls = (section: string, transportEnabled: boolean, tls: TlsConfig): void => {
    if (!transportEnabled || !tls.enabled) return;
    if (!tls.selfSigned) {
      for (const [name, value] of [['cert_file', tls.certFile], ['key_file', tls.keyFile]] as const) {
        if (value === null) problems.push(`${section}.tls.${name} is required when ${section}.tls.enabled = true and ${section}.tls.self_signed = false`);
      }
    }
    if (tls.clientAuth && tls.caFile === null) {
      problems.push(`${section}.tls.ca_file is required when ${section}.tls.client_auth = true`);
    }
  };
  checkTls('tcp', config.tcp.enabled, config.tcp.tls);
  checkTls('http', config.http.enabled, config.http.tls);
  checkTls('websocket', config.websocket.enabled, config.websocket.tls);

  if (config.quic.enabled && !config.quic.selfSigned) {
    for (const [name, value] of [['cert_file', config.quic.certFile], ['key_file', config.quic.keyFile]] as const) {
      if (value === null) problems.push(`quic.${name} is required when quic.enabled = true and quic.self_signed = false`);
    }
  }

  const listeners = (
    [
      ['tcp.address', config.tcp],
      ['http.address', config.http],
      ['websocket.address', config.websocket],
    ] as const
  ).filter(([, section]) => section.enabled);
  for (let i = 0; i < listeners.length; i += 1) {
    for (let j = i + 1; j < listeners.length; j += 1) {
      const [keyA, a] = listeners[i]!;
      const [keyB, b] = listeners[j]!;
      const addressA = tryListenAddress(a.address);
      const addressB = tryListenAddress(b.address);
      if (addressA.ok && addressB.ok && addressesOverlap(addressA.value, addressB.value)) {
        problems.push(`${keyA} = "${a.address}" and ${keyB} = "${b.address}" use the same port`);
      }
    }
  }

  if ((config.root.username === null) !== (config.root.password === null)) {
    problems.push('root.username and root.password must be set together (IGGY_ROOT_USERNAME and IGGY_ROOT_PASSWORD)');
  }

  if (config.encryption.enabled) {
    if (config.encryption.key === '') {
      problems.push('encryption.key is required when encryption.enabled = true (base64 of a 32-byte key)');
    } else if (!/^[A-Za-z0-9+/]{43}=$/.test(config.encryption.key)) {
      problems.push('encryption.key is not the base64 of a 32-byte key (44 characters ending in "=")');
    }
  }

  const topicSizeBytesMax = config.topic.sizeBytesMax;
  if (topicSizeBytesMax !== null && topicSizeBytesMax < config.segment.sizeBytes) {
    problems.push(
      `topic.max_size = "${formatSize(topicSizeBytesMax)}" is below segment.size = "${formatSize(config.segment.sizeBytes)}"; ` +
        'a topic must hold at least one segment',
    );
  }
}

function describeProblem(field: ConfigField, slot: Slot, reason: string): string {
  const key = slot.source.kind === 'overrides' ? field.path : field.key;
  const value = field.secret ? '' : ` = ${display(slot.raw)}`;
  return `${key}${value} ${reason}${describeSource(slot.source)}`;
}

function describeSource(source: Source): string {
  switch (source.kind) {
    case 'default':
      return '';
    case 'file':
      return ` (in ${source.path})`;
    case 'env':
      return ` (from ${source.name})`;
    case 'overrides':
      return ' (from overrides)';
  }
}

function display(raw: unknown): string {
  if (typeof raw === 'bigint') return raw.toString();
  if (raw instanceof Date) return raw.toISOString();
  const json = JSON.stringify(raw);
  return json === undefined ? String(raw) : json;
}

let fileKeyCandidateList: readonly string[] | null = null;
function fileKeyCandidates(): readonly string[] {
  fileKeyCandidateList ??= [...CONFIG_FIELDS.map((field) => field.key), ...FILE_SECTION_KEYS];
  return fileKeyCandidateList;
}

/** ' (did you mean x?)' for a near miss by spelling or by section, else ''. */
function suggestion(key: string, candidates: readonly string[]): string {
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(key, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== null && bestDistance <= Math.max(2, Math.floor(key.length / 5))) return ` (did you mean ${best}?)`;
  // Right name in the wrong section (e.g. Iggy's system.segment.size for segment.size).
  const bySuffix = candidates.filter((candidate) => key.endsWith(`.${candidate}`));
  if (bySuffix.length === 1) return ` (did you mean ${bySuffix[0]}?)`;
  return '';
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function buildConfig(slots: ReadonlyMap<string, Slot>): ServerConfig {
  const root: Record<string, unknown> = {};
  for (const [path, slot] of slots) {
    const parts = path.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      node = (node[part] ??= {}) as Record<string, unknown>;
    }
    node[parts[parts.length - 1]!] = slot.value;
  }
  return root as unknown as ServerConfig;
}
