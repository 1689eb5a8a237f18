// Writes a configuration back in file form (snake_case keys, human units) and the reference tables
// of the docs. `configs/server.toml`, `configs/server.json` and the reference block of
// `docs/configuration.md` are generated from `CONFIG_FIELDS` and the defaults; a test keeps them
// identical, so they never drift from the code. After a schema change, build and run:
//   node -e "import('./packages/server/dist/config/render.js').then((m) => m.writeGeneratedConfigFiles('.'))"

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FIELDS, CONFIG_SECTIONS, DEFAULT_SERVER_CONFIG, getConfigValue, type ConfigField, type FieldType, type ServerConfig } from './schema.js';
import { formatDuration, formatSize } from './units.js';

/** A value as it is written in a file: human units for sizes and durations. */
function fileValue(field: ConfigField, value: unknown): unknown {
  switch (field.type.kind) {
    case 'size':
      return formatSize(value as number | null);
    case 'duration':
      return formatDuration(value as number | null);
    default:
      return value;
  }
}

/** The config as a nested object of snake_case keys with human units (the JSON file's content). */
export function toFileObject(config: ServerConfig = DEFAULT_SERVER_CONFIG): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const field of CONFIG_FIELDS) {
    const parts = field.key.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[parts[parts.length - 1]!] = fileValue(field, getConfigValue(config, field.path));
  }
  return root;
}

export function renderConfigJson(config: ServerConfig = DEFAULT_SERVER_CONFIG): string {
  return `${JSON.stringify(toFileObject(config), null, 2)}\n`;
}

function tomlValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(tomlValue).join(', ')}]`;
  // JSON string escapes (\" \\ \n \uXXXX) are valid TOML basic-string escapes.
  return JSON.stringify(value);
}

function wrapComment(text: string, indent = '# ', width = 100): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(indent + line);
  return lines;
}

/** The config as a commented TOML document; unset optional values appear commented out. */
export function renderConfigToml(config: ServerConfig = DEFAULT_SERVER_CONFIG): string {
  const out: string[] = [
    '# iggy-ts server configuration.',
    '#',
    '# Every key with its default. Sizes take B, KB, MB, GB (powers of 1000) or KiB, MiB, GiB (powers',
    '# of 1024), or a plain number of bytes; durations take ms, s, m, h, d, or a plain number of',
    '# milliseconds. Each key can be overridden by the environment variable shown in brackets',
    '# (IGGY_<SECTION>_<KEY>). Use it with `iggy-server --config <file>` or IGGY_CONFIG_PATH.',
    '# Reference: docs/configuration.md.',
  ];
  for (const section of CONFIG_SECTIONS) {
    out.push('', ...wrapComment(section.doc), `[${section.key}]`);
    for (const field of CONFIG_FIELDS) {
      if (field.key.slice(0, field.key.lastIndexOf('.')) !== section.key) continue;
      const name = field.key.slice(field.key.lastIndexOf('.') + 1);
      const value = fileValue(field, getConfigValue(config, field.path));
      out.push(...wrapComment(`${field.doc} [${field.envVar}]`));
      out.push(value === null ? `# ${name} = ""` : `${name} = ${tomlValue(value)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** How a value of this type is written, and its allowed range, for the reference tables. */
export function describeFieldType(type: FieldType): string {
  switch (type.kind) {
    case 'boolean':
      return 'true / false';
    case 'integer':
      return `integer, ${type.min} to ${type.max}`;
    case 'string': {
      const lengths =
        type.lengthBytesMax === Number.MAX_SAFE_INTEGER
          ? type.lengthBytesMin > 1
            ? `, at least ${type.lengthBytesMin} bytes`
            : ''
          : `, ${type.lengthBytesMin} to ${type.lengthBytesMax} bytes`;
      return `${type.nullable ? 'string or unset' : 'string'}${lengths}`;
    }
    case 'enum':
      return type.values.map((value) => `"${value}"`).join(' / ');
    case 'address':
      return '"host:port"';
    case 'stringList':
      return 'list of strings (env: comma-separated)';
    case 'size': {
      const max = type.max === Number.MAX_SAFE_INTEGER ? '' : ` to ${formatSize(type.max)}`;
      return `size, ${formatSize(type.min)}${max}${type.unlimited ? ', or "unlimited"' : ''}`;
    }
    case 'duration': {
      const max = type.max === Number.MAX_SAFE_INTEGER ? '' : ` to ${formatDuration(type.max)}`;
      return `duration, ${formatDuration(type.min)}${max}${type.none ? ', or "none"' : ''}`;
    }
  }
}

const escapeCell = (text: string): string => text.replace(/\|/g, '\\|');

/** The reference tables of docs/configuration.md: one table per section, one row per key. */
export function renderConfigReference(): string {
  const out: string[] = [];
  for (const section of CONFIG_SECTIONS) {
    const fields = CONFIG_FIELDS.filter((field) => field.key.slice(0, field.key.lastIndexOf('.')) === section.key);
    out.push(`### \`[${section.key}]\``, '', section.doc, '');
    out.push('| Key | Default | Environment variable | Values | Meaning |', '|---|---|---|---|---|');
    for (const field of fields) {
      const value = fileValue(field, getConfigValue(DEFAULT_SERVER_CONFIG, field.path));
      const defaultText = value === null ? 'unset' : `\`${tomlValue(value)}\``;
      out.push(
        `| \`${field.key}\` | ${escapeCell(defaultText)} | \`${field.envVar}\` | ${escapeCell(describeFieldType(field.type))} | ` +
          `${escapeCell(field.doc)} (TS: \`${field.path}\`) |`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}

export const REFERENCE_START_MARKER = '<!-- config-reference:start (generated by renderConfigReference; do not edit by hand) -->';
export const REFERENCE_END_MARKER = '<!-- config-reference:end -->';

/** The text between the reference markers of a docs page, or null when the markers are missing. */
export function extractConfigReference(markdown: string): string | null {
  const start = markdown.indexOf(REFERENCE_START_MARKER);
  const end = markdown.indexOf(REFERENCE_END_MARKER);
  if (start < 0 || end < start) return null;
  return markdown.slice(start + REFERENCE_START_MARKER.length, end).trim();
}

/**
 * Rewrites the generated files under `repositoryRoot`: configs/server.toml, configs/server.json
 * and the reference block of docs/configuration.md (whose prose is kept).
 */
export function writeGeneratedConfigFiles(repositoryRoot: string): void {
  writeFileSync(join(repositoryRoot, 'configs', 'server.toml'), renderConfigToml());
  writeFileSync(join(repositoryRoot, 'configs', 'server.json'), renderConfigJson());
  const docsPath = join(repositoryRoot, 'docs', 'configuration.md');
  const docs = readFileSync(docsPath, 'utf8');
  const start = docs.indexOf(REFERENCE_START_MARKER);
  const end = docs.indexOf(REFERENCE_END_MARKER);
  if (start < 0 || end < start) throw new Error(`${docsPath} lacks the config reference markers`);
  const block = `${REFERENCE_START_MARKER}\n\n${renderConfigReference()}\n${REFERENCE_END_MARKER}`;
  writeFileSync(docsPath, docs.slice(0, start) + block + docs.slice(end + REFERENCE_END_MARKER.length));
}
