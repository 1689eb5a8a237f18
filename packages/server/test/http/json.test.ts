import { describe, expect, it } from 'vitest';
import { JSON_DEPTH_MAX, JsonSyntaxError, parseJson, stringifyJson } from '../../src/http/json.js';

describe('exact JSON', () => {
  it('parses integers past 2^53 as bigint and keeps the others as numbers', () => {
    const value = parseJson('{"expiry":18446744073709551615,"small":42,"float":1.5,"exp":1e3,"negative":-9007199254740993}') as Record<string, unknown>;
    expect(value.expiry).toBe(18446744073709551615n);
    expect(value.small).toBe(42);
    expect(value.float).toBe(1.5);
    expect(value.exp).toBe(1000);
    expect(value.negative).toBe(-9007199254740993n);
  });

  it('writes bigint values as bare digits and leaves out undefined fields', () => {
    expect(stringifyJson({ id: (1n << 128n) - 1n, name: 'a"b', skip: undefined, list: [1, null, true] })).toBe(
      '{"id":340282366920938463463374607431768211455,"name":"a\\"b","list":[1,null,true]}',
    );
  });

  it('round-trips strings with escapes and unicode exactly', () => {
    const text = 'tab\there "quote" \\ é 😀 \u0001';
    expect(parseJson(stringifyJson({ text }))).toEqual({ text });
  });

  it('treats __proto__ as a plain key', () => {
    const value = parseJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(value)).toEqual(['__proto__']);
  });

  it.each([
    ['', 'unexpected end of input'],
    ['{"a":1,}', 'expected a property name'],
    ['[1 2]', 'expected "," or "]"'],
    ['{"a" 1}', 'expected ":"'],
    ['"open', 'unterminated string'],
    ['"bad \\x escape"', 'invalid escape sequence'],
    ['01', 'unexpected data after the JSON value'],
    ['tru', 'invalid literal'],
    ['{} {}', 'unexpected data'],
  ])('rejects %j with a positioned error', (text, message) => {
    expect(() => parseJson(text)).toThrow(JsonSyntaxError);
    expect(() => parseJson(text)).toThrow(message);
  });

  it('refuses nesting deeper than the limit instead of exhausting the stack', () => {
    const deep = '['.repeat(JSON_DEPTH_MAX + 2) + ']'.repeat(JSON_DEPTH_MAX + 2);
    expect(() => parseJson(deep)).toThrow('nesting deeper');
    const fine = '['.repeat(JSON_DEPTH_MAX) + ']'.repeat(JSON_DEPTH_MAX);
    expect(() => parseJson(fine)).not.toThrow();
  });
});
