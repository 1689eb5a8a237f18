/**
 * Invariant checks for the metadata model: a failed assertion is a bug (ours or a caller's broken
 * precondition), never an expected condition; expected failures are `IggyError`s. Cheap, always on.
 */
export class MetadataAssertionError extends Error {
  constructor(message: string) {
    super(`metadata invariant violated: ${message}`);
    this.name = 'MetadataAssertionError';
  }
}

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new MetadataAssertionError(message);
}
