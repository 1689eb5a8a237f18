/**
 * Invariant checks (TigerBeetle style): a failed assertion is a bug in this package or a broken
 * precondition of its caller, never an expected runtime condition. Expected failures (corrupt data
 * read back, bad offsets from a client) are `IggyError` values instead. Only cheap checks live here;
 * they stay on in production.
 */
export class AssertionError extends Error {
  constructor(message: string) {
    super(`storage invariant violated: ${message}`);
    this.name = 'AssertionError';
  }
}

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}
