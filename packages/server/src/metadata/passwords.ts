/**
 * Password hashing with scrypt (memory-hard, node:crypto). A hash is a self-describing string
 * `scrypt$N$r$p$<salt base64>$<key base64>`, so the cost can change later without breaking stored
 * hashes: verification always uses the parameters written in the hash. Comparison is constant-time.
 * Passwords are never logged and never appear in error messages.
 *
 * The async variants run on the libuv thread pool, which keeps the router's event loop free
 * (one hash at N=16384 costs tens of milliseconds of CPU).
 */
import { randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  /** Block size. */
  r: number;
  /** Parallelism. */
  p: number;
}

export const DEFAULT_SCRYPT_PARAMS: Readonly<ScryptParams> = Object.freeze({ N: 16384, r: 8, p: 1 });

const SALT_SIZE_BYTES = 16;
const KEY_SIZE_BYTES = 32;
const PREFIX = 'scrypt';

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

function scryptOptions(params: ScryptParams): ScryptOptions {
  // scrypt needs about 128 * N * r bytes; leave headroom over Node's 32 MiB default limit.
  return { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 };
}

function encode(params: ScryptParams, salt: Buffer, key: Buffer): string {
  return `${PREFIX}$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

function parse(encoded: string): ParsedHash {
  const parts = encoded.split('$');
  const malformed = new Error('malformed password hash');
  if (parts.length !== 6 || parts[0] !== PREFIX) throw malformed;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![N, r, p].every((value) => Number.isSafeInteger(value) && value > 0)) throw malformed;
  const salt = Buffer.from(parts[4]!, 'base64');
  const key = Buffer.from(parts[5]!, 'base64');
  if (salt.length === 0 || key.length === 0) throw malformed;
  return { params: { N, r, p }, salt, key };
}

function scryptAsync(password: string, salt: Buffer, keySizeBytes: number, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keySizeBytes, scryptOptions(params), (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

/** Hashes `password` with a fresh 16-byte salt (async, off the event loop). */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_SIZE_BYTES);
  const key = await scryptAsync(password, salt, KEY_SIZE_BYTES, params);
  return encode(params, salt, key);
}

/** Synchronous `hashPassword`, for start-up and tests. */
export function hashPasswordSync(password: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): string {
  const salt = randomBytes(SALT_SIZE_BYTES);
  return encode(params, salt, scryptSync(password, salt, KEY_SIZE_BYTES, scryptOptions(params)));
}

/** Whether `password` matches `encoded`; throws only when `encoded` is not a hash this module wrote. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const { params, salt, key } = parse(encoded);
  const candidate = await scryptAsync(password, salt, key.length, params);
  return timingSafeEqual(candidate, key);
}

/** Synchronous `verifyPassword`. */
export function verifyPasswordSync(password: string, encoded: string): boolean {
  const { params, salt, key } = parse(encoded);
  return timingSafeEqual(scryptSync(password, salt, key.length, scryptOptions(params)), key);
}
