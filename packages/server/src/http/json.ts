/**
 * JSON with exact 64- and 128-bit integers. Iggy 0.8 writes u64/u128 values (`message_expiry`,
 * `max_topic_size`, message `id` and `checksum`) as bare JSON numbers that can exceed 2^53, so:
 * - `parseJson` turns an integer literal outside the safe range into a `bigint` (other numbers stay
 *   `number`); objects are created without a prototype, so `__proto__` keys are plain data;
 * - `stringifyJson` writes a `bigint` as bare digits; `undefined` object fields are left out.
 * Nesting is limited (`JSON_DEPTH_MAX`) so a hostile body cannot exhaust the stack.
 */

export const JSON_DEPTH_MAX = 64;

export class JsonSyntaxError extends Error {
  constructor(message: string, readonly position: number) {
    super(`${message} at position ${position}`);
    this.name = 'JsonSyntaxError';
  }
}

const NUMBER_PATTERN = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

class Parser {
  position = 0;
  constructor(private readonly text: string) {}

  fail(message: string): never {
    throw new JsonSyntaxError(message, this.position);
  }

  skipWhitespace(): void {
    const text = this.text;
    while (this.position < text.length && WHITESPACE.has(text.charCodeAt(this.position))) this.position += 1;
  }

  value(depth: number): unknown {
    if (depth > JSON_DEPTH_MAX) this.fail(`nesting deeper than ${JSON_DEPTH_MAX}`);
    this.skipWhitespace();
    const char = this.text[this.position];
    switch (char) {
      case '{':
        return this.object(depth);
      case '[':
        return this.array(depth);
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      case undefined:
        return this.fail('unexpected end of input');
      default:
        if (char === '-' || (char >= '0' && char <= '9')) return this.number();
        return this.fail(`unexpected character ${JSON.stringify(char)}`);
    }
  }

  literal<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.position)) this.fail('invalid literal');
    this.position += word.length;
    return value;
  }

  number(): number | bigint {
    NUMBER_PATTERN.lastIndex = this.position;
    const match = NUMBER_PATTERN.exec(this.text);
    if (match === null) return this.fail('invalid number');
    this.position += match[0].length;
    const literal = match[0];
    const value = Number(literal);
    if (match[1] === undefined && match[2] === undefined && !Number.isSafeInteger(value)) return BigInt(literal);
    return value;
  }

  string(): string {
    const text = this.text;
    const start = this.position;
    let index = start + 1;
    let escaped = false;
    for (;;) {
      if (index >= text.length) return this.fail('unterminated string');
      const code = text.charCodeAt(index);
      if (code === 0x22) break;
      if (code === 0x5c) {
        escaped = true;
        index += 2;
        continue;
      }
      if (code < 0x20) {
        this.position = index;
        return this.fail('control character in string');
      }
      index += 1;
    }
    this.position = index + 1;
    if (!escaped) return text.slice(start + 1, index);
    try {
      // Escape sequences are rare in API bodies; the platform decoder validates them exactly.
      return JSON.parse(text.slice(start, index + 1)) as string;
    } catch {
      this.position = start;
      return this.fail('invalid escape sequence in string');
    }
  }

  array(depth: number): unknown[] {
    this.position += 1;
    const items: unknown[] = [];
    this.skipWhitespace();
    if (this.text[this.position] === ']') {
      this.position += 1;
      return items;
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.skipWhitespace();
      const char = this.text[this.position];
      this.position += 1;
      if (char === ']') return items;
      if (char !== ',') {
        this.position -= 1;
        this.fail('expected "," or "]"');
      }
    }
  }

  object(depth: number): Record<string, unknown> {
    this.position += 1;
    const result: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    this.skipWhitespace();
    if (this.text[this.position] === '}') {
      this.position += 1;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.position] !== '"') this.fail('expected a property name');
      const key = this.string();
      this.skipWhitespace();
      if (this.text[this.position] !== ':') this.fail('expected ":"');
      this.position += 1;
      result[key] = this.value(depth + 1);
      this.skipWhitespace();
      const char = this.text[this.position];
      this.position += 1;
      if (char === '}') return result;
      if (char !== ',') {
        this.position -= 1;
        this.fail('expected "," or "}"');
      }
    }
  }
}

/** Parses a JSON text; throws JsonSyntaxError with the position of the first problem. */
export function parseJson(text: string): unknown {
  const parser = new Parser(text);
  const value = parser.value(0);
  parser.skipWhitespace();
  if (parser.position !== text.length) parser.fail('unexpected data after the JSON value');
  return value;
}

function write(value: unknown, parts: string[]): void {
  switch (typeof value) {
    case 'string':
      parts.push(JSON.stringify(value));
      return;
    case 'number':
      parts.push(Number.isFinite(value) ? String(value) : 'null');
      return;
    case 'bigint':
      parts.push(value.toString());
      return;
    case 'boolean':
      parts.push(value ? 'true' : 'false');
      return;
    case 'undefined':
    case 'function':
    case 'symbol':
      parts.push('null');
      return;
    default:
      break;
  }
  if (value === null) {
    parts.push('null');
    return;
  }
  if (Array.isArray(value)) {
    parts.push('[');
    for (let i = 0; i < value.length; i += 1) {
      if (i > 0) parts.push(',');
      write(value[i], parts);
    }
    parts.push(']');
    return;
  }
  parts.push('{');
  let first = true;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (item === undefined) continue;
    if (!first) parts.push(',');
    first = false;
    parts.push(JSON.stringify(key), ':');
    write(item, parts);
  }
  parts.push('}');
}

/** Compact JSON text; bigint values are written as exact integers. */
export function stringifyJson(value: unknown): string {
  const parts: string[] = [];
  write(value, parts);
  return parts.join('');
}
