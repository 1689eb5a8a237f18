/** Helpers shared by the route families: identifiers from path text, name checks, common responses. */
import { ErrorCode, type Identifier } from '@iggy-ts/protocol';
import { iggyProblem } from '../errors.js';
import type { ResponseSpec } from '../route.js';

const U32_MAX = 0xffff_ffff;

/** 0.8 `Identifier::from_str_value`: text that parses as u32 is a numeric id, anything else a name (1..255 bytes). */
export function parseIdentifier(text: string, field: string): Identifier {
  if (/^\d{1,10}$/.test(text) && Number(text) <= U32_MAX) return Number(text);
  const length = Buffer.byteLength(text, 'utf8');
  if (length < 1 || length > 255) throw iggyProblem(ErrorCode.InvalidIdentifier, `${field} must be a u32 id or a name of 1 to 255 bytes`, field);
  return text;
}

/** Checks a name's UTF-8 length (the schema counts characters; the wire limit is bytes). */
export function requireNameBytes(value: string, code: number, minimum = 1, maximum = 255): string {
  const length = Buffer.byteLength(value, 'utf8');
  if (length < minimum || length > maximum) throw iggyProblem(code);
  return value;
}

export const noBody = (description: string): ResponseSpec => ({ description });
