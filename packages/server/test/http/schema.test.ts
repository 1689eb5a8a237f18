import { describe, expect, it } from 'vitest';
import { SchemaRegistry, coerceParameter, validate, type Schema } from '../../src/http/schema.js';

const registry = new SchemaRegistry();
const Item = registry.define('Item', {
  type: 'object',
  properties: { id: { type: 'integer', format: 'uint64' }, name: { type: 'string', minLength: 1, maxLength: 3 }, data: { type: 'string', contentEncoding: 'base64' } },
  required: ['id'],
});
const body: Schema = {
  type: 'object',
  properties: {
    items: { type: 'array', items: Item, maxItems: 2 },
    kind: { type: 'string', enum: ['a', 'b'], default: 'a' },
    maybe: { type: ['integer', 'null'], format: 'uint8' },
    map: { type: 'object', propertyNames: { type: 'string', pattern: '^[0-9]+$' }, additionalProperties: { type: 'boolean' } },
    either: { anyOf: [{ type: 'integer', format: 'uint32' }, { type: 'string', minLength: 1 }] },
  },
  required: ['items'],
};

describe('request schema validation', () => {
  it('accepts a valid body and fills top-level defaults', () => {
    const value: Record<string, unknown> = { items: [{ id: 18446744073709551615n, name: 'abc', data: 'AAAAAA==' }], maybe: null, map: { '1': true }, either: 'x' };
    expect(validate(body, value, registry)).toBeUndefined();
    expect(value.kind).toBe('a');
  });

  it.each([
    ['items', 'field items is required', {}],
    ['items', 'field items must be an array', { items: 'no' }],
    ['items[0].id', 'field items[0].id is required', { items: [{}] }],
    ['items[0].id', 'field items[0].id must be an integer from 0 to 18446744073709551615', { items: [{ id: -1 }] }],
    ['items[0].id', 'must be an integer from 0 to 18446744073709551615', { items: [{ id: 18446744073709551616n }] }],
    ['items[0].id', 'must be an integer', { items: [{ id: 1.5 }] }],
    ['items[0].name', 'must be a string of 1 to 3 characters', { items: [{ id: 1, name: 'abcd' }] }],
    ['items[0].data', 'must be a base64 string', { items: [{ id: 1, data: 'not base64!' }] }],
    ['items', 'must hold at most 2 items', { items: [{ id: 1 }, { id: 2 }, { id: 3 }] }],
    ['kind', 'must be one of "a", "b"', { items: [], kind: 'c' }],
    ['maybe', 'must be an integer from 0 to 255 or null', { items: [], maybe: 256 }],
    ['map.x', 'key "x" of field map must be', { items: [], map: { x: true } }],
    ['map.1', 'field map.1 must be a boolean', { items: [], map: { '1': 'yes' } }],
    ['either', 'must be an integer from 0 to 4294967295 or a string of at least 1 characters', { items: [], either: true }],
  ])('reports field %s: %s', (field, message, value) => {
    const issue = validate(body, value, registry);
    expect(issue?.field).toBe(field);
    expect(issue?.message).toContain(message);
  });

  it('rejects a body that is not an object', () => {
    expect(validate(body, [1], registry)).toEqual({ field: null, message: 'request body must be an object' });
  });

  it('converts parameter text to the declared type, leaving unconvertible text to fail', () => {
    expect(coerceParameter('42', { type: 'integer' }, registry)).toBe(42);
    expect(coerceParameter('18446744073709551615', { type: 'integer' }, registry)).toBe(18446744073709551615n);
    expect(coerceParameter('true', { type: 'boolean' }, registry)).toBe(true);
    expect(coerceParameter('yes', { type: 'boolean' }, registry)).toBe('yes');
    expect(validate({ type: 'integer', format: 'uint32' }, coerceParameter('x1', { type: 'integer' }, registry), registry, 'count')?.message).toBe(
      'field count must be an integer from 0 to 4294967295',
    );
  });
});
