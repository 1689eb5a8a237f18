/**
 * Deterministic randomness for live-server tests. Every test that draws random data takes its seed
 * from `testSeed()` (FUZZ_SEED / TEST_SEED to replay, else derived from the clock) and prints it on
 * failure through `withSeed`, so a failing run can be replayed exactly (as far as the server's own
 * timing allows).
 */

/** mulberry32: small, fast, deterministic; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded random source with the helpers the tests need. */
export class Random {
  private readonly next: () => number;

  constructor(readonly seed: number) {
    this.next = mulberry32(seed);
  }

  /** Float in [0, 1). */
  float(): number {
    return this.next();
  }

  /** Integer in [0, below). */
  integer(below: number): number {
    return Math.floor(this.next() * below);
  }

  /** Integer in [min, max] inclusive. */
  between(min: number, max: number): number {
    return min + this.integer(max - min + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.integer(items.length)]!;
  }

  /** `size` random bytes (a fresh buffer). */
  bytes(size: number): Buffer {
    const buffer = Buffer.allocUnsafe(size);
    let i = 0;
    for (; i + 4 <= size; i += 4) buffer.writeUInt32LE((this.next() * 0x1_0000_0000) >>> 0, i);
    for (; i < size; i += 1) buffer[i] = this.integer(256);
    return buffer;
  }
}

/** The seed of this run: `TEST_SEED` or `FUZZ_SEED` when set (replay), else a fresh one. */
export function testSeed(): number {
  const fromEnv = process.env.TEST_SEED ?? process.env.FUZZ_SEED;
  if (fromEnv !== undefined && fromEnv !== '') return Number(fromEnv) >>> 0;
  return (Date.now() ^ (process.pid << 16)) >>> 0;
}

/** Runs `body`; when it throws, the error message gains the seed and how to replay it. */
export async function withSeed<T>(seed: number, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    const note = `[seed ${seed}: replay with TEST_SEED=${seed}]`;
    if (error instanceof Error) {
      error.message = `${error.message}\n${note}`;
      throw error;
    }
    throw new Error(`${String(error)}\n${note}`);
  }
}
