/**
 * The subset of JSON Schema (2020-12, as OpenAPI 3.1 uses it) that the route table declares, and
 * the validator that checks requests against the same declarations the OpenAPI document publishes.
 *
 * Integers may arrive as `bigint` (see json.ts). Unsigned integer formats carry their range:
 * `uint8`, `uint16`, `uint32`, `uint64`, `uint128`; `contentEncoding: "base64"` checks standard
 * base64. `$ref` points into `#/components/schemas/` (the `SchemaRegistry`). The first failure wins
 * and is reported with the dotted path of the offending field (`messages[2].payload`).
 */

export type SchemaType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'null';

export interface Schema {
  readonly type?: SchemaType | readonly SchemaType[];
  readonly description?: string;
  readonly enum?: readonly (string | number | boolean | null)[];
  readonly format?: string;
  readonly contentEncoding?: 'base64';
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly items?: Schema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | Schema;
  readonly propertyNames?: Schema;
  readonly anyOf?: readonly Schema[];
  readonly $ref?: string;
  readonly default?: unknown;
  readonly examples?: readonly unknown[];
}

export interface ValidationIssue {
  /** Dotted path of the field, e.g. `partitioning.kind`; `null` for the whole body. */
  readonly field: string | null;
  /** Readable sentence, e.g. `field name must be a string of 1 to 255 characters`. */
  readonly message: string;
}

const REF_PREFIX = '#/components/schemas/';

/** Named schemas, published under `components.schemas` and resolved by `$ref`. */
export class SchemaRegistry {
  private readonly schemas = new Map<string, Schema>();

  /** Registers `schema` under `name` and returns a `$ref` to it. */
  define(name: string, schema: Schema): Schema {
    if (this.schemas.has(name)) throw new Error(`schema ${name} defined twice`);
    this.schemas.set(name, schema);
    return { $ref: `${REF_PREFIX}${name}` };
  }

  resolve(schema: Schema): Schema {
    let current = schema;
    for (let hops = 0; current.$ref !== undefined; hops += 1) {
      if (hops > 16) throw new Error(`schema reference loop at ${schema.$ref}`);
      const name = current.$ref.startsWith(REF_PREFIX) ? current.$ref.slice(REF_PREFIX.length) : current.$ref;
      const target = this.schemas.get(name);
      if (target === undefined) throw new Error(`unknown schema reference ${current.$ref}`);
      current = target;
    }
    return current;
  }

  entries(): [string, Schema][] {
    return [...this.schemas.entries()];
  }
}

const UNSIGNED_MAX: Readonly<Record<string, bigint>> = {
  uint8: 0xffn,
  uint16: 0xffffn,
  uint32: 0xffff_ffffn,
  uint64: 0xffff_ffff_ffff_ffffn,
  uint128: (1n << 128n) - 1n,
};

const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function typeOf(value: unknown): SchemaType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'bigint':
      return 'integer';
    case 'number':
      return Number.isInteger(value) ? 'integer' : 'number';
    default:
      return 'object';
  }
}

function matchesType(value: unknown, type: SchemaType): boolean {
  const actual = typeOf(value);
  if (type === 'number') return actual === 'number' || actual === 'integer';
  if (type === 'object') return actual === 'object' && typeof value === 'object';
  return actual === type;
}

/** "a string", "an integer or null", ... for messages. */
export function describeSchema(schema: Schema, registry: SchemaRegistry): string {
  const resolved = registry.resolve(schema);
  if (resolved.enum !== undefined) return `one of ${resolved.enum.map((item) => JSON.stringify(item)).join(', ')}`;
  if (resolved.anyOf !== undefined) return resolved.anyOf.map((item) => describeSchema(item, registry)).join(' or ');
  const types = resolved.type === undefined ? [] : typeof resolved.type === 'string' ? [resolved.type] : resolved.type;
  const words = types.map((type) => {
    switch (type) {
      case 'integer': {
        const limit = resolved.format === undefined ? undefined : UNSIGNED_MAX[resolved.format];
        if (limit !== undefined) return `an integer from ${resolved.minimum ?? 0} to ${resolved.maximum ?? limit}`;
        if (resolved.minimum !== undefined || resolved.maximum !== undefined) return `an integer from ${resolved.minimum ?? '-∞'} to ${resolved.maximum ?? '∞'}`;
        return 'an integer';
      }
      case 'string': {
        if (resolved.contentEncoding === 'base64') return 'a base64 string';
        const min = resolved.minLength;
        const max = resolved.maxLength;
        if (min !== undefined && max !== undefined) return `a string of ${min} to ${max} characters`;
        if (max !== undefined) return `a string of at most ${max} characters`;
        if (min !== undefined) return `a string of at least ${min} characters`;
        return 'a string';
      }
      case 'array':
        return 'an array';
      case 'object':
        return 'an object';
      case 'null':
        return 'null';
      case 'boolean':
        return 'a boolean';
      case 'number':
        return 'a number';
    }
    return type;
  });
  return words.length === 0 ? 'a valid value' : words.join(' or ');
}

function join(path: string | null, key: string): string {
  return path === null ? key : `${path}.${key}`;
}

function issue(path: string | null, schema: Schema, registry: SchemaRegistry): ValidationIssue {
  return { field: path, message: `${path === null ? 'request body' : `field ${path}`} must be ${describeSchema(schema, registry)}` };
}

/** Code points, as JSON Schema counts string length. */
function lengthOf(text: string): number {
  let length = 0;
  for (const _ of text) length += 1;
  return length;
}

/**
 * Checks `value` against `schema`; returns the first issue or undefined. Top-level object
 * properties that are absent and declare a `default` are filled in `value` (the caller's object).
 */
export function validate(schema: Schema, value: unknown, registry: SchemaRegistry, path: string | null = null): ValidationIssue | undefined {
  const resolved = registry.resolve(schema);
  if (resolved.anyOf !== undefined) {
    for (const option of resolved.anyOf) if (validate(option, value, registry, path) === undefined) return undefined;
    // When the value has the type of exactly one option, that option's issue is the precise one.
    const sameType = resolved.anyOf.filter((option) => {
      const type = registry.resolve(option).type;
      return type !== undefined && (typeof type === 'string' ? [type] : type).some((candidate) => matchesType(value, candidate));
    });
    if (sameType.length === 1) return validate(sameType[0]!, value, registry, path);
    return issue(path, resolved, registry);
  }
  if (resolved.type !== undefined) {
    const types = typeof resolved.type === 'string' ? [resolved.type] : resolved.type;
    if (!types.some((type) => matchesType(value, type))) return issue(path, resolved, registry);
  }
  if (resolved.enum !== undefined && !resolved.enum.includes(value as string)) return issue(path, resolved, registry);
  const actual = typeOf(value);
  if (actual === 'integer' || actual === 'number') {
    const big = typeof value === 'bigint' ? value : Number.isInteger(value) ? BigInt(value as number) : undefined;
    const limit = resolved.format === undefined ? undefined : UNSIGNED_MAX[resolved.format];
    if (limit !== undefined && (big === undefined || big < 0n || big > limit)) return issue(path, resolved, registry);
    const numeric = Number(value);
    if (resolved.minimum !== undefined && numeric < resolved.minimum) return issue(path, resolved, registry);
    if (resolved.maximum !== undefined && numeric > resolved.maximum) return issue(path, resolved, registry);
  } else if (actual === 'string') {
    const text = value as string;
    const length = resolved.minLength !== undefined || resolved.maxLength !== undefined ? lengthOf(text) : 0;
    if (resolved.minLength !== undefined && length < resolved.minLength) return issue(path, resolved, registry);
    if (resolved.maxLength !== undefined && length > resolved.maxLength) return issue(path, resolved, registry);
    if (resolved.pattern !== undefined && !new RegExp(resolved.pattern, 'u').test(text)) return issue(path, resolved, registry);
    if (resolved.contentEncoding === 'base64' && !BASE64_PATTERN.test(text)) return issue(path, resolved, registry);
  } else if (actual === 'array') {
    const items = value as unknown[];
    if (resolved.minItems !== undefined && items.length < resolved.minItems) {
      return { field: path, message: `${path === null ? 'request body' : `field ${path}`} must hold at least ${resolved.minItems} items` };
    }
    if (resolved.maxItems !== undefined && items.length > resolved.maxItems) {
      return { field: path, message: `${path === null ? 'request body' : `field ${path}`} must hold at most ${resolved.maxItems} items` };
    }
    if (resolved.items !== undefined) {
      for (let index = 0; index < items.length; index += 1) {
        const found = validate(resolved.items, items[index], registry, `${path ?? ''}[${index}]`);
        if (found !== undefined) return found;
      }
    }
  } else if (actual === 'object') {
    const record = value as Record<string, unknown>;
    for (const name of resolved.required ?? []) {
      if (!Object.hasOwn(record, name) || record[name] === undefined) {
        const property = resolved.properties?.[name];
        const what = property === undefined ? '' : ` (${describeSchema(property, registry)})`;
        return { field: join(path, name), message: `field ${join(path, name)} is required${what}` };
      }
    }
    const properties = resolved.properties ?? {};
    for (const [name, property] of Object.entries(properties)) {
      if (!Object.hasOwn(record, name) || record[name] === undefined) {
        if (path === null && property.default !== undefined) record[name] = property.default;
        continue;
      }
      const found = validate(property, record[name], registry, join(path, name));
      if (found !== undefined) return found;
    }
    for (const name of Object.keys(record)) {
      if (Object.hasOwn(properties, name)) continue;
      if (resolved.propertyNames !== undefined && validate(resolved.propertyNames, name, registry, join(path, name)) !== undefined) {
        return { field: join(path, name), message: `key ${JSON.stringify(name)} of ${path === null ? 'the request body' : `field ${path}`} must be ${describeSchema(resolved.propertyNames, registry)}` };
      }
      const extra = resolved.additionalProperties;
      if (extra === false) return { field: join(path, name), message: `field ${join(path, name)} is not allowed` };
      if (typeof extra === 'object') {
        const found = validate(extra, record[name], registry, join(path, name));
        if (found !== undefined) return found;
      }
    }
  }
  return undefined;
}

/**
 * Query and path parameters arrive as text: converts `text` to what `schema` declares (integers to
 * number or, past 2^53, bigint; booleans from `true`/`false`) so `validate` can check it. Text that
 * does not convert is returned unchanged and fails validation with a readable message.
 */
export function coerceParameter(text: string, schema: Schema, registry: SchemaRegistry): unknown {
  const resolved = registry.resolve(schema);
  const types = resolved.type === undefined ? [] : typeof resolved.type === 'string' ? [resolved.type] : resolved.type;
  if (types.includes('integer') && /^-?\d+$/.test(text)) {
    const value = Number(text);
    return Number.isSafeInteger(value) ? value : BigInt(text);
  }
  if (types.includes('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}
