/** Metadata: the router's single-writer model of streams, topics, groups, users and tokens. */
export * from './model.js';
export * from './metadata.js';
export * from './permissions.js';
export * from './passwords.js';
export { IdAllocator } from './id-allocator.js';
export { MetadataStore, encodeStateFile, decodeStateFile, STATE_FILE_MAGIC, STATE_FILE_VERSION } from './store.js';
export type { GroupPartitionPurpose } from './consumer-groups.js';
export { MetadataAssertionError } from './assert.js';
